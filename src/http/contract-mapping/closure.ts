import type { ClosureEligibilityItem } from '../contract/closure.js';
import type { ClosureEligibility } from '../../flows/closure-eligibility.js';
import { formatMinor } from '../../money/index.js';

export function toClosureEligibilityDto(e: ClosureEligibility): ClosureEligibilityItem {
  return {
    AccountId: e.accountId,
    Name: e.name,
    Eligible: e.eligible,
    Blockers: e.blockers,
    ActiveContracts: e.activeContracts.map((c) => ({ ContractId: c.contractId, CampaignId: c.programId, CampaignName: c.programName })),
    Funds: e.funds.map((f) => ({
      Currency: f.currency,
      Available: formatMinor(f.availableMinor, f.currency),
      PaymentPending: formatMinor(f.paymentPendingMinor, f.currency),
      Overdue: formatMinor(f.overdueMinor, f.currency),
    })),
    PendingActions: e.pendingActions.count,
    PendingPayouts: e.pendingActions.payouts.map((p) => ({
      Currency: p.currency,
      Payout: formatMinor(p.payoutMinor, p.currency),
      LastLockingDate: p.lastLockingAt ? p.lastLockingAt.toISOString() : null,
    })),
  };
}
