/**
 * The flow "expire a contract and reverse its pending actions" (src/flows/expire-contract.ts):
 * the expiry commits with the flow's record, the reversals follow chunk by chunk, and a
 * failure or a crash anywhere resumes without skipping or repeating a reversal.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, expect, it } from 'vitest';
import { systemClock } from '../../src/core/clock.js';
import type { ServiceContext } from '../../src/core/context.js';
import type { Db } from '../../src/db/types.js';
import { expireAndReverseFlow, expireContractAndReversePendingActions, REVERSALS_PER_CHUNK } from '../../src/flows/expire-contract.js';
import { runNow } from '../../src/worker/index.js';
import { makeActionWorld, makeSales, type ActionWorld } from '../support/action-helpers.js';
import { describeDb, describePostgres } from '../support/db.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

async function world(ctx: ServiceContext, clock: { advanceMs(ms: number): void }, pending: number): Promise<{ w: ActionWorld; ids: bigint[] }> {
  const w = await makeActionWorld(ctx, clock);
  const ids = await makeSales(ctx, w.brand, w.partner, w.program, pending);
  return { w, ids };
}

/** Per action of the contract: its state and how many REVERSE records it has. */
async function reversals(db: Db, contractId: number) {
  const { rows } = await db.query<{ state: string; reverses: number }>(
    `select a.state, (select count(*)::int from action_modifications m where m.action_id = a.id and m.operation = 'REVERSE') as reverses
       from actions a where a.contract_id = $1`,
    [contractId],
  );
  return rows;
}

async function item(db: Db, id: bigint) {
  const { rows } = await db.query<{ state: string; attempts: number; progress: { step: number; state: { reversed: number; afterId: string }; finished: Array<{ step: string }> } | null; lease_owner: string | null }>(
    'select state, attempts, progress, lease_owner from work_items where id = $1',
    [id.toString()],
  );
  return rows[0]!;
}

const payloadOf = (w: ActionWorld) => ({ contractId: w.contractId, actor: w.brand.actor, reason: 'NOT_COMPLIANCE_TERMS' as const });

describeDb('flow: expire a contract and reverse its pending actions', (db) => {
  it('the expiry commits with the flow; the reversals run chunk by chunk, each action reversed once', async () => {
    const { db: sql, clock } = db();
    const ctx = { db: sql, clock };
    const { w } = await world(ctx, clock, REVERSALS_PER_CHUNK * 2 + 100);
    const result = await expireContractAndReversePendingActions(ctx, w.brand.actor, w.contractId, { reason: 'NOT_COMPLIANCE_TERMS' });
    expect(result).toMatchObject({ status: 'EXPIRED', terminationReason: 'EXPIRED_BY_BRAND', reversedActions: 1100, unreversedActions: 0, reversalState: 'DONE' });
    const rows = await reversals(sql, w.contractId);
    expect(rows).toHaveLength(1100);
    expect(rows.every((row) => row.state === 'REVERSED' && row.reverses === 1)).toBe(true);
    const done = await item(sql, BigInt(result.reversalWorkItemId));
    expect(done.progress?.finished.map((f) => f.step)).toEqual(['expire-contract', 'reverse-pending-actions']);
  });

  it('a refused expiry (already expired) is the answer, and leaves no flow behind', async () => {
    const { db: sql, clock } = db();
    const ctx = { db: sql, clock };
    const { w } = await world(ctx, clock, 3);
    await expireContractAndReversePendingActions(ctx, w.brand.actor, w.contractId, { reason: 'NOT_COMPLIANCE_TERMS' });
    await expect(expireContractAndReversePendingActions(ctx, w.brand.actor, w.contractId, { reason: 'NOT_COMPLIANCE_TERMS' })).rejects.toThrow(/cannot be expired again/);
    const { rows } = await sql.query<{ n: number }>('select count(*)::int as n from work_items');
    expect(rows[0]!.n).toBe(1);
    await expect(expireContractAndReversePendingActions(ctx, w.partner.actor, w.contractId, { reason: 'NOT_COMPLIANCE_TERMS' })).rejects.toThrow(/Only the brand/);
  });

  it('failing between two chunks and running again: the chunk that failed left nothing, the rest is done once', async () => {
    const { db: sql, clock } = db();
    const ctx = { db: sql, clock };
    const { w } = await world(ctx, clock, REVERSALS_PER_CHUNK * 2 + 50);
    // The flow begins as the request would begin it: the expiry and the record commit together.
    const id = await sql.transaction((tx) => expireAndReverseFlow.start(tx, ctx, payloadOf(w), { afterId: '0', reversed: 0, refused: 0 }, { firstSteps: 1 }));
    expect((await item(sql, id)).progress).toMatchObject({ step: 1, finished: [{ step: 'expire-contract' }] });
    expect((await reversals(sql, w.contractId)).filter((r) => r.state === 'REVERSED')).toHaveLength(0);
    // A database that fails the second chunk's reversals, as a crash in the middle of it would.
    let chunks = 0;
    const failing: Db = {
      ...sql,
      transaction: (fn) =>
        sql.transaction((tx) => {
          let counted = false;
          return fn({
            ...tx,
            query: async (text, params, options) => {
              if (/^\s*update actions set state/.test(text) && !counted) {
                counted = true;
                if (++chunks === 2) throw new Error('the database went away');
              }
              return tx.query(text, params, options);
            },
          } as typeof tx);
        }),
    };
    const first = await runNow({ db: failing, clock }, id);
    expect(first.state).toBe('FAILED');
    expect(first.lastError).toContain('the database went away');
    const halfway = await reversals(sql, w.contractId);
    expect(halfway.filter((r) => r.state === 'REVERSED')).toHaveLength(REVERSALS_PER_CHUNK);
    expect((await item(sql, id)).progress?.state.reversed).toBe(REVERSALS_PER_CHUNK);
    // Due again (its backoff passed), any worker finishes it.
    await sql.query(`update work_items set run_after = now() where id = $1`, [id.toString()]);
    const second = await runNow(ctx, id);
    expect(second.state).toBe('DONE');
    const rows = await reversals(sql, w.contractId);
    expect(rows.every((row) => row.state === 'REVERSED' && row.reverses === 1)).toBe(true);
    expect((await item(sql, id)).progress?.state.reversed).toBe(REVERSALS_PER_CHUNK * 2 + 50);
  });
});

const started: ChildProcess[] = [];
afterEach(() => {
  for (const child of started.splice(0)) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
});

function startInstance(schema: string): Promise<{ child: ChildProcess; workerId: string }> {
  const env: NodeJS.ProcessEnv = { ...process.env, DATABASE_URL: process.env.TEST_DATABASE_URL, LOCKSTEP_TEST_SCHEMA: schema, LOG_LEVEL: 'warn' };
  delete env.NODE_OPTIONS;
  const child = spawn(process.execPath, ['--import', 'tsx', 'test/flows/flow-worker-entry.ts'], { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
  started.push(child);
  let output = '';
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`The worker process did not start within 60 s:\n${output}`)), 60_000);
    child.stdout!.on('data', (chunk: Buffer) => {
      output += chunk.toString();
      const ready = /^ready (\S+)$/m.exec(output);
      if (ready) {
        clearTimeout(timer);
        resolve({ child, workerId: ready[1]! });
      }
    });
    child.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.once('exit', (code) => reject(new Error(`The worker process exited with ${code} before it was ready:\n${output}`)));
  });
}

describePostgres('flow: expire a contract and reverse its pending actions, as real processes', (db) => {
  it('kill -9 the instance running the flow over 5,000 pending actions: the other resumes it, every action reversed exactly once', async () => {
    const { db: sql } = db();
    // Real time: the instances run on the system clock.
    const ctx = { db: sql, clock: systemClock };
    const { w } = await world(ctx, { advanceMs: () => undefined }, 5_000);
    const schema = (await sql.query<{ s: string }>('select current_schema() as s')).rows[0]!.s;
    const id = await sql.transaction((tx) => expireAndReverseFlow.start(tx, ctx, payloadOf(w), { afterId: '0', reversed: 0, refused: 0 }, { firstSteps: 1 }));
    const a = await startInstance(schema);
    const b = await startInstance(schema);
    // Whichever claims the flow is killed once it has committed a chunk or two.
    let holder: string | null = null;
    for (const deadline = Date.now() + 60_000; ; ) {
      const row = await item(sql, id);
      if (row.lease_owner && (row.progress?.state.reversed ?? 0) >= REVERSALS_PER_CHUNK) {
        holder = row.lease_owner;
        break;
      }
      if (row.state === 'DONE') throw new Error('The flow finished before it could be interrupted; make it longer.');
      if (Date.now() > deadline) throw new Error(`The flow did not start: ${JSON.stringify(row)}`);
      await sleep(20);
    }
    const victim = holder.startsWith(`${a.workerId}/`) ? a : b;
    const survivor = victim === a ? b : a;
    victim.child.kill('SIGKILL');
    const reversedAtKill = (await reversals(sql, w.contractId)).filter((r) => r.state === 'REVERSED').length;
    expect(reversedAtKill).toBeLessThan(5_000);
    for (const deadline = Date.now() + 90_000; ; ) {
      const row = await item(sql, id);
      if (row.state === 'DONE') break;
      if (Date.now() > deadline) throw new Error(`The flow was not resumed: ${JSON.stringify(row)}`);
      await sleep(100);
    }
    const done = await item(sql, id);
    expect(done.attempts).toBe(2);
    expect(done.progress?.state.reversed).toBe(5_000);
    const rows = await reversals(sql, w.contractId);
    expect(rows).toHaveLength(5_000);
    expect(rows.filter((row) => row.state !== 'REVERSED' || row.reverses !== 1)).toEqual([]);
    // The survivor did the rest: the item's last claim was its.
    const { rows: claims } = await sql.query<{ owner: string }>(`select coalesce(lease_owner, '') as owner from work_items where id = $1`, [id.toString()]);
    expect(claims[0]!.owner).toBe('');
    expect(survivor.child.exitCode).toBeNull();
  }, 180_000);
});
