/**
 * Whether a partner's autopay is due today, in one currency: a pure decision over the
 * settings, the schedule's state and the available balance, on the partner's local
 * calendar (src/payments/schedule.ts). Both rules catch up: a run that did not happen on
 * the day (the server was down) pays on a later one, once.
 */
import { Temporal } from 'temporal-polyfill';
import { currencyExponent } from '../../money/index.js';
import { minWithdrawalMinor } from '../../payments/fees.js';
import { businessDayOnOrAfter, thresholdPayoutDate } from '../../payments/schedule.js';
import type { PaymentDay, PaymentSchedule } from './types.js';

export interface AutopaySettings {
  schedule: PaymentSchedule;
  /** BALANCE_THRESHOLD, in minor units of the account's currency. */
  thresholdMinor: bigint | null;
  paymentDay: PaymentDay | null;
  /** The local date the schedule was set: a fixed day before it is not due. */
  scheduleSince: string;
}

export interface AutopayState {
  /** The local date a run first saw the balance at the threshold (BALANCE_THRESHOLD). */
  thresholdReachedOn: string | null;
  /** The local date of the last autopay in this currency. */
  lastAutopayOn: string | null;
}

export type AutopayDecision =
  | { due: true; state: AutopayState }
  /** Not due: below the minimum or the threshold, or the schedule's day is still to come; `state` is what to keep. */
  | { due: false; why: 'BELOW_MINIMUM' | 'BELOW_THRESHOLD' | 'NOT_DUE'; payOn: string | null; state: AutopayState };

/**
 * FIXED_DAY: a payment day that passed without a run (the server was down) is paid by a
 * run within this many days after it; money that became available later in the period
 * waits for the next payment day.
 */
export const FIXED_DAY_CATCH_UP_DAYS = 3;

/**
 * The threshold in another currency: the same number of units ("50.00" USD is 50.00 EUR, 50
 * JPY), since a partner sets one threshold for the account and the platform converts
 * nothing (DOMAIN.md: convert only in reports).
 */
export function thresholdIn(thresholdMinor: bigint, accountCurrency: string, currency: string): bigint {
  const shift = currencyExponent(currency) - currencyExponent(accountCurrency);
  if (shift >= 0) return thresholdMinor * 10n ** BigInt(shift);
  const divisor = 10n ** BigInt(-shift);
  // Rounded up: a threshold is never lowered by the conversion.
  return (thresholdMinor + divisor - 1n) / divisor;
}

/** The latest fixed payment day (moved past a weekend) on or before `today`. */
export function lastFixedDayOnOrBefore(today: string, paymentDay: PaymentDay): string {
  const date = Temporal.PlainDate.from(today);
  const thisMonth = businessDayOnOrAfter(date.with({ day: paymentDay }).toString());
  if (thisMonth <= today) return thisMonth;
  return businessDayOnOrAfter(date.toPlainYearMonth().subtract({ months: 1 }).toPlainDate({ day: paymentDay }).toString());
}

/** The next fixed payment day (moved past a weekend) after `date`. */
function nextFixedDayAfter(date: string, paymentDay: PaymentDay): string {
  const day = Temporal.PlainDate.from(date);
  const thisMonth = businessDayOnOrAfter(day.with({ day: paymentDay }).toString());
  if (thisMonth > date) return thisMonth;
  return businessDayOnOrAfter(day.toPlainYearMonth().add({ months: 1 }).toPlainDate({ day: paymentDay }).toString());
}

/**
 * BALANCE_THRESHOLD: due on the first Tuesday or Thursday after the day the balance was
 * first seen at the threshold, if it still is then (or on a later run, if none ran that
 * day). FIXED_DAY: due on the 1st or 15th (the next business day when it is a weekend),
 * or within FIXED_DAY_CATCH_UP_DAYS after it if no autopay was made for that day. Either
 * way only when at least 10.00 is available.
 */
export function evaluateAutopay(input: {
  settings: AutopaySettings;
  state: AutopayState;
  availableMinor: bigint;
  currency: string;
  accountCurrency: string;
  today: string;
}): AutopayDecision {
  const { settings, state, availableMinor, currency, today } = input;
  if (settings.schedule === 'BALANCE_THRESHOLD') {
    const threshold = thresholdIn(settings.thresholdMinor!, input.accountCurrency, currency);
    const minimum = minWithdrawalMinor(currency);
    if (availableMinor < threshold || availableMinor < minimum) {
      return { due: false, why: availableMinor < minimum ? 'BELOW_MINIMUM' : 'BELOW_THRESHOLD', payOn: null, state: { ...state, thresholdReachedOn: null } };
    }
    const reachedOn = state.thresholdReachedOn ?? today;
    const payOn = thresholdPayoutDate(reachedOn);
    const next = { ...state, thresholdReachedOn: reachedOn };
    return today >= payOn ? { due: true, state: next } : { due: false, why: 'NOT_DUE', payOn, state: next };
  }
  const day = settings.paymentDay!;
  const lastDue = lastFixedDayOnOrBefore(today, day);
  const withinCatchUp = Temporal.PlainDate.from(lastDue).add({ days: FIXED_DAY_CATCH_UP_DAYS }).toString() >= today;
  const missed = withinCatchUp && lastDue >= settings.scheduleSince && (state.lastAutopayOn === null || state.lastAutopayOn < lastDue);
  if (availableMinor < minWithdrawalMinor(currency)) {
    return { due: false, why: 'BELOW_MINIMUM', payOn: missed ? today : nextFixedDayAfter(today, day), state };
  }
  return missed ? { due: true, state } : { due: false, why: 'NOT_DUE', payOn: nextFixedDayAfter(today, day), state };
}
