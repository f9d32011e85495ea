/**
 * The credentials a pull logs in with: a password, or an SSH private key (with its
 * passphrase, if any). Encrypted at rest with the key of the bank details
 * (src/core/secrets.ts); the API never sends them back, it says only whether some are set
 * and of which kind. Saving and removing them is audited, without them.
 */
import ssh2 from 'ssh2';
import type { ServiceContext } from '../../core/context.js';
import { invalid } from '../../core/errors.js';
import { decryptSecret, encryptSecret } from '../../core/secrets.js';
import { requireAccountActor, requireAccountAdmin, type Actor } from '../../modules/accounts/actor.js';
import { recordAuditEvent } from '../../modules/audit/record-audit-event.js';
import { getBrandEventTypeOrThrow } from '../../modules/programs/brand-event-types.js';
import { pullConfigOrThrow } from './pull-config.js';
import type { PullCredentials } from './remote.js';
import { saveCredentialsRow, type PullConnectionRow } from './store.js';

export const MAX_PASSWORD_LENGTH = 1_000;
export const MAX_PRIVATE_KEY_LENGTH = 16_384;

export type CredentialsInput = { password: string } | { privateKey: string; passphrase?: string | null };

function checkCredentialsOrThrow(input: CredentialsInput): PullCredentials {
  if ('password' in input) {
    if (input.password.length === 0) throw invalid('Password: give the password of the account on your server.', { errors: [{ field: 'Password', message: 'must not be empty' }] });
    if (input.password.length > MAX_PASSWORD_LENGTH) throw invalid(`Password: at most ${MAX_PASSWORD_LENGTH} characters.`, { errors: [{ field: 'Password', message: 'too long' }] });
    return { kind: 'PASSWORD', password: input.password };
  }
  const privateKey = input.privateKey.trim();
  const passphrase = input.passphrase ? input.passphrase : null;
  const problem = (message: string) => invalid(`PrivateKey: ${message}`, { errors: [{ field: 'PrivateKey', message }] });
  if (privateKey.length === 0 || privateKey.length > MAX_PRIVATE_KEY_LENGTH) throw problem(`an OpenSSH or PEM private key of at most ${MAX_PRIVATE_KEY_LENGTH} characters.`);
  const parsed = ssh2.utils.parseKey(privateKey, passphrase ?? undefined);
  const key = Array.isArray(parsed) ? parsed[0] : parsed;
  if (!key || key instanceof Error) {
    const reason = key instanceof Error ? key.message : 'unreadable';
    throw problem(
      /passphrase|decrypt|encrypted/i.test(reason)
        ? 'the key is encrypted and the passphrase is missing or wrong; give its passphrase.'
        : 'this is not an OpenSSH or PEM private key (a file beginning with -----BEGIN OPENSSH PRIVATE KEY----- or -----BEGIN RSA PRIVATE KEY-----).',
    );
  }
  if (!key.isPrivateKey()) throw problem('this is a public key; give the private key (the file without .pub).');
  return { kind: 'PRIVATE_KEY', privateKey, passphrase };
}

export interface CredentialsView {
  set: boolean;
  kind: 'PASSWORD' | 'PRIVATE_KEY' | null;
  savedAt: Date | null;
  savedBy: string | null;
}

/** Saves (or, with null, removes) the event type's pull credentials. Brand admins only. */
export async function savePullCredentials(ctx: ServiceContext, actor: Actor, eventTypeId: number, input: CredentialsInput | null): Promise<void> {
  const admin = requireAccountAdmin(requireAccountActor(actor, 'BRAND'));
  await getBrandEventTypeOrThrow(ctx.db, admin.accountId, eventTypeId);
  const credentials = input === null ? null : checkCredentialsOrThrow(input);
  const encrypted = credentials === null ? null : encryptSecret(pullConfigOrThrow().secretsKey(), JSON.stringify(credentials));
  const now = ctx.clock.now();
  await ctx.db.transaction(async (tx) => {
    await saveCredentialsRow(tx, { eventTypeId, brandAccountId: admin.accountId, encrypted, kind: credentials?.kind ?? null, userId: admin.userId, now });
    await recordAuditEvent(tx, {
      at: now,
      actorUserId: admin.userId,
      accountId: admin.accountId,
      action: credentials === null ? 'event_type.pull_credentials_removed' : 'event_type.pull_credentials_saved',
      subject: `event_type:${eventTypeId}`,
      detail: credentials === null ? {} : { kind: credentials.kind },
    });
  });
}

/** The stored credentials, decrypted for a connection; null when none are saved. */
export function credentialsOf(row: PullConnectionRow | null): PullCredentials | null {
  if (!row?.credentialsEncrypted) return null;
  return JSON.parse(decryptSecret(pullConfigOrThrow().secretsKey(), row.credentialsEncrypted)) as PullCredentials;
}
