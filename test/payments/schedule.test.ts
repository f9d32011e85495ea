import { describe, expect, it } from 'vitest';
import {
  accountLocalDate,
  autopayDate,
  businessDayOnOrAfter,
  fixedDayPayoutDate,
  isLocalDate,
  thresholdPayoutDate,
} from '../../src/payments/schedule.js';

describe('thresholdPayoutDate: the next Tuesday or Thursday strictly after', () => {
  it.each([
    ['2026-11-30', 'Monday', '2026-12-01'],
    ['2026-12-01', 'Tuesday', '2026-12-03'],
    ['2026-12-02', 'Wednesday', '2026-12-03'],
    ['2026-12-03', 'Thursday', '2026-12-08'],
    ['2026-12-04', 'Friday', '2026-12-08'],
    ['2026-12-05', 'Saturday', '2026-12-08'],
    ['2026-12-06', 'Sunday', '2026-12-08'],
    ['2026-12-31', 'Thursday, year end', '2027-01-05'],
    ['2026-12-30', 'Wednesday, year end', '2026-12-31'],
    ['2028-02-28', 'Monday before a leap day', '2028-02-29'],
    ['2026-02-27', 'Friday, end of February', '2026-03-03'],
  ])('%s (%s) → %s', (reachedOn, _, payday) => {
    expect(thresholdPayoutDate(reachedOn)).toBe(payday);
  });
});

describe('fixedDayPayoutDate: the 1st or 15th, next business day on weekends', () => {
  it.each<[string, 1 | 15, string, string]>([
    ['2026-11-20', 1, '2026-12-01', 'the 1st of next month, a Tuesday'],
    ['2026-12-01', 1, '2026-12-01', 'today is the payment day'],
    ['2026-12-02', 1, '2027-01-01', 'passed: next month, a Friday'],
    ['2026-12-02', 15, '2026-12-15', 'later this month'],
    ['2026-12-16', 15, '2027-01-15', 'passed: next month'],
    ['2026-07-20', 1, '2026-08-03', '1 August is a Saturday → Monday 3rd'],
    ['2026-08-02', 1, '2026-08-03', 'asked on Sunday the 2nd: Saturday the 1st moved to Monday is still ahead'],
    ['2026-08-03', 1, '2026-08-03', 'asked on the moved day itself'],
    ['2026-08-04', 1, '2026-09-01', 'after the moved day'],
    ['2026-08-10', 15, '2026-08-17', '15 August is a Saturday → Monday 17th'],
    ['2026-10-25', 1, '2026-11-02', '1 November is a Sunday → Monday 2nd'],
    ['2026-11-02', 15, '2026-11-16', '15 November is a Sunday → Monday 16th'],
    ['2026-12-31', 1, '2027-01-01', 'across the year end'],
    ['2026-12-31', 15, '2027-01-15', 'across the year end'],
    ['2026-02-28', 1, '2026-03-02', 'end of February → 1 March is a Sunday → Monday 2nd'],
    ['2028-02-29', 15, '2028-03-15', 'leap day'],
    ['2027-04-20', 1, '2027-05-03', '1 May 2027 is a Saturday'],
  ])('asked %s, day %s → %s (%s)', (today, day, payday) => {
    expect(fixedDayPayoutDate(today, day)).toBe(payday);
  });

  it('skips listed holidays as well as weekends', () => {
    const holidays = new Set(['2027-01-01', '2026-08-03']);
    expect(fixedDayPayoutDate('2026-12-20', 1, { holidays })).toBe('2027-01-04');
    expect(fixedDayPayoutDate('2026-07-20', 1, { holidays })).toBe('2026-08-04');
    expect(businessDayOnOrAfter('2026-12-05')).toBe('2026-12-07');
    expect(businessDayOnOrAfter('2026-12-04')).toBe('2026-12-04');
  });

  it('refuses another day, a malformed date, or a calendar with no business day', () => {
    expect(() => fixedDayPayoutDate('2026-12-01', 10 as 1)).toThrow('PaymentDay 10 is not a payment day; use 1 or 15.');
    expect(() => fixedDayPayoutDate('2026-02-30', 1)).toThrow('"2026-02-30" is not a calendar date in YYYY-MM-DD form.');
    expect(() => thresholdPayoutDate('2026-12-01T10:00:00Z')).toThrow('is not a calendar date');
    const everyDay = new Set(Array.from({ length: 400 }, (_, i) => new Date(Date.UTC(2026, 11, 1 + i)).toISOString().slice(0, 10)));
    expect(() => businessDayOnOrAfter('2026-12-01', { holidays: everyDay })).toThrow('No business day in the 31 days from 2026-12-01');
  });

  it('checks local dates strictly', () => {
    expect(isLocalDate('2026-12-01')).toBe(true);
    expect(isLocalDate('2026-13-01')).toBe(false);
    expect(isLocalDate('2026-12-1')).toBe(false);
    expect(isLocalDate('+002026-12-01')).toBe(false);
  });
});

describe('autopayDate: local dates in the account’s time zone', () => {
  // 2026-12-01T23:30:00Z is Tuesday evening in London, already Wednesday in Auckland and
  // Tokyo, and still Tuesday afternoon in Los Angeles.
  const at = new Date('2026-12-01T23:30:00Z');

  it.each([
    ['Europe/London', '2026-12-01', '2026-12-03'],
    ['America/Los_Angeles', '2026-12-01', '2026-12-03'],
    ['Pacific/Auckland', '2026-12-02', '2026-12-03'],
    ['Asia/Tokyo', '2026-12-02', '2026-12-03'],
  ])('threshold reached at 23:30 UTC in %s: local %s → %s', (timeZone, local, payday) => {
    expect(accountLocalDate(at, timeZone)).toBe(local);
    expect(autopayDate({ kind: 'BALANCE_THRESHOLD' }, at, timeZone)).toBe(payday);
  });

  it('moves the payday when the local date crosses a Thursday', () => {
    // Thursday 3 December 20:00 UTC: still Thursday in New York (paid next Tuesday), but
    // already Friday in Sydney (also next Tuesday), while 10:00 UTC Thursday is Wednesday
    // night in Honolulu (paid that Thursday).
    expect(autopayDate({ kind: 'BALANCE_THRESHOLD' }, new Date('2026-12-03T20:00:00Z'), 'America/New_York')).toBe('2026-12-08');
    expect(autopayDate({ kind: 'BALANCE_THRESHOLD' }, new Date('2026-12-03T20:00:00Z'), 'Australia/Sydney')).toBe('2026-12-08');
    expect(autopayDate({ kind: 'BALANCE_THRESHOLD' }, new Date('2026-12-03T08:00:00Z'), 'Pacific/Honolulu')).toBe('2026-12-03');
  });

  it('finds the fixed day from the local date, across a month end', () => {
    // 30 November 2026 22:00 UTC is 23:00 on the 30th in Berlin, and 11:00 on 1 December (a
    // Tuesday) in Auckland, where the 1st is today.
    const evening = new Date('2026-11-30T22:00:00Z');
    expect(autopayDate({ kind: 'FIXED_DAY', paymentDay: 1 }, evening, 'Europe/Berlin')).toBe('2026-12-01');
    expect(autopayDate({ kind: 'FIXED_DAY', paymentDay: 15 }, evening, 'Europe/Berlin')).toBe('2026-12-15');
    expect(autopayDate({ kind: 'FIXED_DAY', paymentDay: 1 }, evening, 'Pacific/Auckland')).toBe('2026-12-01');
    // 1 December 12:00 UTC is already the 2nd in Auckland (the 1st has passed), and still the
    // early morning of the 1st in Los Angeles.
    expect(autopayDate({ kind: 'FIXED_DAY', paymentDay: 1 }, new Date('2026-12-01T12:00:00Z'), 'Pacific/Auckland')).toBe('2027-01-01');
    expect(autopayDate({ kind: 'FIXED_DAY', paymentDay: 1 }, new Date('2026-12-01T12:00:00Z'), 'America/Los_Angeles')).toBe('2026-12-01');
  });

  it('refuses an unknown time zone or an invalid instant', () => {
    expect(() => autopayDate({ kind: 'BALANCE_THRESHOLD' }, at, 'Mars/Base')).toThrow('"Mars/Base" is not a known IANA time zone');
    expect(() => accountLocalDate(new Date(Number.NaN), 'UTC')).toThrow('not a valid date');
  });
});
