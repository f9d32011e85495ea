import type { Db } from '../db/types.js';
import { enqueue, registerKind, WorkerStoppingError, type Enqueued, type WorkContext, type WorkKind } from '../worker/index.js';
import type { Job } from './job.js';

/** What the scheduler puts in a job's work item: the minute it was due. */
export interface JobRunPayload {
  scheduledFor: string;
}

/** What a job's work item shows while it runs and once done. */
export interface JobRunProgress {
  done: number;
  ran?: boolean;
  summary?: string;
}

/**
 * A periodic run that fails is tried once more 15 s later, then DEAD (shown in the
 * console, counted in the failure metric): the next minute's run comes anyway, and a
 * job picks up whatever an earlier run left, so there is nothing to gain from retrying
 * an old minute for long.
 */
export const JOB_KIND_OPTIONS = { maxAttempts: 2, leaseMs: 60_000, backoff: { baseMs: 15_000, maxMs: 60_000 } };

/**
 * Runs a job as a work item. A job works in chunks that are transactions of its own and
 * keeps its own advisory-lock guard (two runs never overlap, even one started by
 * `lockstep jobs run`); the item only tracks it. Each chunk the job reports becomes a
 * checkpoint, which renews the lease however long the job runs and shows its progress;
 * one checkpoint is written at a time, the latest count winning. A lost lease or a
 * shutdown stops the job between chunks, and the item goes back to the queue (shutdown)
 * or to whoever took it (lease).
 */
async function runJobItem(job: Job, ctx: WorkContext<JobRunPayload, JobRunProgress>): Promise<JobRunProgress> {
  const started = Date.now();
  const stop = new AbortController();
  const onAbort = () => stop.abort();
  ctx.signal.addEventListener('abort', onAbort, { once: true });
  let latest: number | undefined;
  let writing: Promise<void> | undefined;
  let interrupted: unknown;
  const flush = async () => {
    while (latest !== undefined && interrupted === undefined) {
      const done = latest;
      latest = undefined;
      try {
        await ctx.checkpoint({ done });
      } catch (error) {
        interrupted = error;
        stop.abort();
      }
    }
    writing = undefined;
  };
  try {
    const result = await job.run(ctx, {
      signal: stop.signal,
      onProgress: (done) => {
        latest = done;
        writing ??= flush();
      },
    });
    await writing;
    if (interrupted !== undefined) throw interrupted;
    if (ctx.signal.aborted) throw new WorkerStoppingError(ctx.item.id);
    if (result.ran && result.done > 0) ctx.log.info({ job: job.name, item: ctx.item.id.toString(), ms: Date.now() - started }, result.summary);
    return { done: result.done, ran: result.ran, summary: result.summary };
  } finally {
    ctx.signal.removeEventListener('abort', onAbort);
  }
}

export function registerJobKind(job: Job): WorkKind<JobRunPayload, JobRunProgress> {
  return registerKind<JobRunPayload, JobRunProgress>(job.name, (ctx) => runJobItem(job, ctx), JOB_KIND_OPTIONS);
}

/** The run of a job due at `at`: every instance's scheduler names the same minute the same way. */
export function jobRunKey(job: Job, at: Date): string {
  return `${job.name}:${at.toISOString().slice(0, 16)}`;
}

/**
 * Enqueues the run of a job due at `at` (rounded to its minute): N instances enqueuing
 * the same tick make one item.
 */
export function enqueueJobRun(db: Db, job: Job, at: Date): Promise<Enqueued> {
  const minute = new Date(Math.round(at.getTime() / 60_000) * 60_000);
  return enqueue<JobRunPayload>(db, job.name, { scheduledFor: minute.toISOString() }, { dedupeKey: jobRunKey(job, minute) });
}
