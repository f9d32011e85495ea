import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { Temporal } from 'temporal-polyfill';
import { computeLockingDate, computePaymentDate, endOfLocalDate, isValidTimeZone, localDateOf } from './dates.js';
import type { LockingRule, PaymentSchedule } from './types.js';

const HOUR_MS = 3_600_000;

describe('isValidTimeZone', () => {
  it.each([
    ['America/New_York', true],
    ['Europe/Berlin', true],
    ['Pacific/Auckland', true],
    ['America/Argentina/Buenos_Aires', true],
    ['UTC', true],
    ['Etc/GMT+5', true],
    ['', false],
    ['Mars/Base', false],
    ['+01:00', false],
    ['-05:00', false],
    ['Z', false],
    ['america/new_york', false],
    [' UTC', false],
    ['2026-01-01T00:00[UTC]', false],
  ])('%j → %s', (tz, expected) => {
    expect(isValidTimeZone(tz)).toBe(expected);
  });
});

describe('computeLockingDate', () => {
  it.each<[string, string, string, LockingRule, string]>([
    // Plain days form: the day of the event ends, then N more days pass.
    ['days form, N=0 locks at the next local midnight', 'UTC', '2026-04-10T12:00:00Z', { form: 'DAYS', days: 0 }, '2026-04-11T00:00:00Z'],
    ['days form, event at 00:00 still counts its whole day', 'UTC', '2026-04-10T00:00:00Z', { form: 'DAYS', days: 3 }, '2026-04-14T00:00:00Z'],
    ['days form, event at the last millisecond of the day', 'UTC', '2026-04-10T23:59:59.999Z', { form: 'DAYS', days: 0 }, '2026-04-11T00:00:00Z'],
    // Month ends and leap years.
    ['31 Jan + 27 days → 28 Feb', 'UTC', '2026-01-31T08:00:00Z', { form: 'DAYS', days: 27 }, '2026-02-28T00:00:00Z'],
    ['5 Feb + 25 days, non-leap → 3 March', 'UTC', '2026-02-05T08:00:00Z', { form: 'DAYS', days: 25 }, '2026-03-03T00:00:00Z'],
    ['5 Feb + 25 days, leap 2028 → 2 March', 'UTC', '2028-02-05T08:00:00Z', { form: 'DAYS', days: 25 }, '2028-03-02T00:00:00Z'],
    ['28 Feb 2028 + 0 days → 29 Feb', 'UTC', '2028-02-28T08:00:00Z', { form: 'DAYS', days: 0 }, '2028-02-29T00:00:00Z'],
    ['29 Feb 2028 + 0 days → 1 March', 'UTC', '2028-02-29T08:00:00Z', { form: 'DAYS', days: 0 }, '2028-03-01T00:00:00Z'],
    ['28 Feb 2026 + 0 days → 1 March', 'UTC', '2026-02-28T08:00:00Z', { form: 'DAYS', days: 0 }, '2026-03-01T00:00:00Z'],
    // Months form.
    ['spec example: any January day, 0 months 27 days → 28 Feb', 'UTC', '2026-01-01T00:00:00Z', { form: 'MONTHS', months: 0, days: 27 }, '2026-02-28T00:00:00Z'],
    ['spec example, last day of January', 'UTC', '2026-01-31T23:59:59Z', { form: 'MONTHS', months: 0, days: 27 }, '2026-02-28T00:00:00Z'],
    ['January + 0 months 28 days, non-leap → 1 March', 'UTC', '2026-01-15T00:00:00Z', { form: 'MONTHS', months: 0, days: 28 }, '2026-03-01T00:00:00Z'],
    ['January + 0 months 28 days, leap → 29 Feb', 'UTC', '2028-01-15T00:00:00Z', { form: 'MONTHS', months: 0, days: 28 }, '2028-02-29T00:00:00Z'],
    ['0 months 0 days is the 1st of the next month', 'UTC', '2026-06-30T12:00:00Z', { form: 'MONTHS', months: 0, days: 0 }, '2026-07-01T00:00:00Z'],
    ['months are added to the 1st, so no clamping', 'UTC', '2026-01-31T12:00:00Z', { form: 'MONTHS', months: 1, days: 0 }, '2026-03-01T00:00:00Z'],
    // Year end.
    ['December, days form crosses the year', 'UTC', '2026-12-31T12:00:00Z', { form: 'DAYS', days: 0 }, '2027-01-01T00:00:00Z'],
    ['December, months form crosses the year', 'UTC', '2026-12-15T12:00:00Z', { form: 'MONTHS', months: 1, days: 0 }, '2027-02-01T00:00:00Z'],
    ['December, maximum months form', 'UTC', '2026-12-31T12:00:00Z', { form: 'MONTHS', months: 12, days: 30 }, '2028-01-31T00:00:00Z'],
    // Events late in the local day that are already the next day in UTC.
    ['Los Angeles 23:30 local counts as that local day', 'America/Los_Angeles', '2026-06-16T06:30:00Z', { form: 'DAYS', days: 0 }, '2026-06-16T07:00:00Z'],
    ['Los Angeles 23:30 on the last day of the month', 'America/Los_Angeles', '2026-07-01T06:30:00Z', { form: 'MONTHS', months: 0, days: 0 }, '2026-07-01T07:00:00Z'],
    // Pacific/Auckland is ahead of UTC, so early local mornings are the previous UTC day.
    ['Auckland 00:30 local is the next local day', 'Pacific/Auckland', '2026-01-10T11:30:00Z', { form: 'DAYS', days: 0 }, '2026-01-11T11:00:00Z'],
    ['Auckland 1 Feb local is still 31 Jan in UTC', 'Pacific/Auckland', '2026-01-31T12:00:00Z', { form: 'MONTHS', months: 0, days: 27 }, '2026-03-27T11:00:00Z'],
    ['Auckland across the April DST end (+13 → +12)', 'Pacific/Auckland', '2026-03-31T12:00:00Z', { form: 'MONTHS', months: 0, days: 0 }, '2026-04-30T12:00:00Z'],
    // Santiago skips midnight when DST starts, so the day starts at 01:00.
    ['Santiago lock on a day without midnight', 'America/Santiago', '2026-09-05T16:00:00Z', { form: 'DAYS', days: 0 }, '2026-09-06T04:00:00Z'],
  ])('%s', (_name, timeZone, eventAt, rule, expected) => {
    expect(computeLockingDate(new Date(eventAt), timeZone, rule).toISOString()).toBe(new Date(expected).toISOString());
  });

  // Each pair locks on the local midnight just before and just after a DST
  // change; the UTC instants must be a whole day apart minus (or plus) the
  // offset change, proving the lock stays at local midnight.
  it.each<[string, string, string, string, string, number]>([
    ['New York spring forward', 'America/New_York', '2026-03-07T17:00:00Z', '2026-03-08T05:00:00Z', '2026-03-09T04:00:00Z', 23],
    ['New York fall back', 'America/New_York', '2026-10-31T16:00:00Z', '2026-11-01T04:00:00Z', '2026-11-02T05:00:00Z', 25],
    ['Berlin spring forward', 'Europe/Berlin', '2026-03-28T11:00:00Z', '2026-03-28T23:00:00Z', '2026-03-29T22:00:00Z', 23],
    ['Berlin fall back', 'Europe/Berlin', '2026-10-24T10:00:00Z', '2026-10-24T22:00:00Z', '2026-10-25T23:00:00Z', 25],
  ])('%s keeps the lock at local midnight', (_name, timeZone, eventAt, beforeChange, afterChange, hoursApart) => {
    const event = new Date(eventAt);
    const lockBefore = computeLockingDate(event, timeZone, { form: 'DAYS', days: 0 });
    const lockAfter = computeLockingDate(event, timeZone, { form: 'DAYS', days: 1 });
    expect(lockBefore.toISOString()).toBe(new Date(beforeChange).toISOString());
    expect(lockAfter.toISOString()).toBe(new Date(afterChange).toISOString());
    expect(lockAfter.getTime() - lockBefore.getTime()).toBe(hoursApart * HOUR_MS);
  });

  it.each<[string, string, LockingRule]>([
    ['unknown time zone', 'Mars/Base', { form: 'DAYS', days: 1 }],
    ['negative days', 'UTC', { form: 'DAYS', days: -1 }],
    ['fractional days', 'UTC', { form: 'DAYS', days: 1.5 }],
    ['negative months', 'UTC', { form: 'MONTHS', months: -1, days: 0 }],
  ])('rejects %s', (_name, timeZone, rule) => {
    expect(() => computeLockingDate(new Date('2026-01-01T00:00:00Z'), timeZone, rule)).toThrow(RangeError);
  });

  it('rejects an invalid Date', () => {
    expect(() => computeLockingDate(new Date(Number.NaN), 'UTC', { form: 'DAYS', days: 0 })).toThrow(RangeError);
  });
});

describe('computePaymentDate', () => {
  it.each<[string, string, string, PaymentSchedule, string, string]>([
    ['spec example: lock 28 Feb + 0 months 19 days → 20 March', 'UTC', '2026-02-28T00:00:00Z', { months: 0, days: 19 }, '2026-03-20', '2026-03-20T00:00:00Z'],
    ['a lock at exactly 1 March 00:00 belongs to March', 'UTC', '2026-03-01T00:00:00Z', { months: 0, days: 19 }, '2026-04-20', '2026-04-20T00:00:00Z'],
    ['one millisecond earlier belongs to February', 'UTC', '2026-02-28T23:59:59.999Z', { months: 0, days: 19 }, '2026-03-20', '2026-03-20T00:00:00Z'],
    ['0 months 0 days is the 1st of the next month', 'UTC', '2026-05-17T00:00:00Z', { months: 0, days: 0 }, '2026-06-01', '2026-06-01T00:00:00Z'],
    ['leap year February 29', 'UTC', '2028-01-20T00:00:00Z', { months: 0, days: 28 }, '2028-02-29', '2028-02-29T00:00:00Z'],
    ['non-leap February has no 29th', 'UTC', '2026-01-20T00:00:00Z', { months: 0, days: 28 }, '2026-03-01', '2026-03-01T00:00:00Z'],
    ['December lock crosses the year', 'UTC', '2026-12-05T00:00:00Z', { months: 1, days: 0 }, '2027-02-01', '2027-02-01T00:00:00Z'],
    ['maximum schedule', 'UTC', '2026-12-31T00:00:00Z', { months: 12, days: 30 }, '2028-01-31', '2028-01-31T00:00:00Z'],
    ['New York after the March DST change uses EDT', 'America/New_York', '2026-02-28T05:00:00Z', { months: 0, days: 19 }, '2026-03-20', '2026-03-20T04:00:00Z'],
    ['New York lock at local midnight on the 1st belongs to that month', 'America/New_York', '2026-03-01T05:00:00Z', { months: 0, days: 0 }, '2026-04-01', '2026-04-01T04:00:00Z'],
    ['Auckland lock that is still the previous month in UTC', 'Pacific/Auckland', '2026-02-28T11:00:00Z', { months: 0, days: 0 }, '2026-04-01', '2026-03-31T11:00:00Z'],
    ['Santiago payment on a day without midnight', 'America/Santiago', '2026-08-10T04:00:00Z', { months: 0, days: 5 }, '2026-09-06', '2026-09-06T04:00:00Z'],
  ])('%s', (_name, timeZone, lockingAt, schedule, expectedDate, expectedAt) => {
    const result = computePaymentDate(new Date(lockingAt), timeZone, schedule);
    expect(result.date).toBe(expectedDate);
    expect(result.at.toISOString()).toBe(new Date(expectedAt).toISOString());
  });

  it('chains with the locking date: January event → 28 Feb lock → 20 March payment', () => {
    const timeZone = 'America/New_York';
    const lockingAt = computeLockingDate(new Date('2026-01-15T15:00:00Z'), timeZone, { form: 'MONTHS', months: 0, days: 27 });
    expect(lockingAt.toISOString()).toBe('2026-02-28T05:00:00.000Z');
    expect(localDateOf(lockingAt, timeZone)).toBe('2026-02-28');
    expect(computePaymentDate(lockingAt, timeZone, { months: 0, days: 19 }).date).toBe('2026-03-20');
  });
});

describe('endOfLocalDate', () => {
  it.each([
    ['2026-06-30', 'UTC', '2026-06-30T23:59:59Z'],
    ['2026-06-30', 'America/New_York', '2026-07-01T03:59:59Z'],
    ['2026-12-31', 'Pacific/Auckland', '2026-12-31T10:59:59Z'],
    ['2028-02-29', 'Europe/Berlin', '2028-02-29T22:59:59Z'],
    // DST change days: 23:59:59 is after the change, so the new offset applies.
    ['2026-03-08', 'America/New_York', '2026-03-09T03:59:59Z'],
    ['2026-11-01', 'America/New_York', '2026-11-02T04:59:59Z'],
    // The day before Santiago skips midnight still ends at 23:59:59 (-04:00).
    ['2026-09-05', 'America/Santiago', '2026-09-06T03:59:59Z'],
  ])('%s in %s ends at %s', (date, timeZone, expected) => {
    expect(endOfLocalDate(date, timeZone).toISOString()).toBe(new Date(expected).toISOString());
  });

  it.each(['', '2026-2-01', '2026-02-30', '2026-13-01', '20260201', '2026-02-01T00:00', '+002026-02-01', ' 2026-02-01'])(
    'rejects malformed date %j',
    (date) => {
      expect(() => endOfLocalDate(date, 'UTC')).toThrow(RangeError);
    },
  );

  it('rejects an unknown time zone', () => {
    expect(() => endOfLocalDate('2026-01-01', 'Mars/Base')).toThrow(RangeError);
  });
});

describe('localDateOf', () => {
  it.each([
    ['2026-06-16T06:30:00Z', 'America/Los_Angeles', '2026-06-15'],
    ['2026-06-16T06:30:00Z', 'UTC', '2026-06-16'],
    ['2026-01-31T12:00:00Z', 'Pacific/Auckland', '2026-02-01'],
    ['2026-03-01T05:00:00Z', 'America/New_York', '2026-03-01'],
    ['2026-03-01T04:59:59.999Z', 'America/New_York', '2026-02-28'],
  ])('%s in %s is %s', (instant, timeZone, expected) => {
    expect(localDateOf(new Date(instant), timeZone)).toBe(expected);
  });
});

describe('properties', () => {
  const timeZones = [
    'UTC',
    'America/New_York',
    'America/Los_Angeles',
    'America/Santiago',
    'Asia/Beirut',
    'Europe/Berlin',
    'Pacific/Auckland',
    'Pacific/Chatham',
    'Asia/Kolkata',
  ];
  const timeZoneArb = fc.constantFrom(...timeZones);
  const instantArb = fc.date({ min: new Date('1990-01-01T00:00:00Z'), max: new Date('2090-12-31T00:00:00Z'), noInvalidDate: true });
  const lockingRuleArb: fc.Arbitrary<LockingRule> = fc.oneof(
    fc.record({ form: fc.constant('DAYS' as const), days: fc.integer({ min: 0, max: 27 }) }),
    fc.record({ form: fc.constant('MONTHS' as const), months: fc.integer({ min: 0, max: 12 }), days: fc.integer({ min: 0, max: 30 }) }),
  );
  const scheduleArb: fc.Arbitrary<PaymentSchedule> = fc.record({
    months: fc.integer({ min: 0, max: 12 }),
    days: fc.integer({ min: 0, max: 30 }),
  });

  function isLocalStartOfDay(instant: Date, timeZone: string): boolean {
    const zoned = Temporal.Instant.fromEpochMilliseconds(instant.getTime()).toZonedDateTimeISO(timeZone);
    return zoned.startOfDay().epochMilliseconds === instant.getTime();
  }

  it('locking date is after the event and at the start of a local day', () => {
    fc.assert(
      fc.property(instantArb, timeZoneArb, lockingRuleArb, (eventAt, timeZone, rule) => {
        const lockingAt = computeLockingDate(eventAt, timeZone, rule);
        expect(lockingAt.getTime()).toBeGreaterThan(eventAt.getTime());
        expect(isLocalStartOfDay(lockingAt, timeZone)).toBe(true);
        // The lock is never earlier than the rule's minimum number of whole local days.
        expect(localDateOf(lockingAt, timeZone) > localDateOf(eventAt, timeZone)).toBe(true);
      }),
    );
  });

  it('days form locks exactly N+1 local days after the event date', () => {
    fc.assert(
      fc.property(instantArb, timeZoneArb, fc.integer({ min: 0, max: 27 }), (eventAt, timeZone, days) => {
        const lockingAt = computeLockingDate(eventAt, timeZone, { form: 'DAYS', days });
        const eventDate = Temporal.PlainDate.from(localDateOf(eventAt, timeZone));
        const lockDate = Temporal.PlainDate.from(localDateOf(lockingAt, timeZone));
        expect(eventDate.until(lockDate).days).toBe(days + 1);
      }),
    );
  });

  it('payment date is after the locking date and its instant starts that local day', () => {
    fc.assert(
      fc.property(instantArb, timeZoneArb, lockingRuleArb, scheduleArb, (eventAt, timeZone, rule, schedule) => {
        const lockingAt = computeLockingDate(eventAt, timeZone, rule);
        const payment = computePaymentDate(lockingAt, timeZone, schedule);
        expect(payment.date > localDateOf(lockingAt, timeZone)).toBe(true);
        expect(payment.at.getTime()).toBeGreaterThan(lockingAt.getTime());
        expect(localDateOf(payment.at, timeZone)).toBe(payment.date);
        expect(isLocalStartOfDay(payment.at, timeZone)).toBe(true);
      }),
    );
  });

  it('endOfLocalDate is the last second of that local date', () => {
    fc.assert(
      fc.property(instantArb, timeZoneArb, (instant, timeZone) => {
        const date = localDateOf(instant, timeZone);
        const end = endOfLocalDate(date, timeZone);
        expect(localDateOf(end, timeZone)).toBe(date);
        expect(localDateOf(new Date(end.getTime() + 1000), timeZone)).not.toBe(date);
      }),
    );
  });
});
