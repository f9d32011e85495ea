import type { ConnectionTest } from '../../channels/pull/test-connection.js';
import type { PullStatus } from '../../channels/pull/status.js';
import type { ConnectionTestDto, PullStatusDto } from '../contract/returns-pull.js';

const iso = (d: Date | null) => (d ? d.toISOString() : null);

export function toPullStatusDto(s: PullStatus): PullStatusDto {
  const c = s.connection;
  return {
    EventTypeId: s.eventTypeId,
    Credentials: { Set: Boolean(c?.credentialsKind), Kind: c?.credentialsKind ?? null, SavedDate: iso(c?.credentialsSavedAt ?? null), SavedBy: c?.credentialsSavedBy ?? null },
    ServerKey: c?.serverKey && c.serverKeyFor && c.serverKeyRecordedAt ? { Server: c.serverKeyFor, Key: c.serverKey, RecordedDate: c.serverKeyRecordedAt.toISOString() } : null,
    LastPullDate: iso(c?.lastPullAt ?? null),
    LastPullStatus: c?.lastPullStatus ?? null,
    LastError: c?.lastPullStatus === 'ERROR' ? (c.lastPullError ?? null) : null,
    LastSuccessDate: iso(c?.lastSuccessAt ?? null),
    NextPullDate: iso(s.nextPullAt),
    Runs: s.runs.map((r) => ({
      Id: r.id.toString(),
      Trigger: r.trigger,
      StartedDate: r.startedAt.toISOString(),
      FinishedDate: iso(r.finishedAt),
      Status: r.status,
      FilesMatched: r.filesMatched,
      FilesPulled: r.filesPulled,
      FilesSkipped: r.filesSkipped,
      Error: r.error,
    })),
    Files: s.files.map((f) => ({
      FileName: f.fileName,
      Size: f.size,
      ModifiedDate: iso(f.modifiedAt),
      ContentHash: f.contentHash,
      BatchId: f.batchId.toString(),
      PulledDate: f.pulledAt.toISOString(),
      DeletedDate: iso(f.deletedAt),
      ResultUploadedDate: iso(f.resultUploadedAt),
      ResultError: f.resultError,
    })),
  };
}

export function toConnectionTestDto(t: ConnectionTest): ConnectionTestDto {
  return {
    Ok: t.ok,
    Error: t.error,
    Trust: t.trust,
    ServerKey: t.serverKey ? { Server: t.serverKey.for, Key: t.serverKey.key, RecordedNow: t.serverKey.recordedNow } : null,
    Matches: t.matches.map((m) => ({ FileName: m.name, Size: m.size, ModifiedDate: iso(m.modifiedAt), AlreadyPulled: m.alreadyPulled })),
    Truncated: t.truncated,
  };
}
