import { CopyRows, type CopyColumn } from '../../db/copy-binary.js';
import type { Db } from '../../db/types.js';

export interface Click {
  clickId: string;
  linkId: number;
  programId: number;
  partnerAccountId: number;
  at: Date;
  ipHash: string | null;
  userAgent: string | null;
  referrer: string | null;
}

export interface ClickRecorderOptions {
  /** A flush starts as soon as this many clicks wait. */
  maxBatch?: number;
  /** Otherwise the first waiting click starts a flush after this long; 0: at the end of the current event-loop turn. */
  maxDelayMs?: number;
  /**
   * Flushes that may run at once; default 1. PGlite is one session, so a second flush
   * would only queue behind the first. On PostgreSQL a second one would overlap the
   * first's commit, but the click-redirect benchmark measured one at a time faster (0.68
   * against 0.60 of bare): batches twice as large, less work per click on both sides.
   */
  maxConcurrentFlushes?: number;
  /** Bound on clicks waiting; beyond it record() fails at once instead of queueing without end. */
  maxQueued?: number;
  /** Told about every failed flush (the caller logs it). */
  onFlushError?: (error: unknown, clicks: number) => void;
  /** Told about every successful flush (metrics). */
  onFlush?: (clicks: number, durationMs: number) => void;
}

export class ClickRecorderError extends Error {
  constructor(
    message: string,
    readonly reason: 'closed' | 'overloaded' | 'write-failed',
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'ClickRecorderError';
  }
}

interface Waiting {
  click: Click;
  /** performance.now() when record() was called. */
  queuedAt: number;
  resolve: () => void;
  reject: (error: unknown) => void;
}

/**
 * The longest a click may wait to be written. One that waited longer (a database that
 * stalled) is refused like an overloaded recorder rather than written late: the credit
 * job's cursor passes click ids once they are CREDIT_LAG_MS old (credit-clicks.ts), so a
 * click must commit well within that of its id's time.
 */
export const MAX_CLICK_WAIT_MS = 10_000;

/** Stores a batch of clicks in one statement that commits on its own. */
export type WriteClicks = (clicks: readonly Click[]) => Promise<void>;

/** A click row's columns, in the order both writers below send them. */
const CLICK_COLUMNS: readonly CopyColumn[] = [
  { name: 'click_id', type: 'text' },
  { name: 'link_id', type: 'int4' },
  { name: 'program_id', type: 'int4' },
  { name: 'partner_account_id', type: 'int4' },
  { name: 'at', type: 'timestamptz' },
  { name: 'ip_hash', type: 'text' },
  { name: 'user_agent', type: 'text' },
  { name: 'referrer', type: 'text' },
];

const INSERT = `insert into clicks (${CLICK_COLUMNS.map((column) => column.name).join(', ')})
  select * from unnest(${CLICK_COLUMNS.map((column, i) => `$${i + 1}::${column.type}[]`).join(', ')})`;

/**
 * The cheapest way to store a batch of clicks on each engine, measured with the
 * click-redirect benchmark: on PGlite, which runs in this process, a binary COPY (one
 * call into the engine, nothing to serialize as parameters or to parse as text: about a
 * third less work per click than the INSERT); on PostgreSQL, one INSERT from arrays,
 * which costs this process less than COPY's extra round trip and stream (this process
 * is what the click path waits on), kept prepared on each connection: about a third less
 * server time per click than parsing and planning it on every flush.
 */
export function clickWriter(db: Db): WriteClicks {
  if (db.kind === 'pglite') {
    return async (clicks) => {
      const rows = new CopyRows(CLICK_COLUMNS);
      for (const click of clicks) {
        rows.add([click.clickId, click.linkId, click.programId, click.partnerAccountId, click.at, click.ipHash, click.userAgent, click.referrer]);
      }
      await db.copyRows('clicks', rows);
    };
  }
  return async (clicks) => {
    const n = clicks.length;
    const ids = new Array<string>(n);
    const links = new Array<number>(n);
    const programs = new Array<number>(n);
    const partners = new Array<number>(n);
    const ats = new Array<string>(n);
    const ipHashes = new Array<string | null>(n);
    const agents = new Array<string | null>(n);
    const referrers = new Array<string | null>(n);
    for (let i = 0; i < n; i++) {
      const click = clicks[i]!;
      ids[i] = click.clickId;
      links[i] = click.linkId;
      programs[i] = click.programId;
      partners[i] = click.partnerAccountId;
      ats[i] = click.at.toISOString();
      ipHashes[i] = click.ipHash;
      agents[i] = click.userAgent;
      referrers[i] = click.referrer;
    }
    await db.query(INSERT, [ids, links, programs, partners, ats, ipHashes, agents, referrers], { name: 'lockstep-insert-clicks' });
  };
}

/**
 * Group commit for clicks. Each click must be durable before its redirect is sent, but
 * one transaction per click would make the commit the bottleneck. So clicks that arrive
 * together wait together: they are written by ONE statement (see clickWriter), and each
 * caller's promise settles when it has committed (or failed).
 * A flush starts when maxBatch clicks wait, or maxDelayMs after the first one; while
 * flushes are running, new clicks collect and go in the next one, so batches grow with
 * the load by themselves.
 */
export class ClickRecorder {
  private buffer: Waiting[] = [];
  private timer: NodeJS.Timeout | NodeJS.Immediate | undefined;
  private running = 0;
  private readonly flushes = new Set<Promise<void>>();
  private closed = false;
  private readonly maxBatch: number;
  private readonly maxDelayMs: number;
  private readonly maxConcurrentFlushes: number;
  private readonly maxQueued: number;

  constructor(
    private readonly writeClicks: WriteClicks,
    private readonly options: ClickRecorderOptions = {},
  ) {
    this.maxBatch = options.maxBatch ?? 500;
    this.maxDelayMs = options.maxDelayMs ?? 1;
    this.maxConcurrentFlushes = options.maxConcurrentFlushes ?? 1;
    this.maxQueued = options.maxQueued ?? this.maxBatch * 40;
  }

  /** Resolves once the click is committed; rejects with a ClickRecorderError when it is not. */
  record(click: Click): Promise<void> {
    if (this.closed) return Promise.reject(new ClickRecorderError('The click recorder is shut down.', 'closed'));
    if (this.buffer.length >= this.maxQueued) {
      return Promise.reject(new ClickRecorderError(`${this.buffer.length} clicks are already waiting to be written.`, 'overloaded'));
    }
    return new Promise<void>((resolve, reject) => {
      this.buffer.push({ click, queuedAt: performance.now(), resolve, reject });
      this.schedule();
    });
  }

  /** Clicks waiting or being written. */
  get pending(): number {
    return this.buffer.length;
  }

  /** Writes every waiting click, waits for running flushes, and refuses new clicks. */
  async close(): Promise<void> {
    this.closed = true;
    this.clearTimer();
    while (this.buffer.length > 0 || this.flushes.size > 0) {
      while (this.buffer.length > 0 && this.running < this.maxConcurrentFlushes) this.flush();
      await Promise.race(this.flushes);
    }
  }

  private schedule(): void {
    if (this.running >= this.maxConcurrentFlushes) return; // the end of a running flush starts the next
    if (this.buffer.length >= this.maxBatch) {
      this.flush();
      return;
    }
    if (this.timer !== undefined) return;
    this.timer =
      this.maxDelayMs > 0
        ? setTimeout(() => this.onTimer(), this.maxDelayMs)
        : setImmediate(() => this.onTimer());
  }

  private onTimer(): void {
    this.timer = undefined;
    if (this.running < this.maxConcurrentFlushes) this.flush();
  }

  private clearTimer(): void {
    if (this.timer === undefined) return;
    if (this.maxDelayMs > 0) clearTimeout(this.timer as NodeJS.Timeout);
    else clearImmediate(this.timer as NodeJS.Immediate);
    this.timer = undefined;
  }

  private flush(): void {
    this.clearTimer();
    if (this.buffer.length === 0) return;
    const batch = this.buffer.length <= this.maxBatch ? this.buffer : this.buffer.slice(0, this.maxBatch);
    this.buffer = batch === this.buffer ? [] : this.buffer.slice(this.maxBatch);
    this.running += 1;
    const flush = this.write(batch).finally(() => {
      this.running -= 1;
      this.flushes.delete(flush);
      // Clicks that arrived during the write have already waited: write them now.
      if (this.buffer.length > 0 && !this.closed) this.flush();
    });
    this.flushes.add(flush);
  }

  private async write(waiting: Waiting[]): Promise<void> {
    const startedAt = performance.now();
    // The batch is in arrival order: only its first clicks can be too old.
    let stale = 0;
    while (stale < waiting.length && startedAt - waiting[stale]!.queuedAt > MAX_CLICK_WAIT_MS) stale++;
    const batch = stale === 0 ? waiting : waiting.slice(stale);
    if (stale > 0) {
      const error = new ClickRecorderError(`${stale} click(s) waited more than ${MAX_CLICK_WAIT_MS} ms to be written.`, 'overloaded');
      for (let i = 0; i < stale; i++) waiting[i]!.reject(error);
      if (batch.length === 0) return;
    }
    const n = batch.length;
    try {
      const clicks = new Array<Click>(n);
      for (let i = 0; i < n; i++) clicks[i] = batch[i]!.click;
      await this.writeClicks(clicks);
    } catch (cause) {
      const error = new ClickRecorderError(`Writing ${n} click(s) failed: ${(cause as Error).message}`, 'write-failed', { cause });
      for (const waiting of batch) waiting.reject(error);
      notify(() => this.options.onFlushError?.(cause, n));
      return;
    }
    for (const waiting of batch) waiting.resolve();
    notify(() => this.options.onFlush?.(n, performance.now() - startedAt));
  }
}

/** A failing observer (logger, metrics) must not leave callers waiting or crash the process. */
function notify(fn: () => void): void {
  try {
    fn();
  } catch {
    // Observers are best effort.
  }
}
