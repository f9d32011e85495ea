import type { ServiceContext } from '../core/context.js';
import type { Sql } from '../db/types.js';
import { findAccounts } from '../modules/accounts/queries.js';
import { lockPartnersFunds, positiveBalancesAfter, type PositiveBalance } from '../modules/ledger/queries.js';
import { type AutopayState, evaluateAutopay } from '../modules/payouts/autopay.js';
import { findScheduleStates, quoteAutopay, saveScheduleStates } from '../modules/payouts/make-paystub.js';
import {
  countRunChunk,
  createPayoutRun,
  markRunReady,
  markRunWritingFiles,
  recordRunHolds,
  scheduledRunUnderWay,
  setRunWorkItem,
  writeNextPayoutFile,
} from '../modules/payouts/payout-runs.js';
import type { PayoutHoldReason } from '../modules/payouts/types.js';
import { lockWithdrawalSettings } from '../modules/payouts/withdrawal-settings.js';
import { minWithdrawalMinor } from '../payments/fees.js';
import { accountLocalDate } from '../payments/schedule.js';
import { runNow } from '../worker/index.js';
import { defineFlow } from './flow.js';
import { type PartnerPayment, payPartnersInTx } from './pay-partner.js';

/**
 * A payout run (payouts, the ledger and the actions): every partner and currency with an
 * available balance whose autopay is due gets one paystub for the whole balance, then the
 * run writes its bank files. A flow, so that a run killed anywhere resumes where its last
 * commit left it and pays every partner exactly once:
 *
 * - `pay-partners` walks the partners' available balances in (partner, currency) order, a
 *   chunk of them per transaction, set-based (payChunk). It locks the chunk's withdrawal
 *   settings rows (a bank-details change waits for the chunk, or the run waits for the
 *   change and sees its hold: never half of each), then their funds accounts, reads the
 *   balances under the lock, and makes the paystubs with their postings and marks their
 *   actions, in the chunk's transaction, which also commits the cursor. A chunk that fails
 *   leaves nothing; a second run at the same time finds the balances it would pay already
 *   at zero.
 * - `write-files` writes the run's pain.001 and PayPal files, one file per transaction,
 *   from the destinations the paystubs copied when they were made; then the run is READY.
 *
 * A manual paystub is a run of its own that starts at `write-files` (its paystub is made in
 * the operator's request).
 */

/**
 * Partners (and currencies) looked at per chunk: one transaction each, a few statements
 * whatever its size; about 0.3 s of work at this size, so a chunk holds the partners'
 * rows briefly and a killed run repeats little.
 */
export const PARTNERS_PER_CHUNK = 2000;

export interface RunPayoutsPayload {
  runId: number;
  /** False for a manual paystub's run: nothing to pay, only its file to write. */
  autopay: boolean;
  /** Tests use small chunks. */
  partnersPerChunk?: number;
}

export interface RunPayoutsState {
  afterPartnerId: number;
  afterCurrency: string;
  paid: number;
  held: number;
  files: number;
}

export const INITIAL_RUN_STATE: RunPayoutsState = { afterPartnerId: 0, afterCurrency: '', paid: 0, held: 0, files: 0 };

type Hold = { partnerAccountId: number; currency: string; availableMinor: bigint; reason: PayoutHoldReason };

/**
 * One chunk of a run, set-based: the next `limit` partners and currencies with an
 * available balance after the cursor, read with one query; their settings rows locked
 * (partner order), then their funds accounts (id order), the order every payout operation
 * takes; the balances read under the lock; what is due decided in JS (autopay, hold, fee:
 * src/payments/fees.ts rounds, once); then every paystub of the chunk with its postings
 * and its actions written in a handful of statements (payPartnersInTx).
 */
async function payChunk(tx: Sql, runId: number, candidates: readonly PositiveBalance[], now: Date): Promise<{ paid: number; held: number }> {
  const partnerIds = [...new Set(candidates.map((c) => c.ownerAccountId))];
  const accounts = await findAccounts(tx, partnerIds);
  const live = candidates.filter((c) => {
    const account = accounts.get(c.ownerAccountId);
    return account?.kind === 'PARTNER' && account.status === 'ACTIVE';
  });
  if (live.length === 0) return { paid: 0, held: 0 };
  const settingsOf = await lockWithdrawalSettings(tx, [...new Set(live.map((c) => c.ownerAccountId))]);
  const pairs = live.map((c) => ({ partnerAccountId: c.ownerAccountId, currency: c.currency }));
  const balances = await lockPartnersFunds(tx, pairs);
  const states = await findScheduleStates(tx, pairs);
  const holds: Hold[] = [];
  const stateChanges: Array<{ partnerAccountId: number; currency: string; state: AutopayState }> = [];
  const payments: PartnerPayment[] = [];
  const todayOf = new Map<string, string>();
  for (const { partnerAccountId, currency } of pairs) {
    const key = `${partnerAccountId}|${currency}`;
    const availableMinor = balances.get(key) ?? 0n;
    if (availableMinor <= 0n) continue;
    const account = accounts.get(partnerAccountId)!;
    const settings = settingsOf.get(partnerAccountId);
    const hold = (reason: PayoutHoldReason) => holds.push({ partnerAccountId, currency, availableMinor, reason });
    if (!settings) {
      if (availableMinor >= minWithdrawalMinor(currency)) hold('NO_WITHDRAWAL_SETTINGS');
      continue;
    }
    const today = accountLocalDate(now, account.timeZone);
    const state = states.get(key) ?? { thresholdReachedOn: null, lastAutopayOn: null };
    const decision = evaluateAutopay({ settings, state, availableMinor, currency, accountCurrency: account.currency, today });
    if (decision.state.thresholdReachedOn !== state.thresholdReachedOn) stateChanges.push({ partnerAccountId, currency, state: decision.state });
    if (!decision.due) continue;
    if (settings.holdUntil && settings.holdUntil > now) {
      hold('BANK_CHANGE_HOLD');
      continue;
    }
    const quote = quoteAutopay(settings, currency, availableMinor);
    if ('hold' in quote) {
      hold(quote.hold);
      continue;
    }
    payments.push({ partnerAccountId, currency, settings, quote });
    todayOf.set(key, today);
  }
  const outcome = await payPartnersInTx(tx, { runId, kind: 'AUTOPAY', now, userId: null, payments });
  for (const u of outcome.unreconciled) holds.push({ ...u, availableMinor: balances.get(`${u.partnerAccountId}|${u.currency}`)!, reason: 'BALANCE_NOT_RECONCILED' });
  // A paid pair's state is reset (a later entry of the same pair wins over the threshold's).
  for (const p of outcome.paid) {
    stateChanges.push({ partnerAccountId: p.partnerAccountId, currency: p.currency, state: { thresholdReachedOn: null, lastAutopayOn: todayOf.get(`${p.partnerAccountId}|${p.currency}`)! } });
  }
  const latest = new Map(stateChanges.map((change) => [`${change.partnerAccountId}|${change.currency}`, change]));
  await saveScheduleStates(tx, [...latest.values()]);
  await recordRunHolds(tx, runId, holds);
  return { paid: outcome.paid.length, held: holds.length };
}

export const runPayoutsFlow = defineFlow<RunPayoutsPayload, RunPayoutsState>(
  'run-payouts',
  [
    {
      name: 'pay-partners',
      async run(tx, { ctx, payload, state }) {
        if (!payload.autopay) return { state, done: true };
        const now = ctx.clock.now();
        const limit = payload.partnersPerChunk ?? PARTNERS_PER_CHUNK;
        const candidates = await positiveBalancesAfter(tx, 'PARTNER_AVAILABLE', { ownerAccountId: state.afterPartnerId, currency: state.afterCurrency }, limit);
        const chunk = await payChunk(tx, payload.runId, candidates, now);
        await countRunChunk(tx, payload.runId, chunk.paid, chunk.held);
        const last = candidates[candidates.length - 1];
        const next = last ? { ...state, afterPartnerId: last.ownerAccountId, afterCurrency: last.currency, paid: state.paid + chunk.paid, held: state.held + chunk.held } : state;
        return { state: next, done: candidates.length < limit };
      },
    },
    {
      name: 'write-files',
      async run(tx, { ctx, payload, state }) {
        const now = ctx.clock.now();
        await markRunWritingFiles(tx, payload.runId);
        if (await writeNextPayoutFile(tx, payload.runId, now)) return { state: { ...state, files: state.files + 1 }, done: false };
        await markRunReady(tx, payload.runId, now);
        return { state, done: true };
      },
    },
  ],
  // A step writes one bank file of up to 10,000 payments.
  { leaseMs: 120_000 },
);

export const PAYOUT_RUN_LOCK_KEY = 7_350_300;

export interface PayoutRunResult {
  /** False when another run held the job's lock. */
  ran: boolean;
  runId: number | null;
  /** The work item's state when this call stopped waiting: DONE, or FAILED/DEAD/QUEUED (a worker finishes it). */
  state: string | null;
  paid: number;
  held: number;
  files: number;
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** Runs the item now; if a worker holds it, waits for it to end (or for the signal). */
async function runToEnd(ctx: ServiceContext, itemId: bigint, signal?: AbortSignal): Promise<{ state: string; progress: unknown }> {
  for (;;) {
    const ran = await runNow(ctx, itemId, signal ? { signal } : {});
    if (ran.outcome !== 'not_claimed' || ran.state === 'DONE' || ran.state === 'DEAD' || ran.state === 'FAILED' || signal?.aborted) {
      return { state: ran.state, progress: ran.progress };
    }
    await sleep(500);
  }
}

/**
 * The run-payouts job: under its advisory lock (one run at a time across instances, the
 * command line's included), finishes a scheduled run that is still under way (killed
 * part-way) or starts today's, and runs it to its end here, through the worker's machinery:
 * if this process dies, any worker resumes the flow once its lease expires.
 */
export async function runPayouts(
  ctx: ServiceContext,
  options: { signal?: AbortSignal; onProgress?: (done: number) => void; partnersPerChunk?: number } = {},
): Promise<PayoutRunResult> {
  const release = await ctx.db.tryAdvisoryLock(PAYOUT_RUN_LOCK_KEY);
  if (!release) return { ran: false, runId: null, state: null, paid: 0, held: 0, files: 0 };
  // The job's own work item keeps its lease while the flow runs.
  const heartbeat = setInterval(() => options.onProgress?.(0), 10_000);
  try {
    let underWay = await scheduledRunUnderWay(ctx.db);
    if (!underWay) {
      const started = await ctx.db.transaction(async (tx) => {
        const run = await createPayoutRun(tx, { kind: 'SCHEDULED', now: ctx.clock.now(), userId: null });
        if (!run) return null;
        const payload: RunPayoutsPayload = { runId: run.id, autopay: true, ...(options.partnersPerChunk ? { partnersPerChunk: options.partnersPerChunk } : {}) };
        const itemId = await runPayoutsFlow.start(tx, ctx, payload, INITIAL_RUN_STATE);
        await setRunWorkItem(tx, run.id, itemId);
        return { id: run.id, workItemId: itemId };
      });
      underWay = started ?? (await scheduledRunUnderWay(ctx.db));
    }
    if (!underWay?.workItemId) return { ran: true, runId: underWay?.id ?? null, state: null, paid: 0, held: 0, files: 0 };
    const end = await runToEnd(ctx, BigInt(underWay.workItemId), options.signal);
    const progress = (end.progress as { state?: RunPayoutsState } | null)?.state ?? INITIAL_RUN_STATE;
    options.onProgress?.(progress.paid);
    return { ran: true, runId: underWay.id, state: end.state, paid: progress.paid, held: progress.held, files: progress.files };
  } finally {
    clearInterval(heartbeat);
    await release();
  }
}
