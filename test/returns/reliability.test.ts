/**
 * Returns batches under failure and contention, on PostgreSQL (issue 13, Reliability): a
 * worker killed with -9 mid-file, the same file uploaded twice at once, a row racing a
 * user's approval and the lock job on the same action.
 */
import { expect, it } from 'vitest';
import { systemClock } from '../../src/core/clock.js';
import type { Db } from '../../src/db/types.js';
import { applyRowsInTx, submitReturnsBatch } from '../../src/flows/apply-returns-batch.js';
import { applyActionOperation } from '../../src/modules/actions/apply-action-operation.js';
import { lockDueActions } from '../../src/modules/actions/lock-due-actions.js';
import { makeActionWorld, makeSales, runLockJob } from '../support/action-helpers.js';
import { describePostgres } from '../support/db.js';
import { killWorkerProcessesAfterEach, startWorkerProcess } from '../support/worker-process.js';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const startInstance = (schema: string) => startWorkerProcess('test/returns/returns-worker-entry.ts', schema);
killWorkerProcessesAfterEach();

async function workItem(db: Db, id: bigint) {
  const { rows } = await db.query<{ state: string; attempts: number; lease_owner: string | null; progress: { lastRow?: number } | null }>(
    'select state, attempts, lease_owner, progress from work_items where id = $1',
    [id.toString()],
  );
  return rows[0]!;
}

describePostgres('returns batches: reliability', (context) => {
  it('kill -9 the worker applying a 30,000-row file: the other instance resumes it, every row applied and reported exactly once', async () => {
    const { db } = context();
    const ctx = { db, clock: systemClock };
    const world = await makeActionWorld(ctx, { advanceMs: () => undefined });
    const ids: bigint[] = [];
    for (let i = 0; i < 3; i++) ids.push(...(await makeSales(ctx, world.brand, world.partner, world.program, 10_000, { amount: () => '100.00' })));
    const lines = ['ActionId,Amount,Reason', ...ids.map((id) => `${id},50.00,ITEM_RETURNED`)];
    const received = await submitReturnsBatch(ctx, world.brand.actor, world.program.saleEventTypeId, {
      fileName: 'big.csv',
      contentType: 'text/csv',
      channel: 'API',
      content: Buffer.from(`${lines.join('\n')}\n`),
    });
    if (received.ignored || !received.created) throw new Error('not received');
    const itemId = received.batch.workItemId!;
    const schema = (await db.query<{ s: string }>('select current_schema() as s')).rows[0]!.s;
    const a = await startInstance(schema);
    const b = await startInstance(schema);
    let holder: string | null = null;
    for (const deadline = Date.now() + 90_000; ; ) {
      const row = await workItem(db, itemId);
      if (row.lease_owner && (row.progress?.lastRow ?? 0) >= 5_000) {
        holder = row.lease_owner;
        break;
      }
      if (row.state === 'DONE') throw new Error('The batch finished before it could be interrupted; make it longer.');
      if (Date.now() > deadline) throw new Error(`The batch did not start: ${JSON.stringify(row)}`);
      await sleep(10);
    }
    const victim = holder.startsWith(`${a.workerId}/`) ? a : b;
    victim.child.kill('SIGKILL');
    const doneAtKill = (await db.query<{ n: number }>('select count(*)::int as n from returns_batch_rows')).rows[0]!.n;
    expect(doneAtKill).toBeLessThan(30_000);
    for (const deadline = Date.now() + 120_000; ; ) {
      const row = await workItem(db, itemId);
      if (row.state === 'DONE') break;
      if (Date.now() > deadline) throw new Error(`The batch was not resumed: ${JSON.stringify(row)}`);
      await sleep(100);
    }
    expect((await workItem(db, itemId)).attempts).toBe(2);
    const { rows: outcomes } = await db.query<{ outcome: string; n: number; min: number; max: number }>(
      'select outcome, count(*)::int as n, min(row_number) as min, max(row_number) as max from returns_batch_rows group by outcome',
    );
    expect(outcomes).toEqual([{ outcome: 'APPLIED', n: 30_000, min: 1, max: 30_000 }]);
    const { rows: actions } = await db.query<{ amount: string; mods: number; n: number }>(
      'select amount_minor::text as amount, modification_count as mods, count(*)::int as n from actions group by 1, 2',
    );
    expect(actions).toEqual([{ amount: '5000', mods: 2, n: 30_000 }]);
    const { rows: records } = await db.query<{ n: number }>(`select count(*)::int as n from action_modifications where operation = 'MODIFY_AMOUNT'`);
    expect(records[0]!.n).toBe(30_000);
    const { rows: events } = await db.query<{ n: number }>(`select count(*)::int as n from outbox_events where type = 'action.modified'`);
    expect(events[0]!.n).toBe(30_000);
    const { rows: batch } = await db.query<{ status: string; rows_done: number; counts: Record<string, number> }>('select status, rows_done, counts from returns_batches');
    expect(batch[0]).toMatchObject({ status: 'DONE', rows_done: 30_000, counts: { APPLIED: 30_000 } });
  }, 300_000);

  it('the same file uploaded twice at once is one batch', async () => {
    const { db, clock } = context();
    const ctx = { db, clock };
    const world = await makeActionWorld(ctx, clock);
    const [id] = await makeSales(ctx, world.brand, world.partner, world.program, 1);
    const file = () => ({ fileName: 'same.csv', contentType: 'text/csv', channel: 'API' as const, content: Buffer.from(`ActionId,Amount,Reason\n${id},1.00,ORDER_UPDATE\n`) });
    for (let round = 0; round < 5; round++) {
      const content = `ActionId,Amount,Reason\n${id},${round + 1}.00,ORDER_UPDATE\n`;
      const answers = await Promise.all(
        [0, 1, 2].map(() => submitReturnsBatch(ctx, world.brand.actor, world.program.saleEventTypeId, { ...file(), content: Buffer.from(content) })),
      );
      const batches = answers.map((a) => (a.ignored ? null : a));
      expect(batches.filter((a) => a?.created)).toHaveLength(1);
      expect(new Set(batches.map((a) => a?.batch.id))).toHaveProperty('size', 1);
    }
    const { rows } = await db.query<{ n: number; items: number }>(`select count(*)::int as n, (select count(*)::int from work_items where kind = 'returns-batch') as items from returns_batches`);
    expect(rows[0]).toEqual({ n: 5, items: 5 });
  });

  it('a row racing a user’s approval, and the lock job, on the same action: one outcome each, told truthfully in both places', async () => {
    const { db, clock } = context();
    const ctx = { db, clock };
    const world = await makeActionWorld(ctx, clock);
    const received = await submitReturnsBatch(ctx, world.brand.actor, world.program.saleEventTypeId, {
      fileName: 'race.csv',
      contentType: 'text/csv',
      channel: 'API',
      content: Buffer.from('ActionId,Amount,Reason\n'),
    });
    if (received.ignored) throw new Error('ignored');
    const batchId = received.batch.id;
    const ids = await makeSales(ctx, world.brand, world.partner, world.program, 40, { amount: () => '100.00' });
    const scope = { actor: world.brand.actor, brandAccountId: world.brand.id, eventTypeId: world.program.saleEventTypeId, eventTypeName: 'Sale' };
    const row = (n: number, id: bigint) => ({
      rowNumber: n,
      cells: [] as Array<[string, string]>,
      request: { kind: 'ORDER' as const, target: { by: 'ActionId' as const, actionId: `${id}` }, reason: 'ITEM_RETURNED' as const, amount: '70.00' },
    });
    const approvals = ids.slice(0, 20);
    const results = await Promise.all(
      approvals.map(async (id, i) => {
        const [fileRow, user] = await Promise.all([
          db.transaction((tx) => applyRowsInTx(tx, batchId, { ...scope, now: clock.now() }, [row(i + 1, id)])),
          applyActionOperation(ctx, world.brand.actor, [id], { op: 'APPROVE' }),
        ]);
        return { id, file: fileRow[0]!.outcome, user: user[0]!.ok };
      }),
    );
    for (const result of results) {
      const { rows } = await db.query<{ operation: string }>('select operation from action_modifications where action_id = $1 and seq > 1 order by seq', [String(result.id)]);
      const history = rows.map((r) => r.operation);
      // The approval always succeeds (a modified action is still pending); the row is applied only if it came first.
      expect(result.user).toBe(true);
      if (result.file === 'APPLIED') expect(history).toEqual(['MODIFY_AMOUNT', 'APPROVE']);
      else {
        expect(result.file).toBe('LOCKED');
        expect(history).toEqual(['APPROVE']);
      }
    }
    // The lock job: the due actions race rows of the file; a row either changed the action before it locked, or says LOCKED.
    const due = ids.slice(20);
    clock.advanceMs(20 * 86_400_000);
    const [fileRows] = await Promise.all([
      db.transaction((tx) => applyRowsInTx(tx, batchId, { ...scope, now: clock.now() }, due.map((id, i) => row(100 + i, id)))),
      lockDueActions(ctx, { chunkSize: 5 }),
    ]);
    for (const [i, id] of due.entries()) {
      const { rows } = await db.query<{ operation: string }>('select operation from action_modifications where action_id = $1 and seq > 1 order by seq', [String(id)]);
      const history = rows.map((r) => r.operation);
      const outcome = fileRows[i]!.outcome;
      // Past its locking date a pending action can no longer be changed, so the row is LOCKED either way, and nothing but the lock is recorded.
      expect(outcome).toBe('LOCKED');
      expect(fileRows[i]!.message).toContain('locking date');
      expect(history.filter((op) => op === 'MODIFY_AMOUNT')).toEqual([]);
    }
    // Rows the file held were skipped by that run and locked by the next: each exactly once.
    await runLockJob(ctx);
    const { rows: locks } = await db.query<{ state: string; locks: number }>(
      `select a.state, (select count(*)::int from action_modifications m where m.action_id = a.id and m.operation = 'LOCK') as locks
         from actions a where a.id = any($1::bigint[])`,
      [due.map(String)],
    );
    expect(locks.every((l) => l.state === 'APPROVED' && l.locks === 1)).toBe(true);
  });
});
