import type { ServiceContext } from '../core/context.js';
import type { Actor } from '../modules/accounts/actor.js';
import { clearActions } from '../modules/actions/clear-actions.js';
import { clearCorrections, partnerCorrectionsOfStatement } from '../modules/billing/corrections.js';
import { getStatementOrThrow, partnerActionIdsOfStatement, partnerTotalsOfStatement, type StatementRow } from '../modules/billing/queries.js';
import { markStatementCleared, recordPaymentInTx, type PaymentInput, type RecordedPayment } from '../modules/billing/record-payment.js';
import type { PaymentSource } from '../modules/billing/types.js';
import { postTransfers } from '../modules/ledger/post-transfers.js';
import { runNow } from '../worker/index.js';
import { defineFlow } from './flow.js';

/**
 * "A statement paid in full clears its actions": for each partner on the statement, one
 * ledger posting moves the partner's payouts on it from payment pending to available (and
 * one per post-lock correction on it: a clawback moves back), and the partner's actions
 * get their ClearedDate, in chunks. Billing, the ledger and the
 * actions: a flow, started in the transaction that records the payment which paid the
 * statement in full. Each chunk's clearing and its cursor commit together, so a crash
 * resumes where it stopped: no partner is posted twice, no action cleared twice, none
 * skipped.
 */

/** Actions cleared per chunk (one transaction each). */
export const CLEARINGS_PER_CHUNK = 1000;

export interface ClearStatementPayload {
  statementId: number;
}

export interface ClearStatementState {
  /** The partner being cleared (posted, its actions under way), or null between partners. */
  partnerAccountId: number | null;
  /** The last partner done. */
  lastPartnerId: number;
  /** The last action cleared of the current partner, as text. */
  afterActionId: string;
  partners: number;
  actions: number;
}

export const INITIAL_CLEARING: ClearStatementState = { partnerAccountId: null, lastPartnerId: 0, afterActionId: '0', partners: 0, actions: 0 };

export const clearStatementFlow = defineFlow<ClearStatementPayload, ClearStatementState>(
  'clear-statement',
  [
    {
      name: 'clear-partners',
      async run(tx, { ctx, payload, state }) {
        const now = ctx.clock.now();
        let current = state;
        if (current.partnerAccountId === null) {
          const [next] = await partnerTotalsOfStatement(tx, payload.statementId, current.lastPartnerId, 1);
          if (!next) return { state: current, done: true };
          const { rows } = await tx.query<{ currency: string }>('select currency from statements where id = $1', [payload.statementId]);
          const currency = rows[0]!.currency;
          const pending = { code: 'PARTNER_PAYMENT_PENDING' as const, ownerAccountId: next.partnerAccountId };
          const available = { code: 'PARTNER_AVAILABLE' as const, ownerAccountId: next.partnerAccountId };
          // The actions' payouts in one transfer, each correction in its own (a clawback
          // takes its amount back from available), so the Balance screen lists each one.
          const corrections = await partnerCorrectionsOfStatement(tx, payload.statementId, next.partnerAccountId);
          await postTransfers(tx, [
            {
              debit: pending,
              credit: available,
              amountMinor: next.payoutMinor,
              currency,
              kind: 'STATEMENT_CLEARED',
              reference: `statement:${payload.statementId}`,
              at: now,
            },
            ...corrections.map((c) => ({
              debit: c.amountMinor > 0n ? pending : available,
              credit: c.amountMinor > 0n ? available : pending,
              amountMinor: c.amountMinor > 0n ? c.amountMinor : -c.amountMinor,
              currency,
              kind: 'CORRECTION_CLEARED',
              actionId: c.actionId,
              reference: `correction:${c.id}`,
              at: now,
            })),
          ]);
          await clearCorrections(tx, payload.statementId, next.partnerAccountId, now);
          current = { ...current, partnerAccountId: next.partnerAccountId, afterActionId: '0', partners: current.partners + 1 };
        }
        const partner = current.partnerAccountId!;
        const ids = await partnerActionIdsOfStatement(tx, payload.statementId, partner, BigInt(current.afterActionId), CLEARINGS_PER_CHUNK);
        const cleared = await clearActions(tx, ids, now);
        const last = ids[ids.length - 1];
        current = { ...current, actions: current.actions + cleared, afterActionId: last === undefined ? current.afterActionId : last.toString() };
        if (ids.length < CLEARINGS_PER_CHUNK) current = { ...current, partnerAccountId: null, lastPartnerId: partner, afterActionId: '0' };
        return { state: current, done: false };
      },
    },
    {
      name: 'mark-cleared',
      async run(tx, { ctx, payload, state }) {
        await markStatementCleared(tx, payload.statementId, ctx.clock.now());
        return { state, done: true };
      },
    },
  ],
  { leaseMs: 30_000 },
);

export interface PaymentAnswer extends RecordedPayment {
  /** The clearing's work item, when this payment paid the statement in full. */
  clearingWorkItemId: string | null;
  /** DONE when the clearing finished while the request waited; else its work item's state. */
  clearingState: string | null;
  statement: StatementRow;
}

/**
 * The routes' entry: records the payment and, when it pays the statement in full,
 * starts the clearing in the same transaction and runs it now through the worker's
 * machinery (a process that stops waiting leaves it to the worker).
 */
export async function recordPaymentAndClear(
  ctx: ServiceContext,
  actor: Actor,
  statementId: number,
  input: PaymentInput,
  source: PaymentSource,
): Promise<PaymentAnswer> {
  const now = ctx.clock.now();
  const { recorded, itemId } = await ctx.db.transaction(async (tx) => {
    const recorded = await recordPaymentInTx(tx, actor, statementId, input, source, now);
    const itemId = recorded.paidInFull ? await clearStatementFlow.start(tx, ctx, { statementId }, INITIAL_CLEARING) : null;
    return { recorded, itemId };
  });
  if (itemId === null) return { ...recorded, clearingWorkItemId: null, clearingState: null };
  const ran = await runNow(ctx, itemId);
  return {
    ...recorded,
    statement: await getStatementOrThrow(ctx.db, actor, statementId, ctx.clock.now()),
    clearingWorkItemId: itemId.toString(),
    clearingState: ran.state,
  };
}
