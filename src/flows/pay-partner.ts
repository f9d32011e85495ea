import type { Sql } from '../db/types.js';
import { markActionsPaid } from '../modules/actions/mark-actions-paid.js';
import { createPaystubInTx, nextPaystubId, type PaystubQuote } from '../modules/payouts/make-paystub.js';
import type { PaystubKind } from '../modules/payouts/types.js';
import type { WithdrawalSettingsRow } from '../modules/payouts/withdrawal-settings.js';

export type PayOutcome = { paid: true; paystubId: bigint; actions: number } | { paid: false; reason: 'BALANCE_NOT_RECONCILED'; actionsMinor: bigint };

/**
 * One paystub for a partner's whole available balance in a currency (payouts, actions and
 * the ledger), in the caller's transaction, which holds the partner's settings row and
 * funds accounts (so the balance cannot move meanwhile). Its actions are marked paid first;
 * their payouts must add up to the balance withdrawn, or nothing is kept (a savepoint):
 * while a clearing is under way the ledger has made a partner's money available before
 * the clearing's later chunks have stamped every action cleared, and a paystub then would
 * pay money whose actions it does not list. The run pays it next time.
 */
export async function payPartnerInTx(
  tx: Sql,
  input: {
    runId: number;
    partnerAccountId: number;
    currency: string;
    kind: PaystubKind;
    settings: WithdrawalSettingsRow;
    quote: PaystubQuote;
    now: Date;
    userId: number | null;
  },
): Promise<PayOutcome> {
  await tx.query('savepoint pay_partner');
  const id = await nextPaystubId(tx);
  const marked = await markActionsPaid(tx, { partnerAccountId: input.partnerAccountId, currency: input.currency, paystubId: id, now: input.now });
  if (marked.payoutMinor !== input.quote.grossMinor) {
    await tx.query('rollback to savepoint pay_partner');
    await tx.query('release savepoint pay_partner');
    return { paid: false, reason: 'BALANCE_NOT_RECONCILED', actionsMinor: marked.payoutMinor };
  }
  await createPaystubInTx(tx, { id, ...input, actionCount: marked.count });
  await tx.query('release savepoint pay_partner');
  return { paid: true, paystubId: id, actions: marked.count };
}
