/**
 * The pull channel's answer: when a pulled batch is finished, its `receipt_<name>.txt` and
 * `result_<name>.csv` are uploaded to the result folder of the pull settings, if one is
 * set (impact.com's "Result Folder"; blank, nothing is uploaded). The batch's last step
 * enqueues the upload in its own transaction (registerResultDelivery), so it happens
 * after the commit, once per batch; the upload itself is at-least-once and idempotent
 * (the same names, overwritten). A failed upload is retried with backoff and its error
 * kept with the pulled file.
 */
import { Readable } from 'node:stream';
import { DomainError } from '../../core/errors.js';
import { registerResultDelivery } from '../../flows/returns-result-delivery.js';
import { getBrandEventTypeOrThrow } from '../../modules/programs/brand-event-types.js';
import { getBatchById } from '../../modules/returns/queries.js';
import { receiptFileName, receiptText, resultCsv, resultFileName } from '../../modules/returns/result-file.js';
import { enqueue, registerKind } from '../../worker/index.js';
import { PullError, remotePath, type RemoteSession } from './remote.js';
import { markResultUploaded } from './store.js';
import { connectTarget, pullTargetOrThrow } from './target.js';

export interface PullResultPayload {
  batchId: string;
  eventTypeId: number;
  brandAccountId: number;
}

export const pullResultKind = registerKind<PullResultPayload, { summary?: string }>(
  'returns-pull-result',
  async (ctx) => {
    const batchId = BigInt(ctx.payload.batchId);
    const batch = await getBatchById(ctx.db, batchId);
    if (!batch) return { summary: `batch ${batchId} no longer exists` };
    let target: Awaited<ReturnType<typeof pullTargetOrThrow>>;
    try {
      target = await pullTargetOrThrow(ctx.db, ctx.payload.brandAccountId, ctx.payload.eventTypeId);
    } catch (error) {
      if (error instanceof DomainError) return { summary: `no result uploaded: ${error.message}` };
      throw error;
    }
    const folder = target.settings.resultFolder;
    if (!folder) return { summary: 'no result uploaded: the pull has no result folder any more' };
    let session: RemoteSession | undefined;
    try {
      session = (await connectTarget(ctx, target)).session;
      await session.upload(remotePath(folder, receiptFileName(batch.fileName)), Readable.from([Buffer.from(receiptText(batch))]));
      await session.upload(remotePath(folder, resultFileName(batch.fileName)), resultCsv(ctx.db, batch));
    } catch (error) {
      const message = error instanceof PullError ? error.message : 'The upload failed unexpectedly.';
      await markResultUploaded(ctx.db, batchId, { error: `Result not uploaded to ${folder} (tried again later): ${message}` });
      throw error;
    } finally {
      await session?.close();
    }
    await markResultUploaded(ctx.db, batchId, { at: ctx.clock.now() });
    return { summary: `${resultFileName(batch.fileName)} uploaded to ${folder}` };
  },
  { maxAttempts: 6, leaseMs: 60_000, backoff: { baseMs: 30_000, maxMs: 3_600_000 } },
);

registerResultDelivery('PULL', async (tx, batch) => {
  let folder: string | null | undefined;
  try {
    folder = (await getBrandEventTypeOrThrow(tx, batch.brandAccountId, batch.eventTypeId)).returnsSettings.SFTP_PULL?.resultFolder;
  } catch (error) {
    if (error instanceof DomainError) return;
    throw error;
  }
  if (!folder) return;
  await enqueue(
    tx,
    pullResultKind,
    { batchId: batch.id.toString(), eventTypeId: batch.eventTypeId, brandAccountId: batch.brandAccountId },
    { dedupeKey: `returns-pull-result:${batch.id}` },
  );
});
