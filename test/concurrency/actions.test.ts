/**
 * What two (or many) at once do to actions, on real PostgreSQL with a connection pool:
 * approvals racing the lock job, double reversals, modify racing approve, overlapping
 * bulk operations, retried and conflicting conversions, and two lock jobs at once.
 * After each: the ledger is consistent and pays exactly the approved payouts.
 */
import type { LightMyRequestResponse } from 'fastify';
import { afterEach, beforeEach, expect, it } from 'vitest';
import type { ServiceContext } from '../../src/core/context.js';
import { applyActionOperation, applyActionOperationSequence, type ActionOutcome } from '../../src/modules/actions/apply-action-operation.js';
import { lockDueActions, type LockRunResult } from '../../src/modules/actions/lock-due-actions.js';
import { makeClick, nextOrderId } from '../support/actions.js';
import {
  accountClient,
  actionMoneyRows,
  expectLedgerMatchesActions,
  makeActionWorld,
  makeSales,
  modificationsOf,
  type ActionWorld,
} from '../support/action-helpers.js';
import { startTestApp, type Client, type TestApp } from '../support/app.js';
import { describePostgres } from '../support/db.js';
import type { BulkResult } from '../../src/http/contract/actions.js';
import type { ConversionBatchResult, ConversionResult } from '../../src/http/contract/conversions.js';

function shuffle<T>(values: readonly T[], seed = 1): T[] {
  const out = [...values];
  let state = seed;
  for (let i = out.length - 1; i > 0; i--) {
    state = (state * 1_103_515_245 + 12_345) % 2 ** 31;
    const j = state % (i + 1);
    [out[i], out[j]] = [out[j]!, out[i]!];
  }
  return out;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Runs the tasks with at most `width` in flight, results in task order. */
async function inParallel<T>(tasks: ReadonlyArray<() => Promise<T>>, width: number): Promise<T[]> {
  const results: T[] = new Array(tasks.length);
  let next = 0;
  await Promise.all(
    Array.from({ length: width }, async () => {
      while (next < tasks.length) {
        const index = next++;
        results[index] = await tasks[index]!();
      }
    }),
  );
  return results;
}

describePostgres('actions under concurrency', (db) => {
  let t: TestApp;
  let ctx: ServiceContext;
  let w: ActionWorld;
  let brandClient: Client;

  beforeEach(async () => {
    t = await startTestApp(db());
    ctx = t.ctx;
    w = await makeActionWorld(ctx, db().clock);
    brandClient = await accountClient(t, w.brand);
  });
  afterEach(async () => t.close());

  const approve = (id: bigint) => applyActionOperation(ctx, w.brand.actor, [id], { op: 'APPROVE' }).then((o) => o[0]!);
  /**
   * A change and an approval of one action at once (which one starts first alternates
   * with n). The approval always succeeds; returns the change's outcome, the action's
   * money row and its operations afterwards.
   */
  async function raceWithApprove<T>(n: number, id: bigint, change: () => Promise<T>) {
    let changed: T;
    let approved: ActionOutcome;
    if (n % 2 === 0) {
      const c = change();
      [changed, approved] = await Promise.all([c, approve(id)]);
    } else {
      const a = approve(id);
      [approved, changed] = await Promise.all([a, change()]);
    }
    expect(approved).toMatchObject({ ok: true, state: 'APPROVED' });
    const [row] = await actionMoneyRows(ctx, [id]);
    return { changed, row, ops: (await modificationsOf(ctx, [id])).get(id)! };
  }

  it('approvals racing the lock job: each action approved exactly once, every caller told the truth', async () => {
    const ids = await makeSales(ctx, w.brand, w.partner, w.program, 400);
    db().clock.advanceDays(15);
    const order = shuffle(ids, 7);
    // Eight callers at a time, so the job's chunks get connections between the approvals
    // (400 requests at once would queue ahead of the job in the pool and never meet it).
    const [job, outcomes] = await Promise.all([
      lockDueActions(ctx, { chunkSize: 20 }),
      inParallel(order.map((id) => () => approve(id)), 8),
    ]);

    const approvedByCaller = new Set<bigint>();
    for (const outcome of outcomes) {
      if (outcome.ok) {
        expect(outcome.state).toBe('APPROVED');
        approvedByCaller.add(BigInt(outcome.actionId));
      } else {
        expect(outcome.refusal, JSON.stringify(outcome)).toBe('locked');
      }
    }
    expect(job.locked + approvedByCaller.size).toBe(ids.length);
    console.info(`lock job locked ${job.locked} (ran: ${job.ran}), callers approved ${approvedByCaller.size}`);

    const rows = await actionMoneyRows(ctx, ids);
    expect(rows.every((row) => row.state === 'APPROVED' && row.modificationCount === 2)).toBe(true);
    const mods = await modificationsOf(ctx, ids);
    let locks = 0;
    for (const id of ids) {
      const ops = mods.get(id)!;
      // Exactly one LOCK or APPROVE, and it is the one the caller was told about.
      expect(ops).toEqual(['CREATE', approvedByCaller.has(id) ? 'APPROVE' : 'LOCK']);
      if (ops[1] === 'LOCK') locks += 1;
    }
    expect(locks).toBe(job.locked);
    await expectLedgerMatchesActions(ctx);
  });

  it('two reversals of one action at once: one succeeds, the other is refused (wrong_state), one REVERSE record', async () => {
    const ids = await makeSales(ctx, w.brand, w.partner, w.program, 25);
    const reverse = (id: bigint, reason: string) => brandClient.post(`/api/v1/actions/${id}/reverse`, { Reason: reason });
    for (const id of ids) {
      const [a, b] = await Promise.all([reverse(id, 'CONS_FRAUD'), reverse(id, 'ORDER_ERROR')]);
      const statuses = [a.statusCode, b.statusCode].sort();
      expect(statuses, `${a.body} / ${b.body}`).toEqual([200, 409]);
      const loser = a.statusCode === 409 ? a : b;
      const winnerReason = a.statusCode === 200 ? 'CONS_FRAUD' : 'ORDER_ERROR';
      expect(loser.json().refusal).toBe('wrong_state'); // a problem's member
      const detail = (await brandClient.get(`/api/v1/actions/${id}`)).json();
      expect(detail).toMatchObject({ State: 'REVERSED', ReversalReason: winnerReason, ModificationCount: 2 });
      expect(detail.Modifications.map((m: { Operation: string; Reason: string }) => [m.Operation, m.Reason])).toEqual([
        ['CREATE', null],
        ['REVERSE', winnerReason],
      ]);
    }
    await expectLedgerMatchesActions(ctx);
  });

  it('modify racing approve: the final state is consistent and the ledger pays the final payout', async () => {
    const ids = await makeSales(ctx, w.brand, w.partner, w.program, 40, { amount: () => '100.00' });
    let modifiedFirst = 0;
    for (const [n, id] of ids.entries()) {
      const modify = () =>
        applyActionOperation(ctx, w.brand.actor, [id], { op: 'MODIFY_AMOUNT', reason: 'ORDER_UPDATE', amountMinor: 5_000n }).then((o) => o[0]!);
      const { changed: modified, row, ops } = await raceWithApprove(n, id, modify);
      if (modified.ok) {
        modifiedFirst += 1;
        expect(ops).toEqual(['CREATE', 'MODIFY_AMOUNT', 'APPROVE']);
        expect(row).toMatchObject({ state: 'APPROVED', amountMinor: 5_000n, payoutMinor: 500n });
      } else {
        expect(modified.refusal).toBe('locked');
        expect(ops).toEqual(['CREATE', 'APPROVE']);
        expect(row).toMatchObject({ state: 'APPROVED', amountMinor: 10_000n, payoutMinor: 1_000n });
      }
    }
    console.info(`modify won ${modifiedFirst} of ${ids.length} races`);
    // Which one wins is up to the database; the test is about consistency either way.
    expect(modifiedFirst).toBeLessThanOrEqual(ids.length);
    await expectLedgerMatchesActions(ctx);
  });

  it('Modify Item Details (a rejection and a new amount) racing approve: all of the changes or none, never some', async () => {
    const items = [
      { Sku: 'T1', Category: 'Tents', Quantity: 1, Amount: '200.00' },
      { Sku: 'S1', Category: 'Socks', Quantity: 2, Amount: '15.05' },
    ];
    const ids = await makeSales(ctx, w.brand, w.partner, w.program, 30, { items });
    let modifiedFirst = 0;
    for (const [n, id] of ids.entries()) {
      const modify = () =>
        applyActionOperationSequence(ctx, w.brand.actor, id, [
          { op: 'REJECT_ITEM', itemIndex: 0, reason: 'ITEM_RETURNED' },
          { op: 'MODIFY_AMOUNT', reason: 'ITEM_RETURNED', itemAmounts: [{ index: 1, amountMinor: 1_000n }] },
        ]);
      const { changed: modified, row, ops } = await raceWithApprove(n, id, modify);
      if (modified.ok) {
        modifiedFirst += 1;
        expect(ops).toEqual(['CREATE', 'REJECT_ITEM', 'MODIFY_AMOUNT', 'APPROVE']);
        expect(row).toMatchObject({ state: 'APPROVED', amountMinor: 1_000n, payoutMinor: 100n });
      } else {
        // Refused at its first step (the action was already locked): nothing of it was kept.
        expect(modified).toMatchObject({ refusal: 'locked', step: 0 });
        expect(ops).toEqual(['CREATE', 'APPROVE']);
        expect(row).toMatchObject({ state: 'APPROVED', amountMinor: 21_505n, payoutMinor: 4_151n });
      }
    }
    console.info(`Modify Item Details won ${modifiedFirst} of ${ids.length} races`);
    await expectLedgerMatchesActions(ctx);
  });

  it('bulk approve overlapping bulk reverse: no deadlock surfaces, each action ends as the one reported ok', async () => {
    const ids = (await makeSales(ctx, w.brand, w.partner, w.program, 3000)).map(String);
    const approveIds = shuffle(ids.slice(0, 2000), 3);
    const reverseIds = ids.slice(1000, 3000).reverse();
    const [approved, reversed] = await Promise.all([
      brandClient.post('/api/v1/actions/bulk', { Operation: 'APPROVE', ActionIds: approveIds }),
      brandClient.post('/api/v1/actions/bulk', { Operation: 'REVERSE', Reason: 'ORDER_ERROR', ActionIds: reverseIds }),
    ]);
    expect(approved.statusCode, approved.body.slice(0, 300)).toBe(200);
    expect(reversed.statusCode, reversed.body.slice(0, 300)).toBe(200);
    const approveOutcomes = (approved.json() as BulkResult).Outcomes;
    const reverseOutcomes = (reversed.json() as BulkResult).Outcomes;
    expect(approveOutcomes.map((o) => o.ActionId)).toEqual(approveIds);
    expect(reverseOutcomes.map((o) => o.ActionId)).toEqual(reverseIds);
    const byApprove = new Map(approveOutcomes.map((o) => [o.ActionId, o]));
    const byReverse = new Map(reverseOutcomes.map((o) => [o.ActionId, o]));

    const rows = new Map((await actionMoneyRows(ctx, ids.map(BigInt))).map((r) => [r.id.toString(), r]));
    const mods = await modificationsOf(ctx, ids.map(BigInt));
    let overlapApproved = 0;
    for (const id of ids) {
      const a = byApprove.get(id);
      const r = byReverse.get(id);
      const oks = [a?.Ok, r?.Ok].filter(Boolean).length;
      expect(oks, `${id}: ${JSON.stringify([a, r])}`).toBe(1);
      const row = rows.get(id)!;
      if (a?.Ok) {
        expect(row.state).toBe('APPROVED');
        if (r) expect(r.Refusal).toBe('locked');
        if (r) overlapApproved += 1;
      } else {
        expect(row.state).toBe('REVERSED');
        if (a) expect(a.Refusal).toBe('wrong_state');
      }
      expect(mods.get(BigInt(id))).toEqual(['CREATE', a?.Ok ? 'APPROVE' : 'REVERSE']);
    }
    console.info(`overlap: ${overlapApproved} of 1000 approved, the rest reversed`);
    await expectLedgerMatchesActions(ctx);
  });

  it('a conversion retried while the first is in flight: one conversion, one action, the others answered as duplicates', async () => {
    const click = await makeClick(ctx, w.partner, w.program, new Date(ctx.clock.now().getTime() - 60_000));
    for (let round = 0; round < 8; round++) {
      const body = {
        ActionTrackerId: w.program.saleEventTypeId,
        OrderId: nextOrderId(),
        EventDate: ctx.clock.now().toISOString(),
        ClickId: click,
        Amount: '42.00',
      };
      const responses = await Promise.all(Array.from({ length: 5 }, () => brandClient.post('/api/v1/conversions', body)));
      const statuses = responses.map((r) => r.statusCode).sort();
      expect(statuses, responses.map((r) => r.body).join('\n')).toEqual([200, 200, 200, 200, 201]);
      const answers = responses.map((r) => r.json() as ConversionResult);
      expect(new Set(answers.map((a) => a.ActionId)).size).toBe(1);
      expect(new Set(answers.map((a) => a.ConversionId)).size).toBe(1);
      expect(answers.filter((a) => a.Duplicate)).toHaveLength(4);
      const { rows } = await ctx.db.query<{ c: number; a: number }>(
        `select (select count(*)::int from conversions where order_id = $1) as c, (select count(*)::int from actions where order_id = $1) as a`,
        [body.OrderId],
      );
      expect(rows[0]).toEqual({ c: 1, a: 1 });

      // A different body for the same OrderId at the same time: one wins, the other is a conflict.
      const orderId = nextOrderId();
      const [x, y] = await Promise.all([
        brandClient.post('/api/v1/conversions', { ...body, OrderId: orderId, Amount: '10.00' }),
        brandClient.post('/api/v1/conversions', { ...body, OrderId: orderId, Amount: '20.00' }),
      ]);
      expect([x.statusCode, y.statusCode].sort(), `${x.body}\n${y.body}`).toEqual([201, 409]);
      const winner = x.statusCode === 201 ? '1000' : '2000';
      const stored = await ctx.db.query<{ amount: bigint }>(`select amount_minor as amount from actions where order_id = $1`, [orderId]);
      expect(stored.rows.map((r) => r.amount.toString())).toEqual([winner]);
    }
  });

  it('the batch endpoint twice at once with overlapping orders: one conversion and one action per order', async () => {
    const click = await makeClick(ctx, w.partner, w.program, new Date(ctx.clock.now().getTime() - 60_000));
    const orders = Array.from({ length: 450 }, () => nextOrderId());
    const conversion = (orderId: string) => ({
      ActionTrackerId: w.program.saleEventTypeId,
      OrderId: orderId,
      EventDate: ctx.clock.now().toISOString(),
      ClickId: click,
      Amount: '12.50',
    });
    const first = orders.slice(0, 300).map(conversion);
    const second = orders.slice(150).reverse().map(conversion);
    const [a, b] = await Promise.all([
      brandClient.post('/api/v1/conversions/batch', { Conversions: first }),
      brandClient.post('/api/v1/conversions/batch', { Conversions: second }),
    ]);
    expect(a.statusCode, a.body.slice(0, 300)).toBe(200);
    expect(b.statusCode, b.body.slice(0, 300)).toBe(200);
    const resultsOf = (response: LightMyRequestResponse, inputs: Array<{ OrderId: string }>) =>
      new Map<string, ConversionResult>((response.json() as ConversionBatchResult).Results.map((r, i) => [inputs[i]!.OrderId, r]));
    const ra = resultsOf(a, first);
    const rb = resultsOf(b, second);
    for (const orderId of orders) {
      const answers = [ra.get(orderId), rb.get(orderId)].filter((x): x is NonNullable<typeof x> => x !== undefined);
      for (const answer of answers) expect(answer.Status).toBe('ACCEPTED');
      expect(answers.filter((x) => !x.Duplicate), orderId).toHaveLength(1);
      expect(new Set(answers.map((x) => x.ActionId)).size).toBe(1);
    }
    const { rows } = await ctx.db.query<{ c: number; a: number }>(
      `select (select count(*)::int from conversions) as c, (select count(*)::int from actions) as a`,
    );
    expect(rows[0]).toEqual({ c: 450, a: 450 });
  });

  it('two lock job runs at once: one runs, the other returns ran:false, nothing is locked twice', async () => {
    const ids = await makeSales(ctx, w.brand, w.partner, w.program, 1500);
    db().clock.advanceDays(15);
    let runs: LockRunResult[] = [];
    // The advisory lock is database-wide: a lock job of a test in the other worker may
    // hold it for a moment, and then neither of ours runs; try again.
    for (let attempt = 0; attempt < 20; attempt++) {
      runs = await Promise.all([lockDueActions(ctx, { chunkSize: 100 }), lockDueActions(ctx, { chunkSize: 100 })]);
      if (runs.some((r) => r.ran)) break;
      await sleep(50);
    }
    expect(runs.filter((r) => r.ran)).toHaveLength(1);
    expect(runs.find((r) => !r.ran)).toEqual({ locked: 0, chunks: 0, ran: false });
    expect(runs.find((r) => r.ran)!.locked).toBe(ids.length);
    const mods = await modificationsOf(ctx, ids);
    expect([...mods.values()].every((ops) => ops.length === 2 && ops[1] === 'LOCK')).toBe(true);
    await expectLedgerMatchesActions(ctx);
  });

  it('a second lock job started while the first is between chunks does not run', async () => {
    const ids = await makeSales(ctx, w.brand, w.partner, w.program, 600);
    db().clock.advanceDays(15);
    let second: Promise<LockRunResult> | undefined;
    let first: LockRunResult | undefined;
    for (let attempt = 0; attempt < 20 && !first?.ran; attempt++) {
      first = await lockDueActions(ctx, {
        chunkSize: 100,
        onProgress: () => {
          second ??= lockDueActions(ctx, { chunkSize: 100 });
        },
      });
      if (!first.ran) await sleep(50);
    }
    expect(first).toMatchObject({ ran: true, locked: ids.length, chunks: 6 });
    expect(await second).toEqual({ locked: 0, chunks: 0, ran: false });
    expect((await actionMoneyRows(ctx, ids)).every((row) => row.state === 'APPROVED' && row.modificationCount === 2)).toBe(true);
    await expectLedgerMatchesActions(ctx);
  });
});
