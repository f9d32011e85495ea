import type { ServiceContext } from '../core/context.js';
import type { Sql } from '../db/types.js';
import type { AccountActor } from '../modules/accounts/actor.js';
import { applyActionChanges, type ActionChange } from '../modules/actions/apply-action-changes.js';
import { brandAccountOf, getBatchById, getBatchEventTypeOrThrow, type BatchRow } from '../modules/returns/queries.js';
import { receiveReturnsBatch, type Received, type ReceivedFile } from '../modules/returns/receive-batch.js';
import { completeBatch, failBatch, recordRowOutcomes, startBatch, type RowOutcome } from '../modules/returns/record-batch-progress.js';
import { enqueue, registerKind, wake, type WorkContext } from '../worker/index.js';
import { openEngineRows, ReturnsFileUnreadable } from './returns-batch-rows.js';
import { deliverBatchResult } from './returns-result-delivery.js';
import { changeOfRow, outcomeOfResult, type EngineRow } from './returns-changes.js';
import { recordResourceEvents } from '../outbox/resources.js';

/**
 * A returns batch, applied: the returns module's batch and rows, the actions module's
 * changes. The file was stored (bytes and hash) with its work item before it was
 * acknowledged; the worker claims the item and
 *
 * 1. reads the whole file once, as a stream, to know it can be read and how many rows it
 *    has (a file that cannot be read fails here, with the reason, and nothing of it is
 *    applied); then
 * 2. reads it again and applies its rows in chunks, each chunk one `ctx.step`: the
 *    actions' changes (src/modules/actions/apply-action-changes.ts, set-based, through the
 *    planner the UI's operations use), the rows' outcomes and the batch's counts, and the
 *    work item's progress (the last row applied) commit together. A worker killed mid-file
 *    leaves the item to another worker, which reads the file again and skips the rows up to
 *    the last committed one: every row is applied, and reported, exactly once (the outcomes
 *    are keyed by (batch, row number), so a second write of a row could not commit).
 */

export interface ReturnsBatchPayload {
  batchId: string;
  /** Who sent it: the changes are made in their name. */
  actor: AccountActor;
}

export interface ReturnsBatchProgress {
  /** The last row whose change and outcome committed; absent before the rows are counted. */
  lastRow?: number;
  done?: boolean;
}

/** Rows per chunk (one transaction each): PGlite runs one statement at a time for the whole process, so its chunks are short. */
export function rowsPerChunk(ctx: ServiceContext): number {
  return ctx.db.kind === 'postgres' ? 5000 : 500;
}

export const returnsBatchKind = registerKind<ReturnsBatchPayload, ReturnsBatchProgress>('returns-batch', (ctx) => applyReturnsBatch(ctx), {
  maxAttempts: 5,
  // A chunk takes well under a second; an instance that dies mid-file hands the batch over 15 s later.
  leaseMs: 15_000,
  backoff: { baseMs: 2000, maxMs: 300_000 },
});

async function applyReturnsBatch(ctx: WorkContext<ReturnsBatchPayload, ReturnsBatchProgress>): Promise<ReturnsBatchProgress> {
  const batchId = BigInt(ctx.payload.batchId);
  const batch = await getBatchById(ctx.db, batchId);
  if (!batch || batch.status === 'DONE' || batch.status === 'FAILED') return { ...ctx.progress, done: true };
  if (ctx.progress?.lastRow === undefined) {
    let counted: { format: string | null; columns: readonly string[]; rowsTotal: number };
    try {
      counted = await countRows(ctx, batch);
    } catch (error) {
      if (!(error instanceof ReturnsFileUnreadable)) throw error;
      return ctx.step(async (tx) => {
        await failBatch(tx, batchId, error.message, ctx.clock.now());
        await deliverBatchResult(tx, batchId, ctx.clock.now());
        await recordResourceEvents(tx, 'returns_batch', [{ id: batchId, type: 'returns_batch.completed' }], ctx.clock.now());
        return { done: true };
      });
    }
    await ctx.step(async (tx) => {
      await startBatch(tx, batchId, { ...counted, now: ctx.clock.now() });
      return { lastRow: 0 };
    });
  }
  const eventType = await getBatchEventTypeOrThrow(ctx.db, batch.brandAccountId, batch.eventTypeId);
  const scope = { actor: ctx.payload.actor, brandAccountId: batch.brandAccountId, eventTypeId: batch.eventTypeId, eventTypeName: eventType.name };
  const chunkRows = rowsPerChunk(ctx);
  let after = ctx.progress?.lastRow ?? 0;
  let chunk: EngineRow[] = [];
  const applyChunk = async (rows: EngineRow[]) => {
    const last = rows[rows.length - 1]!.rowNumber;
    await ctx.step(async (tx, progress) => {
      // The committed progress, not this run's memory, says where the file stands.
      const from = progress?.lastRow ?? 0;
      await applyRowsInTx(tx, batchId, { ...scope, now: ctx.clock.now() }, rows.filter((row) => row.rowNumber > from));
      return { lastRow: Math.max(from, last) };
    });
  };
  try {
    const { rows } = await openEngineRows(ctx.db, batch);
    for await (const row of rows) {
      if (row.rowNumber <= after) continue;
      chunk.push(row);
      if (chunk.length >= chunkRows) {
        await applyChunk(chunk);
        after = chunk[chunk.length - 1]!.rowNumber;
        chunk = [];
      }
    }
  } catch (error) {
    // The file was read once already; failing now (the bytes are stored, unchanged) is a bug, not the file's fault.
    if (error instanceof ReturnsFileUnreadable) throw new Error(`Batch ${batchId} could not be read a second time: ${error.message}`);
    throw error;
  }
  if (chunk.length > 0) await applyChunk(chunk);
  return ctx.step(async (tx, progress) => {
    await completeBatch(tx, batchId, ctx.clock.now());
    await deliverBatchResult(tx, batchId, ctx.clock.now());
    await recordResourceEvents(tx, 'returns_batch', [{ id: batchId, type: 'returns_batch.completed' }], ctx.clock.now());
    return { ...progress, done: true };
  });
}

async function countRows(ctx: ServiceContext, batch: BatchRow): Promise<{ format: string | null; columns: readonly string[]; rowsTotal: number }> {
  const { format, columns, rows } = await openEngineRows(ctx.db, batch);
  let rowsTotal = 0;
  for await (const _row of rows) rowsTotal += 1;
  return { format, columns, rowsTotal };
}

/**
 * Applies rows in the caller's transaction and records each row's outcome: the rows
 * that name an action through the actions module's set-based changes, the malformed ones
 * as INVALID, all in row order.
 */
export async function applyRowsInTx(
  tx: Sql,
  batchId: bigint,
  scope: Parameters<typeof applyActionChanges>[1],
  rows: readonly EngineRow[],
): Promise<RowOutcome[]> {
  const outcomes = new Map<number, RowOutcome>();
  const changes: ActionChange[] = [];
  const cellsOf = new Map<number, EngineRow['cells']>();
  for (const row of rows) {
    const change = changeOfRow(row, scope.eventTypeId);
    if ('build' in change) {
      changes.push(change);
      cellsOf.set(row.rowNumber, row.cells);
    } else outcomes.set(row.rowNumber, change);
  }
  for (const result of await applyActionChanges(tx, scope, changes)) outcomes.set(result.key, outcomeOfResult(result, cellsOf.get(result.key)!));
  const ordered = rows.map((row) => outcomes.get(row.rowNumber)!);
  await recordRowOutcomes(tx, batchId, ordered);
  return ordered;
}

/**
 * Receives a file (or an API submission) for an event type of the actor's brand: stored
 * with its work item in one transaction, then this process's worker is woken, so a small
 * file is applied within moments of its acknowledgement.
 */
export async function submitReturnsBatch(ctx: ServiceContext, actor: AccountActor, eventTypeId: number, file: ReceivedFile): Promise<Received> {
  const brand = brandAccountOf(actor);
  const eventType = await getBatchEventTypeOrThrow(ctx.db, brand, eventTypeId);
  const received = await receiveReturnsBatch(
    ctx.db,
    { brandAccountId: brand, programId: eventType.programId, eventTypeId, userId: actor.userId, now: ctx.clock.now() },
    file,
    async (tx, batchId) => (await enqueue(tx, returnsBatchKind, { batchId: batchId.toString(), actor })).id,
  );
  if (!received.ignored && received.created) wake();
  return received;
}
