import type { WorkItem } from '../contract/work-items.js';
import type { WorkItemView } from '../../worker/list-work-items.js';
import { isoOrNull } from './common.js';

export function toWorkItemDto(item: WorkItemView): WorkItem {
  return {
    Id: item.id.toString(),
    Kind: item.kind,
    State: item.state,
    Attempts: item.attempts,
    MaxAttempts: item.maxAttempts,
    LastError: item.lastError,
    Progress: item.progress,
    PayloadSummary: item.payloadSummary,
    DedupeKey: item.dedupeKey,
    RunAfterDate: item.runAfter.toISOString(),
    LeaseOwner: item.leaseOwner,
    LeaseExpiresDate: isoOrNull(item.leaseExpiresAt),
    CreatedDate: item.createdAt.toISOString(),
    UpdatedDate: item.updatedAt.toISOString(),
    StartedDate: isoOrNull(item.startedAt),
    FinishedDate: isoOrNull(item.finishedAt),
  };
}
