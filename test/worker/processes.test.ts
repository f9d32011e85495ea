/**
 * The worker as real processes on PostgreSQL (worker-entry.ts, run from source with
 * node --import tsx), two instances on one database:
 * - kill -9 the instance running a long item: once its lease expires the other takes the
 *   item over and finishes it from its last committed step; every step happened once;
 * - SIGTERM during a long item: the process exits 0 well within the shutdown deadline,
 *   the item is back in the queue with its progress, and the next worker finishes it;
 * - two instances drain 10,000 items: each done once, none lost, both did their share.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, expect, it } from 'vitest';
import type { Db } from '../../src/db/types.js';
import { enqueue, enqueueMany } from '../../src/worker/index.js';
import { describePostgres } from '../support/db.js';
import { onceKind, stepsKind } from './process-kinds.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const LEASE_MS = 1500;
const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

interface Instance {
  child: ChildProcess;
  pid: number;
  workerId: string;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  output: () => string;
}

const started: Instance[] = [];

async function startInstance(schema: string, concurrency: number): Promise<Instance> {
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    DATABASE_URL: process.env.TEST_DATABASE_URL,
    LOCKSTEP_TEST_SCHEMA: schema,
    WORKER_CONCURRENCY: String(concurrency),
    TEST_LEASE_MS: String(LEASE_MS),
    TEST_STEP_MS: '40',
    LOG_LEVEL: 'warn',
  };
  delete env.NODE_OPTIONS;
  const child = spawn(process.execPath, ['--import', 'tsx', 'test/worker/worker-entry.ts'], { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
  const workerId = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`The worker process did not start within 60 s:\n${output}`)), 60_000);
    child.stdout!.on('data', (chunk: Buffer) => {
      output += chunk.toString();
      const ready = /^ready (\S+)$/m.exec(output);
      if (ready) {
        clearTimeout(timer);
        resolve(ready[1]!);
      }
    });
    child.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()));
    void exited.then(({ code }) => reject(new Error(`The worker process exited with ${code} before it was ready:\n${output}`)));
  });
  const instance = { child, pid: child.pid!, workerId, exited, output: () => output };
  started.push(instance);
  return instance;
}

afterEach(() => {
  for (const instance of started.splice(0)) if (instance.child.exitCode === null && instance.child.signalCode === null) instance.child.kill('SIGKILL');
});

async function until(what: string, check: () => Promise<boolean>, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await check()) return;
    if (Date.now() > deadline) throw new Error(`Timed out after ${timeoutMs} ms waiting until ${what}.`);
    await sleep(50);
  }
}

async function schemaOf(db: Db): Promise<string> {
  const { rows } = await db.query<{ schema: string }>('select current_schema() as schema');
  return rows[0]!.schema;
}

async function stepRows(db: Db, id: bigint): Promise<Array<{ step: number; pid: number; at: Date }>> {
  const { rows } = await db.query<{ step: number; pid: number; at: Date }>('select step, pid, at from test_steps where item_id = $1 order by at, step', [id.toString()]);
  return rows;
}

async function itemRow(db: Db, id: bigint) {
  const { rows } = await db.query<{ state: string; attempts: number; progress: { next: number } | null; last_error: string | null; lease_owner: string | null }>(
    'select state, attempts, progress, last_error, lease_owner from work_items where id = $1',
    [id.toString()],
  );
  return rows[0]!;
}

/** Every step from 0 to steps - 1 exactly once. */
function expectEachStepOnce(rows: Array<{ step: number }>, steps: number): void {
  expect(rows.map((row) => row.step).sort((a, b) => a - b)).toEqual(Array.from({ length: steps }, (_, i) => i));
}

describePostgres('the worker as real processes', (db) => {
  it('kill -9 mid-item: the other instance takes the item over once its lease expires, and every step happens exactly once', async () => {
    const { db: sql } = db();
    const schema = await schemaOf(sql);
    await sql.exec('create table test_steps (item_id bigint not null, step int not null, pid int not null, at timestamptz not null)');
    const steps = 60;
    const [a, b] = await Promise.all([startInstance(schema, 2), startInstance(schema, 2)]);
    const { id } = await enqueue(sql, stepsKind, { steps });

    await until('a third of the steps are done', async () => (await stepRows(sql, id)).length >= steps / 3, 30_000);
    const owner = (await itemRow(sql, id)).lease_owner!;
    const victim = [a, b].find((instance) => owner.startsWith(`${instance.workerId}/`))!;
    const survivor = victim === a ? b : a;
    expect(victim).toBeDefined();
    victim.child.kill('SIGKILL');
    expect((await victim.exited).signal).toBe('SIGKILL');
    const killedAt = Date.now();

    await until('the item is done', async () => (await itemRow(sql, id)).state === 'DONE', 30_000);
    const rows = await stepRows(sql, id);
    expectEachStepOnce(rows, steps);
    const byVictim = rows.filter((row) => row.pid === victim.pid);
    const bySurvivor = rows.filter((row) => row.pid === survivor.pid);
    expect(byVictim.length + bySurvivor.length).toBe(steps);
    expect(byVictim.length).toBeGreaterThanOrEqual(steps / 3);
    expect(bySurvivor.length).toBeGreaterThan(0);
    // The survivor went on from the victim's last committed step, after the lease ran out.
    expect(Math.min(...bySurvivor.map((row) => row.step))).toBe(Math.max(...byVictim.map((row) => row.step)) + 1);
    const lastOfVictim = Math.max(...byVictim.map((row) => row.at.getTime()));
    const firstOfSurvivor = Math.min(...bySurvivor.map((row) => row.at.getTime()));
    expect(firstOfSurvivor - lastOfVictim).toBeGreaterThanOrEqual(LEASE_MS - 100);
    expect(Date.now() - killedAt).toBeLessThan(30_000);
    const item = await itemRow(sql, id);
    expect(item).toMatchObject({ state: 'DONE', attempts: 2, progress: { next: steps }, lease_owner: null });
    expect(item.last_error).toContain(`The lease of ${owner} expired`);
    expect(survivor.output()).toContain('took back work items whose lease expired');

    const exit = await (async () => {
      survivor.child.kill('SIGTERM');
      return survivor.exited;
    })();
    expect(exit, survivor.output()).toEqual({ code: 0, signal: null });
  }, 120_000);

  it('SIGTERM mid-item: exits 0 within the deadline, the item goes back to the queue with its progress, and the next worker finishes it', async () => {
    const { db: sql } = db();
    const schema = await schemaOf(sql);
    await sql.exec('create table test_steps (item_id bigint not null, step int not null, pid int not null, at timestamptz not null)');
    const steps = 200;
    const first = await startInstance(schema, 1);
    const { id } = await enqueue(sql, stepsKind, { steps });
    await until('some steps are done', async () => (await stepRows(sql, id)).length >= 10, 30_000);
    const signalled = Date.now();
    first.child.kill('SIGTERM');
    const exit = await first.exited;
    expect(exit, first.output()).toEqual({ code: 0, signal: null });
    expect(Date.now() - signalled).toBeLessThan(3000);
    const released = await itemRow(sql, id);
    const done = (await stepRows(sql, id)).length;
    expect(released).toMatchObject({ state: 'QUEUED', attempts: 0, lease_owner: null, progress: { next: done } });
    expect(done).toBeLessThan(steps);

    const second = await startInstance(schema, 1);
    await until('the item is done', async () => (await itemRow(sql, id)).state === 'DONE', 60_000);
    const rows = await stepRows(sql, id);
    expectEachStepOnce(rows, steps);
    expect(new Set(rows.map((row) => row.pid))).toEqual(new Set([first.pid, second.pid]));
    expect(await itemRow(sql, id)).toMatchObject({ attempts: 1, progress: { next: steps } });
  }, 120_000);

  it('two instances drain 10,000 work items: each done once, none lost', async () => {
    const { db: sql } = db();
    const schema = await schemaOf(sql);
    await sql.exec('create table test_done (item_id bigint not null, pid int not null)');
    const total = 10_000;
    expect(await enqueueMany(sql, onceKind, Array.from({ length: total }, () => ({ payload: {} })))).toBe(total);
    const startedAt = Date.now();
    const [a, b] = await Promise.all([startInstance(schema, 8), startInstance(schema, 8)]);
    await until(
      'every item is done',
      async () => (await sql.query<{ n: number }>(`select count(*)::int as n from work_items where state = 'DONE'`)).rows[0]!.n === total,
      180_000,
    );
    const seconds = (Date.now() - startedAt) / 1000;
    const { rows } = await sql.query<{ rows: number; items: number; pid: number | null }>(
      `select count(*)::int as rows, count(distinct item_id)::int as items, pid from test_done group by rollup (pid) order by pid nulls last`,
    );
    const all = rows.find((row) => row.pid === null)!;
    expect(all).toMatchObject({ rows: total, items: total });
    const shares = rows.filter((row) => row.pid !== null);
    expect(new Set(shares.map((row) => row.pid))).toEqual(new Set([a.pid, b.pid]));
    for (const share of shares) expect(share.rows).toBeGreaterThan(total / 10);
    const { rows: states } = await sql.query<{ state: string; attempts: number; n: number }>('select state, attempts, count(*)::int as n from work_items group by state, attempts');
    expect(states).toEqual([{ state: 'DONE', attempts: 1, n: total }]);
    console.log(`[worker] two instances drained ${total} items in ${seconds.toFixed(1)} s (${shares.map((s) => s.rows).join(' + ')})`);
    for (const instance of [a, b]) instance.child.kill('SIGTERM');
    for (const instance of [a, b]) expect(await instance.exited, instance.output()).toEqual({ code: 0, signal: null });
  }, 240_000);
});
