/**
 * The worker's side of webhooks: the `deliver-webhooks` kind fans the outbox out into
 * deliveries and sends what is due (deliver.ts), round after round, until a round finds
 * nothing to do; then the item is done. The scheduler's trigger (triggerWebhookDelivery,
 * every second on every instance with JOBS) enqueues the next run when there is work and
 * no run is waiting: events past the cursor, or deliveries due. Several runs at once (two
 * instances enqueued one each) are safe: the cursor and the deliveries are leased rows.
 */
import type { ServiceContext } from '../../core/context.js';
import type { Db } from '../../db/types.js';
import { enqueue, registerKind, WorkerStoppingError } from '../../worker/index.js';
import { fanOutEvents, sendDueDeliveries } from './deliver.js';

export interface PumpProgress {
  rounds: number;
  fannedOut: number;
  sent: number;
  delivered: number;
  summary?: string;
}

/**
 * Delivery runs at once across all instances, at most (the trigger enqueues one while
 * fewer run, and none while one waits): two keep the sending busy while the other
 * records its batch, and leave the worker's other slots to the other work.
 */
export const MAX_CONCURRENT_RUNS = 2;

/** Rounds of one run at most, so a busy queue still lets the item finish and the next start. */
export const MAX_ROUNDS_PER_RUN = 10_000;

/** One round: fan out what is new, send one batch. Answers whether it did anything. */
export async function deliverWebhooksRound(ctx: ServiceContext): Promise<{ fannedOut: number; sent: number; delivered: number }> {
  const fan = await ctx.db.transaction((tx) => fanOutEvents(tx, ctx.clock.now()));
  const sent = await sendDueDeliveries(ctx);
  return { fannedOut: fan.events, sent: sent.sent, delivered: sent.delivered };
}

/** Rounds until one finds nothing (tests, the CLI, the bench): the totals. */
export async function deliverWebhooksUntilIdle(ctx: ServiceContext, maxRounds = MAX_ROUNDS_PER_RUN): Promise<{ rounds: number; fannedOut: number; sent: number; delivered: number }> {
  const total = { rounds: 0, fannedOut: 0, sent: 0, delivered: 0 };
  while (total.rounds < maxRounds) {
    const round = await deliverWebhooksRound(ctx);
    total.rounds += 1;
    total.fannedOut += round.fannedOut;
    total.sent += round.sent;
    total.delivered += round.delivered;
    if (round.fannedOut === 0 && round.sent === 0) break;
  }
  return total;
}

export const deliverWebhooksKind = registerKind<Record<string, never>, PumpProgress>(
  'deliver-webhooks',
  async (ctx) => {
    const total: PumpProgress = { rounds: 0, fannedOut: 0, sent: 0, delivered: 0 };
    let renewedAt = Date.now();
    while (total.rounds < MAX_ROUNDS_PER_RUN) {
      if (ctx.signal.aborted) throw new WorkerStoppingError(ctx.item.id);
      const round = await deliverWebhooksRound(ctx);
      total.rounds += 1;
      total.fannedOut += round.fannedOut;
      total.sent += round.sent;
      total.delivered += round.delivered;
      if (round.fannedOut === 0 && round.sent === 0) break;
      // Renews the item's lease (a round can take a receiver's whole timeout); what the
      // rounds did is already committed in their own rows.
      if (Date.now() - renewedAt > 20_000) {
        await ctx.checkpoint({ ...total });
        renewedAt = Date.now();
      }
    }
    return { ...total, summary: `${total.fannedOut} events fanned out, ${total.delivered} of ${total.sent} attempts delivered` };
  },
  { maxAttempts: 3, leaseMs: 120_000, backoff: { baseMs: 1_000, maxMs: 30_000 } },
);

/**
 * Enqueues a delivery run when there is work for one and none is waiting or running
 * (on the Db itself, so this process's worker wakes at once). Answers whether it did.
 */
export async function triggerWebhookDelivery(ctx: ServiceContext): Promise<boolean> {
  const { rows } = await ctx.db.query<{ due: boolean }>(
    `select (select count(*) from work_items
              where kind = 'deliver-webhooks' and (state = 'QUEUED' or (state = 'RUNNING' and lease_expires_at > statement_timestamp()))) < $2
        and (coalesce((select max(id) from outbox_events), 0) > (select last_event_id from webhook_cursor where id = 1)
             or exists (select 1 from webhook_deliveries d join webhook_endpoints e on e.id = d.endpoint_id and e.enabled
                         where d.state = 'PENDING' and d.next_attempt_at <= $1
                           and (d.leased_until is null or d.leased_until < clock_timestamp()))) as due`,
    [ctx.clock.now(), MAX_CONCURRENT_RUNS],
  );
  if (!rows[0]?.due) return false;
  const second = Math.floor(Date.now() / 1000);
  const { created } = await enqueue(ctx.db as Db, deliverWebhooksKind, {}, { dedupeKey: `deliver-webhooks:${second}` });
  return created;
}
