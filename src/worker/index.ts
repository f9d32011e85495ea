/**
 * The worker: one claim loop for all durable background work (periodic jobs now;
 * flows, returns files, statements, payouts, webhooks and e-mails next).
 *
 * WORK ITEMS. A row of `work_items` (migration 0007) is one piece of work: a kind (which
 * handler runs it), a JSON payload (what to do: ids and keys, not data), a state, the
 * attempts made, a lease while a worker runs it, the last error, and the progress its
 * handler committed. States (states.ts):
 *
 *   QUEUED ──claim──▶ RUNNING ──handler returned──▶ DONE
 *     ▲                  │ ├──threw, attempts left──▶ FAILED ──at run_after──▶ (claimed again)
 *     │                  │ ├──threw on the last attempt──▶ DEAD
 *     │                  │ └──lease expired──▶ FAILED, or DEAD on the last attempt
 *     └──shutdown (attempt not counted)─┘      FAILED | DEAD ──operator retry──▶ QUEUED
 *
 * Every instance runs a worker (WORKER, WORKER_CONCURRENCY): it claims due items with one
 * `UPDATE … FROM (SELECT … FOR UPDATE SKIP LOCKED LIMIT n) … RETURNING`, so N instances
 * share the queue without waiting on each other, and PGlite (one process) works the
 * same. A claim gives the item a lease (`leaseMs` of its kind) under a token unique to
 * that claim; every write the worker makes for the item afterwards checks the token. A
 * worker that is killed (-9) stops renewing its lease: once it expires, any worker takes
 * the item back (FAILED, with backoff) and the next claim resumes it from its last
 * committed progress. Failed attempts wait retry-delay.ts's exponential backoff; after
 * `maxAttempts` (a crash counts, a clean shutdown does not) the item is DEAD and waits
 * for an operator (console: GET/POST /api/v1/operator/work-items). Times are the
 * database's clock, the same for every instance; business time inside a handler is still
 * `ctx.clock`.
 *
 * A KIND. Register it once, in the module that owns the work, and import that module
 * from src/cli/work-kinds.ts so `lockstep start` runs it (a worker claims only kinds its
 * process registered):
 *
 *   export const sendStatement = registerKind<{ statementId: number }, { page: number }>(
 *     'send-statement',
 *     async (ctx) => { … },
 *     { maxAttempts: 5, leaseMs: 60_000, backoff: { baseMs: 1000, maxMs: 3_600_000 } },
 *   );
 *
 * ENQUEUING. `enqueue(tx, kind, payload, { dedupeKey, runAfter, delayMs })` inserts in
 * the caller's transaction, so an operation and the work it implies commit together or
 * not at all; after the commit, `wake()` starts this process's worker at once (an
 * enqueue on the Db itself, outside a transaction, wakes it by itself). A dedupe key
 * makes the item unique: enqueuing it again returns the existing item (the scheduler
 * enqueues `lock-due-actions:<minute>` from every instance and one item results).
 *
 * A HANDLER runs in bounded chunks and survives being stopped anywhere:
 *
 *   async (ctx) => {
 *     for (;;) {
 *       const done = await ctx.step(async (tx, progress) => {
 *         const after = progress?.lastId ?? 0;
 *         const ids = await nextChunk(tx, ctx.payload, after);   // every query on tx
 *         await applyChunk(tx, ids);                             // the chunk's effects…
 *         return { lastId: ids.at(-1) ?? after, finished: ids.length === 0 };  // …and its progress
 *       });
 *       if (done.finished) return { summary: '…' };               // stored as the final progress
 *     }
 *   }
 *
 * `ctx.step(fn)` is one transaction: it locks the item's row where `id = $1 and
 * lease_owner = $token` (no row: LeaseLostError, nothing written), runs `fn(tx,
 * progress)` with the progress last committed, stores what `fn` returns as the new
 * progress and renews the lease. The chunk's writes and the progress that records them
 * commit together, and only while this worker holds the item: a resumed item starts
 * after the last step that committed, so a step is never done twice and never skipped.
 * While a step runs, its row lock keeps every other worker off the item, even past the
 * lease, and its commit renews the lease. Between two steps nothing does: keep the time
 * from one step to the next within `leaseMs` (chunks of hundreds or thousands of rows, not
 * a million), or the item is taken back and the next step throws LeaseLostError.
 *
 * `ctx.checkpoint(progress)` stores progress and renews the lease without a chunk, for
 * effects outside the database (a file uploaded, an e-mail sent). Those effects are
 * at-least-once: a crash between the effect and the checkpoint repeats it, so make them
 * idempotent (a file name from the item, an idempotency key for the receiver), or better
 * record them in the outbox inside a step and send them after commit.
 *
 * `ctx.progress` is the progress at the start of this run (null on the first);
 * `ctx.item` has the id, attempt and dedupe key; `ctx.db`/`ctx.clock` are the services'
 * context. Inside a step, use only `tx`: a service that opens its own transaction
 * (`ctx.db.transaction`) is not part of the step (and on PGlite it waits for the step
 * forever); write services that take a `Sql` handle so a step can call them.
 *
 * STOPPING. At shutdown the worker stops claiming and aborts `ctx.signal`: the step in
 * hand commits, the next `step`/`checkpoint` throws WorkerStoppingError, and the item goes
 * back to QUEUED with its progress and without counting the attempt. A handler that
 * catches errors must rethrow LeaseLostError and WorkerStoppingError (the worker notices
 * anyway, and does not mark the item done). Items still running at the end of the grace
 * keep their lease until it expires, then resume elsewhere.
 *
 * FLOWS (src/flows) build on exactly this: a flow is a kind whose progress names the
 * steps done, each step one `ctx.step` that writes its module's changes through that
 * module's `Sql`-taking service and records itself done in the same transaction.
 */
export { enqueue, enqueueMany, type EnqueueOptions, type Enqueued } from './enqueue.js';
export { LeaseLostError, WorkerStoppingError } from './errors.js';
export { registerKind, findKind, registeredKinds, type KindOptions, type WorkKind } from './registry.js';
export { retryDelayMs, type Backoff } from './retry-delay.js';
export { WORK_ITEM_STATES, type WorkItemState } from './states.js';
export type { WorkContext, WorkHandler, WorkItemRef } from './types.js';
export { wake } from './wake.js';
export { Worker, type WorkerOptions } from './worker.js';
export { runNow, type RunNowResult } from './run-claimed.js';
