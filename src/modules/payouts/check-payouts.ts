import type { Sql } from '../../db/types.js';
import { paystubsOutOfBalance } from './queries.js';

/**
 * The payouts' part of the reconciliation (lockstep check-ledger, the reconcile job): each
 * paystub's gross equals its net plus its fee, and the payouts of the actions it pays plus the post-lock corrections it pays (a
 * failed one pays none: its actions went back to the balance). The ledger's own check
 * covers the postings. Answers one line per problem, at most 20.
 */
export async function checkPayouts(sql: Sql): Promise<string[]> {
  return (await paystubsOutOfBalance(sql)).map((p) =>
    p.grossMinor !== p.feeMinor + p.netMinor
      ? `paystub ${p.id}: gross ${p.grossMinor} is not its net ${p.netMinor} plus its fee ${p.feeMinor}`
      : p.status === 'FAILED'
        ? `paystub ${p.id} failed, but actions still carry it (their payouts sum to ${p.actionsMinor})`
        : `paystub ${p.id}: gross ${p.grossMinor} differs from the payouts of its actions and its post-lock corrections, ${p.actionsMinor}`,
  );
}
