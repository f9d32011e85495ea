/**
 * Reads of the sftp-access module: a brand's SFTP login (username, whether a password is
 * set, its keys), what the SFTP server needs at login, and the folders and files an
 * account sees. The folders are the brand's event types whose Returns Processing is
 * SFTP_UPLOAD; a folder's files are the batches that came by SFTP for that event type.
 */
import type { Sql } from '../../db/types.js';
import type { AccountActor } from '../accounts/actor.js';
import type { BatchStatus } from '../returns/types.js';

export interface SftpKeySummary {
  id: number;
  algorithm: string;
  bits: number;
  fingerprint: string;
  label: string;
  createdBy: number;
  createdByName: string | null;
  createdAt: Date;
  lastUsedAt: Date | null;
}

export interface SftpAccessSummary {
  username: string;
  passwordSet: boolean;
  passwordSetAt: Date | null;
  keys: SftpKeySummary[];
}

/** The account's SFTP login, or undefined when it was never given one. */
export async function getSftpAccess(sql: Sql, accountId: number): Promise<SftpAccessSummary | undefined> {
  const { rows } = await sql.query<{ username: string; passwordSet: boolean; passwordSetAt: Date | null }>(
    `select username, password_hash is not null as "passwordSet", password_set_at as "passwordSetAt" from sftp_accounts where account_id = $1`,
    [accountId],
  );
  if (!rows[0]) return undefined;
  const keys = await sql.query<SftpKeySummary>(
    `select k.id, k.algorithm, k.bits, k.fingerprint, k.label, k.created_by as "createdBy", u.name as "createdByName",
            k.created_at as "createdAt", k.last_used_at as "lastUsedAt"
       from sftp_keys k left join users u on u.id = k.created_by
      where k.account_id = $1 and k.removed_at is null order by k.id`,
    [accountId],
  );
  return { ...rows[0], keys: keys.rows };
}

export interface SftpLogin {
  accountId: number;
  accountKind: 'BRAND' | 'PARTNER';
  accountStatus: 'ACTIVE' | 'CLOSED';
  passwordHash: string | null;
  passwordSetBy: number | null;
  keys: Array<{ id: number; algorithm: string; blob: Buffer; createdBy: number }>;
}

/** What a login as `username` is checked against (the username is matched exactly); undefined for an unknown one. */
export async function findSftpLogin(sql: Sql, username: string): Promise<SftpLogin | undefined> {
  const { rows } = await sql.query<Omit<SftpLogin, 'keys'>>(
    `select s.account_id as "accountId", a.kind as "accountKind", a.status as "accountStatus",
            s.password_hash as "passwordHash", s.password_set_by as "passwordSetBy"
       from sftp_accounts s join accounts a on a.id = s.account_id where s.username = $1`,
    [username],
  );
  if (!rows[0]) return undefined;
  const keys = await sql.query<{ id: number; algorithm: string; publicKey: string; createdBy: number }>(
    `select id, algorithm, public_key as "publicKey", created_by as "createdBy" from sftp_keys where account_id = $1 and removed_at is null order by id`,
    [rows[0].accountId],
  );
  return { ...rows[0], keys: keys.rows.map((k) => ({ id: k.id, algorithm: k.algorithm, blob: Buffer.from(k.publicKey, 'base64'), createdBy: k.createdBy })) };
}

/**
 * The user an upload acts as: the member who made the credential used, while they are an
 * active member of the account; otherwise the account's first active admin. The changes a
 * file makes are recorded in their name, as a file uploaded in the UI is in its uploader's.
 */
export async function uploadActor(sql: Sql, accountId: number, credentialUserId: number | null): Promise<AccountActor | undefined> {
  const { rows } = await sql.query<{ userId: number; role: 'ADMIN' | 'USER'; timeZone: string; kind: 'BRAND' | 'PARTNER' }>(
    `select u.id as "userId", m.role, a.time_zone as "timeZone", a.kind
       from accounts a join memberships m on m.account_id = a.id join users u on u.id = m.user_id
      where a.id = $1 and a.status = 'ACTIVE' and u.disabled_at is null and (u.id = $2 or m.role = 'ADMIN')
      order by (u.id = $2) desc, m.user_id limit 1`,
    [accountId, credentialUserId],
  );
  const row = rows[0];
  if (!row) return undefined;
  return { type: 'account', userId: row.userId, accountId, accountKind: row.kind, accountTimeZone: row.timeZone, role: row.role, via: 'token' };
}

/** Text as a name in a path or a login: lower case ASCII letters and digits, dashes between words, at most `max` characters. */
export function slugOf(text: string, max: number): string {
  return text
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, max)
    .replace(/-+$/, '');
}

/** A folder's name: the event type's id, then its name in lower case with dashes (`12-online-sale`). */
export function folderNameOf(eventTypeId: number, name: string): string {
  return `${eventTypeId}-${slugOf(name, 40) || 'event-type'}`;
}

/** The event type id a folder name names (`12-online-sale`, or `12` alone); undefined for any other name. */
export function eventTypeIdOfFolder(folder: string): number | undefined {
  const match = /^([1-9][0-9]{0,9})(?:-[a-z0-9-]*)?$/.exec(folder);
  if (!match) return undefined;
  const id = Number(match[1]);
  return id <= 2_147_483_647 ? id : undefined;
}

export interface SftpFolder {
  eventTypeId: number;
  eventTypeName: string;
  programId: number;
  programName: string;
  folder: string;
  createdAt: Date;
}

/** The account's folders: one per event type of its programs whose Returns Processing is SFTP_UPLOAD. */
export async function listSftpFolders(sql: Sql, accountId: number, eventTypeId?: number): Promise<SftpFolder[]> {
  const { rows } = await sql.query<Omit<SftpFolder, 'folder'>>(
    `select e.id as "eventTypeId", e.name as "eventTypeName", p.id as "programId", p.name as "programName", e.created_at as "createdAt"
       from event_types e join programs p on p.id = e.program_id
      where p.brand_account_id = $1 and e.returns_processing = 'SFTP_UPLOAD' and ($2::int is null or e.id = $2)
      order by e.id`,
    [accountId, eventTypeId ?? null],
  );
  return rows.map((row) => ({ ...row, folder: folderNameOf(row.eventTypeId, row.eventTypeName) }));
}

export interface SftpFile {
  batchId: bigint;
  fileName: string;
  bytes: number;
  status: BatchStatus;
  rowsTotal: number | null;
  counts: Record<string, number>;
  error: string | null;
  receivedAt: Date;
  completedAt: Date | null;
  hidden: boolean;
}

type StoredFile = Omit<SftpFile, 'batchId'> & { batchId: string };

const FILE_COLUMNS = `b.id::text as "batchId", b.file_name as "fileName", b.bytes::float8 as bytes, b.status, b.rows_total as "rowsTotal",
  b.counts, b.error, b.received_at as "receivedAt", b.completed_at as "completedAt", h.batch_id is not null as hidden`;

/**
 * The files a folder shows: the batches that came by SFTP for the event type and were not
 * deleted from the folder, the newest of each name (a name sent again with other bytes is
 * a new batch, and replaces the older one in the listing), by name.
 */
export async function listFolderFiles(sql: Sql, accountId: number, eventTypeId: number): Promise<SftpFile[]> {
  const { rows } = await sql.query<StoredFile>(
    `select distinct on (b.file_name) ${FILE_COLUMNS}
       from returns_batches b left join sftp_hidden_batches h on h.batch_id = b.id
      where b.brand_account_id = $1 and b.event_type_id = $2 and b.channel = 'SFTP' and h.batch_id is null
      order by b.file_name, b.received_at desc, b.id desc`,
    [accountId, eventTypeId],
  );
  return rows.map((row) => ({ ...row, batchId: BigInt(row.batchId) }));
}

/** The last files received by SFTP for the event type, newest first, deleted ones too (marked): what Settings shows. */
export async function listRecentSftpFiles(sql: Sql, accountId: number, eventTypeId: number, limit = 20): Promise<SftpFile[]> {
  const { rows } = await sql.query<StoredFile>(
    `select ${FILE_COLUMNS}
       from returns_batches b left join sftp_hidden_batches h on h.batch_id = b.id
      where b.brand_account_id = $1 and b.event_type_id = $2 and b.channel = 'SFTP'
      order by b.received_at desc, b.id desc limit $3`,
    [accountId, eventTypeId, limit],
  );
  return rows.map((row) => ({ ...row, batchId: BigInt(row.batchId) }));
}
