import type { Sql } from '../db/types.js';
import { markActionsPaid, recordPaidEvents, type MarkedActions } from '../modules/actions/mark-actions-paid.js';
import { markCorrectionsPaid } from '../modules/billing/corrections.js';
import { createPaystubsInTx, nextPaystubIds, type NewPaystub, type PaystubQuote } from '../modules/payouts/make-paystub.js';
import type { PaystubKind } from '../modules/payouts/types.js';
import type { WithdrawalSettingsRow } from '../modules/payouts/withdrawal-settings.js';

/** One partner's whole available balance in a currency, to be paid by one paystub. */
export interface PartnerPayment {
  partnerAccountId: number;
  currency: string;
  settings: WithdrawalSettingsRow;
  quote: PaystubQuote;
}

export interface PaidPartner {
  partnerAccountId: number;
  currency: string;
  paystubId: bigint;
  actions: number;
}

export interface PayOutcomes {
  paid: PaidPartner[];
  /** Balances whose actions do not add up to them (a clearing under way): nothing was kept for these. */
  unreconciled: Array<{ partnerAccountId: number; currency: string; actionsMinor: bigint }>;
}

/**
 * What pays a paystub: the partner's cleared, unsettled actions in its currency and its
 * cleared, unsettled post-lock corrections, which together must add up to the gross it
 * withdraws (`payoutMinor` here is their sum). This is the one place that decides it, for
 * the payout run and the manual paystub alike.
 */
async function settleForPaystubs(tx: Sql, stubs: ReadonlyArray<PartnerPayment & { id: bigint }>, now: Date): Promise<Map<string, MarkedActions>> {
  const targets = stubs.map((s) => ({ paystubId: s.id, partnerAccountId: s.partnerAccountId, currency: s.currency }));
  const actions = await markActionsPaid(tx, targets, now);
  const corrections = await markCorrectionsPaid(tx, targets);
  for (const [paystubId, corrected] of corrections) {
    const paid = actions.get(paystubId) ?? { count: 0, payoutMinor: 0n, actionIds: [] };
    actions.set(paystubId, { ...paid, payoutMinor: paid.payoutMinor + corrected.amountMinor });
  }
  return actions;
}

/**
 * Paystubs for many partners' whole available balances (payouts, actions and the ledger),
 * set-based, in the caller's transaction, which holds the partners' settings rows and
 * funds accounts (so no balance can move meanwhile): their actions are marked paid in one
 * statement, the paystubs inserted in one, and their postings made in one per kind of
 * transfer. Each paystub's actions must add up to the balance it withdraws, or nothing is
 * kept for it: while a clearing is under way the ledger has made a partner's money
 * available before the clearing's later chunks have stamped every action cleared, and a
 * paystub then would pay money whose actions it does not list. The marking is undone for
 * all (a savepoint) and done again for the ones that agree; the run pays the others next
 * time.
 */
export async function payPartnersInTx(
  tx: Sql,
  input: { runId: number; kind: PaystubKind; now: Date; userId: number | null; payments: readonly PartnerPayment[] },
): Promise<PayOutcomes> {
  const { now } = input;
  const unreconciled: PayOutcomes['unreconciled'] = [];
  if (input.payments.length === 0) return { paid: [], unreconciled };
  const ids = await nextPaystubIds(tx, input.payments.length);
  let stubs = input.payments.map((payment, i) => ({ ...payment, id: ids[i]! }));
  let marked: Map<string, MarkedActions>;
  for (;;) {
    await tx.query('savepoint pay_partners');
    marked = await settleForPaystubs(tx, stubs, now);
    const agree = stubs.filter((s) => (marked.get(s.id.toString())?.payoutMinor ?? 0n) === s.quote.grossMinor);
    if (agree.length === stubs.length) break;
    for (const s of stubs) {
      const actionsMinor = marked.get(s.id.toString())?.payoutMinor ?? 0n;
      if (actionsMinor !== s.quote.grossMinor) unreconciled.push({ partnerAccountId: s.partnerAccountId, currency: s.currency, actionsMinor });
    }
    await tx.query('rollback to savepoint pay_partners');
    await tx.query('release savepoint pay_partners');
    stubs = agree;
  }
  await tx.query('release savepoint pay_partners');
  const actionIds = stubs.flatMap((s) => marked.get(s.id.toString())?.actionIds ?? []);
  await recordPaidEvents(tx, actionIds, new Set(stubs.map((s) => s.currency)), now);
  const paystubs: NewPaystub[] = stubs.map((s) => ({ ...s, actionCount: marked.get(s.id.toString())?.count ?? 0 }));
  await createPaystubsInTx(tx, { runId: input.runId, kind: input.kind, now, userId: input.userId, paystubs });
  return { paid: paystubs.map((p) => ({ partnerAccountId: p.partnerAccountId, currency: p.currency, paystubId: p.id, actions: p.actionCount })), unreconciled };
}
