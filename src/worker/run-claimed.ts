import { randomBytes } from 'node:crypto';
import os from 'node:os';
import type { Logger } from 'pino';
import type { ServiceContext } from '../core/context.js';
import { claimWorkItems, type ClaimedItem } from './claim.js';
import { LeaseLostError, WorkerStoppingError } from './errors.js';
import { completeWorkItem, errorText, failWorkItem, releaseWorkItem } from './finish.js';
import { workerMetrics, type RunOutcome } from './metrics.js';
import { findKindOrThrow, type AnyWorkKind } from './registry.js';
import { retryDelayMs } from './retry-delay.js';
import { ItemRun, progressJson } from './work-context.js';

export type WorkerLogger = Pick<Logger, 'debug' | 'info' | 'warn' | 'error'>;

function isAbortError(error: unknown): boolean {
  return error instanceof Error && error.name === 'AbortError';
}

/**
 * Runs the handler of a claimed item and records how it ended: DONE with its final
 * progress, FAILED (retried after the kind's backoff) or DEAD, back to QUEUED when the
 * run was stopped, nothing when its lease was lost (another worker has it). The worker's
 * loop and runNow both end a claim this way.
 */
export async function runClaimedItem(
  ctx: ServiceContext,
  item: ClaimedItem,
  kind: AnyWorkKind,
  signal: AbortSignal,
  log: WorkerLogger,
  fields: Record<string, unknown>,
): Promise<RunOutcome> {
  const db = ctx.db;
  if (signal.aborted) return (await releaseWorkItem(db, item)) ? 'released' : 'lease_lost';
  const run = new ItemRun(db, ctx.clock, item, kind, signal, log);
  let result: unknown;
  let failure: { error: unknown } | undefined;
  try {
    result = await kind.handler(run);
  } catch (error) {
    failure = { error };
  }
  const error = failure?.error;
  if (run.leaseLost || error instanceof LeaseLostError) {
    log.warn({ ...fields }, 'work item lease lost: another worker runs it now; this run stopped');
    return 'lease_lost';
  }
  if (run.stopped || error instanceof WorkerStoppingError || (failure && signal.aborted && isAbortError(error))) {
    const released = await releaseWorkItem(db, item);
    log.info({ ...fields, released }, 'work item stopped by the shutdown; back in the queue with its progress');
    return released ? 'released' : 'lease_lost';
  }
  let finalProgress: string | null = null;
  if (!failure && result !== undefined) {
    try {
      finalProgress = progressJson(item.id, result);
    } catch (invalid) {
      failure = { error: invalid };
    }
  }
  if (failure) {
    const state = await failWorkItem(db, item, failure.error, retryDelayMs(item.attempts, kind.backoff));
    if (state === null) return 'lease_lost';
    const message = errorText(failure.error);
    if (state === 'DEAD') log.error({ ...fields, error: message }, 'work item failed on its last attempt: DEAD until an operator retries it');
    else log.warn({ ...fields, error: message }, 'work item failed; it is retried after a backoff');
    return state === 'DEAD' ? 'dead' : 'failed';
  }
  return (await completeWorkItem(db, item, finalProgress)) ? 'done' : 'lease_lost';
}

const silent = { debug: () => undefined, info: () => undefined, warn: () => undefined, error: () => undefined } as unknown as WorkerLogger;

export interface RunNowResult {
  /** How this process's run ended; `not_claimed` when the item was not due or another worker had it. */
  outcome: RunOutcome | 'not_claimed';
  state: string;
  progress: unknown;
  lastError: string | null;
}

/**
 * Runs one item now, in this process, as a worker would: claimed under a lease, its
 * steps committed with their progress, its end recorded. For a request that started the
 * work and waits for it (a flow begun by an API call): the item is durable from its
 * enqueue, so if this process dies part-way, any worker resumes it once the lease expires.
 * An item that is not due, or that another worker holds, is left alone.
 */
export async function runNow(
  ctx: ServiceContext,
  itemId: bigint,
  options: { signal?: AbortSignal; logger?: WorkerLogger } = {},
): Promise<RunNowResult> {
  const { rows } = await ctx.db.query<{ kind: string }>('select kind from work_items where id = $1', [itemId.toString()]);
  if (!rows[0]) throw new Error(`There is no work item ${itemId}.`);
  const kind = findKindOrThrow(rows[0].kind);
  const workerId = `${os.hostname()}:${process.pid}:now-${randomBytes(3).toString('hex')}`;
  const [item] = await claimWorkItems(ctx.db, workerId, [kind], 1, itemId);
  let outcome: RunNowResult['outcome'] = 'not_claimed';
  if (item) {
    const started = performance.now();
    outcome = await runClaimedItem(ctx, item, kind, options.signal ?? new AbortController().signal, options.logger ?? silent, {
      worker: workerId,
      item: itemId.toString(),
      kind: kind.name,
      attempt: item.attempts,
    });
    workerMetrics.onRun(kind.name, outcome, (performance.now() - started) / 1000);
  }
  const { rows: after } = await ctx.db.query<{ state: string; progress: unknown; lastError: string | null }>(
    'select state, progress, last_error as "lastError" from work_items where id = $1',
    [itemId.toString()],
  );
  return { outcome, ...after[0]! };
}

export type { ClaimedItem };
