/**
 * The worker and its work items (src/worker), on PGlite and PostgreSQL: claiming,
 * leases and their expiry, retries with backoff, progress committed with each step's
 * effects, dedupe keys, shutdown, the operator's retry and the metrics.
 */
import { expect, it } from 'vitest';
import type { Db, Sql } from '../../src/db/types.js';
import { registry } from '../../src/http/metrics.js';
import { claimWorkItems, expireLeases } from '../../src/worker/claim.js';
import {
  enqueue,
  enqueueMany,
  LeaseLostError,
  registerKind,
  retryDelayMs,
  wake,
  Worker,
  WorkerStoppingError,
  type WorkContext,
} from '../../src/worker/index.js';
import { observeWorkQueue } from '../../src/worker/metrics.js';
import { retryWorkItem } from '../../src/worker/retry-work-item.js';
import { makeOperator } from '../support/app.js';
import { describeDb, type DbTestContext } from '../support/db.js';

// ---------------------------------------------------------------------------
// Test kinds: each test sets what their handlers do.
// ---------------------------------------------------------------------------

type Handler = (ctx: WorkContext) => Promise<unknown>;
let behaviour: Handler = async () => undefined;

// Long enough that a loaded machine does not lose a lease between two statements of a test.
const LEASE_MS = 1000;
const BASE_MS = 40;
const basic = registerKind('test-worker-basic', (ctx) => behaviour(ctx), {
  maxAttempts: 3,
  leaseMs: LEASE_MS,
  backoff: { baseMs: BASE_MS, maxMs: 10_000 },
});
const other = registerKind('test-worker-other', async () => undefined);
const KINDS = [basic.name, other.name];

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

async function until(what: string, check: () => Promise<boolean>, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await check()) return;
    if (Date.now() > deadline) throw new Error(`Timed out waiting until ${what}.`);
    await sleep(20);
  }
}

interface Row {
  id: bigint;
  state: string;
  attempts: number;
  progress: Record<string, unknown> | null;
  last_error: string | null;
  lease_owner: string | null;
  started_at: Date | null;
  finished_at: Date | null;
  delay_ms: number;
}

async function itemOf(db: Sql, id: bigint): Promise<Row> {
  const { rows } = await db.query<Row>(
    `select id, state, attempts, progress, last_error, lease_owner, started_at, finished_at,
            (extract(epoch from run_after - updated_at) * 1000)::float8 as delay_ms
       from work_items where id = $1`,
    [id.toString()],
  );
  return rows[0]!;
}

const workerOf = (t: DbTestContext, options: { concurrency?: number; pollMs?: number; kinds?: string[] } = {}) =>
  new Worker({ db: t.db, clock: t.clock }, { kinds: KINDS, pollMs: 50, ...options });

/** A table of the test's own, written in the same transaction as each step's progress. */
async function makeStepTable(db: Db): Promise<void> {
  await db.exec('create table test_steps (item_id bigint not null, step int not null, attempt int not null)');
}

async function stepsOf(db: Db, id: bigint): Promise<Array<{ step: number; attempt: number }>> {
  const { rows } = await db.query<{ step: number; attempt: number }>('select step, attempt from test_steps where item_id = $1 order by step, attempt', [id.toString()]);
  return rows;
}

/** A handler doing `steps` steps, each recording itself in test_steps with its progress. */
function stepper(steps: number, options: { between?: () => Promise<void>; failAt?: { step: number; attempt: number } } = {}): Handler {
  return async (ctx) => {
    let progress = (ctx.progress as { next: number } | null) ?? { next: 0 };
    while (progress.next < steps) {
      if (options.failAt && progress.next === options.failAt.step && ctx.item.attempt === options.failAt.attempt) {
        throw new Error(`step ${progress.next} failed on attempt ${ctx.item.attempt}`);
      }
      progress = (await ctx.step(async (tx, committed) => {
        const next = (committed as { next: number } | null)?.next ?? 0;
        await tx.query('insert into test_steps (item_id, step, attempt) values ($1, $2, $3)', [ctx.item.id.toString(), next, ctx.item.attempt]);
        return { next: next + 1 };
      })) as { next: number };
      await options.between?.();
    }
    return { next: progress.next, summary: `${steps} steps` };
  };
}

describeDb('worker and work items', (db) => {
  it('claims due items, each once, and runs them to DONE; items due later wait', async () => {
    const t = db();
    const runs: bigint[] = [];
    behaviour = async (ctx) => {
      runs.push(ctx.item.id);
      expect(ctx.item.attempt).toBe(1);
      expect(ctx.progress).toBeNull();
    };
    const ids: bigint[] = [];
    for (let i = 0; i < 5; i++) ids.push((await enqueue(t.db, basic, { n: i })).id);
    const later = (await enqueue(t.db, basic, { n: 'later' }, { delayMs: 60_000 })).id;
    await workerOf(t, { concurrency: 2 }).drain();
    expect([...runs].sort()).toEqual(ids);
    for (const id of ids) {
      const row = await itemOf(t.db, id);
      expect(row).toMatchObject({ state: 'DONE', attempts: 1, lease_owner: null, last_error: null });
      expect(row.started_at).toBeInstanceOf(Date);
      expect(row.finished_at!.getTime()).toBeGreaterThanOrEqual(row.started_at!.getTime());
    }
    expect((await itemOf(t.db, later)).state).toBe('QUEUED');
  });

  it('two workers draining at once share the items: each runs once, none is lost', async () => {
    const t = db();
    const runs = new Map<string, string[]>();
    behaviour = async (ctx) => {
      const seen = runs.get(ctx.item.id.toString()) ?? [];
      runs.set(ctx.item.id.toString(), [...seen, ctx.item.id.toString()]);
      await sleep(1);
    };
    const added = await enqueueMany(t.db, basic, Array.from({ length: 60 }, (_, i) => ({ payload: { i } })));
    expect(added).toBe(60);
    await Promise.all([workerOf(t, { concurrency: 3 }).drain(), workerOf(t, { concurrency: 3 }).drain()]);
    expect(runs.size).toBe(60);
    expect([...runs.values()].every((each) => each.length === 1)).toBe(true);
    const { rows } = await t.db.query<{ state: string; n: number }>('select state, count(*)::int as n from work_items group by state');
    expect(rows).toEqual([{ state: 'DONE', n: 60 }]);
  });

  it('a claim takes only due items of its kinds, in one statement, with a lease token unique to the claim', async () => {
    const t = db();
    const a = (await enqueue(t.db, basic, {})).id;
    const b = (await enqueue(t.db, other, {})).id;
    const claimed = await claimWorkItems(t.db, 'w1', [basic], 10);
    expect(claimed.map((c) => c.id)).toEqual([a]);
    expect(claimed[0]!.leaseOwner).toBe(`w1/${a}.1`);
    expect(claimed[0]!.leaseExpiresAt.getTime()).toBeGreaterThan(Date.now() - 5000);
    // Claimed items are not claimed again while their lease holds.
    expect(await claimWorkItems(t.db, 'w2', [basic, other], 10)).toEqual([expect.objectContaining({ id: b })]);
    expect(await claimWorkItems(t.db, 'w3', [basic, other], 10)).toEqual([]);
  });

  it('dedupe: enqueuing a key again returns the existing item in any state; a rolled-back enqueue leaves nothing', async () => {
    const t = db();
    const first = await enqueue(t.db, basic, { n: 1 }, { dedupeKey: 'test:minute-1' });
    const again = await enqueue(t.db, basic, { n: 2 }, { dedupeKey: 'test:minute-1' });
    expect(first.created).toBe(true);
    expect(again).toEqual({ id: first.id, created: false });
    behaviour = async () => undefined;
    await workerOf(t).drain();
    expect(await enqueue(t.db, basic, { n: 3 }, { dedupeKey: 'test:minute-1' })).toEqual({ id: first.id, created: false });
    // Many at once: keys that exist (or repeat) are left out.
    expect(
      await enqueueMany(t.db, basic, [
        { payload: {}, dedupeKey: 'test:minute-1' },
        { payload: {}, dedupeKey: 'test:minute-2' },
        { payload: {}, dedupeKey: 'test:minute-2' },
        { payload: {} },
      ]),
    ).toBe(2);
    await expect(
      t.db.transaction(async (tx) => {
        await enqueue(tx, basic, {}, { dedupeKey: 'test:rolled-back' });
        throw new Error('the operation failed');
      }),
    ).rejects.toThrow('the operation failed');
    const { rows } = await t.db.query<{ dedupe_key: string | null; payload: unknown }>('select dedupe_key, payload from work_items order by id');
    expect(rows.map((r) => r.dedupe_key)).toEqual(['test:minute-1', 'test:minute-2', null]);
    expect(rows[0]!.payload).toEqual({ n: 1 });
  });

  it('refuses what cannot be stored or run: an unknown kind, a payload that is not JSON, too big, or holds a NUL', async () => {
    const t = db();
    await expect(enqueue(t.db, 'no-such-kind', {})).rejects.toThrow(/Unknown work kind "no-such-kind": register it/);
    await expect(enqueue(t.db, basic, { id: 1n })).rejects.toThrow(/not JSON.*send ids as strings/);
    await expect(enqueue(t.db, basic, { data: 'x'.repeat(300_000) })).rejects.toThrow(/over 262144; store the data/);
    await expect(enqueue(t.db, basic, { name: 'a\u0000b' })).rejects.toThrow(/payload.name contains a NUL/);
    expect(() => registerKind('Bad Name', async () => undefined)).toThrow(/not valid/);
    expect(() => registerKind(basic.name, async () => undefined)).toThrow(/registered twice/);
  });

  it('retries a failing handler with exponential backoff, then DEAD with its last error', async () => {
    const t = db();
    let calls = 0;
    behaviour = async (ctx) => {
      calls += 1;
      throw new Error(`the partner's SFTP server refused the login (attempt ${ctx.item.attempt})`);
    };
    const { id } = await enqueue(t.db, basic, {});
    const worker = workerOf(t);
    await worker.drain();
    let row = await itemOf(t.db, id);
    expect(row).toMatchObject({ state: 'FAILED', attempts: 1, lease_owner: null, finished_at: null });
    expect(row.last_error).toBe("the partner's SFTP server refused the login (attempt 1)");
    expect(row.delay_ms).toBeGreaterThanOrEqual(BASE_MS - 1);
    expect(row.delay_ms).toBeLessThanOrEqual(BASE_MS * 1.1 + 1);
    expect(calls).toBe(1);
    await sleep(BASE_MS * 1.2);
    await worker.drain();
    row = await itemOf(t.db, id);
    expect(row).toMatchObject({ state: 'FAILED', attempts: 2 });
    expect(row.delay_ms).toBeGreaterThanOrEqual(2 * BASE_MS - 1);
    expect(row.delay_ms).toBeLessThanOrEqual(2 * BASE_MS * 1.1 + 1);
    await sleep(2 * BASE_MS * 1.2);
    await worker.drain();
    row = await itemOf(t.db, id);
    expect(row).toMatchObject({ state: 'DEAD', attempts: 3, last_error: "the partner's SFTP server refused the login (attempt 3)" });
    expect(row.finished_at).toBeInstanceOf(Date);
    // Dead items are never claimed again on their own.
    await sleep(5 * BASE_MS);
    await worker.drain();
    expect(calls).toBe(3);
  });

  it('the backoff doubles from its base up to its cap, with at most 10% jitter', () => {
    const backoff = { baseMs: 1000, maxMs: 60_000 };
    expect([1, 2, 3, 4, 5, 6, 7, 8, 60].map((attempt) => retryDelayMs(attempt, backoff, 0))).toEqual([
      1000, 2000, 4000, 8000, 16_000, 32_000, 60_000, 60_000, 60_000,
    ]);
    expect(retryDelayMs(1, backoff, 0.999)).toBe(1100);
    expect(retryDelayMs(6, backoff, 0.999)).toBe(35_197);
    expect(retryDelayMs(7, backoff, 0.999)).toBe(60_000);
  });

  it("resumes from the last committed step: a step's effects and its progress commit together, so no step runs twice or is skipped", async () => {
    const t = db();
    await makeStepTable(t.db);
    const seen: Array<unknown> = [];
    const run = stepper(8, { failAt: { step: 5, attempt: 1 } });
    behaviour = async (ctx) => {
      seen.push(ctx.progress);
      return run(ctx);
    };
    const { id } = await enqueue(t.db, basic, {});
    await workerOf(t).drain();
    let row = await itemOf(t.db, id);
    expect(row).toMatchObject({ state: 'FAILED', attempts: 1, progress: { next: 5 }, last_error: 'step 5 failed on attempt 1' });
    await sleep(BASE_MS * 1.2);
    await workerOf(t).drain();
    row = await itemOf(t.db, id);
    // The value the handler returns is the final progress.
    expect(row).toMatchObject({ state: 'DONE', attempts: 2, progress: { next: 8, summary: '8 steps' } });
    expect(seen).toEqual([null, { next: 5 }]);
    expect(await stepsOf(t.db, id)).toEqual([
      ...[0, 1, 2, 3, 4].map((step) => ({ step, attempt: 1 })),
      ...[5, 6, 7].map((step) => ({ step, attempt: 2 })),
    ]);
  });

  it('a step that throws rolls back its writes and its progress', async () => {
    const t = db();
    await makeStepTable(t.db);
    behaviour = async (ctx) => {
      await ctx.step(async (tx) => {
        await tx.query('insert into test_steps (item_id, step, attempt) values ($1, 0, $2)', [ctx.item.id.toString(), ctx.item.attempt]);
        throw new Error('the chunk could not be applied');
      });
    };
    const { id } = await enqueue(t.db, basic, {});
    await workerOf(t).drain();
    expect(await itemOf(t.db, id)).toMatchObject({ state: 'FAILED', progress: null, last_error: 'the chunk could not be applied' });
    expect(await stepsOf(t.db, id)).toEqual([]);
  });

  it('a lease that expires is taken back; the item resumes elsewhere and the old worker’s next step throws, committing nothing', async () => {
    const t = db();
    await makeStepTable(t.db);
    let letGo!: () => void;
    const stalled = new Promise<void>((resolve) => (letGo = resolve));
    const errors: unknown[] = [];
    behaviour = async (ctx) => {
      if (ctx.item.attempt === 1) {
        // The first worker commits two steps, then stalls past its lease.
        const run = stepper(6, {
          between: async () => {
            if ((await stepsOf(t.db, ctx.item.id)).length === 2) await stalled;
          },
        });
        try {
          return await run(ctx);
        } catch (error) {
          errors.push(error);
          throw error;
        }
      }
      return stepper(6)(ctx);
    };
    const { id } = await enqueue(t.db, basic, {});
    const first = workerOf(t);
    const firstDone = first.drain();
    await until('two steps are committed', async () => (await stepsOf(t.db, id)).length === 2);
    const owner = (await itemOf(t.db, id)).lease_owner!;
    expect(owner).toBe(`${first.id}/${id}.1`);

    // Before the lease runs out nothing is taken back; after it, the item is FAILED with why.
    const second = workerOf(t);
    expect(await expireLeases(t.db, [basic])).toBe(0);
    await sleep(LEASE_MS + 50);
    await second.drain();
    const taken = await itemOf(t.db, id);
    expect(taken).toMatchObject({ state: 'FAILED', attempts: 1, progress: { next: 2 }, lease_owner: null });
    expect(taken.last_error).toMatch(new RegExp(`^The lease of ${owner} expired at .* before attempt 1 of 3 finished .*another attempt resumes it`));
    await sleep(BASE_MS * 1.2);
    await second.drain();
    expect(await itemOf(t.db, id)).toMatchObject({ state: 'DONE', attempts: 2, progress: { next: 6 } });

    // The stalled worker wakes up: its next step finds the lease gone and writes nothing.
    letGo();
    await firstDone;
    expect(errors).toHaveLength(1);
    expect(errors[0]).toBeInstanceOf(LeaseLostError);
    expect((errors[0] as Error).message).toContain(`no longer leased to ${owner}`);
    expect(await stepsOf(t.db, id)).toEqual([
      { step: 0, attempt: 1 },
      { step: 1, attempt: 1 },
      ...[2, 3, 4, 5].map((step) => ({ step, attempt: 2 })),
    ]);
    expect(await itemOf(t.db, id)).toMatchObject({ state: 'DONE', attempts: 2 });
  });

  it('a checkpoint after the lease was lost throws too, even if the handler swallows it the item is not marked done by it', async () => {
    const t = db();
    let lost: unknown;
    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    behaviour = async (ctx) => {
      if (ctx.item.attempt > 1) return { by: 'second' };
      await ctx.checkpoint({ n: 1 });
      await held;
      try {
        await ctx.checkpoint({ n: 2 });
      } catch (error) {
        lost = error; // swallowed
      }
      return { by: 'first' };
    };
    const { id } = await enqueue(t.db, basic, {});
    const first = workerOf(t).drain();
    await until('the first checkpoint', async () => (await itemOf(t.db, id)).progress?.n === 1);
    await sleep(LEASE_MS + 50);
    await workerOf(t).drain();
    await sleep(BASE_MS * 1.2);
    await workerOf(t).drain();
    release();
    await first;
    expect(lost).toBeInstanceOf(LeaseLostError);
    expect(await itemOf(t.db, id)).toMatchObject({ state: 'DONE', attempts: 2, progress: { by: 'second' } });
  });

  it('an item whose lease expires on its last attempt is DEAD', async () => {
    const t = db();
    const { id } = await enqueue(t.db, basic, {});
    await t.db.query('update work_items set attempts = 2 where id = $1', [id.toString()]);
    expect(await claimWorkItems(t.db, 'gone', [basic], 1)).toHaveLength(1);
    await sleep(LEASE_MS + 50);
    expect(await expireLeases(t.db, [basic])).toBe(1);
    const row = await itemOf(t.db, id);
    expect(row).toMatchObject({ state: 'DEAD', attempts: 3, lease_owner: null });
    expect(row.last_error).toMatch(/before attempt 3 of 3 finished .*that was the last attempt\.$/);
  });

  it('stopping lets the step in hand commit, then puts the item back in the queue with its progress and the attempt not counted', async () => {
    const t = db();
    await makeStepTable(t.db);
    const ends: string[] = [];
    behaviour = async (ctx) => {
      try {
        return await stepper(10, { between: () => sleep(30) })(ctx);
      } catch (error) {
        ends.push((error as Error).name);
        throw error;
      }
    };
    const { id } = await enqueue(t.db, basic, {});
    const worker = workerOf(t).start();
    await until('three steps are done', async () => (await stepsOf(t.db, id)).length >= 3);
    expect(await worker.stop({ graceMs: 5000 })).toEqual({ unfinished: 0 });
    expect(ends).toEqual(['WorkerStoppingError']);
    const row = await itemOf(t.db, id);
    const done = (await stepsOf(t.db, id)).length;
    expect(row).toMatchObject({ state: 'QUEUED', attempts: 0, lease_owner: null, progress: { next: done } });
    expect(done).toBeLessThan(10);
    // The next worker resumes it: every step once.
    await workerOf(t).drain();
    expect(await itemOf(t.db, id)).toMatchObject({ state: 'DONE', attempts: 1, progress: { next: 10 } });
    expect((await stepsOf(t.db, id)).map((s) => s.step)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
  });

  it('a stopping worker refuses to start a step, and a checkpoint commits first then throws', async () => {
    const t = db();
    const stopping = new AbortController();
    const { ItemRun } = await import('../../src/worker/work-context.js');
    await enqueue(t.db, basic, {});
    const [claimed] = await claimWorkItems(t.db, 'w', [basic], 1);
    const run = new ItemRun(t.db, t.clock, claimed!, basic, stopping.signal, console);
    stopping.abort();
    let ran = false;
    await expect(
      run.step(async () => {
        ran = true;
        return { n: 1 };
      }),
    ).rejects.toBeInstanceOf(WorkerStoppingError);
    expect(ran).toBe(false);
    await expect(run.checkpoint({ n: 2 })).rejects.toBeInstanceOf(WorkerStoppingError);
    expect((await itemOf(t.db, claimed!.id)).progress).toEqual({ n: 2 });
    expect(run.progress).toEqual({ n: 2 });
  });

  it('wake() starts a claim at once instead of at the next poll; an enqueue on the Db wakes by itself', async () => {
    const t = db();
    const ran: bigint[] = [];
    behaviour = async (ctx) => {
      ran.push(ctx.item.id);
    };
    const worker = workerOf(t, { pollMs: 60_000 }).start();
    try {
      await sleep(50); // the first poll found nothing
      const started = Date.now();
      const direct = (await enqueue(t.db, basic, {})).id;
      await until('the item enqueued on the Db ran', async () => ran.includes(direct), 5000);
      const inTx = await t.db.transaction((tx) => enqueue(tx, basic, {}));
      wake();
      await until('the item enqueued in a transaction ran', async () => ran.includes(inTx.id), 5000);
      expect(Date.now() - started).toBeLessThan(5000);
    } finally {
      await worker.stop();
    }
  });

  it('an operator retries a FAILED or DEAD item: back to QUEUED now, attempts from 0, progress kept, an audit record; other states are a 409', async () => {
    const t = db();
    const ctx = { db: t.db, clock: t.clock };
    const operator = await makeOperator(ctx);
    behaviour = async (ctx) => {
      await ctx.checkpoint({ page: 3 });
      throw new Error('the bank rejected the file');
    };
    const { id } = await enqueue(t.db, basic, {});
    await t.db.query('update work_items set max_attempts = 1 where id = $1', [id.toString()]);
    await workerOf(t).drain();
    expect(await itemOf(t.db, id)).toMatchObject({ state: 'DEAD', attempts: 1 });

    const retried = await retryWorkItem(ctx, operator.userId, id);
    expect(retried).toMatchObject({ state: 'QUEUED', attempts: 0, progress: { page: 3 }, lastError: 'the bank rejected the file', finishedAt: null });
    const { rows: audit } = await t.db.query<{ action: string; subject: string; actor_user_id: number; detail: unknown }>(
      'select action, subject, actor_user_id, detail from audit_events',
    );
    expect(audit).toEqual([
      {
        action: 'work_item.retried',
        subject: `work_item:${id}`,
        actor_user_id: operator.userId,
        detail: { kind: basic.name, stateBefore: 'DEAD', attemptsBefore: 1, lastError: 'the bank rejected the file' },
      },
    ]);
    await expect(retryWorkItem(ctx, operator.userId, id)).rejects.toMatchObject({ status: 409, message: expect.stringContaining(`Work item ${id} is QUEUED; only a FAILED or DEAD item can be retried`) });
    await expect(retryWorkItem(ctx, operator.userId, 999_999n)).rejects.toMatchObject({ status: 404, message: 'There is no work item 999999.' });

    behaviour = async (ctx) => ({ resumedFrom: ctx.progress });
    await workerOf(t).drain();
    expect(await itemOf(t.db, id)).toMatchObject({ state: 'DONE', attempts: 1, progress: { resumedFrom: { page: 3 } } });
  });

  it('counts runs and failures by kind, times them, and reports queue depth and age by kind and state on scrape', async () => {
    const t = db();
    const counter = async (name: string, labels: Record<string, string>) => {
      const metric = (await registry.getSingleMetric(name)!.get()) as { values: Array<{ labels: Record<string, string>; value: number }> };
      return metric.values.find((v) => Object.entries(labels).every(([k, value]) => v.labels[k] === value))?.value ?? 0;
    };
    const before = {
      done: await counter('lockstep_work_item_runs_total', { kind: basic.name, outcome: 'done' }),
      failed: await counter('lockstep_work_item_failures_total', { kind: basic.name }),
    };
    behaviour = async (ctx) => {
      if ((ctx.payload as { fail?: boolean }).fail) throw new Error('no');
    };
    await enqueue(t.db, basic, {});
    await enqueue(t.db, basic, { fail: true });
    await enqueue(t.db, basic, {}, { delayMs: 60_000 });
    await workerOf(t).drain();
    expect(await counter('lockstep_work_item_runs_total', { kind: basic.name, outcome: 'done' })).toBe(before.done + 1);
    expect(await counter('lockstep_work_item_failures_total', { kind: basic.name })).toBe(before.failed + 1);
    expect(await counter('lockstep_work_item_run_duration_seconds', { kind: basic.name, outcome: 'failed' })).toBeGreaterThan(0);

    observeWorkQueue(t.db);
    const text = await registry.metrics();
    expect(text).toContain(`lockstep_work_items{kind="${basic.name}",state="QUEUED"} 1`);
    expect(text).toContain(`lockstep_work_items{kind="${basic.name}",state="FAILED"} 1`);
    expect(text).not.toMatch(/lockstep_work_items\{[^}]*state="DONE"/);
    expect(text).toMatch(new RegExp(`lockstep_work_items_oldest_age_seconds\\{kind="${basic.name}",state="QUEUED"\\} \\d`));
  });
});
