import type { BrandEventType, BrandEventTypeDetail, ReturnsProcessingChange } from '../contract/event-types.js';
import type { AuditEventRow } from '../../modules/audit/queries.js';
import type { BrandEventTypeRow } from '../../modules/programs/brand-event-types.js';
import { returnsEmailAddress } from '../../modules/programs/email-address.js';
import { RETURNS_CHANNEL_RUNNING, type ReturnsSettings } from '../../modules/programs/returns-settings.js';
import type { ReturnsProcessing } from '../../modules/programs/types.js';

export function toBrandEventTypeDto(e: BrandEventTypeRow, mailDomain: string): BrandEventType {
  const s = e.returnsSettings;
  const pull = e.returnsProcessing === 'SFTP_PULL' ? (s.SFTP_PULL ?? null) : null;
  const email = e.returnsProcessing === 'EMAIL' ? (s.EMAIL ?? null) : null;
  const sf = e.returnsProcessing === 'SALESFORCE' ? (s.SALESFORCE ?? null) : null;
  return {
    Id: e.id,
    CampaignId: e.programId,
    CampaignName: e.programName,
    Currency: e.currency,
    Name: e.name,
    Kind: e.kind,
    ReturnsProcessing: {
      Method: e.returnsProcessing,
      ChannelRunning: RETURNS_CHANNEL_RUNNING[e.returnsProcessing],
      Pull: pull && {
        Protocol: pull.protocol,
        Host: pull.host,
        Port: pull.port,
        Username: pull.username,
        Folder: pull.folder,
        FilePattern: pull.filePattern,
        ResultFolder: pull.resultFolder,
        DeleteAfterPull: pull.deleteAfterPull,
        IntervalMinutes: pull.intervalMinutes,
      },
      Email: email && {
        Address: e.returnsEmailToken ? returnsEmailAddress(e.returnsEmailToken, mailDomain) : null,
        FilePattern: email.filePattern,
        ReturnAddress: email.returnAddress,
        AllowedSenders: email.allowedSenders,
      },
      Salesforce: sf && {
        InstanceUrl: sf.instanceUrl,
        ObjectName: sf.objectName,
        MatchField: sf.matchField,
        MatchBy: sf.matchBy,
        StatusField: sf.statusField,
        Statuses: sf.statuses.map((m) => ({ Value: m.value, Change: m.change, Reason: m.reason, AmountField: m.amountField })),
      },
      ChangedDate: e.returnsProcessingChangedAt?.toISOString() ?? null,
    },
    CreatedDate: e.createdAt.toISOString(),
  };
}

interface AuditSide {
  method: ReturnsProcessing;
  settings: ReturnsSettings;
}

const wireKey = (key: string) => key.charAt(0).toUpperCase() + key.slice(1);
const shown = (value: unknown) => (value === null || value === undefined ? '(none)' : Array.isArray(value) ? value.join(', ') || '(none)' : typeof value === 'object' ? JSON.stringify(value) : String(value));

/** One audited change of Returns Processing, as the event type's page lists it: one line per field that changed. */
export function toReturnsProcessingChangeDto(event: AuditEventRow): ReturnsProcessingChange {
  const detail = event.detail as { before: AuditSide; after: AuditSide; emailAddressRegenerated?: boolean };
  const changes: string[] = [];
  if (detail.before.method !== detail.after.method) changes.push(`Method: ${detail.before.method} → ${detail.after.method}`);
  const method = detail.after.method as keyof ReturnsSettings;
  const before = (detail.before.settings?.[method] ?? {}) as Record<string, unknown>;
  const after = (detail.after.settings?.[method] ?? {}) as Record<string, unknown>;
  for (const key of Object.keys(after)) {
    if (JSON.stringify(before[key]) !== JSON.stringify(after[key])) changes.push(`${wireKey(key)}: ${shown(before[key])} → ${shown(after[key])}`);
  }
  if (detail.emailAddressRegenerated) changes.push('E-mail address: a new one; the old one no longer takes files');
  return {
    Id: event.id,
    ChangedDate: event.at.toISOString(),
    ChangedBy: event.actorName,
    MethodBefore: detail.before.method,
    Method: detail.after.method,
    Changes: changes,
  };
}

export function toBrandEventTypeDetailDto(e: BrandEventTypeRow, history: AuditEventRow[], mailDomain: string): BrandEventTypeDetail {
  return { ...toBrandEventTypeDto(e, mailDomain), ReturnsProcessingHistory: history.map(toReturnsProcessingChangeDto) };
}
