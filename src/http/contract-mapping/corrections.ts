import type { Correction } from '../contract/corrections.js';
import type { CorrectionRow } from '../../modules/billing/corrections.js';
import type { ChangeReasonCode } from '../../modules/actions/types.js';
import { formatMinor } from '../../money/index.js';
import { isoOrNull } from './common.js';

function statusOf(c: CorrectionRow): Correction['Status'] {
  if (c.forfeitId !== null) return 'FORFEITED';
  if (c.paystubId !== null) return 'PAID';
  if (c.clearedAt !== null) return 'CLEARED';
  return c.statementId === null ? 'UNBILLED' : 'BILLED';
}

export function toCorrectionDto(c: CorrectionRow): Correction {
  return {
    Id: c.id.toString(),
    ActionId: c.actionId.toString(),
    CampaignId: c.programId,
    BrandAccountId: c.brandAccountId,
    MediaPartnerId: c.partnerAccountId,
    Amount: formatMinor(c.amountMinor, c.currency),
    Currency: c.currency,
    Reason: c.reason as ChangeReasonCode,
    Note: c.note,
    CreatedDate: c.createdAt.toISOString(),
    DueDate: c.dueAt.toISOString(),
    StatementId: c.statementId,
    StatementNumber: c.statementNumber,
    ClearedDate: isoOrNull(c.clearedAt),
    PaystubId: c.paystubId === null ? null : c.paystubId.toString(),
    Status: statusOf(c),
  };
}
