/**
 * What a channel does when one of its batches is finished (DONE, or FAILED because the file
 * could not be read): the e-mail channel mails the result back, the pull channel uploads it
 * to the brand's result folder. The SFTP folder and the API need nothing: they read the
 * receipt and the result when asked.
 *
 * A delivery runs in the transaction that finishes the batch, so it can only enqueue what
 * is to be sent (a work item, an outbox e-mail): the sending itself happens after commit,
 * through the worker, exactly once however often the batch's last step is retried.
 */
import type { Sql } from '../db/types.js';
import { getBatchById, type BatchRow } from '../modules/returns/queries.js';
import type { ReturnsChannel } from '../modules/returns/types.js';

export type ResultDelivery = (tx: Sql, batch: BatchRow, now: Date) => Promise<void>;

const deliveries = new Map<ReturnsChannel, ResultDelivery>();

/** A channel's delivery; registered once, when the channel's module is imported. */
export function registerResultDelivery(channel: ReturnsChannel, delivery: ResultDelivery): void {
  if (deliveries.has(channel)) throw new Error(`The ${channel} channel's result delivery is registered twice.`);
  deliveries.set(channel, delivery);
}

/** Runs the batch's channel's delivery, if it has one, in the caller's transaction. */
export async function deliverBatchResult(tx: Sql, batchId: bigint, now: Date): Promise<void> {
  const batch = await getBatchById(tx, batchId);
  if (!batch) return;
  const delivery = deliveries.get(batch.channel);
  if (delivery) await delivery(tx, batch, now);
}
