import type { Sql } from '../db/types.js';
import { formatMinor } from '../money/index.js';

/**
 * Whether a partner account may be closed now, and what blocks it, as the help page's
 * steps put it: no contract in force (step 1), and no funds: nothing available, nothing
 * payment pending (funds that will become available), nothing overdue, and no pending
 * action that would still earn (step 2). Read across the contracts, the ledger and the
 * actions at one moment; the closure wizard shows it to the partner, the final review
 * re-checks it for the operator.
 */
export interface ClosureEligibility {
  accountId: number;
  name: string;
  kind: string;
  status: string;
  activeContracts: Array<{ contractId: number; programId: number; programName: string }>;
  funds: Array<{ currency: string; availableMinor: bigint; paymentPendingMinor: bigint; overdueMinor: bigint }>;
  pendingActions: { count: number; payouts: Array<{ currency: string; payoutMinor: bigint; lastLockingAt: Date | null }> };
  /** What stands in the way, in the partner's words; empty when the account may be closed. */
  blockers: string[];
  eligible: boolean;
}

export async function closureEligibility(sql: Sql, accountIds: readonly number[], now: Date): Promise<ClosureEligibility[]> {
  if (accountIds.length === 0) return [];
  const { rows } = await sql.query<{
    accountId: number;
    name: string;
    kind: string;
    status: string;
    contracts: Array<{ contractId: number; programId: number; programName: string }>;
    funds: Array<{ currency: string; available: string; paymentPending: string }>;
    overdue: Array<{ currency: string; overdue: string }>;
    pending: Array<{ currency: string; payout: string; count: number; lastLockingAt: string | null }>;
  }>(
    `select a.id as "accountId", a.name, a.kind, a.status,
            coalesce((select json_agg(json_build_object('contractId', c.id, 'programId', c.program_id, 'programName', p.name) order by c.id)
                        from contracts c join programs p on p.id = c.program_id
                       where c.partner_account_id = a.id and (c.end_at is null or c.end_at > $2)), '[]') as contracts,
            coalesce((select json_agg(json_build_object('currency', f.currency, 'available', f.available::text, 'paymentPending', f.pending::text))
                        from (select l.currency,
                                     coalesce(sum(l.credits_posted_minor - l.debits_posted_minor) filter (where l.code = 'PARTNER_AVAILABLE'), 0) as available,
                                     coalesce(sum(l.credits_posted_minor - l.debits_posted_minor) filter (where l.code = 'PARTNER_PAYMENT_PENDING'), 0) as pending
                                from ledger_accounts l
                               where l.owner_account_id = a.id and l.code in ('PARTNER_AVAILABLE', 'PARTNER_PAYMENT_PENDING')
                               group by l.currency) f), '[]') as funds,
            coalesce((select json_agg(json_build_object('currency', o.currency, 'overdue', o.overdue::text))
                        from (select x.currency, sum(x.payout_minor) as overdue from actions x
                               where x.partner_account_id = a.id and x.state = 'APPROVED' and x.cleared_at is null
                                 and x.payment_due_at < $2
                               group by x.currency) o), '[]') as overdue,
            coalesce((select json_agg(json_build_object('currency', q.currency, 'payout', q.payout::text, 'count', q.n, 'lastLockingAt', q.last))
                        from (select x.currency, sum(x.payout_minor) as payout, count(*)::int as n, max(x.locking_at) as last from actions x
                               where x.partner_account_id = a.id and x.state = 'PENDING' and x.payout_minor > 0
                               group by x.currency) q), '[]') as pending
       from accounts a where a.id = any($1::int[]) order by a.id`,
    [accountIds, now],
  );
  return rows.map((row) => {
    const overdue = new Map(row.overdue.map((o) => [o.currency, BigInt(o.overdue)]));
    const funds = row.funds
      .map((f) => ({
        currency: f.currency,
        availableMinor: BigInt(f.available ?? '0'),
        paymentPendingMinor: BigInt(f.paymentPending ?? '0'),
        overdueMinor: overdue.get(f.currency) ?? 0n,
      }))
      .sort((a, b) => a.currency.localeCompare(b.currency));
    const payouts = row.pending.map((p) => ({ currency: p.currency, payoutMinor: BigInt(p.payout), lastLockingAt: p.lastLockingAt ? new Date(p.lastLockingAt) : null }));
    const count = row.pending.reduce((n, p) => n + p.count, 0);
    const blockers: string[] = [];
    if (row.kind !== 'PARTNER') blockers.push('Only partner accounts are closed this way.');
    if (row.status !== 'ACTIVE') blockers.push('The account is already closed.');
    if (row.contracts.length) {
      blockers.push(`${row.contracts.length} contract(s) still in force (${row.contracts.map((c) => c.programName).join(', ')}): expire them from Contract History.`);
    }
    for (const f of funds) {
      const money = (minor: bigint) => `${formatMinor(minor, f.currency)} ${f.currency}`;
      if (f.overdueMinor > 0n) blockers.push(`${money(f.overdueMinor)} is overdue from brands: it becomes available when they pay.`);
      if (f.paymentPendingMinor > f.overdueMinor) blockers.push(`${money(f.paymentPendingMinor - f.overdueMinor)} will become available once brands pay their statements.`);
      if (f.availableMinor > 0n) blockers.push(`${money(f.availableMinor)} is available: withdraw it (a manual paystub) or forfeit it.`);
      if (f.availableMinor < 0n) blockers.push(`The available balance is ${money(f.availableMinor)} (a clawback): it must be settled first.`);
    }
    if (count > 0) {
      blockers.push(
        `${count} pending action(s) would still earn ${payouts.map((p) => `${formatMinor(p.payoutMinor, p.currency)} ${p.currency}`).join(' and ')}: wait for them to lock and be paid, or ask the brands to settle them.`,
      );
    }
    return {
      accountId: row.accountId,
      name: row.name,
      kind: row.kind,
      status: row.status,
      activeContracts: row.contracts,
      funds,
      pendingActions: { count, payouts },
      blockers,
      eligible: blockers.length === 0,
    };
  });
}
