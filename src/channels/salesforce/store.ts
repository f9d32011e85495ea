/**
 * The Salesforce channel's tables (migration 0029): each event type's connection (the
 * Outbound Message token, the encrypted poll credentials, the poll cursor and the last
 * poll), the messages and polls received, and every notification taken. Only this folder
 * writes them.
 */
import type { Sql } from '../../db/types.js';

export type CredentialsKind = 'REFRESH_TOKEN' | 'PASSWORD';

export interface SalesforceConnectionRow {
  eventTypeId: number;
  brandAccountId: number;
  outboundToken: string | null;
  outboundTokenCreatedAt: Date | null;
  credentialsEncrypted: string | null;
  credentialsKind: CredentialsKind | null;
  credentialsSavedAt: Date | null;
  credentialsSavedByUserId: number | null;
  credentialsSavedBy: string | null;
  pollIntervalMinutes: number;
  pollCursor: Date | null;
  lastPollAt: Date | null;
  lastPollStatus: 'OK' | 'ERROR' | null;
  lastPollError: string | null;
}

const CONNECTION_COLUMNS = `c.event_type_id as "eventTypeId", c.brand_account_id as "brandAccountId", c.outbound_token as "outboundToken",
  c.outbound_token_created_at as "outboundTokenCreatedAt", c.credentials_encrypted as "credentialsEncrypted", c.credentials_kind as "credentialsKind",
  c.credentials_saved_at as "credentialsSavedAt", c.credentials_saved_by_user_id as "credentialsSavedByUserId", u.name as "credentialsSavedBy",
  c.poll_interval_minutes as "pollIntervalMinutes", c.poll_cursor as "pollCursor", c.last_poll_at as "lastPollAt",
  c.last_poll_status as "lastPollStatus", c.last_poll_error as "lastPollError"`;

export async function getConnection(sql: Sql, eventTypeId: number, options: { forUpdate?: boolean } = {}): Promise<SalesforceConnectionRow | null> {
  const { rows } = await sql.query<SalesforceConnectionRow>(
    `select ${CONNECTION_COLUMNS} from salesforce_connections c left join users u on u.id = c.credentials_saved_by_user_id
      where c.event_type_id = $1${options.forUpdate ? ' for update of c' : ''}`,
    [eventTypeId],
  );
  return rows[0] ?? null;
}

/** The event type whose Outbound Message URL holds this token; undefined for none (unknown, or regenerated). */
export async function findConnectionByToken(sql: Sql, token: string): Promise<SalesforceConnectionRow | undefined> {
  const { rows } = await sql.query<SalesforceConnectionRow>(
    `select ${CONNECTION_COLUMNS} from salesforce_connections c left join users u on u.id = c.credentials_saved_by_user_id where c.outbound_token = $1`,
    [token],
  );
  return rows[0];
}

/** Sets the token; with `onlyIfNone`, keeps one that exists. Returns the token on record. */
export async function setOutboundToken(sql: Sql, input: { eventTypeId: number; brandAccountId: number; token: string; now: Date; onlyIfNone: boolean }): Promise<string> {
  await sql.query(
    `insert into salesforce_connections (event_type_id, brand_account_id, outbound_token, outbound_token_created_at) values ($1, $2, $3, $4)
     on conflict (event_type_id) do update set outbound_token = excluded.outbound_token, outbound_token_created_at = excluded.outbound_token_created_at
     where not $5::boolean or salesforce_connections.outbound_token is null`,
    [input.eventTypeId, input.brandAccountId, input.token, input.now, input.onlyIfNone],
  );
  const { rows } = await sql.query<{ token: string }>('select outbound_token as token from salesforce_connections where event_type_id = $1', [input.eventTypeId]);
  return rows[0]!.token;
}

export async function saveCredentialsRow(
  sql: Sql,
  input: { eventTypeId: number; brandAccountId: number; encrypted: string | null; kind: CredentialsKind | null; intervalMinutes: number; userId: number | null; now: Date },
): Promise<void> {
  await sql.query(
    `insert into salesforce_connections (event_type_id, brand_account_id, credentials_encrypted, credentials_kind, credentials_saved_at, credentials_saved_by_user_id, poll_interval_minutes)
     values ($1, $2, $3, $4, $5, $6, $7)
     on conflict (event_type_id) do update set credentials_encrypted = excluded.credentials_encrypted, credentials_kind = excluded.credentials_kind,
       credentials_saved_at = excluded.credentials_saved_at, credentials_saved_by_user_id = excluded.credentials_saved_by_user_id,
       poll_interval_minutes = excluded.poll_interval_minutes`,
    [
      input.eventTypeId,
      input.brandAccountId,
      input.encrypted,
      input.kind,
      input.encrypted === null ? null : input.now,
      input.encrypted === null ? null : input.userId,
      input.intervalMinutes,
    ],
  );
}

/** Moves the poll cursor forward (never back), in the caller's transaction. */
export async function advanceCursor(sql: Sql, eventTypeId: number, cursor: Date): Promise<void> {
  await sql.query(
    'update salesforce_connections set poll_cursor = greatest(coalesce(poll_cursor, $2::timestamptz), $2::timestamptz) where event_type_id = $1',
    [eventTypeId, cursor],
  );
}

export async function recordPollOutcome(sql: Sql, input: { eventTypeId: number; error: string | null; now: Date }): Promise<void> {
  await sql.query('update salesforce_connections set last_poll_at = $2, last_poll_status = $3, last_poll_error = $4 where event_type_id = $1', [
    input.eventTypeId,
    input.now,
    input.error === null ? 'OK' : 'ERROR',
    input.error?.slice(0, 2000) ?? null,
  ]);
}

/** The notification ids of these that were taken before for the event type. */
export async function seenNotificationIds(sql: Sql, eventTypeId: number, ids: readonly string[]): Promise<Set<string>> {
  if (ids.length === 0) return new Set();
  const { rows } = await sql.query<{ id: string }>(
    'select notification_id as id from salesforce_notifications where event_type_id = $1 and notification_id = any($2::text[])',
    [eventTypeId, ids],
  );
  return new Set(rows.map((r) => r.id));
}

export interface MessageInput {
  eventTypeId: number;
  brandAccountId: number;
  source: 'OUTBOUND' | 'POLL';
  organizationId: string | null;
  notifications: number;
  newNotifications: number;
  duplicates: number;
  skipped: number;
  batchId: bigint | null;
  error: string | null;
  now: Date;
}

/**
 * How long a notification id is kept: Salesforce redelivers an unacknowledged message for
 * 24 hours, and a poll sees a record's change again only within the cursor's second; the
 * ids are kept well past both, then pruned with the messages.
 */
export const NOTIFICATION_KEEP_DAYS = 30;

/** A message (or a poll) received; only the newest 200 of an event type are kept, and its notifications of the last NOTIFICATION_KEEP_DAYS days. */
export async function recordMessage(sql: Sql, input: MessageInput): Promise<bigint> {
  const { rows } = await sql.query<{ id: string }>(
    `insert into salesforce_messages (event_type_id, brand_account_id, source, received_at, organization_id, notifications, new_notifications, duplicates, skipped, batch_id, status, error)
     values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12) returning id::text as id`,
    [
      input.eventTypeId,
      input.brandAccountId,
      input.source,
      input.now,
      input.organizationId,
      input.notifications,
      input.newNotifications,
      input.duplicates,
      input.skipped,
      input.batchId?.toString() ?? null,
      input.error === null ? 'OK' : 'ERROR',
      input.error?.slice(0, 2000) ?? null,
    ],
  );
  await sql.query(
    `delete from salesforce_messages where event_type_id = $1 and id < (select id from salesforce_messages where event_type_id = $1 order by id desc offset 199 limit 1)`,
    [input.eventTypeId],
  );
  await sql.query(`delete from salesforce_notifications where event_type_id = $1 and received_at < $2::timestamptz - make_interval(days => $3)`, [
    input.eventTypeId,
    input.now,
    NOTIFICATION_KEEP_DAYS,
  ]);
  return BigInt(rows[0]!.id);
}

export interface NotificationInput {
  notificationId: string;
  recordId: string;
  statusValue: string | null;
  change: string | null;
  outcome: 'QUEUED' | 'SKIPPED';
  message: string | null;
}

/**
 * Records notifications as taken; returns the ids that were taken before (by a delivery
 * that committed meanwhile), in which case the caller rolls back and reads again.
 */
export async function recordNotifications(
  sql: Sql,
  input: { eventTypeId: number; brandAccountId: number; messageId: bigint | null; batchId: bigint | null; now: Date; notifications: readonly NotificationInput[] },
): Promise<string[]> {
  if (input.notifications.length === 0) return [];
  const { rows } = await sql.query<{ id: string }>(
    `insert into salesforce_notifications (event_type_id, brand_account_id, message_id, notification_id, record_id, status_value, change, outcome, message, batch_id, received_at)
     select $1, $2, $3, u.notification_id, u.record_id, u.status_value, u.change, u.outcome, u.message, $4, $5
       from unnest($6::text[], $7::text[], $8::text[], $9::text[], $10::text[], $11::text[]) as u(notification_id, record_id, status_value, change, outcome, message)
     on conflict (event_type_id, notification_id) do nothing
     returning notification_id as id`,
    [
      input.eventTypeId,
      input.brandAccountId,
      input.messageId?.toString() ?? null,
      input.batchId?.toString() ?? null,
      input.now,
      input.notifications.map((n) => n.notificationId),
      input.notifications.map((n) => n.recordId.slice(0, 100)),
      input.notifications.map((n) => n.statusValue?.slice(0, 200) ?? null),
      input.notifications.map((n) => n.change),
      input.notifications.map((n) => n.outcome),
      input.notifications.map((n) => n.message?.slice(0, 1000) ?? null),
    ],
  );
  const inserted = new Set(rows.map((r) => r.id));
  return input.notifications.map((n) => n.notificationId).filter((id) => !inserted.has(id));
}

export interface MessageRow {
  id: bigint;
  source: 'OUTBOUND' | 'POLL';
  receivedAt: Date;
  organizationId: string | null;
  notifications: number;
  newNotifications: number;
  duplicates: number;
  skipped: number;
  batchId: bigint | null;
  batchStatus: string | null;
  status: 'OK' | 'ERROR';
  error: string | null;
}

export async function listMessages(sql: Sql, eventTypeId: number, limit: number): Promise<MessageRow[]> {
  const { rows } = await sql.query<Omit<MessageRow, 'id' | 'batchId'> & { id: string; batchId: string | null }>(
    `select m.id::text as id, m.source, m.received_at as "receivedAt", m.organization_id as "organizationId", m.notifications,
            m.new_notifications as "newNotifications", m.duplicates, m.skipped, m.batch_id::text as "batchId", b.status as "batchStatus", m.status, m.error
       from salesforce_messages m left join returns_batches b on b.id = m.batch_id
      where m.event_type_id = $1 order by m.id desc limit $2`,
    [eventTypeId, limit],
  );
  return rows.map((r) => ({ ...r, id: BigInt(r.id), batchId: r.batchId === null ? null : BigInt(r.batchId) }));
}

export interface NotificationRow {
  notificationId: string;
  recordId: string;
  statusValue: string | null;
  change: string | null;
  outcome: 'QUEUED' | 'SKIPPED';
  message: string | null;
  batchId: bigint | null;
  receivedAt: Date;
}

export async function listNotifications(sql: Sql, eventTypeId: number, limit: number): Promise<NotificationRow[]> {
  const { rows } = await sql.query<Omit<NotificationRow, 'batchId'> & { batchId: string | null }>(
    `select notification_id as "notificationId", record_id as "recordId", status_value as "statusValue", change, outcome, message,
            batch_id::text as "batchId", received_at as "receivedAt"
       from salesforce_notifications where event_type_id = $1 order by id desc limit $2`,
    [eventTypeId, limit],
  );
  return rows.map((r) => ({ ...r, batchId: r.batchId === null ? null : BigInt(r.batchId) }));
}
