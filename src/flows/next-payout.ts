import type { Sql } from '../db/types.js';
import { findAccount } from '../modules/accounts/queries.js';
import { evaluateAutopay, thresholdIn } from '../modules/payouts/autopay.js';
import { findScheduleStates, quoteAutopay } from '../modules/payouts/make-paystub.js';
import { findWithdrawalSettings } from '../modules/payouts/withdrawal-settings.js';
import { formatMinor } from '../money/index.js';
import { minWithdrawalMinor } from '../payments/fees.js';
import { accountLocalDate } from '../payments/schedule.js';

/** Why the next payout in a currency is not on its way, as the Home dashboard says it. */
export type NextPayoutBlocker = 'NO_WITHDRAWAL_SETTINGS' | 'BANK_CHANGE_HOLD' | 'BELOW_MINIMUM' | 'BELOW_THRESHOLD' | 'FEE_TAKES_ALL' | 'NO_WIRE_FEE' | 'CURRENCY_NOT_PAID_BY_METHOD';

export interface NextPayout {
  currency: string;
  availableMinor: bigint;
  /** The local date the autopay run is expected to pay it (the daily run at 06:30 UTC on or after it); null when blocked. */
  payOn: string | null;
  grossMinor: bigint | null;
  feeMinor: bigint | null;
  netMinor: bigint | null;
  blocker: NextPayoutBlocker | null;
  /** Until when a change of bank details holds withdrawals. */
  holdUntil: Date | null;
  message: string;
}

/**
 * The partner's next expected payout per currency with an available balance: when and how
 * much (the whole available balance less the method's fee, as the payout run computes it),
 * or what blocks it: no withdrawal settings, the 48-hour hold after a change of bank
 * details, below the minimum or the threshold, a fee that takes it all, a currency the
 * method does not pay. Read-only; the same decisions as the payout run (evaluateAutopay,
 * quoteAutopay), on the partner's local calendar.
 */
export async function nextPayouts(sql: Sql, partnerAccountId: number, now: Date): Promise<NextPayout[]> {
  const account = await findAccount(sql, partnerAccountId);
  if (!account) return [];
  const { rows } = await sql.query<{ currency: string; available: bigint }>(
    `select currency, credits_posted_minor - debits_posted_minor as available from ledger_accounts
      where owner_account_id = $1 and code = 'PARTNER_AVAILABLE' and credits_posted_minor - debits_posted_minor > 0
      order by currency`,
    [partnerAccountId],
  );
  if (rows.length === 0) return [];
  const settings = await findWithdrawalSettings(sql, partnerAccountId);
  const states = await findScheduleStates(sql, rows.map((row) => ({ partnerAccountId, currency: row.currency })));
  const today = accountLocalDate(now, account.timeZone);
  return rows.map(({ currency, available }) => {
    const money = (minor: bigint) => `${formatMinor(minor, currency)} ${currency}`;
    const blocked = (blocker: NextPayoutBlocker, message: string, holdUntil: Date | null = null): NextPayout => ({
      currency,
      availableMinor: available,
      payOn: null,
      grossMinor: null,
      feeMinor: null,
      netMinor: null,
      blocker,
      holdUntil,
      message,
    });
    if (!settings) return blocked('NO_WITHDRAWAL_SETTINGS', `${money(available)} is available, but there are no withdrawal settings yet: add your bank or PayPal details to be paid.`);
    const state = states.get(`${partnerAccountId}|${currency}`) ?? { thresholdReachedOn: null, lastAutopayOn: null };
    const decision = evaluateAutopay({
      settings: { schedule: settings.schedule, thresholdMinor: settings.thresholdMinor, paymentDay: settings.paymentDay, scheduleSince: settings.scheduleSince },
      state,
      availableMinor: available,
      currency,
      accountCurrency: account.currency,
      today,
    });
    if (!decision.due && decision.why === 'BELOW_MINIMUM') {
      return blocked('BELOW_MINIMUM', `${money(available)} is below the ${money(minWithdrawalMinor(currency))} minimum of a withdrawal; ask for a manual paystub or wait for more funds.`);
    }
    if (!decision.due && decision.why === 'BELOW_THRESHOLD') {
      const threshold = thresholdIn(settings.thresholdMinor!, account.currency, currency);
      return blocked('BELOW_THRESHOLD', `${money(available)} has not reached your ${money(threshold)} threshold (${money(threshold - available)} to go).`);
    }
    const quote = quoteAutopay(settings, currency, available);
    if ('hold' in quote) {
      const why: Record<string, string> = {
        FEE_TAKES_ALL: `the withdrawal fee would take all of ${money(available)}`,
        NO_WIRE_FEE: `no wire fee is configured for ${currency}; support has been told`,
        CURRENCY_NOT_PAID_BY_METHOD: `your payment method does not pay out in ${currency}: add a bank account for it`,
      };
      return blocked(quote.hold as NextPayoutBlocker, `Not paid: ${why[quote.hold] ?? quote.hold}.`);
    }
    const payOn = decision.due ? today : decision.payOn!;
    if (settings.holdUntil && settings.holdUntil > now) {
      return blocked('BANK_CHANGE_HOLD', `Withdrawals are on hold after the change of bank details, until ${settings.holdUntil.toISOString()}.`, settings.holdUntil);
    }
    return {
      currency,
      availableMinor: available,
      payOn,
      grossMinor: quote.grossMinor,
      feeMinor: quote.feeMinor,
      netMinor: quote.netMinor,
      blocker: null,
      holdUntil: null,
      message: `${money(quote.netMinor)} (${money(quote.grossMinor)} less a ${money(quote.feeMinor)} fee) expected on ${payOn}.`,
    };
  });
}
