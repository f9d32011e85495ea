/**
 * Calendar arithmetic for locking and payment dates.
 *
 * Every rule is phrased in the program's local calendar ("N days after the end
 * of the day", "M months and D days after the end of the month"), so all
 * arithmetic is done on local calendar dates and only converted to an instant
 * at the end. Adding days to local dates (rather than adding 24-hour periods to
 * instants) keeps locks at local midnight across daylight-saving changes.
 */
import { Temporal } from 'temporal-polyfill';
import { isValidTimeZone } from '../../../core/time-zone.js';
import type { LockingRule, PaymentSchedule, TermsDefinition } from './types.js';

const LOCAL_DATE_PATTERN = /^\d{4}-\d{2}-\d{2}$/;

export { isValidTimeZone };

function assertTimeZone(tz: string): void {
  if (!isValidTimeZone(tz)) throw new RangeError(`Unknown time zone ${JSON.stringify(tz)}.`);
}

function assertCount(value: number, name: string): void {
  if (!Number.isSafeInteger(value) || value < 0) {
    throw new RangeError(`${name} must be a non-negative integer, got ${value}.`);
  }
}

function toZoned(instant: Date, timeZone: string): Temporal.ZonedDateTime {
  const epochMilliseconds = instant.getTime();
  if (Number.isNaN(epochMilliseconds)) throw new RangeError('Invalid Date.');
  return Temporal.Instant.fromEpochMilliseconds(epochMilliseconds).toZonedDateTimeISO(timeZone);
}

/**
 * The first instant of a local date. This is local 00:00 except on days where
 * a daylight-saving jump skips midnight (e.g. America/Santiago), where it is
 * the first wall-clock time that exists on that day; startOfDay() handles that.
 */
function startOfLocalDate(date: Temporal.PlainDate, timeZone: string): Temporal.ZonedDateTime {
  return date.toZonedDateTime({ timeZone }).startOfDay();
}

function toDate(zoned: Temporal.ZonedDateTime): Date {
  return new Date(zoned.epochMilliseconds);
}

/** The first day of the month after the one containing `date`, i.e. "the end of the month". */
function firstOfNextMonth(date: Temporal.PlainDate): Temporal.PlainDate {
  return date.toPlainYearMonth().add({ months: 1 }).toPlainDate({ day: 1 });
}

/**
 * Months are added before days and always to the first of a month, so the
 * result never depends on month-end clamping (adding a month to 31 January is
 * ambiguous; adding one to 1 February is not).
 */
function addMonthsThenDays(firstOfMonth: Temporal.PlainDate, months: number, days: number): Temporal.PlainDate {
  return firstOfMonth.add({ months }).add({ days });
}

/**
 * The instant an action tracked at `eventAt` locks.
 *
 * DAYS form: the end of the local day of the event (the start of the next
 * local day) plus N calendar days. MONTHS form: the end of the local month of
 * the event (the 1st of the next month) plus M months plus D days. Either way
 * the lock happens at the start of the resulting local day.
 */
/** Open-ended locking: actions lock on their own this many days after the end of the day they were tracked (impact.com: 730 days, 2 years). */
export const OPEN_ENDED_LOCKING_DAYS = 730;

/** Whether the terms give the event type open-ended locking instead of their locking period. */
export function isOpenEndedLocking(terms: TermsDefinition, eventTypeId: number): boolean {
  return terms.payouts.some((p) => p.eventTypeId === eventTypeId && p.openEndedLocking);
}

/**
 * The locking rule an action of the event type follows: the terms' own, or for open-ended
 * locking OPEN_ENDED_LOCKING_DAYS days after the end of the day tracked (the DAYS form
 * beyond its 27-day cap, which only this rule may pass).
 */
export function lockingRuleFor(terms: TermsDefinition, eventTypeId: number): LockingRule {
  return isOpenEndedLocking(terms, eventTypeId) ? { form: 'DAYS', days: OPEN_ENDED_LOCKING_DAYS } : terms.locking;
}

export function computeLockingDate(eventAt: Date, timeZone: string, rule: LockingRule): Date {
  assertTimeZone(timeZone);
  const eventDate = toZoned(eventAt, timeZone).toPlainDate();
  let lockDate: Temporal.PlainDate;
  if (rule.form === 'DAYS') {
    assertCount(rule.days, 'locking.days');
    lockDate = eventDate.add({ days: 1 + rule.days });
  } else {
    assertCount(rule.months, 'locking.months');
    assertCount(rule.days, 'locking.days');
    lockDate = addMonthsThenDays(firstOfNextMonth(eventDate), rule.months, rule.days);
  }
  return toDate(startOfLocalDate(lockDate, timeZone));
}

/**
 * When actions that lock at `lockingAt` are paid: the end of the local month
 * containing the lock (the 1st of the next month) plus M months plus D days.
 * A lock at exactly local midnight on the 1st belongs to that new month, since
 * that instant is already the new local date.
 */
export function computePaymentDate(
  lockingAt: Date,
  timeZone: string,
  schedule: PaymentSchedule,
): { date: string; at: Date } {
  assertTimeZone(timeZone);
  assertCount(schedule.months, 'payment.months');
  assertCount(schedule.days, 'payment.days');
  const lockDate = toZoned(lockingAt, timeZone).toPlainDate();
  const payDate = addMonthsThenDays(firstOfNextMonth(lockDate), schedule.months, schedule.days);
  return { date: payDate.toString(), at: toDate(startOfLocalDate(payDate, timeZone)) };
}

function parseLocalDateOrThrow(date: string): Temporal.PlainDate {
  // The pattern keeps out the other ISO forms Temporal would accept (times,
  // offsets, extended years), and overflow 'reject' keeps out "2026-02-30".
  if (!LOCAL_DATE_PATTERN.test(date)) throw new RangeError(`Date ${JSON.stringify(date)} is not in YYYY-MM-DD form.`);
  try {
    return Temporal.PlainDate.from(date, { overflow: 'reject' });
  } catch {
    throw new RangeError(`Date ${JSON.stringify(date)} is not a valid calendar date.`);
  }
}

/**
 * The instant a local date ends, used to expire contracts "on a date", which
 * the product describes as ending at 23:59:59 of that date.
 *
 * It is computed as one second before the next local day starts. That is local
 * 23:59:59 on every ordinary day; when a daylight-saving change makes 23:59:59
 * occur twice it is the later occurrence, and when 23:59:59 is skipped it is
 * the last second that the date actually has.
 */
export function endOfLocalDate(date: string, timeZone: string): Date {
  assertTimeZone(timeZone);
  const plainDate = parseLocalDateOrThrow(date);
  return toDate(startOfLocalDate(plainDate.add({ days: 1 }), timeZone).subtract({ seconds: 1 }));
}

/** The local calendar date of an instant, as YYYY-MM-DD. */
export function localDateOf(instant: Date, timeZone: string): string {
  assertTimeZone(timeZone);
  return toZoned(instant, timeZone).toPlainDate().toString();
}
