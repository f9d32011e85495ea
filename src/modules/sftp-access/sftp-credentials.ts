/**
 * A brand's SFTP credentials, managed by its admins (Settings, and the Returns Processing
 * panel of an event type set to SFTP_UPLOAD): a generated username, a generated password
 * (shown once, stored as an argon2id hash, rotatable, removable) and OpenSSH public keys.
 * Every change is audited; a removed key or password is refused at the next login.
 */
import { randomBytes } from 'node:crypto';
import type { ServiceContext } from '../../core/context.js';
import { hashPassword } from '../../core/crypto.js';
import { conflict, invalid, notFound } from '../../core/errors.js';
import type { Sql } from '../../db/types.js';
import { requireAccountActor, requireAccountAdmin, type AccountActor, type Actor } from '../accounts/actor.js';
import { recordAuditEvent } from '../audit/record-audit-event.js';
import { parsePublicKeyOrThrow } from './public-keys.js';
import { folderNameOf, getSftpAccess, slugOf, listRecentSftpFiles, listSftpFolders, type SftpAccessSummary, type SftpFile, type SftpFolder, type SftpKeySummary } from './queries.js';

/** Keys per account: enough for every machine of a brand's team and its CI, few enough to review. */
export const MAX_SFTP_KEYS = 20;
const MAX_LABEL_LENGTH = 100;

function brandAdminOrThrow(actor: Actor): AccountActor {
  requireAccountActor(actor, 'BRAND');
  return requireAccountAdmin(actor);
}

/** 24 characters of [a-z0-9] after the name: about 124 bits, typed or pasted without quoting in any shell. */
function newPassword(): string {
  const alphabet = 'abcdefghijkmnopqrstuvwxyz23456789';
  const bytes = randomBytes(24);
  return Array.from(bytes, (b) => alphabet[b % alphabet.length]).join('');
}

/** The account's username, made the first time it is asked for: its name and 6 random characters (`acme-outdoor-x7k2pq`). */
async function ensureSftpAccount(ctx: ServiceContext, tx: Sql, accountId: number): Promise<string> {
  await tx.query('select id from accounts where id = $1 for update', [accountId]);
  const existing = await tx.query<{ username: string }>('select username from sftp_accounts where account_id = $1', [accountId]);
  if (existing.rows[0]) return existing.rows[0].username;
  const { rows } = await tx.query<{ name: string }>('select name from accounts where id = $1', [accountId]);
  const stem = slugOf(rows[0]!.name, 20) || 'brand';
  for (;;) {
    const username = `${stem}-${randomBytes(6).toString('hex').slice(0, 6)}`;
    const inserted = await tx.query(
      `insert into sftp_accounts (account_id, username, created_at) values ($1, $2, $3) on conflict (username) do nothing`,
      [accountId, username, ctx.clock.now()],
    );
    if (inserted.rowCount === 1) return username;
  }
}

export interface IssuedSftpPassword {
  username: string;
  /** Shown once: only its hash is stored. */
  password: string;
}

/** A new password for the account's SFTP login (the first, or instead of the one before, which stops working at once). */
export async function issueSftpPassword(ctx: ServiceContext, actor: Actor): Promise<IssuedSftpPassword> {
  const admin = brandAdminOrThrow(actor);
  const password = newPassword();
  const hash = await hashPassword(password);
  return ctx.db.transaction(async (tx) => {
    const username = await ensureSftpAccount(ctx, tx, admin.accountId);
    const { rows } = await tx.query<{ had: boolean }>('select password_hash is not null as had from sftp_accounts where account_id = $1', [admin.accountId]);
    await tx.query(`update sftp_accounts set password_hash = $2, password_set_at = $3, password_set_by = $4 where account_id = $1`, [
      admin.accountId,
      hash,
      ctx.clock.now(),
      admin.userId,
    ]);
    await recordAuditEvent(tx, {
      at: ctx.clock.now(),
      actorUserId: admin.userId,
      accountId: admin.accountId,
      action: rows[0]?.had ? 'sftp.password_rotated' : 'sftp.password_issued',
      subject: `sftp_account:${admin.accountId}`,
    });
    return { username, password };
  });
}

/** Turns password login off (keys keep working). */
export async function removeSftpPassword(ctx: ServiceContext, actor: Actor): Promise<void> {
  const admin = brandAdminOrThrow(actor);
  await ctx.db.transaction(async (tx) => {
    const { rowCount } = await tx.query(
      `update sftp_accounts set password_hash = null, password_set_at = $2, password_set_by = $3 where account_id = $1 and password_hash is not null`,
      [admin.accountId, ctx.clock.now(), admin.userId],
    );
    if (rowCount === 0) throw notFound('This account has no SFTP password to remove.');
    await recordAuditEvent(tx, {
      at: ctx.clock.now(),
      actorUserId: admin.userId,
      accountId: admin.accountId,
      action: 'sftp.password_removed',
      subject: `sftp_account:${admin.accountId}`,
    });
  });
}

/** Adds a public key that may log in as the account. The same key twice is a conflict. */
export async function addSftpKey(ctx: ServiceContext, actor: Actor, input: { publicKey: string; label?: string }): Promise<SftpKeySummary> {
  const admin = brandAdminOrThrow(actor);
  const key = parsePublicKeyOrThrow(input.publicKey);
  const label = (input.label ?? '').trim() || key.comment;
  if (label.length > MAX_LABEL_LENGTH) throw invalid(`Label: at most ${MAX_LABEL_LENGTH} characters.`);
  return ctx.db.transaction(async (tx) => {
    await ensureSftpAccount(ctx, tx, admin.accountId);
    const { rows: counted } = await tx.query<{ n: number; same: number }>(
      `select count(*)::int as n, count(*) filter (where fingerprint = $2)::int as same from sftp_keys where account_id = $1 and removed_at is null`,
      [admin.accountId, key.fingerprint],
    );
    const { n, same } = counted[0]!;
    // A key may also be another account's (logins are by username, as in OpenSSH's authorized_keys); saying so would tell about that account.
    if (same > 0) throw conflict(`The key ${key.fingerprint} is already one of this account's SFTP keys.`);
    if (n >= MAX_SFTP_KEYS) throw conflict(`This account already has ${MAX_SFTP_KEYS} SFTP keys; remove one first.`);
    const { rows } = await tx.query<{ id: number }>(
      `insert into sftp_keys (account_id, algorithm, bits, fingerprint, public_key, label, created_by, created_at)
       values ($1, $2, $3, $4, $5, $6, $7, $8) returning id`,
      [admin.accountId, key.algorithm, key.bits, key.fingerprint, key.blob.toString('base64'), label, admin.userId, ctx.clock.now()],
    );
    const id = rows[0]!.id;
    await recordAuditEvent(tx, {
      at: ctx.clock.now(),
      actorUserId: admin.userId,
      accountId: admin.accountId,
      action: 'sftp.key_added',
      subject: `sftp_key:${id}`,
      detail: { fingerprint: key.fingerprint, algorithm: key.algorithm, bits: key.bits },
    });
    const access = await getSftpAccess(tx, admin.accountId);
    return access!.keys.find((k) => k.id === id)!;
  });
}

/** Removes a key: it is refused from the next login on. */
export async function removeSftpKey(ctx: ServiceContext, actor: Actor, keyId: number): Promise<void> {
  const admin = brandAdminOrThrow(actor);
  await ctx.db.transaction(async (tx) => {
    const { rows } = await tx.query<{ fingerprint: string }>(
      `update sftp_keys set removed_at = $3 where id = $1 and account_id = $2 and removed_at is null returning fingerprint`,
      [keyId, admin.accountId, ctx.clock.now()],
    );
    if (!rows[0]) throw notFound(`No SFTP key ${keyId} in this account.`);
    await recordAuditEvent(tx, {
      at: ctx.clock.now(),
      actorUserId: admin.userId,
      accountId: admin.accountId,
      action: 'sftp.key_removed',
      subject: `sftp_key:${keyId}`,
      detail: { fingerprint: rows[0].fingerprint },
    });
  });
}

/**
 * When a key last logged in (shown beside it, so an unused key can be told and removed), to
 * the minute: a job logging in a hundred times a minute writes it once.
 */
export async function markSftpKeyUsed(ctx: ServiceContext, keyId: number): Promise<void> {
  await ctx.db.query(
    `update sftp_keys set last_used_at = $2 where id = $1 and (last_used_at is null or last_used_at < $2::timestamptz - interval '1 minute')`,
    [keyId, ctx.clock.now()],
  );
}

/** The account's SFTP login and folders, as Settings shows them (admins). */
export async function readSftpAccess(ctx: ServiceContext, actor: Actor): Promise<{ access: SftpAccessSummary | undefined; folders: SftpFolder[] }> {
  const admin = brandAdminOrThrow(actor);
  return { access: await getSftpAccess(ctx.db, admin.accountId), folders: await listSftpFolders(ctx.db, admin.accountId) };
}

/** The last files received by SFTP for one of the brand's event types (any brand user), and the event type's folder name. */
export async function readSftpFiles(ctx: ServiceContext, actor: Actor, eventTypeId: number): Promise<{ folder: string; files: SftpFile[] }> {
  const brand = requireAccountActor(actor, 'BRAND');
  const { rows } = await ctx.db.query<{ name: string }>(
    'select e.name from event_types e join programs p on p.id = e.program_id where e.id = $1 and p.brand_account_id = $2',
    [eventTypeId, brand.accountId],
  );
  if (!rows[0]) throw notFound(`Event type ${eventTypeId} does not exist in this account.`);
  return { folder: folderNameOf(eventTypeId, rows[0].name), files: await listRecentSftpFiles(ctx.db, brand.accountId, eventTypeId) };
}
