import { randomBytes } from 'node:crypto';
import os from 'node:os';
import type { ServiceContext } from '../core/context.js';
import { claimWorkItems, expireLeases, type ClaimedItem } from './claim.js';
import { workerMetrics, type RunOutcome, type WorkerObserver } from './metrics.js';
import { findKind, registeredKinds, type AnyWorkKind } from './registry.js';
import { onWake } from './wake.js';
import { runClaimedItem, type WorkerLogger } from './run-claimed.js';

export type { WorkerLogger };


export interface WorkerOptions {
  /** Items run at once by this worker (default 4). */
  concurrency?: number;
  /** How often an idle worker looks for due items and expired leases (default 1 s). */
  pollMs?: number;
  /** The kinds this worker runs (default: every kind registered in the process). */
  kinds?: readonly string[];
  /** Names this worker in lease tokens (default `host:pid:random`); unique per worker. */
  workerId?: string;
  logger?: WorkerLogger;
  observer?: WorkerObserver;
}

export const DEFAULT_CONCURRENCY = 4;
export const DEFAULT_POLL_MS = 1000;

const silent: WorkerLogger = { debug: () => undefined, info: () => undefined, warn: () => undefined, error: () => undefined } as unknown as WorkerLogger;

/**
 * The one claim loop of a process (src/worker/index.ts has the design). It claims up to
 * `concurrency` due items, runs each item's handler, and records how each ended; when a
 * handler ends, when wake() is called, or every `pollMs`, it claims again, and it takes
 * back items whose lease expired.
 */
export class Worker {
  readonly id: string;
  private readonly concurrency: number;
  private readonly pollMs: number;
  private readonly log: WorkerLogger;
  private readonly observer: WorkerObserver;
  private readonly stopping = new AbortController();
  private readonly runs = new Map<bigint, Promise<void>>();
  private loopDone: Promise<void> | undefined;
  private unsubscribe: (() => void) | undefined;
  private wakeUp: (() => void) | undefined;
  private wakePending = false;
  private lastSweepAt = 0;

  constructor(
    private readonly ctx: ServiceContext,
    private readonly options: WorkerOptions = {},
  ) {
    this.id = options.workerId ?? `${os.hostname()}:${process.pid}:${randomBytes(3).toString('hex')}`;
    this.concurrency = options.concurrency ?? DEFAULT_CONCURRENCY;
    if (!Number.isInteger(this.concurrency) || this.concurrency < 1) throw new Error(`A worker's concurrency is a whole number from 1; got ${this.concurrency}.`);
    this.pollMs = options.pollMs ?? DEFAULT_POLL_MS;
    this.log = options.logger ?? silent;
    this.observer = options.observer ?? workerMetrics;
  }

  /** Items running now. */
  get busy(): number {
    return this.runs.size;
  }

  /** Starts the loop; every wake() in this process then starts a claim at once. */
  start(): this {
    if (this.loopDone) throw new Error('This worker is already started.');
    this.unsubscribe = onWake(() => this.wake());
    this.loopDone = this.loop();
    return this;
  }

  /** Claim now instead of at the next poll. */
  wake(): void {
    const wakeUp = this.wakeUp;
    if (wakeUp) wakeUp();
    else this.wakePending = true;
  }

  /**
   * Stops claiming, asks the running handlers to stop (their signal aborts: the step in
   * hand commits, the next throws WorkerStoppingError and the item goes back to the
   * queue), and waits for them at most `graceMs`. An item still running then keeps its
   * lease until it expires; another worker resumes it from its last committed step.
   * Resolves with how many were still running.
   */
  async stop(options: { graceMs?: number } = {}): Promise<{ unfinished: number }> {
    this.stopping.abort();
    this.unsubscribe?.();
    this.wakeUp?.();
    await this.loopDone;
    const pending = [...this.runs.values()];
    if (pending.length === 0) return { unfinished: 0 };
    let timer: NodeJS.Timeout | undefined;
    const timedOut = await Promise.race([
      Promise.allSettled(pending).then(() => false),
      new Promise<boolean>((resolve) => (timer = setTimeout(() => resolve(true), options.graceMs ?? 5000))),
    ]);
    clearTimeout(timer);
    const unfinished = timedOut ? this.runs.size : 0;
    if (unfinished) {
      this.log.warn({ worker: this.id, unfinished, items: [...this.runs.keys()].map(String) }, 'work items still running at shutdown: their leases expire and another worker resumes them');
    }
    return { unfinished };
  }

  /**
   * Runs due items until none is due and none is running, then resolves: for tests and
   * one-off runs, on a worker that was not started.
   */
  async drain(): Promise<void> {
    if (this.loopDone) throw new Error('drain() is for a worker that was not started.');
    for (;;) {
      await expireLeases(this.ctx.db, this.kinds());
      const free = this.concurrency - this.runs.size;
      if (free > 0 && !this.stopping.signal.aborted) {
        for (const item of await claimWorkItems(this.ctx.db, this.id, this.kinds(), free)) this.launch(item);
      }
      if (this.runs.size === 0) return;
      await Promise.race(this.runs.values());
    }
  }

  private kinds(): AnyWorkKind[] {
    const all = registeredKinds();
    const only = this.options.kinds;
    return only ? all.filter((kind) => only.includes(kind.name)) : all;
  }

  private async loop(): Promise<void> {
    while (!this.stopping.signal.aborted) {
      let more = false;
      try {
        if (Date.now() - this.lastSweepAt >= this.pollMs) {
          this.lastSweepAt = Date.now();
          const expired = await expireLeases(this.ctx.db, this.kinds());
          if (expired) this.log.warn({ worker: this.id, expired }, 'took back work items whose lease expired');
        }
        const free = this.concurrency - this.runs.size;
        if (free > 0) {
          const claimed = await claimWorkItems(this.ctx.db, this.id, this.kinds(), free);
          for (const item of claimed) this.launch(item);
          // A full claim may have left more due items behind.
          more = claimed.length === free && this.runs.size < this.concurrency;
        }
      } catch (error) {
        if (this.stopping.signal.aborted) break;
        this.log.error({ worker: this.id, err: error }, 'the worker could not claim work items; it tries again at its next poll');
      }
      if (!more) await this.idle();
    }
  }

  /** Until wake(), a run ends, the poll interval passes, or the worker stops. */
  private idle(): Promise<void> {
    if (this.wakePending || this.stopping.signal.aborted) {
      this.wakePending = false;
      return Promise.resolve();
    }
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        this.wakeUp = undefined;
        this.wakePending = false;
        resolve();
      };
      const timer = setTimeout(done, this.pollMs);
      this.wakeUp = done;
    });
  }

  private launch(item: ClaimedItem): void {
    const run = this.execute(item).finally(() => {
      this.runs.delete(item.id);
      this.wake();
    });
    this.runs.set(item.id, run);
  }

  private async execute(item: ClaimedItem): Promise<void> {
    const kind = findKind(item.kind)!;
    const started = performance.now();
    const fields = { worker: this.id, item: item.id.toString(), kind: item.kind, attempt: item.attempts };
    let outcome: RunOutcome;
    try {
      outcome = await this.runAndRecord(item, kind, fields);
    } catch (error) {
      // The database did not take the end of the run: the lease expires and another
      // attempt resumes the item from its last committed progress.
      outcome = 'unrecorded';
      this.log.error({ ...fields, err: error }, 'could not record how a work item ended; its lease expires and it runs again');
    }
    this.observer.onRun(kind.name, outcome, (performance.now() - started) / 1000);
  }

  private runAndRecord(item: ClaimedItem, kind: AnyWorkKind, fields: Record<string, unknown>): Promise<RunOutcome> {
    return runClaimedItem(this.ctx, item, kind, this.stopping.signal, this.log, fields);
  }
}
