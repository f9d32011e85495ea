import type { ServiceContext } from '../core/context.js';
import { conflict, invalid, notFound } from '../core/errors.js';
import { requireOperator, type Actor } from '../modules/accounts/actor.js';
import { findAccount } from '../modules/accounts/queries.js';
import { markActionsForfeited } from '../modules/actions/mark-actions-paid.js';
import { markCorrectionsForfeited } from '../modules/billing/corrections.js';
import { lockPartnerFunds } from '../modules/ledger/queries.js';
import { recordForfeitInTx, setForfeitActionCount } from '../modules/payouts/make-paystub.js';
import { FORFEIT_COLUMNS, type ForfeitRow } from '../modules/payouts/queries.js';
import { formatMinor } from '../money/index.js';

/**
 * A forfeit (the FORFEIT_BALANCE ticket's operation): the partner's whole available
 * balance in a currency moves to the forfeited-funds account, recorded with who, when and
 * why; its actions and post-lock corrections are settled by it, so no later paystub pays them. One transaction,
 * with the partner's funds accounts locked (a payout run at the same moment pays the
 * balance first, and the forfeit then finds nothing, or the other way round).
 */
export async function forfeitBalance(
  ctx: ServiceContext,
  actor: Actor,
  input: { partnerAccountId: number; currency?: string; reason: string },
): Promise<ForfeitRow> {
  const operator = requireOperator(actor);
  const reason = input.reason.trim();
  if (reason === '') throw invalid('Reason: say why the balance is forfeited (e.g. "closure ticket 42: the partner gives up 3.20 USD").');
  const now = ctx.clock.now();
  return ctx.db.transaction(async (tx) => {
    const account = await findAccount(tx, input.partnerAccountId);
    if (account?.kind !== 'PARTNER') throw notFound(`Partner account ${input.partnerAccountId} does not exist.`);
    const currency = input.currency ?? account.currency;
    const { availableMinor } = await lockPartnerFunds(tx, account.id, currency);
    if (availableMinor <= 0n) throw conflict(`${account.name} has no available balance in ${currency} to forfeit (${formatMinor(availableMinor, currency)} ${currency}).`);
    const id = await recordForfeitInTx(tx, { partnerAccountId: account.id, currency, amountMinor: availableMinor, reason, userId: operator.userId, now });
    const settled = await markActionsForfeited(tx, { partnerAccountId: account.id, currency, forfeitId: id, now });
    const corrected = await markCorrectionsForfeited(tx, { partnerAccountId: account.id, currency, forfeitId: id });
    if (settled.payoutMinor + corrected.amountMinor !== availableMinor) {
      throw conflict(`The available balance of ${account.name} in ${currency} is being cleared right now (its actions are not all cleared yet); try again in a minute.`);
    }
    await setForfeitActionCount(tx, id, settled.count);
    const { rows } = await tx.query<ForfeitRow>(`select ${FORFEIT_COLUMNS} from balance_forfeits where id = $1`, [id]);
    return rows[0]!;
  });
}
