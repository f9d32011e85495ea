import type { SalesforceStatus } from '../../channels/salesforce/status.js';
import type { SalesforceStatusDto } from '../contract/salesforce.js';

const iso = (d: Date | null) => (d ? d.toISOString() : null);

export function toSalesforceStatusDto(s: SalesforceStatus, publicUrl: string): SalesforceStatusDto {
  const c = s.connection;
  const m = s.mapping;
  return {
    EventTypeId: s.eventTypeId,
    Method: s.method,
    Mapping: m
      ? {
          InstanceUrl: m.instanceUrl,
          ObjectName: m.objectName,
          MatchField: m.matchField,
          MatchBy: m.matchBy,
          StatusField: m.statusField,
          Statuses: m.statuses.map((x) => ({ Value: x.value, Change: x.change, Reason: x.reason, AmountField: x.amountField })),
        }
      : null,
    OutboundMessageUrl: s.outboundPath ? `${publicUrl.replace(/\/+$/, '')}${s.outboundPath}` : null,
    Credentials: { Set: Boolean(c?.credentialsKind), Kind: c?.credentialsKind ?? null, SavedDate: iso(c?.credentialsSavedAt ?? null), SavedBy: c?.credentialsSavedBy ?? null },
    PollIntervalMinutes: c?.pollIntervalMinutes ?? 15,
    PollCursor: iso(c?.pollCursor ?? null),
    LastPollDate: iso(c?.lastPollAt ?? null),
    LastPollStatus: c?.lastPollStatus ?? null,
    LastError: c?.lastPollStatus === 'ERROR' ? (c.lastPollError ?? null) : null,
    NextPollDate: iso(s.nextPollAt),
    Messages: s.messages.map((x) => ({
      Id: x.id.toString(),
      Source: x.source,
      ReceivedDate: x.receivedAt.toISOString(),
      OrganizationId: x.organizationId,
      Notifications: x.notifications,
      New: x.newNotifications,
      Duplicates: x.duplicates,
      Skipped: x.skipped,
      BatchId: x.batchId?.toString() ?? null,
      BatchStatus: x.batchStatus,
      Status: x.status,
      Error: x.error,
    })),
    Notifications: s.notifications.map((n) => ({
      NotificationId: n.notificationId,
      RecordId: n.recordId,
      StatusValue: n.statusValue,
      Change: n.change,
      Outcome: n.outcome,
      Message: n.message,
      BatchId: n.batchId?.toString() ?? null,
      ReceivedDate: n.receivedAt.toISOString(),
    })),
  };
}
