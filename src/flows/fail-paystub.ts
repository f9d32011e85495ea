import type { ServiceContext } from '../core/context.js';
import { conflict } from '../core/errors.js';
import { requireOperator, type Actor } from '../modules/accounts/actor.js';
import { unmarkActionsPaid } from '../modules/actions/mark-actions-paid.js';
import { unmarkCorrectionsPaid } from '../modules/billing/corrections.js';
import { postTransfers, type TransferInput } from '../modules/ledger/post-transfers.js';
import { lockPartnerFunds, transfersOfReference } from '../modules/ledger/queries.js';
import { lockPaystubOrThrow, markPaystubFailedInTx } from '../modules/payouts/make-paystub.js';
import { getPaystubOrThrow, type PaystubRow } from '../modules/payouts/queries.js';

/**
 * A paystub the bank returned (payouts, the ledger, the actions): its net and its fee go
 * back to the partner's available balance by correcting transfers (each names the transfer
 * it corrects), its actions (and post-lock corrections) lose their PaystubId so that the next paystub pays them, and
 * the paystub is FAILED with the reason, which the partner sees. Only a SENT paystub; once.
 */
export async function failPaystub(ctx: ServiceContext, actor: Actor, paystubId: bigint, reason: string): Promise<PaystubRow> {
  const operator = requireOperator(actor);
  const now = ctx.clock.now();
  await ctx.db.transaction(async (tx) => {
    const paystub = await lockPaystubOrThrow(tx, paystubId);
    if (paystub.status === 'FAILED') throw conflict(`Paystub ${paystubId} was marked failed already; its money is available again.`);
    if (paystub.status !== 'SENT') {
      throw conflict(`Paystub ${paystubId} is ${paystub.status}: its run was not sent to the bank yet, so the bank cannot have returned it. Mark the run sent first.`);
    }
    await lockPartnerFunds(tx, paystub.partnerAccountId, paystub.currency);
    const reference = `paystub:${paystubId}`;
    const originals = (await transfersOfReference(tx, reference)).filter((t) => t.correctsTransferId === null);
    const corrections: TransferInput[] = originals.map((t) => ({
      debit: { code: t.creditCode, ownerAccountId: paystub.partnerAccountId },
      credit: { code: t.debitCode, ownerAccountId: paystub.partnerAccountId },
      amountMinor: t.amountMinor,
      currency: t.currency,
      kind: `${t.kind}_RETURNED`,
      correctsTransferId: t.id,
      reference,
      at: now,
    }));
    const returned = corrections.reduce((sum, t) => sum + t.amountMinor, 0n);
    if (returned !== paystub.grossMinor) throw new Error(`Paystub ${paystubId}: its transfers add up to ${returned}, not its gross ${paystub.grossMinor}; nothing was changed.`);
    await postTransfers(tx, corrections);
    await unmarkActionsPaid(tx, { paystubId, now });
    await unmarkCorrectionsPaid(tx, paystubId);
    await markPaystubFailedInTx(tx, { paystubId, reason, userId: operator.userId, now });
  });
  return getPaystubOrThrow(ctx.db, actor, paystubId);
}
