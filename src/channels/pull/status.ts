import type { ServiceContext } from '../../core/context.js';
import { requireAccountActor, requireAccountAdmin, type Actor } from '../../modules/accounts/actor.js';
import { getBrandEventTypeOrThrow } from '../../modules/programs/brand-event-types.js';
import { PULL_INTERVAL_DEFAULT_MINUTES } from '../../modules/programs/returns-settings.js';
import { nextPullAt } from './schedule.js';
import { getPullConnection, listPulledFiles, listRuns, type PullConnectionRow, type PulledFileRow, type PullRunRow } from './store.js';

export interface PullStatus {
  eventTypeId: number;
  connection: Omit<PullConnectionRow, 'credentialsEncrypted'> | null;
  /** When the next scheduled pull is due; null when the event type is not set to SFTP_PULL. */
  nextPullAt: Date | null;
  runs: PullRunRow[];
  files: PulledFileRow[];
}

/** What the Returns Processing panel shows of a pull: whether credentials are set (never them), the recorded server key, the last runs and errors, the files pulled. Brand admins only. */
export async function getPullStatus(ctx: ServiceContext, actor: Actor, eventTypeId: number, limits = { runs: 20, files: 50 }): Promise<PullStatus> {
  const admin = requireAccountAdmin(requireAccountActor(actor, 'BRAND'));
  const eventType = await getBrandEventTypeOrThrow(ctx.db, admin.accountId, eventTypeId);
  const row = await getPullConnection(ctx.db, eventTypeId);
  let connection: PullStatus['connection'] = null;
  if (row) {
    const { credentialsEncrypted: _secret, ...rest } = row;
    connection = rest;
  }
  const settings = eventType.returnsSettings.SFTP_PULL;
  return {
    eventTypeId,
    connection,
    nextPullAt:
      eventType.returnsProcessing === 'SFTP_PULL' && settings ? nextPullAt(eventTypeId, settings.intervalMinutes ?? PULL_INTERVAL_DEFAULT_MINUTES, ctx.clock.now()) : null,
    runs: await listRuns(ctx.db, eventTypeId, limits.runs),
    files: await listPulledFiles(ctx.db, eventTypeId, limits.files),
  };
}
