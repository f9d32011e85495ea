import type { ServiceContext } from '../core/context.js';
import type { Sql } from '../db/types.js';
import { enqueue, registerKind, type KindOptions, type WorkContext, type WorkKind } from '../worker/index.js';

/**
 * A flow: an operation that spans modules, as a durable record of its steps, run by the
 * worker. It is a work-item kind (`flow:<name>`) whose progress names the step it is at
 * and what the steps so far produced. Each step runs in chunks; each chunk is one
 * `ctx.step` transaction holding the chunk's writes (through the modules' own services,
 * which take the transaction) and the progress that records them, committed only while
 * this worker holds the item's lease. So a crash between two chunks or two steps loses
 * nothing (the item resumes from the last committed progress once its lease expires) and
 * repeats nothing (a chunk's effects and its record commit together or not at all).
 *
 * A flow may begin in its caller's transaction (`begin`): the first step done while the
 * request waits, so that what the caller must hear at once (a refusal, a 409) comes back
 * as the operation's answer, and the flow exists from the same commit as that first step.
 * The rest then runs in a worker, or at once in the caller's process (`runNow`), which
 * is still the worker's machinery: the caller dying part-way leaves the flow to any worker.
 */

/** What a chunk of a step returns: the flow's state afterwards, and whether the step is done. */
export interface ChunkResult<S> {
  state: S;
  done: boolean;
}

export interface FlowStep<P, S> {
  /** Named in the flow's progress (and the operator console), e.g. `reverse-pending-actions`. */
  name: string;
  /** One chunk, in the step's transaction: everything on `tx`, bounded work, then the new state. */
  run(tx: Sql, input: { ctx: ServiceContext; payload: P; state: S }): Promise<ChunkResult<S>>;
}

/** The flow's record, kept as its work item's progress. */
export interface FlowProgress<S> {
  /** The index of the step to run next; the steps' count when the flow is done. */
  step: number;
  state: S;
  /** When each step finished, in order. */
  finished: Array<{ step: string; at: string }>;
}

export interface Flow<P, S> {
  readonly name: string;
  readonly kind: WorkKind<P, FlowProgress<S>>;
  readonly steps: ReadonlyArray<FlowStep<P, S>>;
  /**
   * Starts the flow in the caller's transaction: the first steps (`firstSteps` of them)
   * run right here, on `tx`, and the item is enqueued with their result as its progress,
   * so the flow and its first steps commit together. Returns the item's id.
   */
  start(tx: Sql, ctx: ServiceContext, payload: P, initialState: S, options?: { firstSteps?: number }): Promise<bigint>;
}

export function defineFlow<P, S>(name: string, steps: ReadonlyArray<FlowStep<P, S>>, options: KindOptions = {}): Flow<P, S> {
  if (steps.length === 0) throw new Error(`Flow "${name}" has no steps.`);
  const kind = registerKind<P, FlowProgress<S>>(
    `flow:${name}`,
    async (work: WorkContext<P, FlowProgress<S>>) => {
      for (;;) {
        const progress = await work.step(async (tx, committed) => {
          const current = committed ?? { step: 0, state: undefined as unknown as S, finished: [] };
          if (current.step >= steps.length) return current;
          const step = steps[current.step]!;
          const chunk = await step.run(tx, { ctx: { db: work.db, clock: work.clock }, payload: work.payload, state: current.state });
          return chunk.done
            ? { step: current.step + 1, state: chunk.state, finished: [...current.finished, { step: step.name, at: work.clock.now().toISOString() }] }
            : { ...current, state: chunk.state };
        });
        if (progress.step >= steps.length) return progress;
      }
    },
    { maxAttempts: 10, ...options },
  );
  return {
    name,
    kind,
    steps,
    async start(tx, ctx, payload, initialState, startOptions = {}) {
      let progress: FlowProgress<S> = { step: 0, state: initialState, finished: [] };
      const firstSteps = startOptions.firstSteps ?? 0;
      while (progress.step < Math.min(firstSteps, steps.length)) {
        const step = steps[progress.step]!;
        const chunk = await step.run(tx, { ctx, payload, state: progress.state });
        progress = chunk.done
          ? { step: progress.step + 1, state: chunk.state, finished: [...progress.finished, { step: step.name, at: ctx.clock.now().toISOString() }] }
          : { ...progress, state: chunk.state };
      }
      const { id } = await enqueue(tx, kind, payload, { progress });
      return id;
    },
  };
}
