/**
 * When pulls happen: every event type whose Returns Processing is SFTP_PULL is pulled once
 * per interval (default every 4 hours). Time is cut into slots of the interval, each event
 * type's slots offset by a few minutes of its own so that brands are not all pulled at the
 * same minute. The `enqueue-due-pulls` job runs every minute on every instance and
 * enqueues the pull of each event type's current slot under a dedupe key naming the slot
 * (`returns-pull:<event type>:<slot start>`): N instances and 60 ticks an hour make one
 * pull per slot. An event type switched to SFTP_PULL is pulled within the minute.
 */
import type { ServiceContext } from '../../core/context.js';
import type { Job } from '../../jobs/job.js';
import { PULL_INTERVAL_DEFAULT_MINUTES } from '../../modules/programs/returns-settings.js';
import { enqueueMany } from '../../worker/index.js';
import { pullKind } from './pull-files.js';

const MINUTE_MS = 60_000;

/** The start of the slot `now` falls in, for an event type pulled every `intervalMinutes`. */
export function pullSlotStart(eventTypeId: number, intervalMinutes: number, now: Date): Date {
  const intervalMs = intervalMinutes * MINUTE_MS;
  const offsetMs = ((eventTypeId * 7919) % intervalMinutes) * MINUTE_MS;
  return new Date(Math.floor((now.getTime() - offsetMs) / intervalMs) * intervalMs + offsetMs);
}

/** When the next scheduled pull after the current slot's is due. */
export function nextPullAt(eventTypeId: number, intervalMinutes: number, now: Date): Date {
  return new Date(pullSlotStart(eventTypeId, intervalMinutes, now).getTime() + intervalMinutes * MINUTE_MS);
}

/** Enqueues the current slot's pull of every event type set to SFTP_PULL (of an active brand); returns how many were new. */
export async function enqueueDuePulls(ctx: ServiceContext): Promise<number> {
  const { rows } = await ctx.db.query<{ id: number; brandAccountId: number; interval: number | null }>(
    `select e.id, p.brand_account_id as "brandAccountId", (e.returns_settings -> 'SFTP_PULL' ->> 'intervalMinutes')::int as interval
       from event_types e join programs p on p.id = e.program_id join accounts a on a.id = p.brand_account_id
      where e.returns_processing = 'SFTP_PULL' and (e.returns_settings -> 'SFTP_PULL') is not null and a.status = 'ACTIVE'
      order by e.id`,
  );
  const now = ctx.clock.now();
  return enqueueMany(
    ctx.db,
    pullKind,
    rows.map((row) => {
      const slot = pullSlotStart(row.id, row.interval ?? PULL_INTERVAL_DEFAULT_MINUTES, now);
      return {
        payload: { eventTypeId: row.id, brandAccountId: row.brandAccountId, trigger: 'SCHEDULE' as const },
        dedupeKey: `returns-pull:${row.id}:${slot.toISOString()}`,
      };
    }),
  );
}

export const enqueueDuePullsJob: Job = {
  name: 'enqueue-due-pulls',
  schedule: '* * * * *',
  description: "enqueue the pull of each event type whose returns are pulled from the brand's server, once per its interval",
  run: async (ctx) => {
    const enqueued = await enqueueDuePulls(ctx);
    return { ran: true, done: enqueued, summary: `${enqueued} pull(s) enqueued` };
  },
};
