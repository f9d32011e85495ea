/**
 * The pull channel's tables (migration 0024): the connection of each event type (its
 * encrypted credentials, the server key recorded on first connect, the last pull), the
 * runs, and the files pulled. Only this folder writes them.
 */
import type { Sql } from '../../db/types.js';
import type { ServerKey } from './remote.js';

export interface PullConnectionRow {
  eventTypeId: number;
  brandAccountId: number;
  credentialsEncrypted: string | null;
  credentialsKind: 'PASSWORD' | 'PRIVATE_KEY' | null;
  credentialsSavedAt: Date | null;
  credentialsSavedByUserId: number | null;
  credentialsSavedBy: string | null;
  serverKeyFor: string | null;
  serverKey: string | null;
  serverKeyRecordedAt: Date | null;
  lastPullAt: Date | null;
  lastPullStatus: 'OK' | 'ERROR' | null;
  lastPullError: string | null;
  lastSuccessAt: Date | null;
}

export async function getPullConnection(sql: Sql, eventTypeId: number): Promise<PullConnectionRow | null> {
  const { rows } = await sql.query<PullConnectionRow>(
    `select c.event_type_id as "eventTypeId", c.brand_account_id as "brandAccountId", c.credentials_encrypted as "credentialsEncrypted",
            c.credentials_kind as "credentialsKind", c.credentials_saved_at as "credentialsSavedAt",
            c.credentials_saved_by_user_id as "credentialsSavedByUserId", u.name as "credentialsSavedBy",
            c.server_key_for as "serverKeyFor", c.server_key as "serverKey", c.server_key_recorded_at as "serverKeyRecordedAt",
            c.last_pull_at as "lastPullAt", c.last_pull_status as "lastPullStatus", c.last_pull_error as "lastPullError",
            c.last_success_at as "lastSuccessAt"
       from returns_pull_connections c left join users u on u.id = c.credentials_saved_by_user_id
      where c.event_type_id = $1`,
    [eventTypeId],
  );
  return rows[0] ?? null;
}

export function recordedKeyOf(row: PullConnectionRow | null): ServerKey | null {
  return row?.serverKey && row.serverKeyFor ? { for: row.serverKeyFor, key: row.serverKey } : null;
}

export async function saveCredentialsRow(
  sql: Sql,
  input: { eventTypeId: number; brandAccountId: number; encrypted: string | null; kind: 'PASSWORD' | 'PRIVATE_KEY' | null; userId: number | null; now: Date },
): Promise<void> {
  await sql.query(
    `insert into returns_pull_connections (event_type_id, brand_account_id, credentials_encrypted, credentials_kind, credentials_saved_at, credentials_saved_by_user_id)
     values ($1, $2, $3, $4, $5, $6)
     on conflict (event_type_id) do update set credentials_encrypted = excluded.credentials_encrypted, credentials_kind = excluded.credentials_kind,
       credentials_saved_at = excluded.credentials_saved_at, credentials_saved_by_user_id = excluded.credentials_saved_by_user_id`,
    [input.eventTypeId, input.brandAccountId, input.encrypted, input.kind, input.encrypted === null ? null : input.now, input.encrypted === null ? null : input.userId],
  );
}

/**
 * Records the key a server presented on its first connection (trust on first use), unless
 * a key for the same server was recorded meanwhile; returns the key on record afterwards,
 * which the caller compares with the one presented.
 */
export async function recordServerKey(sql: Sql, eventTypeId: number, brandAccountId: number, key: ServerKey, now: Date): Promise<ServerKey> {
  await sql.query(
    `insert into returns_pull_connections (event_type_id, brand_account_id, server_key_for, server_key, server_key_recorded_at)
     values ($1, $2, $3, $4, $5)
     on conflict (event_type_id) do update set server_key_for = excluded.server_key_for, server_key = excluded.server_key,
       server_key_recorded_at = excluded.server_key_recorded_at
     where returns_pull_connections.server_key is null or returns_pull_connections.server_key_for is distinct from excluded.server_key_for`,
    [eventTypeId, brandAccountId, key.for, key.key, now],
  );
  const { rows } = await sql.query<{ for: string; key: string }>(
    'select server_key_for as for, server_key as key from returns_pull_connections where event_type_id = $1',
    [eventTypeId],
  );
  return rows[0]!;
}

export async function forgetServerKeyRow(sql: Sql, eventTypeId: number): Promise<boolean> {
  const { rowCount } = await sql.query(
    'update returns_pull_connections set server_key_for = null, server_key = null, server_key_recorded_at = null where event_type_id = $1 and server_key is not null',
    [eventTypeId],
  );
  return rowCount > 0;
}

export type PullTrigger = 'SCHEDULE' | 'MANUAL';

/** A new run; a run of the event type left RUNNING (its worker died) is closed as interrupted. */
export async function startRun(sql: Sql, input: { eventTypeId: number; brandAccountId: number; trigger: PullTrigger; workItemId: bigint; now: Date }): Promise<bigint> {
  await sql.query(
    `update returns_pull_runs set status = 'ERROR', finished_at = $2,
            error = 'Interrupted: the worker running this pull stopped; the pull was taken up again.'
      where event_type_id = $1 and status = 'RUNNING'`,
    [input.eventTypeId, input.now],
  );
  const { rows } = await sql.query<{ id: string }>(
    `insert into returns_pull_runs (event_type_id, brand_account_id, trigger, work_item_id, started_at, status)
     values ($1, $2, $3, $4, $5, 'RUNNING') returning id::text as id`,
    [input.eventTypeId, input.brandAccountId, input.trigger, input.workItemId.toString(), input.now],
  );
  return BigInt(rows[0]!.id);
}

export interface RunCounts {
  matched: number;
  pulled: number;
  skipped: number;
}

/** Closes a run and keeps its outcome with the connection; only the 200 latest runs of an event type are kept. */
export async function finishRun(
  sql: Sql,
  input: { runId: bigint; eventTypeId: number; brandAccountId: number; counts: RunCounts; error: string | null; now: Date },
): Promise<void> {
  const status = input.error === null ? 'OK' : 'ERROR';
  await sql.query(
    `update returns_pull_runs set status = $2, finished_at = $3, files_matched = $4, files_pulled = $5, files_skipped = $6, error = $7 where id = $1`,
    [input.runId.toString(), status, input.now, input.counts.matched, input.counts.pulled, input.counts.skipped, input.error],
  );
  await sql.query(
    `insert into returns_pull_connections (event_type_id, brand_account_id, last_pull_at, last_pull_status, last_pull_error, last_success_at)
     values ($1, $2, $3, $4, $5, case when $4 = 'OK' then $3::timestamptz end)
     on conflict (event_type_id) do update set last_pull_at = excluded.last_pull_at, last_pull_status = excluded.last_pull_status,
       last_pull_error = excluded.last_pull_error, last_success_at = coalesce(excluded.last_success_at, returns_pull_connections.last_success_at)`,
    [input.eventTypeId, input.brandAccountId, input.now, status, input.error],
  );
  await sql.query(
    `delete from returns_pull_runs where event_type_id = $1 and id < (select id from returns_pull_runs where event_type_id = $1 order by id desc offset 199 limit 1)`,
    [input.eventTypeId],
  );
}

export interface PulledFileRow {
  id: bigint;
  fileName: string;
  size: number;
  modifiedAt: Date | null;
  contentHash: string;
  batchId: bigint;
  pulledAt: Date;
  deletedAt: Date | null;
  resultUploadedAt: Date | null;
  resultError: string | null;
}

const PULLED_COLUMNS = `id::text as id, file_name as "fileName", size::float8 as size, modified_at as "modifiedAt", content_hash as "contentHash",
  batch_id::text as "batchId", pulled_at as "pulledAt", deleted_at as "deletedAt", result_uploaded_at as "resultUploadedAt", result_error as "resultError"`;

function pulledOf(row: Omit<PulledFileRow, 'id' | 'batchId'> & { id: string; batchId: string }): PulledFileRow {
  return { ...row, id: BigInt(row.id), batchId: BigInt(row.batchId) };
}

/** A file pulled before with the same name, size and modification time (when the server tells the time). */
export async function findPulledFile(sql: Sql, eventTypeId: number, file: { name: string; size: number; modifiedAt: Date | null }): Promise<PulledFileRow | null> {
  if (file.modifiedAt === null) return null;
  const { rows } = await sql.query<Omit<PulledFileRow, 'id' | 'batchId'> & { id: string; batchId: string }>(
    `select ${PULLED_COLUMNS} from returns_pulled_files
      where event_type_id = $1 and file_name = $2 and size = $3 and modified_at = $4 order by id limit 1`,
    [eventTypeId, file.name, file.size, file.modifiedAt],
  );
  return rows[0] ? pulledOf(rows[0]) : null;
}

export async function recordPulledFile(
  sql: Sql,
  input: {
    eventTypeId: number;
    brandAccountId: number;
    runId: bigint;
    file: { name: string; size: number; modifiedAt: Date | null };
    contentHash: string;
    batchId: bigint;
    now: Date;
  },
): Promise<bigint> {
  const { rows } = await sql.query<{ id: string }>(
    `insert into returns_pulled_files (event_type_id, brand_account_id, run_id, file_name, size, modified_at, content_hash, batch_id, pulled_at)
     values ($1, $2, $3, $4, $5, $6, $7, $8, $9) returning id::text as id`,
    [
      input.eventTypeId,
      input.brandAccountId,
      input.runId.toString(),
      input.file.name,
      input.file.size,
      input.file.modifiedAt,
      input.contentHash,
      input.batchId.toString(),
      input.now,
    ],
  );
  return BigInt(rows[0]!.id);
}

export async function markPulledFileDeleted(sql: Sql, id: bigint, now: Date): Promise<void> {
  await sql.query('update returns_pulled_files set deleted_at = $2 where id = $1 and deleted_at is null', [id.toString(), now]);
}

export async function markResultUploaded(sql: Sql, batchId: bigint, outcome: { at: Date } | { error: string }): Promise<void> {
  if ('at' in outcome) {
    await sql.query('update returns_pulled_files set result_uploaded_at = $2, result_error = null where batch_id = $1', [batchId.toString(), outcome.at]);
  } else {
    await sql.query('update returns_pulled_files set result_error = $2 where batch_id = $1', [batchId.toString(), outcome.error.slice(0, 2000)]);
  }
}

export async function listPulledFiles(sql: Sql, eventTypeId: number, limit: number): Promise<PulledFileRow[]> {
  const { rows } = await sql.query<Omit<PulledFileRow, 'id' | 'batchId'> & { id: string; batchId: string }>(
    `select ${PULLED_COLUMNS} from returns_pulled_files where event_type_id = $1 order by id desc limit $2`,
    [eventTypeId, limit],
  );
  return rows.map(pulledOf);
}

export interface PullRunRow {
  id: bigint;
  trigger: PullTrigger;
  startedAt: Date;
  finishedAt: Date | null;
  status: 'RUNNING' | 'OK' | 'ERROR';
  filesMatched: number;
  filesPulled: number;
  filesSkipped: number;
  error: string | null;
}

export async function listRuns(sql: Sql, eventTypeId: number, limit: number): Promise<PullRunRow[]> {
  const { rows } = await sql.query<Omit<PullRunRow, 'id'> & { id: string }>(
    `select id::text as id, trigger, started_at as "startedAt", finished_at as "finishedAt", status, files_matched as "filesMatched",
            files_pulled as "filesPulled", files_skipped as "filesSkipped", error
       from returns_pull_runs where event_type_id = $1 order by id desc limit $2`,
    [eventTypeId, limit],
  );
  return rows.map((r) => ({ ...r, id: BigInt(r.id) }));
}
