/**
 * What one pull works with: the event type's pull settings (Returns Processing), its
 * connection row (credentials, the recorded server key), and a session on the server
 * whose key was checked (and recorded on first use).
 */
import type { ServiceContext } from '../../core/context.js';
import { conflict } from '../../core/errors.js';
import type { Sql } from '../../db/types.js';
import type { AccountActor } from '../../modules/accounts/actor.js';
import { getBrandEventTypeOrThrow, type BrandEventTypeRow } from '../../modules/programs/brand-event-types.js';
import type { PullSettings } from '../../modules/programs/returns-settings.js';
import { openRemote } from './connect.js';
import { credentialsOf } from './credentials.js';
import { pullConfigOrThrow } from './pull-config.js';
import { hostKeyChanged, PullError, type RemoteSession } from './remote.js';
import { getPullConnection, recordedKeyOf, recordServerKey, type PullConnectionRow } from './store.js';

export interface PullTarget {
  eventType: BrandEventTypeRow;
  brandAccountId: number;
  settings: PullSettings;
  connection: PullConnectionRow | null;
}

/** The event type's pull, or a 409 saying what to set first. */
export async function pullTargetOrThrow(sql: Sql, brandAccountId: number, eventTypeId: number): Promise<PullTarget> {
  const eventType = await getBrandEventTypeOrThrow(sql, brandAccountId, eventTypeId);
  const settings = eventType.returnsSettings.SFTP_PULL;
  if (!settings) {
    throw conflict(`Event type ${eventTypeId} has no pull settings: set its Returns Processing to SFTP_PULL with the host, folder and file pattern first.`);
  }
  return { eventType, brandAccountId, settings, connection: await getPullConnection(sql, eventTypeId) };
}

/**
 * Connects to the brand's server with the saved credentials. The server's key is compared
 * with the one recorded for that server before any credential is sent; on the first
 * connection it is recorded (trust on first use). Throws PullError.
 */
export async function connectTarget(ctx: ServiceContext, target: PullTarget): Promise<{ session: RemoteSession; keyRecorded: boolean }> {
  const credentials = credentialsOf(target.connection);
  if (!credentials) throw new PullError('No password or private key is saved for this pull: save one under Returns Processing, then test the connection.');
  const recorded = recordedKeyOf(target.connection);
  const session = await openRemote(target.settings, credentials, { timeoutMs: pullConfigOrThrow().timeoutMs, recordedKey: recorded });
  let keyRecorded = false;
  const presented = session.serverKey;
  if (presented && (!recorded || recorded.for !== presented.for)) {
    const onRecord = await recordServerKey(ctx.db, target.eventType.id, target.brandAccountId, presented, ctx.clock.now());
    if (onRecord.key !== presented.key) {
      await session.close();
      throw hostKeyChanged(onRecord, presented.key);
    }
    keyRecorded = true;
  }
  return { session, keyRecorded };
}

/**
 * Who a pulled file's changes are made by: the member who asked for this pull, else the
 * one who saved the credentials, else the brand's first admin; each only while an active
 * member of the brand.
 */
export async function pullActorOrThrow(sql: Sql, brandAccountId: number, preferredUserIds: Array<number | null | undefined>): Promise<AccountActor> {
  const preferred = preferredUserIds.filter((id): id is number => typeof id === 'number');
  const { rows } = await sql.query<{ userId: number; timeZone: string; role: 'ADMIN' | 'USER' }>(
    `select u.id as "userId", a.time_zone as "timeZone", m.role
       from accounts a join memberships m on m.account_id = a.id join users u on u.id = m.user_id
      where a.id = $1 and a.status = 'ACTIVE' and u.disabled_at is null and (u.id = any($2::int[]) or m.role = 'ADMIN')
      order by array_position($2::int[], u.id) nulls last, u.id limit 1`,
    [brandAccountId, preferred],
  );
  const row = rows[0];
  if (!row) throw new PullError('The brand has no active admin the pulled files could be applied in the name of.');
  return { type: 'account', userId: row.userId, accountId: brandAccountId, accountKind: 'BRAND', accountTimeZone: row.timeZone, role: row.role, via: 'session' };
}
