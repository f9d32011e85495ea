/**
 * Helpers for the action suites (test/actions, test/concurrency): a ready brand/partner
 * world, API clients without a password check, cost-per-click actions written straight
 * to the tables, many sales in one batch, and ledger assertions that tie the ledger to
 * the actions it pays.
 */
import { expect } from 'vitest';
import type { ServiceContext } from '../../src/core/context.js';
import { insertActions } from '../../src/modules/actions/insert-actions.js';
import { lockDueActions, type LockRunResult } from '../../src/modules/actions/lock-due-actions.js';
import { startSession } from '../../src/modules/accounts/log-in.js';
import { recordConversions } from '../../src/modules/conversions/record-conversions.js';
import type { ConversionInput } from '../../src/modules/conversions/types.js';
import { checkLedger } from '../../src/modules/ledger/check-ledger.js';
import { computeLockingDate, computePaymentDate, termsFromJson, type TermsJson } from '../../src/modules/programs/terms/index.js';
import { makeClick, nextOrderId } from './actions.js';
import { Client, makeAccount, type TestAccount, type TestApp } from './app.js';
import { makeContract, makeProgram, type TestProgram } from './programs.js';

export interface ActionWorld {
  ctx: ServiceContext;
  brand: TestAccount;
  partner: TestAccount;
  program: TestProgram;
  contractId: number;
}

/** A brand with the standard program, a partner under contract, and the clock an hour later. */
export async function makeActionWorld(ctx: ServiceContext, clock: { advanceMs(ms: number): void }): Promise<ActionWorld> {
  const brand = await makeAccount(ctx, 'BRAND');
  const partner = await makeAccount(ctx, 'PARTNER');
  const program = await makeProgram(ctx, brand);
  const contractId = await makeContract(ctx, partner, program);
  clock.advanceMs(60 * 60_000);
  return { ctx, brand, partner, program, contractId };
}

/** A client with a fresh session for the user (no password check), acting for the account when given. */
export async function clientFor(t: TestApp, userId: number, accountId?: number): Promise<Client> {
  // Long-lived: the action suites move the clock past locking and payment dates.
  const session = await startSession(t.ctx, userId, 24 * 366 * 3);
  const client = new Client(t.app, { cookie: `lockstep_session=${session.sessionSecret}` });
  return accountId === undefined ? client : client.withAccount(accountId);
}

export function accountClient(t: TestApp, account: TestAccount): Promise<Client> {
  return clientFor(t, account.adminUserId, account.id);
}

/**
 * Records `count` sales for the partner in one batch through the conversions service,
 * all through one click; returns their action ids in order.
 */
export async function makeSales(
  ctx: ServiceContext,
  brand: TestAccount,
  partner: TestAccount,
  program: TestProgram,
  count: number,
  options: { eventAt?: Date; amount?: (i: number) => string; items?: ConversionInput['Items'] } = {},
): Promise<bigint[]> {
  const eventAt = options.eventAt ?? ctx.clock.now();
  const clickId = await makeClick(ctx, partner, program, new Date(eventAt.getTime() - 60_000));
  const inputs: ConversionInput[] = Array.from({ length: count }, (_, i) => ({
    ActionTrackerId: program.saleEventTypeId,
    OrderId: nextOrderId(),
    EventDate: eventAt.toISOString(),
    ClickId: clickId,
    ...(options.items
      ? { Items: options.items }
      : { Amount: options.amount ? options.amount(i) : `${10 + (i % 90)}.${String(i % 100).padStart(2, '0')}` }),
  }));
  const results = await recordConversions(ctx, brand.actor, inputs);
  return results.map((result) => {
    if (result.status !== 'ACCEPTED' || !result.actionId) throw new Error(`sale not accepted: ${JSON.stringify(result)}`);
    return BigInt(result.actionId);
  });
}

/**
 * A pending cost-per-click action for a new click, written with insertActions as the
 * click crediting job writes it (amount 0, the contract's per-click payout, a CREATE
 * record), without running the job; the click itself stays uncredited.
 */
export async function makeClickAction(
  ctx: ServiceContext,
  partner: TestAccount,
  program: TestProgram,
  at: Date = ctx.clock.now(),
): Promise<bigint> {
  const clickId = await makeClick(ctx, partner, program, at);
  const { rows: contracts } = await ctx.db.query<{ id: number; terms: TermsJson; timeZone: string; brandAccountId: number }>(
    `select c.id, c.terms, p.time_zone as "timeZone", p.brand_account_id as "brandAccountId"
       from contracts c join programs p on p.id = c.program_id
      where c.program_id = $1 and c.partner_account_id = $2 and c.start_at <= $3 and (c.end_at is null or c.end_at > $3)
      order by c.start_at desc limit 1`,
    [program.id, partner.id, at],
  );
  const contract = contracts[0];
  if (!contract) throw new Error('no contract in force for the click');
  const terms = termsFromJson(contract.terms);
  const rule = terms.payouts.find((p) => p.eventTypeId === program.clickEventTypeId);
  if (rule?.payout.kind !== 'FIXED') throw new Error('the terms pay no fixed amount per click');
  const payoutMinor = rule.payout.amountMinor;
  const lockingAt = computeLockingDate(at, contract.timeZone, terms.locking);
  const paymentDueAt = computePaymentDate(lockingAt, contract.timeZone, terms.payment).at;
  const now = ctx.clock.now();
  const [inserted] = await ctx.db.transaction((tx) =>
    insertActions(
      tx,
      [
        {
          conversionId: null,
          clickId,
          programId: program.id,
          brandAccountId: contract.brandAccountId,
          eventTypeId: program.clickEventTypeId,
          eventKind: 'CLICK',
          partnerAccountId: partner.id,
          contractId: contract.id,
          orderId: clickId,
          currency: program.currency,
          amountMinor: 0n,
          payoutMinor,
          items: null,
          eventAt: at,
          referringAt: at,
          lockingAt,
          paymentDueAt,
        },
      ],
      { at: now, actorKind: 'SYSTEM', actorUserId: null, detail: { source: 'CLICK' } },
    ),
  );
  return inserted!.id;
}

/**
 * Runs the lock job until it actually runs. On PostgreSQL the job's advisory lock is
 * database-wide, so a lock job of a test running in the other worker (another schema)
 * can hold it for a moment.
 */
export async function runLockJob(ctx: ServiceContext): Promise<LockRunResult> {
  for (let attempt = 0; attempt < 200; attempt++) {
    const result = await lockDueActions(ctx);
    if (result.ran) return result;
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
  throw new Error('the lock job never got its advisory lock');
}

export interface ActionMoneyRow {
  id: bigint;
  state: string;
  partnerAccountId: number;
  brandAccountId: number;
  payoutMinor: bigint;
  amountMinor: bigint;
  modificationCount: number;
}

export async function actionMoneyRows(ctx: ServiceContext, ids?: readonly bigint[]): Promise<ActionMoneyRow[]> {
  const { rows } = await ctx.db.query<ActionMoneyRow>(
    `select id, state, partner_account_id as "partnerAccountId", brand_account_id as "brandAccountId", payout_minor as "payoutMinor",
            amount_minor as "amountMinor", modification_count as "modificationCount"
       from actions ${ids ? 'where id = any($1::bigint[])' : ''} order by id`,
    ids ? [ids.map(String)] : [],
  );
  return rows;
}

/** Ledger transfers per action: count and sum. */
export async function transfersByAction(ctx: ServiceContext): Promise<Map<bigint, { count: number; sumMinor: bigint }>> {
  const { rows } = await ctx.db.query<{ actionId: bigint; n: number; total: bigint }>(
    `select action_id as "actionId", count(*)::int as n, sum(amount_minor)::bigint as total
       from ledger_transfers where action_id is not null group by action_id`,
  );
  return new Map(rows.map((row) => [row.actionId, { count: row.n, sumMinor: row.total }]));
}

export async function ledgerBalance(ctx: ServiceContext, code: string, ownerAccountId: number, currency = 'USD'): Promise<bigint> {
  const { rows } = await ctx.db.query<{ balance: bigint }>(
    `select credits_posted_minor - debits_posted_minor as balance from ledger_accounts
      where code = $1 and owner_account_id = $2 and currency = $3`,
    [code, ownerAccountId, currency],
  );
  return rows[0]?.balance ?? 0n;
}

/**
 * The ledger is internally consistent, and it is exactly what the actions say: one
 * ACTION_LOCKED transfer per approved action with a payout, for that payout, none for
 * any other action, and each partner's payment-pending balance is the sum of its
 * approved payouts (each brand's payable the negative of its approved payouts).
 */
export async function expectLedgerMatchesActions(ctx: ServiceContext): Promise<void> {
  const check = await checkLedger(ctx.db);
  expect(check.problems).toEqual([]);
  expect(check.ok).toBe(true);
  const actions = await actionMoneyRows(ctx);
  const transfers = await transfersByAction(ctx);
  const wrong: string[] = [];
  const byPartner = new Map<number, bigint>();
  const byBrand = new Map<number, bigint>();
  for (const action of actions) {
    const t = transfers.get(action.id);
    if (action.state === 'APPROVED' && action.payoutMinor > 0n) {
      if (t?.count !== 1 || t.sumMinor !== action.payoutMinor) {
        wrong.push(`action ${action.id} APPROVED payout ${action.payoutMinor}: transfers ${t ? `${t.count}/${t.sumMinor}` : 'none'}`);
      }
    } else if (t) {
      wrong.push(`action ${action.id} ${action.state} payout ${action.payoutMinor} has transfers ${t.count}/${t.sumMinor}`);
    }
    if (action.state === 'APPROVED') {
      byPartner.set(action.partnerAccountId, (byPartner.get(action.partnerAccountId) ?? 0n) + action.payoutMinor);
      byBrand.set(action.brandAccountId, (byBrand.get(action.brandAccountId) ?? 0n) + action.payoutMinor);
    }
  }
  expect(wrong).toEqual([]);
  const { rows: accounts } = await ctx.db.query<{ code: string; owner: number; balance: bigint }>(
    `select code, owner_account_id as owner, credits_posted_minor - debits_posted_minor as balance from ledger_accounts`,
  );
  for (const account of accounts) {
    if (account.code === 'PARTNER_PAYMENT_PENDING') expect(account.balance, `partner ${account.owner}`).toBe(byPartner.get(account.owner) ?? 0n);
    if (account.code === 'BRAND_PAYABLE') expect(account.balance, `brand ${account.owner}`).toBe(-(byBrand.get(account.owner) ?? 0n));
  }
  for (const [partnerId, sum] of byPartner) {
    if (sum > 0n) expect(accounts.some((a) => a.code === 'PARTNER_PAYMENT_PENDING' && a.owner === partnerId)).toBe(true);
  }
}

/** Modification rows per action, with their operations in order. */
export async function modificationsOf(ctx: ServiceContext, ids: readonly bigint[]): Promise<Map<bigint, string[]>> {
  const { rows } = await ctx.db.query<{ actionId: bigint; operation: string }>(
    `select action_id as "actionId", operation from action_modifications where action_id = any($1::bigint[]) order by action_id, seq`,
    [ids.map(String)],
  );
  const map = new Map<bigint, string[]>(ids.map((id) => [id, []]));
  for (const row of rows) map.get(row.actionId)!.push(row.operation);
  return map;
}
