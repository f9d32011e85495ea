import type { ServiceContext } from '../core/context.js';
import { conflict, notFound } from '../core/errors.js';
import { requireOperator, type Actor } from '../modules/accounts/actor.js';
import { findAccount } from '../modules/accounts/queries.js';
import { lockPartnerFunds } from '../modules/ledger/queries.js';
import { manualPaystubQuoteForOrThrow } from '../modules/payouts/make-paystub.js';
import { countRunChunk, createPayoutRun, setRunWorkItem } from '../modules/payouts/payout-runs.js';
import { getPaystubOrThrow, getPayoutRunOrThrow, type PaystubRow, type PayoutRunRow } from '../modules/payouts/queries.js';
import { findWithdrawalSettings } from '../modules/payouts/withdrawal-settings.js';
import { runNow } from '../worker/index.js';
import { payPartnersInTx } from './pay-partner.js';
import { INITIAL_RUN_STATE, runPayoutsFlow } from './run-payouts.js';

export interface ManualPaystubResult {
  paystub: PaystubRow;
  run: PayoutRunRow;
}

/**
 * A manual paystub (the MANUAL_PAYSTUB ticket's operation): the partner's whole available
 * balance in a currency, paid now whatever the threshold or the minimum, provided it
 * covers the method's fee and leaves a remainder (the refusal says by how much it falls
 * short). Not during the 48-hour hold after a change of bank details. The paystub, its
 * postings and its actions commit with a run of its own, whose flow then writes its bank
 * file (run here at once; a worker finishes it if this process stops).
 */
export async function grantManualPaystub(
  ctx: ServiceContext,
  actor: Actor,
  input: { partnerAccountId: number; currency?: string },
): Promise<ManualPaystubResult> {
  const operator = requireOperator(actor);
  const now = ctx.clock.now();
  const made = await ctx.db.transaction(async (tx) => {
    const account = await findAccount(tx, input.partnerAccountId);
    if (account?.kind !== 'PARTNER') throw notFound(`Partner account ${input.partnerAccountId} does not exist.`);
    const currency = input.currency ?? account.currency;
    const settings = await findWithdrawalSettings(tx, account.id, { forUpdate: true });
    const { availableMinor } = await lockPartnerFunds(tx, account.id, currency);
    const quote = manualPaystubQuoteForOrThrow(account.name, settings, currency, availableMinor, now);
    const run = await createPayoutRun(tx, { kind: 'MANUAL', now, userId: operator.userId });
    if (!run) throw new Error('A manual payout run could not be created.');
    const outcome = await payPartnersInTx(tx, { runId: run.id, kind: 'MANUAL', now, userId: operator.userId, payments: [{ partnerAccountId: account.id, currency, settings: quote.settings, quote }] });
    const [paid] = outcome.paid;
    if (!paid) {
      throw conflict(`The available balance of ${account.name} in ${currency} is being cleared right now (its actions are not all cleared yet); try again in a minute.`);
    }
    await countRunChunk(tx, run.id, 1, 0);
    const itemId = await runPayoutsFlow.start(tx, ctx, { runId: run.id, autopay: false }, INITIAL_RUN_STATE);
    await setRunWorkItem(tx, run.id, itemId);
    return { runId: run.id, paystubId: paid.paystubId, itemId };
  });
  await runNow(ctx, made.itemId);
  return { paystub: await getPaystubOrThrow(ctx.db, actor, made.paystubId), run: await getPayoutRunOrThrow(ctx.db, made.runId) };
}

