import type { Logger } from 'pino';
import type { ServiceContext } from '../core/context.js';
import type { Sql } from '../db/types.js';

/** The item a handler runs, as it was claimed. */
export interface WorkItemRef<P> {
  id: bigint;
  kind: string;
  payload: P;
  /** This attempt's number, from 1; a shutdown's release does not count one. */
  attempt: number;
  maxAttempts: number;
  dedupeKey: string | null;
  createdAt: Date;
}

/**
 * What a handler gets: the services' context (db, clock) and its item, with the progress
 * last committed and the two ways to commit more (see src/worker/index.ts).
 */
export interface WorkContext<P = unknown, G = unknown> extends ServiceContext {
  readonly item: WorkItemRef<P>;
  readonly payload: P;
  /** The progress last committed for this item (by this run or an earlier one); null before the first. */
  readonly progress: G | null;
  /** Aborted when the worker stops: finish the step in hand and let the next step or checkpoint throw. */
  readonly signal: AbortSignal;
  /** The worker's logger (silent unless the worker was given one). */
  readonly log: Pick<Logger, 'debug' | 'info' | 'warn' | 'error'>;
  /**
   * One transaction that checks this worker still holds the item's lease (locking the
   * item's row), runs `fn` with the transaction and the committed progress, stores what
   * `fn` returns as the new progress and renews the lease. `fn`'s writes and the progress
   * commit together or not at all, which is what makes "never repeats a step" possible.
   * Throws LeaseLostError (nothing committed) when the lease is gone, and
   * WorkerStoppingError when the worker is stopping (before starting a step, or after
   * committing one).
   */
  step(fn: (tx: Sql, progress: G | null) => Promise<G>): Promise<G>;
  /**
   * Stores progress and renews the lease, for work done outside the database (a file
   * sent); it commits, then throws WorkerStoppingError if the worker is stopping.
   */
  checkpoint(progress: G): Promise<void>;
}

/**
 * Runs one item to its end. Resolving marks it DONE (a value it resolves with is stored
 * as its final progress, e.g. a summary for the console); throwing fails the attempt.
 */
export type WorkHandler<P = unknown, G = unknown> = (ctx: WorkContext<P, G>) => Promise<G | undefined>;
