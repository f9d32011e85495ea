/**
 * The three steps of closing a partner account (as the help page has them), and what of an
 * account's eligibility still stands in the way of each. The server's Blockers decide; these
 * sentences only place each blocker in the step where the user clears it.
 */
import type { ClosureEligibilityItem } from '../../../api/closure';
import { compareAmounts, formatMoney, isZeroAmount } from '../../../lib/money';

export const CLOSURE_STEPS = [
  { step: 1, title: 'Expire your contracts' },
  { step: 2, title: 'Clear your balance' },
  { step: 3, title: 'Ask for the closure' },
] as const;
export type ClosureStep = (typeof CLOSURE_STEPS)[number]['step'];

export const CLOSE_ACCOUNT_PATH = '/settings/account/close';

/** Contract History as step 1 wants it: every program, contracts in force, still active. */
export const ACTIVE_CONTRACTS_PATH = '/reports/contract-history?status=ACTIVE&terminationReason=STILL_ACTIVE';

function plural(n: number, one: string, many: string): string {
  return `${n} ${n === 1 ? one : many}`;
}

/** What step 1 still has to do for the account. */
export function contractBlockers(item: ClosureEligibilityItem): string[] {
  const n = item.ActiveContracts.length;
  return n ? [`${item.Name}: ${plural(n, 'contract is', 'contracts are')} still in force.`] : [];
}

type Fund = ClosureEligibilityItem['Funds'][number];

/** Available, but below the withdrawal threshold (or without one): the payout run will not pay it on its own. */
export function belowThreshold(fund: Fund): boolean {
  if (isZeroAmount(fund.Available) || compareAmounts(fund.Available, '0') < 0) return false;
  return fund.Threshold === null || compareAmounts(fund.Available, fund.Threshold) < 0;
}

/** What step 2 still has to clear for the account. */
export function fundBlockers(item: ClosureEligibilityItem): string[] {
  const out: string[] = [];
  for (const f of item.Funds) {
    if (!isZeroAmount(f.Available)) out.push(`${item.Name}: ${formatMoney(f.Available, f.Currency)} available.`);
    if (!isZeroAmount(f.PaymentPending)) out.push(`${item.Name}: ${formatMoney(f.PaymentPending, f.Currency)} approved, waiting for the brand's payment.`);
    if (!isZeroAmount(f.Overdue)) out.push(`${item.Name}: ${formatMoney(f.Overdue, f.Currency)} overdue from brands.`);
  }
  for (const p of item.PendingPayouts) {
    out.push(`${item.Name}: ${plural(p.Count, 'pending action', 'pending actions')} will still earn ${formatMoney(p.Payout, p.Currency)}.`);
  }
  if (item.PendingPayouts.length === 0 && item.PendingActions > 0) out.push(`${item.Name}: ${plural(item.PendingActions, 'pending action', 'pending actions')} will still earn.`);
  return out;
}

/** What the step still has to do for the chosen accounts: steps 1 and 2 clear their part; step 3 shows the server's Blockers. */
export function stepBlockers(step: ClosureStep, items: readonly ClosureEligibilityItem[]): string[] {
  if (step === 1) return items.flatMap(contractBlockers);
  if (step === 2) return items.flatMap(fundBlockers);
  return items.filter((i) => !i.Eligible && i.ClosedDate === null).flatMap((i) => i.Blockers.map((b) => `${i.Name}: ${b}`));
}
