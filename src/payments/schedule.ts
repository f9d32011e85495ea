/**
 * Autopay: the date an automatic withdrawal is paid. Both rules are about the partner's
 * calendar ("the next Tuesday", "the 15th"), so they are computed on local calendar dates
 * (`YYYY-MM-DD`) in the partner account's time zone, never by adding hours to instants; an
 * instant becomes a local date once, at the start, in accountLocalDate.
 */
import { Temporal } from 'temporal-polyfill';
import { invalid } from '../core/errors.js';
import { isValidTimeZone } from '../core/time-zone.js';

export type AutopaySchedule = { kind: 'BALANCE_THRESHOLD' } | { kind: 'FIXED_DAY'; paymentDay: 1 | 15 };

export interface BusinessDayOptions {
  /** Local dates (`YYYY-MM-DD`) that are not business days besides weekends, e.g. bank holidays. */
  holidays?: ReadonlySet<string>;
}

const TUESDAY = 2;
const THURSDAY = 4;
const SATURDAY = 6;
/** No calendar has more days off in a row than this; beyond it the holiday list is wrong. */
const DAYS_OFF_MAX = 31;

/** A strict `YYYY-MM-DD` calendar date: no times, offsets or overflowing days ("2026-02-30"). */
function plainDateOrThrow(date: string, name: string): Temporal.PlainDate {
  if (/^\d{4}-\d{2}-\d{2}$/.test(date)) {
    try {
      return Temporal.PlainDate.from(date, { overflow: 'reject' });
    } catch {
      // Reported below, with the pattern's message.
    }
  }
  throw invalid(`${name} ${JSON.stringify(date)} is not a calendar date in YYYY-MM-DD form.`);
}

/** True for a strict `YYYY-MM-DD` calendar date that exists. */
export function isLocalDate(date: string): boolean {
  try {
    plainDateOrThrow(date, 'Date');
    return true;
  } catch {
    return false;
  }
}

/** The local calendar date of an instant in the account's time zone. */
export function accountLocalDate(at: Date, timeZone: string): string {
  if (!isValidTimeZone(timeZone)) throw invalid(`${JSON.stringify(timeZone)} is not a known IANA time zone (for example "Europe/Berlin").`);
  if (Number.isNaN(at.getTime())) throw invalid('The instant is not a valid date.');
  return Temporal.Instant.fromEpochMilliseconds(at.getTime()).toZonedDateTimeISO(timeZone).toPlainDate().toString();
}

function isBusinessDay(date: Temporal.PlainDate, options: BusinessDayOptions): boolean {
  return date.dayOfWeek < SATURDAY && !options.holidays?.has(date.toString());
}

function onOrAfterBusinessDay(date: Temporal.PlainDate, options: BusinessDayOptions): Temporal.PlainDate {
  let day = date;
  for (let i = 0; i <= DAYS_OFF_MAX; i++, day = day.add({ days: 1 })) {
    if (isBusinessDay(day, options)) return day;
  }
  throw invalid(`No business day in the ${DAYS_OFF_MAX} days from ${date.toString()}; check the holiday list.`);
}

/** The date itself when it is a business day (Monday to Friday, not a listed holiday), else the next one. */
export function businessDayOnOrAfter(date: string, options: BusinessDayOptions = {}): string {
  return onOrAfterBusinessDay(plainDateOrThrow(date, 'Date'), options).toString();
}

/**
 * BALANCE_THRESHOLD: the first Tuesday or Thursday strictly after the local date on which
 * the available balance reached the threshold, so a threshold reached on a Tuesday is paid
 * on Thursday, not the same day.
 */
export function thresholdPayoutDate(reachedOn: string): string {
  let day = plainDateOrThrow(reachedOn, 'Threshold date').add({ days: 1 });
  while (day.dayOfWeek !== TUESDAY && day.dayOfWeek !== THURSDAY) day = day.add({ days: 1 });
  return day.toString();
}

/**
 * FIXED_DAY: this month's payment day (the 1st or the 15th), moved to the next business day
 * when it falls on a weekend or holiday; if that date is already past on `today`, next
 * month's. The move comes first, so a 1st that fell on a Saturday is still due on Monday the
 * 3rd when asked on Sunday the 2nd.
 */
export function fixedDayPayoutDate(today: string, paymentDay: 1 | 15, options: BusinessDayOptions = {}): string {
  if (paymentDay !== 1 && paymentDay !== 15) throw invalid(`PaymentDay ${JSON.stringify(paymentDay)} is not a payment day; use 1 or 15.`);
  const date = plainDateOrThrow(today, 'Date');
  const thisMonth = onOrAfterBusinessDay(date.with({ day: paymentDay }), options);
  if (Temporal.PlainDate.compare(thisMonth, date) >= 0) return thisMonth.toString();
  const nextMonth = date.toPlainYearMonth().add({ months: 1 }).toPlainDate({ day: paymentDay });
  return onOrAfterBusinessDay(nextMonth, options).toString();
}

/**
 * The next autopay date for a schedule, as a local date in the account's time zone. `at` is
 * the instant the threshold was reached (BALANCE_THRESHOLD) or the current instant
 * (FIXED_DAY).
 */
export function autopayDate(schedule: AutopaySchedule, at: Date, timeZone: string, options: BusinessDayOptions = {}): string {
  const localDate = accountLocalDate(at, timeZone);
  return schedule.kind === 'BALANCE_THRESHOLD'
    ? thresholdPayoutDate(localDate)
    : fixedDayPayoutDate(localDate, schedule.paymentDay, options);
}
