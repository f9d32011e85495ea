import type { ServiceContext } from '../core/context.js';
import type { Sql } from '../db/types.js';
import { findAccount } from '../modules/accounts/queries.js';
import { lockPartnerFunds, positiveBalancesAfter, type PositiveBalance } from '../modules/ledger/queries.js';
import { evaluateAutopay } from '../modules/payouts/autopay.js';
import { findScheduleState, quoteAutopay, saveScheduleState } from '../modules/payouts/make-paystub.js';
import {
  countRunChunk,
  createPayoutRun,
  markRunReady,
  markRunWritingFiles,
  recordRunHold,
  scheduledRunUnderWay,
  setRunWorkItem,
  writeNextPayoutFile,
} from '../modules/payouts/payout-runs.js';
import type { PayoutHoldReason } from '../modules/payouts/types.js';
import { findWithdrawalSettings } from '../modules/payouts/withdrawal-settings.js';
import { minWithdrawalMinor } from '../payments/fees.js';
import { accountLocalDate } from '../payments/schedule.js';
import { runNow } from '../worker/index.js';
import { defineFlow } from './flow.js';
import { payPartnerInTx } from './pay-partner.js';

/**
 * A payout run (payouts, the ledger and the actions): every partner and currency with an
 * available balance whose autopay is due gets one paystub for the whole balance, then the
 * run writes its bank files. A flow, so that a run killed anywhere resumes where its last
 * commit left it and pays every partner exactly once:
 *
 * - `pay-partners` walks the partners' available balances in (partner, currency) order, a
 *   chunk of them per transaction. For each it locks the partner's withdrawal settings row
 *   (a bank-details change waits for the chunk, or the run waits for the change and sees
 *   its hold: never half of each), then the partner's funds accounts, reads the balance
 *   under the lock, and makes the paystub with its postings and marks its actions, in the
 *   chunk's transaction, which also commits the cursor. A chunk that fails leaves nothing;
 *   a second run at the same time finds the balances it would pay already at zero.
 * - `write-files` writes the run's pain.001 and PayPal files, one file per transaction,
 *   from the destinations the paystubs copied when they were made; then the run is READY.
 *
 * A manual paystub is a run of its own that starts at `write-files` (its paystub is made in
 * the operator's request).
 */

/** Partners (and currencies) looked at per chunk: one transaction each. */
export const PARTNERS_PER_CHUNK = 200;

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

/** Pays one partner's balance in one currency if its autopay is due; answers what happened. */
async function payCandidate(tx: Sql, runId: number, candidate: PositiveBalance, now: Date): Promise<'paid' | 'held' | 'skipped'> {
  const { ownerAccountId: partnerAccountId, currency } = candidate;
  const account = await findAccount(tx, partnerAccountId);
  if (account?.kind !== 'PARTNER' || account.status !== 'ACTIVE') return 'skipped';
  // Lock order, as every payout operation takes it: the settings row, then the funds accounts.
  const settings = await findWithdrawalSettings(tx, partnerAccountId, { forUpdate: true });
  const { availableMinor } = await lockPartnerFunds(tx, partnerAccountId, currency);
  if (availableMinor <= 0n) return 'skipped';
  const hold = async (reason: PayoutHoldReason) => {
    await recordRunHold(tx, { runId, partnerAccountId, currency, availableMinor, reason });
    return 'held' as const;
  };
  if (!settings) return availableMinor >= minWithdrawalMinor(currency) ? hold('NO_WITHDRAWAL_SETTINGS') : 'skipped';
  const today = accountLocalDate(now, account.timeZone);
  const state = await findScheduleState(tx, partnerAccountId, currency);
  const decision = evaluateAutopay({ settings, state, availableMinor, currency, accountCurrency: account.currency, today });
  if (decision.state.thresholdReachedOn !== state.thresholdReachedOn) await saveScheduleState(tx, partnerAccountId, currency, decision.state);
  if (!decision.due) return 'skipped';
  if (settings.holdUntil && settings.holdUntil > now) return hold('BANK_CHANGE_HOLD');
  const quote = quoteAutopay(settings, currency, availableMinor);
  if ('hold' in quote) return hold(quote.hold);
  const outcome = await payPartnerInTx(tx, { runId, partnerAccountId, currency, kind: 'AUTOPAY', settings, quote, now, userId: null });
  if (!outcome.paid) return hold(outcome.reason);
  await saveScheduleState(tx, partnerAccountId, currency, { thresholdReachedOn: null, lastAutopayOn: today });
  return 'paid';
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
        let { paid, held } = state;
        for (const candidate of candidates) {
          const outcome = await payCandidate(tx, payload.runId, candidate, now);
          if (outcome === 'paid') paid += 1;
          if (outcome === 'held') held += 1;
        }
        await countRunChunk(tx, payload.runId, paid - state.paid, held - state.held);
        const last = candidates[candidates.length - 1];
        const next = last ? { ...state, afterPartnerId: last.ownerAccountId, afterCurrency: last.currency, paid, held } : state;
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
