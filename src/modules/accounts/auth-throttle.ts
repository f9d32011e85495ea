import type { ServiceContext } from '../../core/context.js';
import { sha256Hex } from '../../core/crypto.js';
import { DomainError } from '../../core/errors.js';
import type { Sql } from '../../db/types.js';

/**
 * Throttling keyed on the identity under attack, not on the client's address: the login
 * e-mail, the invitation token, the Account SID of API credentials. A per-address rate
 * limit does not slow a client that spreads its guesses over many addresses; this does.
 *
 * The rules, per key:
 * - THROTTLE_FREE_FAILURES failures in a row cost nothing.
 * - From then on, each failure makes the key wait before the next attempt:
 *   THROTTLE_FIRST_WAIT_MS after the last free one, doubling with each further failure
 *   (1 s, 2 s, 4 s, … with the defaults), at most THROTTLE_MAX_WAIT_MS (15 minutes), so
 *   the real user is never kept out for longer than that after the last wrong guess.
 * - During the wait, an attempt is refused (429 with Retry-After) without its password
 *   or token being checked, so a guess made then learns nothing; a refused attempt does
 *   not count and does not make the wait longer.
 * - A success forgets the key's failures. Failures are also forgotten
 *   THROTTLE_MEMORY_MS (24 hours) after the last one.
 *
 * The state is a row per key in auth_throttles (migration 0006), shared by every app
 * instance, keyed by a SHA-256 of the scope and the normalized key, so the table holds
 * no e-mail, token or SID in clear. Unknown e-mails and SIDs are counted exactly like
 * known ones, so neither the answers nor the waits tell whether a login exists.
 *
 * Each change is one INSERT … ON CONFLICT DO UPDATE … RETURNING computed by the
 * database on the row it locks, so concurrent attempts are never lost.
 */
export const THROTTLE_FREE_FAILURES = 5;
export const THROTTLE_FIRST_WAIT_MS = 1_000;
export const THROTTLE_MAX_WAIT_MS = 15 * 60_000;
export const THROTTLE_MEMORY_MS = 24 * 3_600_000;
/** Forgotten rows deleted by each new row, so the table stays about as large as one day of failing keys. */
const STALE_ROWS_DELETED_PER_NEW_KEY = 100;

export interface ThrottleKey {
  /** SHA-256 of the scope and the normalized key: what the table stores. */
  hash: string;
  /** What the key is, for messages ("log in as …"). */
  subject: string;
}

/** E-mails are found case-insensitively, so they are throttled case-insensitively too. */
export function loginThrottleKey(email: string): ThrottleKey {
  const normalized = email.trim().toLowerCase();
  return { hash: sha256Hex(`login:${normalized}`), subject: 'this e-mail' };
}

export function invitationThrottleKey(acceptToken: string): ThrottleKey {
  return { hash: sha256Hex(`invitation:${acceptToken}`), subject: 'this invitation link' };
}

/** The SID is matched exactly, so it is throttled exactly: a variant of it matches no account. */
export function apiCredentialsThrottleKey(accountSid: string): ThrottleKey {
  return { hash: sha256Hex(`api:${accountSid}`), subject: 'this Account SID' };
}

/** An SFTP login's username, matched exactly as the server matches it. */
export function sftpUsernameThrottleKey(username: string): ThrottleKey {
  return { hash: sha256Hex(`sftp-user:${username}`), subject: 'this SFTP username' };
}

/** The address an SFTP client connects from: guesses at many usernames from one place are slowed too. */
export function sftpAddressThrottleKey(address: string): ThrottleKey {
  return { hash: sha256Hex(`sftp-address:${address}`), subject: 'this address' };
}

/** How long a key waits after its n-th failure in a row (0: no wait). */
export function waitAfterFailuresMs(failures: number): number {
  if (failures < THROTTLE_FREE_FAILURES) return 0;
  const doublings = Math.min(failures - THROTTLE_FREE_FAILURES, 30);
  return Math.min(THROTTLE_FIRST_WAIT_MS * 2 ** doublings, THROTTLE_MAX_WAIT_MS);
}

function formatWait(seconds: number): string {
  if (seconds < 120) return `${seconds} second${seconds === 1 ? '' : 's'}`;
  const minutes = Math.ceil(seconds / 60);
  return `${minutes} minutes`;
}

/** The 429 of a key that must wait; `retryAfterSeconds` also goes into the Retry-After header. */
export function throttledError(key: ThrottleKey, retryAfterSeconds: number): DomainError {
  return new DomainError(
    'rate-limited',
    `Too many failed attempts with ${key.subject}; wait ${formatWait(retryAfterSeconds)} and try again. ` +
      `Each further failure doubles the wait, up to ${THROTTLE_MAX_WAIT_MS / 60_000} minutes; a success resets it.`,
    { retryAfterSeconds },
  );
}

/** The seconds a caller is told to wait: whole seconds, rounded up, at least 1. */
export function retryAfterSeconds(blockedUntil: Date, now: Date): number {
  return Math.max(1, Math.ceil((blockedUntil.getTime() - now.getTime()) / 1000));
}

// The failure count after this one: 1 when the earlier failures are forgotten.
const NEXT_FAILURES = `case when t.last_failure_at <= $2::timestamptz - ${THROTTLE_MEMORY_MS} * interval '1 millisecond'
                           then 1 else t.failures + 1 end`;

/** waitAfterFailuresMs in SQL, as the end of the wait. */
function blockedUntilSql(failures: string): string {
  return `case when ${failures} >= ${THROTTLE_FREE_FAILURES}
            then $2::timestamptz + least(${THROTTLE_FIRST_WAIT_MS} * power(2.0::float8, least(${failures} - ${THROTTLE_FREE_FAILURES}, 30)),
                                          ${THROTTLE_MAX_WAIT_MS}) * interval '1 millisecond'
          end`;
}

// $1 key hash, $2 now, $3 whether to count the failure even during a wait.
const COUNT_FAILURE = `
insert into auth_throttles as t (key_hash, failures, last_failure_at, blocked_until)
values ($1, 1, $2, ${blockedUntilSql('1')})
on conflict (key_hash) do update
   set failures = ${NEXT_FAILURES},
       last_failure_at = $2,
       blocked_until = ${blockedUntilSql(`(${NEXT_FAILURES})`)}
 where $3::boolean or t.blocked_until is null or t.blocked_until <= $2
returning failures`;

async function countFailure(ctx: ServiceContext, key: ThrottleKey, evenDuringWait: boolean): Promise<number | undefined> {
  const { rows } = await ctx.db.query<{ failures: number }>(COUNT_FAILURE, [key.hash, ctx.clock.now(), evenDuringWait], {
    name: 'auth-throttle-count',
  });
  const failures = rows[0]?.failures;
  // A new row (or one whose failures were forgotten) makes room for itself.
  if (failures === 1) await forgetStaleThrottles(ctx.db, key, ctx.clock.now());
  return failures;
}

async function forgetStaleThrottles(sql: Sql, keep: ThrottleKey, now: Date): Promise<void> {
  // SKIP LOCKED: this cleanup never waits for, nor makes wait, an attempt in progress.
  await sql.query(
    `delete from auth_throttles where key_hash in (
       select key_hash from auth_throttles
        where last_failure_at <= $1::timestamptz - ${THROTTLE_MEMORY_MS} * interval '1 millisecond' and key_hash <> $2
        limit ${STALE_ROWS_DELETED_PER_NEW_KEY} for update skip locked)`,
    [now, keep.hash],
  );
}

async function waitOf(ctx: ServiceContext, key: ThrottleKey): Promise<number> {
  const { rows } = await ctx.db.query<{ blockedUntil: Date | null }>(
    'select blocked_until as "blockedUntil" from auth_throttles where key_hash = $1',
    [key.hash],
  );
  const blockedUntil = rows[0]?.blockedUntil;
  return blockedUntil ? retryAfterSeconds(new Date(blockedUntil), ctx.clock.now()) : 1;
}

/**
 * For password checks (argon2, slow, low-entropy secrets): the attempt is counted as a
 * failure BEFORE the password is checked, in the statement that also refuses it during a
 * wait. So a burst of concurrent guesses gets exactly as many checks as the free failures
 * and the waits allow, not one each because they all looked before any had failed.
 * Call forgetFailures after a success; on a failure there is nothing more to do.
 */
export async function claimAttemptOrThrow(ctx: ServiceContext, key: ThrottleKey): Promise<void> {
  const failures = await countFailure(ctx, key, false);
  if (failures === undefined) throw throttledError(key, await waitOf(ctx, key));
}

/**
 * For API credentials (a 256-bit token checked by its hash, many times a second by a
 * busy integration): the caller reads the key's wait with the token lookup (see
 * actorForApiToken) and records a failure afterwards, so a success costs no write and
 * concurrent requests of a working integration never count against each other.
 */
export async function recordFailure(ctx: ServiceContext, key: ThrottleKey): Promise<number> {
  return (await countFailure(ctx, key, true))!;
}

/**
 * The seconds a key must still wait before its next attempt is checked (0: it may try now),
 * for a caller that checks first and counts a failure after it (recordFailure), as the SFTP
 * server does: many sessions of a working integration log in at once, and none of them
 * may count against the others.
 */
export async function throttleWaitSeconds(ctx: ServiceContext, key: ThrottleKey): Promise<number> {
  const { rows } = await ctx.db.query<{ blockedUntil: Date | null }>('select blocked_until as "blockedUntil" from auth_throttles where key_hash = $1', [key.hash]);
  const blockedUntil = rows[0]?.blockedUntil ? new Date(rows[0].blockedUntil) : null;
  return blockedUntil && blockedUntil > ctx.clock.now() ? retryAfterSeconds(blockedUntil, ctx.clock.now()) : 0;
}

export async function forgetFailures(ctx: ServiceContext, key: ThrottleKey): Promise<void> {
  await ctx.db.query('delete from auth_throttles where key_hash = $1', [key.hash]);
}
