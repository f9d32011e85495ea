/**
 * Property test of the money after the lock (issue 12): random sequences of sales, locks,
 * post-lock corrections, statements, payments (partial and in full), clearings, payout
 * runs and manual paystubs, bank returns and forfeits. After every step:
 *   - the reconciliation finds nothing (every posting balanced, every balance its
 *     postings, every statement its lines, corrections and payments, every paystub its
 *     net + fee and what it pays);
 *   - no money is created or lost: what the brands owe and have paid is, to the minor
 *     unit, the locked payouts plus the corrections; what the partners hold in payment
 *     pending, available, paid, forfeited and fees is the same sum; what left available
 *     (paid, fees, forfeited) is what the live paystubs and forfeits took;
 *   - nothing is paid twice: what cleared (actions and corrections) is the available
 *     balance plus what was paid, charged and forfeited, and every settled action and
 *     correction belongs to exactly one live paystub or forfeit;
 *   - a locked action never changes.
 * PGlite, 25 runs by default (PROPERTY_RUNS); a failure prints its seed (PROPERTY_SEED).
 */
import fc from 'fast-check';
import { expect, it } from 'vitest';
import type { ServiceContext } from '../../src/core/context.js';
import { DomainError } from '../../src/core/errors.js';
import { recordPaymentAndClear } from '../../src/flows/clear-statement.js';
import { failPaystub } from '../../src/flows/fail-paystub.js';
import { forfeitBalance } from '../../src/flows/forfeit-balance.js';
import { grantManualPaystub } from '../../src/flows/grant-manual-paystub.js';
import { runPayouts } from '../../src/flows/run-payouts.js';
import { issueStatementsJob } from '../../src/jobs/issue-statements.js';
import { reconcile } from '../../src/jobs/reconcile.js';
import { correctLockedAction } from '../../src/modules/billing/correct-action.js';
import { markRunSentInTx } from '../../src/modules/payouts/payout-runs.js';
import { formatMinor } from '../../src/money/index.js';
import { runNow } from '../../src/worker/index.js';
import { makeSales, runLockJob } from '../support/action-helpers.js';
import { describeDb } from '../support/db.js';
import { configureTestPayouts, DAY_MS, payoutWorld, saveSettings, usSettings } from '../payouts/support.js';

type Command =
  | { kind: 'sale'; p: number; amountMinor: bigint }
  | { kind: 'advance'; days: number }
  | { kind: 'lock' }
  | { kind: 'correct'; pick: number; amountMinor: bigint }
  | { kind: 'issue' }
  | { kind: 'month' }
  | { kind: 'pay'; pick: number; full: boolean }
  | { kind: 'payoutRun' }
  | { kind: 'manualPaystub'; p: number }
  | { kind: 'fail'; pick: number }
  | { kind: 'forfeit'; p: number };

const partnerIndex = fc.integer({ min: 0, max: 1 });
const pick = fc.nat({ max: 1000 });
const commandArb: fc.Arbitrary<Command> = fc.oneof(
  { weight: 4, arbitrary: fc.record({ kind: fc.constant('sale' as const), p: partnerIndex, amountMinor: fc.constantFrom(1n, 999n, 10_000n, 12_345n, 250_000n) }) },
  { weight: 3, arbitrary: fc.record({ kind: fc.constant('advance' as const), days: fc.integer({ min: 1, max: 25 }) }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('lock' as const) }) },
  { weight: 3, arbitrary: fc.record({ kind: fc.constant('correct' as const), pick, amountMinor: fc.constantFrom(1n, 250n, 1_000n, -1n, -50n, -2_000n, -100_000n) }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('issue' as const) }) },
  // A month on: what was pending locks, the month is billed.
  { weight: 3, arbitrary: fc.record({ kind: fc.constant('month' as const) }) },
  { weight: 4, arbitrary: fc.record({ kind: fc.constant('pay' as const), pick, full: fc.boolean() }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('payoutRun' as const) }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('manualPaystub' as const), p: partnerIndex }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('fail' as const), pick }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('forfeit' as const), p: partnerIndex }) },
);

const one = async (sql: ServiceContext['db'], text: string, params: unknown[] = []): Promise<bigint> => {
  const { rows } = await sql.query<{ v: bigint | null }>(text, params);
  return rows[0]?.v ?? 0n;
};

describeDb(
  'finance properties',
  (db) => {
    it('over random sequences of locks, corrections, statements, payments, clearings, payouts, returns and forfeits, the ledger balances, no money is created or lost, nothing is paid twice', async () => {
      configureTestPayouts();
      const ctx: ServiceContext = { db: db().db, clock: db().clock };
      const world = await payoutWorld(ctx, db().clock, { partners: 2 });
      for (const partner of world.partners) await saveSettings(ctx, partner, usSettings('10.00'));
      const sql = ctx.db;
      const frozen = new Map<string, string>();
      const tally = new Map<string, number>();
      let steps = 0;
      const started = Date.now();

      /** Refusals a command may meet (nothing to do, a clawback too large, a balance below the fee): a 4xx, never anything else. */
      async function allowRefusal(run: () => Promise<unknown>, what: string): Promise<void> {
        try {
          await run();
          tally.set(what, (tally.get(what) ?? 0) + 1);
        } catch (error) {
          if (!(error instanceof DomainError) || error.status >= 500) throw error;
          tally.set(`${what} refused`, (tally.get(`${what} refused`) ?? 0) + 1);
        }
      }

      /** The statement job, and the clearings it started (a statement that owes nothing clears as it is issued). */
      async function issueStatements(): Promise<void> {
        await issueStatementsJob.run(ctx);
        const { rows } = await sql.query<{ id: bigint }>(`select id from work_items where kind = 'flow:clear-statement' and state <> 'DONE' order by id`);
        for (const row of rows) expect((await runNow(ctx, row.id)).state).toBe('DONE');
      }

      async function apply(command: Command): Promise<void> {
        tally.set(command.kind, (tally.get(command.kind) ?? 0) + 1);
        switch (command.kind) {
          case 'sale': {
            const partner = world.partners[command.p]!;
            await makeSales(ctx, world.brand, partner, world.program, 1, { amount: () => formatMinor(command.amountMinor, 'USD') });
            return;
          }
          case 'advance':
            db().clock.advanceMs(command.days * DAY_MS);
            return;
          case 'lock':
            await runLockJob(ctx);
            return;
          case 'correct': {
            const { rows } = await sql.query<{ id: bigint }>(`select id from actions where state = 'APPROVED' order by id`);
            if (rows.length === 0) return;
            const id = rows[command.pick % rows.length]!.id;
            await allowRefusal(() => correctLockedAction(ctx, world.operator, id, { amount: formatMinor(command.amountMinor, 'USD'), reason: 'OTHER' }), 'correct');
            return;
          }
          case 'month':
            db().clock.advanceMs(31 * DAY_MS);
            await runLockJob(ctx);
            await issueStatements();
            return;
          case 'issue':
            await issueStatements();
            return;
          case 'pay': {
            const { rows } = await sql.query<{ id: number; owed: bigint }>('select id, total_minor - paid_minor as owed from statements where paid_minor < total_minor order by id');
            if (rows.length === 0) return;
            const statement = rows[command.pick % rows.length]!;
            const amount = command.full || statement.owed < 2n ? statement.owed : statement.owed / 2n;
            const answer = await recordPaymentAndClear(
              ctx,
              world.operator,
              statement.id,
              { amount: formatMinor(amount, 'USD'), receivedOn: ctx.clock.now().toISOString().slice(0, 10), reference: `P-${statement.id}-${steps}` },
              'OPERATOR',
            );
            expect(answer.repeated).toBe(false);
            tally.set(command.full ? 'pay in full' : 'pay part', (tally.get(command.full ? 'pay in full' : 'pay part') ?? 0) + 1);
            return;
          }
          case 'payoutRun':
            await runPayouts(ctx);
            return;
          case 'manualPaystub':
            await allowRefusal(() => grantManualPaystub(ctx, world.operator, { partnerAccountId: world.partners[command.p]!.id }), 'manual paystub');
            return;
          case 'fail': {
            const { rows } = await sql.query<{ id: bigint; run: number; status: string }>(
              `select id, run_id as run, status from paystubs where status in ('PROCESSING', 'SENT') order by id`,
            );
            if (rows.length === 0) return;
            const stub = rows[command.pick % rows.length]!;
            if (stub.status === 'PROCESSING') {
              const operator = world.operator;
              await allowRefusal(() => sql.transaction((tx) => markRunSentInTx(tx, stub.run, operator.userId, ctx.clock.now())), 'mark sent');
            }
            await allowRefusal(() => failPaystub(ctx, world.operator, stub.id, 'Account closed'), 'fail paystub');
            return;
          }
          case 'forfeit':
            await allowRefusal(() => forfeitBalance(ctx, world.operator, { partnerAccountId: world.partners[command.p]!.id, reason: 'property test' }), 'forfeit');
            return;
        }
      }

      async function check(label: string): Promise<void> {
        const found = await reconcile(sql);
        expect(found.problems, label).toEqual([]);
        const balance = (codes: string) =>
          one(sql, `select coalesce(sum(credits_posted_minor - debits_posted_minor), 0)::bigint as v from ledger_accounts where code = any($1::text[])`, [codes.split(',')]);
        const earned = await one(
          sql,
          `select (coalesce((select sum(payout_minor) from actions where state = 'APPROVED'), 0) + coalesce((select sum(amount_minor) from action_corrections), 0))::bigint as v`,
        );
        // What the brands owe and have paid is what the partners earned; the partners' side holds exactly that.
        expect(-(await balance('BRAND_PAYABLE,BRAND_PAID')), `${label}: brands' side`).toBe(earned);
        expect(await balance('PARTNER_PAYMENT_PENDING,PARTNER_AVAILABLE,PARTNER_PAID,PARTNER_FORFEITED,PLATFORM_FEES'), `${label}: partners' side`).toBe(earned);
        // What cleared is what is available plus what left it; what left it is what live paystubs and forfeits took.
        const cleared = await one(
          sql,
          `select (coalesce((select sum(payout_minor) from actions where cleared_at is not null), 0)
                 + coalesce((select sum(amount_minor) from action_corrections where cleared_at is not null), 0))::bigint as v`,
        );
        expect(await balance('PARTNER_AVAILABLE,PARTNER_PAID,PARTNER_FORFEITED,PLATFORM_FEES'), `${label}: cleared`).toBe(cleared);
        const taken = await one(
          sql,
          `select (coalesce((select sum(gross_minor) from paystubs where status <> 'FAILED'), 0) + coalesce((select sum(amount_minor) from balance_forfeits), 0))::bigint as v`,
        );
        expect(await balance('PARTNER_PAID,PARTNER_FORFEITED,PLATFORM_FEES'), `${label}: paid out`).toBe(taken);
        // Settled means cleared, and by one live paystub or one forfeit.
        const settledWrong = await one(
          sql,
          `select count(*)::bigint as v from (
             select a.cleared_at, a.paystub_id, a.forfeit_id, p.status from actions a left join paystubs p on p.id = a.paystub_id
              where a.paystub_id is not null or a.forfeit_id is not null
             union all
             select c.cleared_at, c.paystub_id, c.forfeit_id, p.status from action_corrections c left join paystubs p on p.id = c.paystub_id
              where c.paystub_id is not null or c.forfeit_id is not null
           ) s where s.cleared_at is null or (s.paystub_id is not null and s.forfeit_id is not null)
                  or (s.paystub_id is not null and (s.status is null or s.status = 'FAILED'))`,
        );
        expect(settledWrong, `${label}: settled items outside a live paystub or forfeit`).toBe(0n);
        const forfeitsOff = await one(
          sql,
          `select count(*)::bigint as v from balance_forfeits f
            where f.amount_minor <> coalesce((select sum(payout_minor) from actions where forfeit_id = f.id), 0)
                                    + coalesce((select sum(amount_minor) from action_corrections where forfeit_id = f.id), 0)`,
        );
        expect(forfeitsOff, `${label}: forfeits against what they settled`).toBe(0n);
        // A locked action never changes.
        const { rows } = await sql.query<{ id: string; v: string }>(
          `select id::text as id, concat_ws('|', amount_minor, payout_minor, locked_at, partner_account_id, currency) as v from actions where state = 'APPROVED'`,
        );
        for (const row of rows) {
          const before = frozen.get(row.id);
          if (before === undefined) frozen.set(row.id, row.v);
          else expect(row.v, `${label}: locked action ${row.id}`).toBe(before);
        }
        expect(frozen.size, `${label}: a locked action left APPROVED`).toBe(rows.length);
      }

      const runs = Number(process.env.PROPERTY_RUNS ?? 25);
      await fc.assert(
        fc.asyncProperty(fc.array(commandArb, { minLength: 6, maxLength: 18 }), async (commands) => {
          for (const [i, command] of commands.entries()) {
            steps += 1;
            await apply(command);
            await check(`step ${i + 1} (${command.kind}) of ${JSON.stringify(commands, (_k, v) => (typeof v === 'bigint' ? v.toString() : v))}`);
          }
        }),
        { numRuns: runs, seed: Number(process.env.PROPERTY_SEED ?? Date.now() % 2 ** 31) },
      );
      console.info(`finance properties: ${runs} runs, ${steps} steps in ${((Date.now() - started) / 1000).toFixed(1)} s`, Object.fromEntries([...tally].sort()));
    }, 300_000);
  },
  { kinds: ['pglite'] },
);
