/**
 * The work kinds of the worker process tests (processes.test.ts), registered both in the
 * spawned workers (worker-entry.ts) and in the test that enqueues their items. Each
 * handler records what it does in a table of its own, in the same transaction as its
 * step's progress, so the test can tell whether any step happened twice or never.
 */
import { registerKind } from '../../src/worker/index.js';

const leaseMs = Number(process.env.TEST_LEASE_MS ?? 1500);
const stepMs = Number(process.env.TEST_STEP_MS ?? 50);
const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** A long item: `steps` steps, each one row in test_steps with the pid of the process that did it. */
export const stepsKind = registerKind<{ steps: number }, { next: number }>(
  'test-process-steps',
  async (ctx) => {
    let progress = ctx.progress ?? { next: 0 };
    while (progress.next < ctx.payload.steps) {
      progress = await ctx.step(async (tx, committed) => {
        const next = committed?.next ?? 0;
        await tx.query('insert into test_steps (item_id, step, pid, at) values ($1, $2, $3, clock_timestamp())', [ctx.item.id.toString(), next, process.pid]);
        return { next: next + 1 };
      });
      await sleep(stepMs);
    }
    return progress;
  },
  { maxAttempts: 5, leaseMs, backoff: { baseMs: 50, maxMs: 1000 } },
);

/** A short item: one step, one row in test_done. */
export const onceKind = registerKind<Record<string, never>, { done: true }>(
  'test-process-once',
  async (ctx) =>
    ctx.step(async (tx) => {
      await tx.query('insert into test_done (item_id, pid) values ($1, $2)', [ctx.item.id.toString(), process.pid]);
      return { done: true };
    }),
  { maxAttempts: 5, leaseMs, backoff: { baseMs: 50, maxMs: 1000 } },
);
