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
      Threshold: f.thresholdMinor === null ? null : formatMinor(f.thresholdMinor, f.currency),
      ManualPaystub: f.manualPaystub && {
        Possible: f.manualPaystub.possible,
        Method: f.manualPaystub.method,
        Fee: f.manualPaystub.feeMinor === null ? null : formatMinor(f.manualPaystub.feeMinor, f.currency),
        Net: f.manualPaystub.netMinor === null ? null : formatMinor(f.manualPaystub.netMinor, f.currency),
        Refusal: f.manualPaystub.refusal,
      },
    })),
    OverdueFrom: e.overdueFrom.map((o) => ({ BrandId: o.brandAccountId, BrandName: o.brandName, Currency: o.currency, Overdue: formatMinor(o.overdueMinor, o.currency), Contact: o.contact })),
    PendingActions: e.pendingActions.count,
    PendingPayouts: e.pendingActions.payouts.map((p) => ({
      Currency: p.currency,
      Payout: formatMinor(p.payoutMinor, p.currency),
      Count: p.count,
      FirstLockingDate: p.firstLockingAt ? p.firstLockingAt.toISOString() : null,
      LastLockingDate: p.lastLockingAt ? p.lastLockingAt.toISOString() : null,
    })),
    ClosedDate: e.closedAt ? e.closedAt.toISOString() : null,
  };
}
