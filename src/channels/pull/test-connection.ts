import type { ServiceContext } from '../../core/context.js';
import { requireAccountActor, requireAccountAdmin, type Actor } from '../../modules/accounts/actor.js';
import { recordAuditEvent } from '../../modules/audit/record-audit-event.js';
import { getBrandEventTypeOrThrow } from '../../modules/programs/brand-event-types.js';
import { matchingFiles } from './pull-files.js';
import { PullError, type RemoteSession, type ServerKey } from './remote.js';
import { findPulledFile, forgetServerKeyRow } from './store.js';
import { connectTarget, pullTargetOrThrow } from './target.js';

/** The most matches "Test connection" lists. */
export const MAX_TEST_MATCHES = 200;

export interface ConnectionTest {
  ok: boolean;
  error: string | null;
  trust: RemoteSession['trust'] | null;
  serverKey: (ServerKey & { recordedNow: boolean }) | null;
  matches: Array<{ name: string; size: number; modifiedAt: Date | null; alreadyPulled: boolean }>;
  /** More files matched than are listed. */
  truncated: boolean;
}

/**
 * "Test connection": connects now with the saved settings and credentials and lists what
 * the pattern matches, without pulling anything. On the first connection the server's key
 * is recorded (trust on first use), so the brand sees it here. A failure is the answer,
 * not an error: it says what went wrong.
 */
export async function testPullConnection(ctx: ServiceContext, actor: Actor, eventTypeId: number): Promise<ConnectionTest> {
  const admin = requireAccountAdmin(requireAccountActor(actor, 'BRAND'));
  const target = await pullTargetOrThrow(ctx.db, admin.accountId, eventTypeId);
  let session: RemoteSession | undefined;
  try {
    const connected = await connectTarget(ctx, target);
    session = connected.session;
    const files = matchingFiles(await session.list(target.settings.folder), target.settings.filePattern);
    const matches = [];
    for (const file of files.slice(0, MAX_TEST_MATCHES)) {
      matches.push({ ...file, alreadyPulled: (await findPulledFile(ctx.db, eventTypeId, file)) !== null });
    }
    return {
      ok: true,
      error: null,
      trust: session.trust,
      serverKey: session.serverKey ? { ...session.serverKey, recordedNow: connected.keyRecorded } : null,
      matches,
      truncated: files.length > MAX_TEST_MATCHES,
    };
  } catch (error) {
    if (!(error instanceof PullError)) throw error;
    return { ok: false, error: error.message, trust: null, serverKey: null, matches: [], truncated: false };
  } finally {
    await session?.close();
  }
}

/** Forgets the recorded server key: the next connection records the key the server presents then. Audited. */
export async function forgetPullServerKey(ctx: ServiceContext, actor: Actor, eventTypeId: number): Promise<void> {
  const admin = requireAccountAdmin(requireAccountActor(actor, 'BRAND'));
  await getBrandEventTypeOrThrow(ctx.db, admin.accountId, eventTypeId);
  await ctx.db.transaction(async (tx) => {
    if (!(await forgetServerKeyRow(tx, eventTypeId))) return;
    await recordAuditEvent(tx, {
      at: ctx.clock.now(),
      actorUserId: admin.userId,
      accountId: admin.accountId,
      action: 'event_type.pull_server_key_forgotten',
      subject: `event_type:${eventTypeId}`,
    });
  });
}
