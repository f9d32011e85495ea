/**
 * Model-based property test of the action lifecycle against a real database: random
 * sequences of brand operations, clock moves and lock-job runs over a few actions (a
 * plain sale, a sale with items, a zero-amount lead). After every step the outcome is
 * compared with a small model of the docs/domain.md table, and the invariants are checked:
 * a locked action never changes again and is never un-approved; a reversed action past
 * its locking date never changes; the modification count equals the modification rows;
 * the ledger checks out and each partner's payment-pending balance is the sum of its
 * approved payouts.
 */
import fc from 'fast-check';
import { expect, it } from 'vitest';
import type { ServiceContext } from '../../src/core/context.js';
import { applyActionOperation } from '../../src/modules/actions/apply-action-operation.js';
import { lockDueActions } from '../../src/modules/actions/lock-due-actions.js';
import type { OperationRequest } from '../../src/modules/actions/transitions.js';
import { recordConversions } from '../../src/modules/conversions/record-conversions.js';
import { makeClick, makeSaleAction, nextOrderId } from '../support/actions.js';
import { expectLedgerMatchesActions, makeActionWorld } from '../support/action-helpers.js';
import { describeDb } from '../support/db.js';

type Command =
  | { kind: 'approve'; a: number }
  | { kind: 'reverse'; a: number; reason: 'CONS_FRAUD' | 'ITEM_RETURNED' }
  | { kind: 'modify'; a: number; amountMinor: bigint }
  | { kind: 'modifyItem'; a: number; index: number; amountMinor: bigint }
  | { kind: 'rejectItem'; a: number; index: number }
  | { kind: 'restore'; a: number }
  | { kind: 'reset'; a: number }
  | { kind: 'bulkApprove'; as: number[] }
  | { kind: 'advance'; days: number }
  | { kind: 'lock' };

const actionIndex = fc.integer({ min: 0, max: 2 });
const amount = fc.constantFrom(0n, 1n, 999n, 5_000n, 12_345n, 30_000n);
const commandArb: fc.Arbitrary<Command> = fc.oneof(
  { weight: 3, arbitrary: fc.record({ kind: fc.constant('approve' as const), a: actionIndex }) },
  { weight: 3, arbitrary: fc.record({ kind: fc.constant('reverse' as const), a: actionIndex, reason: fc.constantFrom('CONS_FRAUD' as const, 'ITEM_RETURNED' as const) }) },
  { weight: 4, arbitrary: fc.record({ kind: fc.constant('modify' as const), a: actionIndex, amountMinor: amount }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('modifyItem' as const), a: actionIndex, index: fc.integer({ min: 0, max: 2 }), amountMinor: amount }) },
  { weight: 3, arbitrary: fc.record({ kind: fc.constant('rejectItem' as const), a: actionIndex, index: fc.integer({ min: 0, max: 2 }) }) },
  { weight: 3, arbitrary: fc.record({ kind: fc.constant('restore' as const), a: actionIndex }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('reset' as const), a: actionIndex }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('bulkApprove' as const), as: fc.uniqueArray(actionIndex, { minLength: 1, maxLength: 3 }) }) },
  { weight: 3, arbitrary: fc.record({ kind: fc.constant('advance' as const), days: fc.integer({ min: 1, max: 8 }) }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('lock' as const) }) },
);
const scenarioArb = fc.record({
  ageDays: fc.tuple(fc.integer({ min: 0, max: 12 }), fc.integer({ min: 0, max: 12 }), fc.integer({ min: 0, max: 12 })),
  commands: fc.array(commandArb, { minLength: 5, maxLength: 25, size: 'max' }),
});

interface Item {
  quantity: number;
  amountMinor: bigint;
}

/** What the model knows of an action. */
interface Model {
  id: bigint;
  state: 'PENDING' | 'APPROVED' | 'REVERSED';
  amountMinor: bigint;
  originalAmountMinor: bigint;
  items: Item[] | null;
  originalItems: Item[] | null;
  lockingAt: Date;
  /** Frozen values once locked, or once reversed past the locking date. */
  frozen?: string;
}

interface Row {
  id: bigint;
  state: Model['state'];
  amountMinor: bigint;
  payoutMinor: bigint;
  items: Array<{ quantity: number; amountMinor: string }> | null;
  lockingAt: Date;
  lockedAt: Date | null;
  modificationCount: number;
  mods: number;
  maxSeq: number | null;
}

type Expected = { ok: true; state: Model['state']; amountMinor?: bigint } | { ok: false; refusal: string };

describeDb(
  'action lifecycle properties',
  (db) => {
    it('no sequence of operations edits a locked action; the ledger always pays exactly the approved payouts', async () => {
      const ctx: ServiceContext = { db: db().db, clock: db().clock };
      const w = await makeActionWorld(ctx, db().clock);
      db().clock.advanceDays(13); // every event date below is inside the contract
      const started = Date.now();
      let runs = 0;
      let steps = 0;
      const tally = new Map<string, number>();
      const count = (key: string) => tally.set(key, (tally.get(key) ?? 0) + 1);

      async function load(ids: bigint[]): Promise<Row[]> {
        const { rows } = await ctx.db.query<Row>(
          `select a.id, a.state, a.amount_minor as "amountMinor", a.payout_minor as "payoutMinor", a.items, a.locking_at as "lockingAt",
                  a.locked_at as "lockedAt", a.modification_count as "modificationCount",
                  (select count(*)::int from action_modifications m where m.action_id = a.id) as mods,
                  (select max(seq) from action_modifications m where m.action_id = a.id) as "maxSeq"
             from actions a where a.id = any($1::bigint[]) order by a.id`,
          [ids.map(String)],
        );
        return rows;
      }

      const freeze = (row: Row) => JSON.stringify([row.state, row.amountMinor.toString(), row.payoutMinor.toString(), row.items, row.lockedAt]);

      function expectFor(model: Model, command: Command, now: Date): Expected {
        const due = now.getTime() >= model.lockingAt.getTime();
        if (model.state === 'APPROVED') return { ok: false, refusal: 'locked' };
        if (command.kind === 'approve' || command.kind === 'bulkApprove') {
          return model.state === 'PENDING' ? { ok: true, state: 'APPROVED' } : { ok: false, refusal: 'wrong_state' };
        }
        if (due) return { ok: false, refusal: 'locked' };
        const from: Record<string, Array<Model['state']>> = {
          reverse: ['PENDING'],
          modify: ['PENDING'],
          modifyItem: ['PENDING'],
          rejectItem: ['PENDING'],
          restore: ['REVERSED'],
          reset: ['PENDING', 'REVERSED'],
        };
        if (!from[command.kind]!.includes(model.state)) return { ok: false, refusal: 'wrong_state' };
        switch (command.kind) {
          case 'reverse':
            return { ok: true, state: 'REVERSED' };
          case 'restore':
            return { ok: true, state: 'PENDING' };
          case 'reset':
            return { ok: true, state: 'PENDING', amountMinor: model.originalAmountMinor };
          case 'modify':
            return command.amountMinor === 0n && model.originalAmountMinor !== 0n
              ? { ok: true, state: 'REVERSED' }
              : { ok: true, state: 'PENDING', amountMinor: command.amountMinor };
          case 'modifyItem': {
            const item = model.items?.[command.index];
            if (!item || item.quantity === 0) return { ok: false, refusal: 'invalid' };
            const total = model.items!.reduce((s, it, i) => s + (i === command.index ? command.amountMinor : it.amountMinor), 0n);
            return total === 0n && model.originalAmountMinor !== 0n ? { ok: true, state: 'REVERSED' } : { ok: true, state: 'PENDING', amountMinor: total };
          }
          case 'rejectItem': {
            const item = model.items?.[command.index];
            if (!item || item.quantity === 0) return { ok: false, refusal: 'invalid' };
            const left = model.items!.filter((it, i) => i !== command.index && it.quantity > 0);
            if (left.length === 0) return { ok: true, state: 'REVERSED' };
            return { ok: true, state: 'PENDING', amountMinor: left.reduce((s, it) => s + it.amountMinor, 0n) };
          }
        }
        throw new Error(`no model for ${command.kind}`);
      }

      function requestOf(command: Command): OperationRequest {
        switch (command.kind) {
          case 'approve':
          case 'bulkApprove':
            return { op: 'APPROVE' };
          case 'reverse':
            return { op: 'REVERSE', reason: command.reason };
          case 'modify':
            return { op: 'MODIFY_AMOUNT', reason: 'ORDER_UPDATE', amountMinor: command.amountMinor };
          case 'modifyItem':
            return { op: 'MODIFY_AMOUNT', reason: 'ITEM_RETURNED', itemAmounts: [{ index: command.index, amountMinor: command.amountMinor }] };
          case 'rejectItem':
            return { op: 'REJECT_ITEM', reason: 'ITEM_RETURNED', itemIndex: command.index };
          case 'restore':
            return { op: 'RESTORE' };
          case 'reset':
            return { op: 'RESET' };
          default:
            throw new Error(`not an operation: ${command.kind}`);
        }
      }

      /** Syncs the model with the database after a step it has predicted, and checks the invariants. */
      async function check(models: Model[], label: string): Promise<void> {
        const rows = await load(models.map((m) => m.id));
        const now = ctx.clock.now();
        for (const [i, model] of models.entries()) {
          const row = rows[i]!;
          expect(row.id).toBe(model.id);
          expect(row.state, `${label}: action ${i} state`).toBe(model.state);
          if (model.frozen !== undefined) expect(freeze(row), `${label}: action ${i} changed after it froze`).toBe(model.frozen);
          expect(row.modificationCount, `${label}: action ${i} modification count`).toBe(row.mods);
          expect(row.maxSeq).toBe(row.mods);
          if (row.items) expect(row.items.reduce((s, it) => s + BigInt(it.amountMinor), 0n) === row.amountMinor || row.state === 'REVERSED').toBe(true);
          if (row.state === 'APPROVED') expect(row.lockedAt).not.toBeNull();
          model.amountMinor = row.amountMinor;
          model.items = row.items ? row.items.map((it) => ({ quantity: it.quantity, amountMinor: BigInt(it.amountMinor) })) : null;
          if (model.frozen === undefined && (row.state === 'APPROVED' || (row.state === 'REVERSED' && now.getTime() >= row.lockingAt.getTime()))) {
            model.frozen = freeze(row);
          }
        }
        await expectLedgerMatchesActions(ctx);
      }

      await fc.assert(
        fc.asyncProperty(scenarioArb, async ({ ageDays, commands }) => {
          runs += 1;
          const now = () => ctx.clock.now();
          const ago = (days: number) => new Date(now().getTime() - days * 86_400_000);
          const plain = await makeSaleAction(ctx, w.brand, w.partner, w.program, { amount: '100.00', eventAt: ago(ageDays[0]) });
          const withItems = await makeSaleAction(ctx, w.brand, w.partner, w.program, {
            eventAt: ago(ageDays[1]),
            items: [
              { Sku: 'T1', Category: 'Tents', Quantity: 1, Amount: '200.00' },
              { Sku: 'S1', Category: 'Socks', Quantity: 2, Amount: '15.05' },
            ],
          });
          const leadAt = ago(ageDays[2]);
          const click = await makeClick(ctx, w.partner, w.program, new Date(leadAt.getTime() - 60_000));
          const [lead] = await recordConversions(ctx, w.brand.actor, [
            { ActionTrackerId: w.program.leadEventTypeId, OrderId: nextOrderId(), EventDate: leadAt.toISOString(), ClickId: click },
          ]);
          const leadId = BigInt((lead as { actionId: string }).actionId);
          const ids = [plain, withItems, leadId];
          const models: Model[] = (await load(ids)).map((row) => {
            const items = row.items ? row.items.map((it) => ({ quantity: it.quantity, amountMinor: BigInt(it.amountMinor) })) : null;
            return {
              id: row.id,
              state: row.state,
              amountMinor: row.amountMinor,
              originalAmountMinor: row.amountMinor,
              items,
              originalItems: items,
              lockingAt: row.lockingAt,
            };
          });
          await check(models, 'created');

          for (const [step, command] of commands.entries()) {
            steps += 1;
            const label = `step ${step} ${JSON.stringify(command, (_k, v) => (typeof v === 'bigint' ? `${v}n` : v))}`;
            if (command.kind === 'advance') {
              db().clock.advanceDays(command.days);
            } else if (command.kind === 'lock') {
              const result = await lockDueActions(ctx);
              expect(result.ran).toBe(true);
              if (result.locked > 0) count('lock job locked');
              const at = now();
              for (const model of models) if (model.state === 'PENDING' && at.getTime() >= model.lockingAt.getTime()) model.state = 'APPROVED';
            } else {
              const targets = command.kind === 'bulkApprove' ? command.as : [command.a];
              const expected = targets.map((a) => expectFor(models[a]!, command, now()));
              const outcomes = await applyActionOperation(ctx, w.brand.actor, targets.map((a) => ids[a]!), requestOf(command));
              expect(outcomes.map((o) => o.actionId)).toEqual(targets.map((a) => ids[a]!.toString()));
              for (const [k, a] of targets.entries()) {
                const want = expected[k]!;
                const got = outcomes[k]!;
                count(`${command.kind} ${got.ok ? 'ok' : got.refusal}`);
                if (want.ok) {
                  expect(got, `${label}: action ${a}`).toMatchObject({ ok: true, state: want.state });
                  models[a]!.state = want.state;
                } else {
                  expect(got, `${label}: action ${a}`).toMatchObject({ ok: false, refusal: want.refusal });
                }
                if (command.kind === 'reset' && want.ok) models[a]!.items = models[a]!.originalItems;
              }
              const rows = await load(targets.map((a) => ids[a]!));
              for (const [k, a] of targets.entries()) {
                const want = expected[k]!;
                const row = rows.find((r) => r.id === ids[a])!;
                if (want.ok && want.amountMinor !== undefined) expect(row.amountMinor, `${label}: action ${a} amount`).toBe(want.amountMinor);
                if (command.kind === 'reset' && want.ok) {
                  const original = models[a]!.originalItems;
                  expect(row.items?.map((it) => [it.quantity, BigInt(it.amountMinor)]) ?? null).toEqual(
                    original?.map((it) => [it.quantity, it.amountMinor]) ?? null,
                  );
                }
              }
            }
            await check(models, label);
          }
        }),
        { numRuns: 30, seed: Number(process.env.PROPERTY_SEED ?? Date.now() % 2 ** 31) },
      );
      const seconds = (Date.now() - started) / 1000;
      console.info(`action properties: ${runs} runs, ${steps} steps in ${seconds.toFixed(1)} s`, Object.fromEntries([...tally].sort()));
    }, 120_000);
  },
  { kinds: ['pglite'] },
);
