import { DomainError } from '../core/errors.js';
import type { Sql } from '../db/types.js';
import { manualPaystubQuoteForOrThrow } from '../modules/payouts/make-paystub.js';
import { findWithdrawalSettings, type WithdrawalSettingsRow } from '../modules/payouts/withdrawal-settings.js';
import { formatMinor } from '../money/index.js';

/**
 * Whether a partner account may be closed now, and what blocks it, as the help page's
 * steps put it: no contract in force (step 1), and no funds: nothing available, nothing
 * payment pending (funds that will become available), nothing overdue, and no pending
 * action that would still earn (step 2), and no paystub still on its way to the bank (its
 * file needs the bank details that closing erases). Read across the contracts, the ledger and the
 * actions at one moment; the closure wizard shows it to the partner, the final review
 * re-checks it for the operator.
 */
export interface ClosureEligibility {
  accountId: number;
  name: string;
  kind: string;
  status: string;
  activeContracts: Array<{ contractId: number; programId: number; programName: string }>;
  funds: Array<{
    currency: string;
    availableMinor: bigint;
    paymentPendingMinor: bigint;
    overdueMinor: bigint;
    /** The withdrawal threshold, in the account's own currency; null in others or without settings. */
    thresholdMinor: bigint | null;
    /** What a manual paystub of the available balance would pay now; null when nothing is available. */
    manualPaystub: { possible: boolean; method: string | null; feeMinor: bigint | null; netMinor: bigint | null; refusal: string | null } | null;
  }>;
  /** The brands whose payments are overdue, with an admin's e-mail to contact them at. */
  overdueFrom: Array<{ brandAccountId: number; brandName: string; currency: string; overdueMinor: bigint; contact: string | null }>;
  pendingActions: { count: number; payouts: Array<{ currency: string; payoutMinor: bigint; count: number; firstLockingAt: Date | null; lastLockingAt: Date | null }> };
  closedAt: Date | null;
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
    currency: string;
    closedAt: Date | null;
    paystubsProcessing: number;
    contracts: Array<{ contractId: number; programId: number; programName: string }>;
    funds: Array<{ currency: string; available: string; paymentPending: string }>;
    overdue: Array<{ brandId: number; brandName: string; currency: string; overdue: string; contact: string | null }>;
    pending: Array<{ currency: string; payout: string; count: number; firstLockingAt: string | null; lastLockingAt: string | null }>;
  }>(
    `select a.id as "accountId", a.name, a.kind, a.status, a.currency, a.closed_at as "closedAt",
            (select count(*)::int from paystubs ps where ps.partner_account_id = a.id and ps.status = 'PROCESSING') as "paystubsProcessing",
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
            coalesce((select json_agg(json_build_object('brandId', o.brand, 'brandName', b.name, 'currency', o.currency, 'overdue', o.overdue::text,
                                                        'contact', (select u.email from memberships m join users u on u.id = m.user_id
                                                                     where m.account_id = o.brand and m.role = 'ADMIN' and u.disabled_at is null
                                                                     order by m.created_at, u.id limit 1))
                                      order by b.name, o.currency)
                        from (select x.brand_account_id as brand, x.currency, sum(x.payout_minor) as overdue from actions x
                               where x.partner_account_id = a.id and x.state = 'APPROVED' and x.cleared_at is null
                                 and x.payment_due_at < $2
                               group by x.brand_account_id, x.currency) o
                        join accounts b on b.id = o.brand), '[]') as overdue,
            coalesce((select json_agg(json_build_object('currency', q.currency, 'payout', q.payout::text, 'count', q.n, 'firstLockingAt', q.first, 'lastLockingAt', q.last))
                        from (select x.currency, sum(x.payout_minor) as payout, count(*)::int as n, min(x.locking_at) as first, max(x.locking_at) as last from actions x
                               where x.partner_account_id = a.id and x.state = 'PENDING' and x.payout_minor > 0
                               group by x.currency) q), '[]') as pending
       from accounts a where a.id = any($1::int[]) order by a.id`,
    [accountIds, now],
  );
  const results: ClosureEligibility[] = [];
  for (const row of rows) {
    const overdue = new Map<string, bigint>();
    for (const o of row.overdue) overdue.set(o.currency, (overdue.get(o.currency) ?? 0n) + BigInt(o.overdue));
    const settings = row.kind === 'PARTNER' ? await findWithdrawalSettings(sql, row.accountId) : undefined;
    const funds = row.funds
      .map((f) => {
        const availableMinor = BigInt(f.available ?? '0');
        return {
          currency: f.currency,
          availableMinor,
          paymentPendingMinor: BigInt(f.paymentPending ?? '0'),
          overdueMinor: overdue.get(f.currency) ?? 0n,
          thresholdMinor: settings && f.currency === row.currency ? settings.thresholdMinor : null,
          manualPaystub: availableMinor > 0n ? manualPaystubQuote(row.name, settings, f.currency, availableMinor, now) : null,
        };
      })
      .sort((a, b) => a.currency.localeCompare(b.currency));
    const payouts = row.pending.map((p) => ({
      currency: p.currency,
      payoutMinor: BigInt(p.payout),
      count: p.count,
      firstLockingAt: p.firstLockingAt ? new Date(p.firstLockingAt) : null,
      lastLockingAt: p.lastLockingAt ? new Date(p.lastLockingAt) : null,
    }));
    const count = row.pending.reduce((n, p) => n + p.count, 0);
    const blockers: string[] = [];
    if (row.kind !== 'PARTNER') blockers.push('Only partner accounts are closed this way.');
    if (row.status !== 'ACTIVE') blockers.push('The account is already closed.');
    if (row.contracts.length) {
      blockers.push(`${row.contracts.length} contract(s) still in force (${row.contracts.map((c) => c.programName).join(', ')}): expire them from Contract History.`);
    }
    for (const f of funds) {
      const money = (minor: bigint) => `${formatMinor(minor, f.currency)} ${f.currency}`;
      if (f.overdueMinor > 0n) {
        const from = row.overdue.filter((o) => o.currency === f.currency).map((o) => (o.contact ? `${o.brandName} (${o.contact})` : o.brandName));
        blockers.push(`${money(f.overdueMinor)} is overdue from ${from.join(', ')}: it becomes available when they pay; contact them about it.`);
      }
      if (f.paymentPendingMinor > f.overdueMinor) blockers.push(`${money(f.paymentPendingMinor - f.overdueMinor)} will become available once brands pay their statements.`);
      if (f.availableMinor > 0n) blockers.push(`${money(f.availableMinor)} is available: withdraw it (a manual paystub) or forfeit it.`);
      if (f.availableMinor < 0n) blockers.push(`The available balance is ${money(f.availableMinor)} (a clawback): it must be settled first.`);
    }
    if (row.paystubsProcessing > 0) {
      blockers.push(`${row.paystubsProcessing} paystub(s) are on their way to the bank: wait until they are sent (or fail and return to the balance).`);
    }
    if (count > 0) {
      blockers.push(
        `${count} pending action(s) would still earn ${payouts.map((p) => `${formatMinor(p.payoutMinor, p.currency)} ${p.currency}`).join(' and ')}: wait for them to lock and be paid, or ask the brands to settle them.`,
      );
    }
    results.push({
      accountId: row.accountId,
      name: row.name,
      kind: row.kind,
      status: row.status,
      activeContracts: row.contracts,
      funds,
      overdueFrom: row.overdue.map((o) => ({ brandAccountId: o.brandId, brandName: o.brandName, currency: o.currency, overdueMinor: BigInt(o.overdue), contact: o.contact })),
      pendingActions: { count, payouts },
      closedAt: row.closedAt,
      blockers,
      eligible: blockers.length === 0,
    });
  }
  return results;
}

/** The manual paystub the MANUAL_PAYSTUB ticket would get now (grantManualPaystub's own checks), or why it would be refused. */
function manualPaystubQuote(accountName: string, settings: WithdrawalSettingsRow | undefined, currency: string, availableMinor: bigint, now: Date) {
  try {
    const quote = manualPaystubQuoteForOrThrow(accountName, settings, currency, availableMinor, now);
    return { possible: true, method: quote.method, feeMinor: quote.feeMinor, netMinor: quote.netMinor, refusal: null };
  } catch (error) {
    if (!(error instanceof DomainError)) throw error;
    return { possible: false, method: settings?.paymentMethod ?? null, feeMinor: null, netMinor: null, refusal: error.message };
  }
}
