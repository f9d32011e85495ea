/**
 * The credentials the poller logs in to Salesforce with, through a connected app (its
 * consumer key and secret): an OAuth refresh token, or a username with password and
 * security token (OAuth's username-password flow). Encrypted at rest with the key of the
 * bank details (src/core/secrets.ts); the API never sends them back, it says only whether
 * some are set and of which kind. Saving and removing them is audited, without them.
 */
import type { ServiceContext } from '../../core/context.js';
import { invalid } from '../../core/errors.js';
import { decryptSecret, encryptSecret } from '../../core/secrets.js';
import { requireAccountActor, requireAccountAdmin, type Actor } from '../../modules/accounts/actor.js';
import { recordAuditEvent } from '../../modules/audit/record-audit-event.js';
import { getBrandEventTypeOrThrow } from '../../modules/programs/brand-event-types.js';
import { salesforceConfigOrThrow } from './config.js';
import { saveCredentialsRow, type CredentialsKind, type SalesforceConnectionRow } from './store.js';

export const POLL_INTERVAL_DEFAULT_MINUTES = 15;
export const POLL_INTERVAL_MIN_MINUTES = 5;
export const POLL_INTERVAL_MAX_MINUTES = 1440;
const MAX_SECRET_LENGTH = 4000;

export type PollCredentials =
  | { kind: 'REFRESH_TOKEN'; clientId: string; clientSecret: string; refreshToken: string }
  | { kind: 'PASSWORD'; clientId: string; clientSecret: string; username: string; password: string; securityToken: string };

export interface CredentialsInput {
  clientId: string;
  clientSecret: string;
  refreshToken?: string | null;
  username?: string | null;
  password?: string | null;
  securityToken?: string | null;
  intervalMinutes?: number | null;
}

function checkOrThrow(input: CredentialsInput): { credentials: PollCredentials; intervalMinutes: number } {
  const errors: Array<{ field: string; message: string }> = [];
  const need = (field: string, value: string | null | undefined, what: string) => {
    const v = value?.trim() ?? '';
    if (v === '') errors.push({ field, message: `give ${what}` });
    else if (v.length > MAX_SECRET_LENGTH) errors.push({ field, message: `at most ${MAX_SECRET_LENGTH} characters` });
    return v;
  };
  const clientId = need('ClientId', input.clientId, "the connected app's consumer key");
  const clientSecret = need('ClientSecret', input.clientSecret, "the connected app's consumer secret");
  const intervalMinutes = input.intervalMinutes ?? POLL_INTERVAL_DEFAULT_MINUTES;
  if (!Number.isInteger(intervalMinutes) || intervalMinutes < POLL_INTERVAL_MIN_MINUTES || intervalMinutes > POLL_INTERVAL_MAX_MINUTES) {
    errors.push({ field: 'IntervalMinutes', message: `from ${POLL_INTERVAL_MIN_MINUTES} to ${POLL_INTERVAL_MAX_MINUTES} minutes; the default is ${POLL_INTERVAL_DEFAULT_MINUTES}` });
  }
  let credentials: PollCredentials;
  if (input.refreshToken) {
    if (input.username || input.password) errors.push({ field: 'RefreshToken', message: 'give a refresh token or a username and password, not both' });
    credentials = { kind: 'REFRESH_TOKEN', clientId, clientSecret, refreshToken: need('RefreshToken', input.refreshToken, 'the refresh token') };
  } else {
    const username = need('Username', input.username, 'the Salesforce username (or a RefreshToken instead)');
    const password = need('Password', input.password, 'the password');
    const securityToken = input.securityToken?.trim() ?? '';
    if (securityToken.length > MAX_SECRET_LENGTH) errors.push({ field: 'SecurityToken', message: 'too long' });
    credentials = { kind: 'PASSWORD', clientId, clientSecret, username, password, securityToken };
  }
  if (errors.length) throw invalid(errors.map((e) => `${e.field}: ${e.message}.`).join(' '), { errors });
  return { credentials, intervalMinutes };
}

/** Saves (or, with null, removes) the event type's poll credentials. Brand admins only. */
export async function savePollCredentials(ctx: ServiceContext, actor: Actor, eventTypeId: number, input: CredentialsInput | null): Promise<void> {
  const admin = requireAccountAdmin(requireAccountActor(actor, 'BRAND'));
  await getBrandEventTypeOrThrow(ctx.db, admin.accountId, eventTypeId);
  const checked = input === null ? null : checkOrThrow(input);
  const encrypted = checked === null ? null : encryptSecret(salesforceConfigOrThrow().secretsKey(), JSON.stringify(checked.credentials));
  const kind: CredentialsKind | null = checked?.credentials.kind ?? null;
  const now = ctx.clock.now();
  await ctx.db.transaction(async (tx) => {
    await saveCredentialsRow(tx, {
      eventTypeId,
      brandAccountId: admin.accountId,
      encrypted,
      kind,
      intervalMinutes: checked?.intervalMinutes ?? POLL_INTERVAL_DEFAULT_MINUTES,
      userId: admin.userId,
      now,
    });
    await recordAuditEvent(tx, {
      at: now,
      actorUserId: admin.userId,
      accountId: admin.accountId,
      action: checked === null ? 'event_type.salesforce_credentials_removed' : 'event_type.salesforce_credentials_saved',
      subject: `event_type:${eventTypeId}`,
      detail: checked === null ? {} : { kind, intervalMinutes: checked.intervalMinutes },
    });
  });
}

/** The stored credentials, decrypted for a poll; null when none are saved. */
export function credentialsOf(row: SalesforceConnectionRow | null): PollCredentials | null {
  if (!row?.credentialsEncrypted) return null;
  return JSON.parse(decryptSecret(salesforceConfigOrThrow().secretsKey(), row.credentialsEncrypted)) as PollCredentials;
}
