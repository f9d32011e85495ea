import type { LockingRule, PaymentSchedule, Payout } from '@contract/programs';

function parts(date: Date, timeZone: string, withTime: boolean): Record<string, string> {
  const formatter = new Intl.DateTimeFormat('en-CA', {
    timeZone,
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    ...(withTime ? { hour: '2-digit', minute: '2-digit', hourCycle: 'h23' as const } : {}),
  });
  const out: Record<string, string> = {};
  for (const part of formatter.formatToParts(date)) out[part.type] = part.value;
  return out;
}

function safeZone(timeZone: string | undefined): string {
  if (!timeZone) return 'UTC';
  try {
    new Intl.DateTimeFormat('en', { timeZone });
    return timeZone;
  } catch {
    return 'UTC';
  }
}

/** "2026-05-01" in the given time zone. */
export function formatDate(iso: string | null | undefined, timeZone?: string): string {
  if (!iso) return '';
  const p = parts(new Date(iso), safeZone(timeZone), false);
  return `${p.year}-${p.month}-${p.day}`;
}

/** "2026-05-01 14:03" in the given time zone. */
export function formatDateTime(iso: string | null | undefined, timeZone?: string): string {
  if (!iso) return '';
  const p = parts(new Date(iso), safeZone(timeZone), true);
  return `${p.year}-${p.month}-${p.day} ${p.hour}:${p.minute}`;
}

/**
 * A contract date as both parties read it: "28 Jan 2027" in the program's time zone (the
 * zone its locking and payment dates are reckoned in), so a brand in New York and a
 * partner in Los Angeles see the same day for the same locking date.
 */
export function formatContractDate(iso: string | null | undefined, programTimeZone: string): string {
  if (!iso) return '';
  return new Intl.DateTimeFormat('en-GB', { timeZone: safeZone(programTimeZone), day: 'numeric', month: 'short', year: 'numeric' }).format(new Date(iso));
}

/** "28 Jan 2027, 00:00" in a time zone: a contract date with its time, where the day's boundary matters. */
export function formatContractDateTime(iso: string | null | undefined, timeZone: string): string {
  if (!iso) return '';
  return new Intl.DateTimeFormat('en-GB', {
    timeZone: safeZone(timeZone),
    day: 'numeric',
    month: 'short',
    year: 'numeric',
    hour: '2-digit',
    minute: '2-digit',
    hourCycle: 'h23',
  }).format(new Date(iso));
}

/** Today's local date (YYYY-MM-DD) in a time zone. */
export function todayIn(timeZone: string): string {
  return formatDate(new Date().toISOString(), timeZone);
}

export function payoutText(payout: Payout, currency: string): string {
  return payout.Kind === 'PERCENT' ? `${payout.Percent}%` : `${payout.Amount} ${currency}`;
}

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}

/** "1 month and 27 days", "27 days", "1 month", "0 days". */
function monthsAndDays(months: number, days: number): string {
  if (months === 0) return plural(days, 'day');
  if (days === 0) return plural(months, 'month');
  return `${plural(months, 'month')} and ${plural(days, 'day')}`;
}

export function lockingText(rule: LockingRule): string {
  return rule.Form === 'DAYS'
    ? `Locked ${plural(rule.Days, 'day')} after the end of the day they are tracked`
    : `Locked ${monthsAndDays(rule.Months, rule.Days)} after the end of the month`;
}

export function paymentText(schedule: PaymentSchedule): string {
  return `Paid ${monthsAndDays(schedule.Months, schedule.Days)} after the end of the month they lock`;
}

export function humanize(code: string): string {
  const text = code.toLowerCase().replace(/_/g, ' ');
  return text.charAt(0).toUpperCase() + text.slice(1);
}

export const COMMON_CURRENCIES = ['USD', 'EUR', 'GBP', 'CAD', 'AUD', 'NZD', 'CHF', 'SEK', 'NOK', 'DKK', 'PLN', 'JPY', 'SGD', 'HKD', 'INR', 'BRL', 'MXN', 'ZAR'];

export function timeZones(): string[] {
  const intl = Intl as unknown as { supportedValuesOf?: (key: string) => string[] };
  const zones = intl.supportedValuesOf ? intl.supportedValuesOf('timeZone') : [];
  return zones.includes('UTC') ? zones : ['UTC', ...zones];
}

export function browserTimeZone(): string {
  try {
    return Intl.DateTimeFormat().resolvedOptions().timeZone || 'UTC';
  } catch {
    return 'UTC';
  }
}

/** Milliseconds to add to UTC to get the wall-clock time in a zone, at an instant. */
function zoneOffsetMs(utcMs: number, timeZone: string): number {
  const p = new Intl.DateTimeFormat('en-US', {
    timeZone,
    hourCycle: 'h23',
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
    second: '2-digit',
  }).formatToParts(new Date(utcMs));
  const get = (type: string) => Number(p.find((x) => x.type === type)?.value ?? 0);
  const wall = Date.UTC(get('year'), get('month') - 1, get('day'), get('hour') % 24, get('minute'), get('second'));
  return wall - Math.floor(utcMs / 1000) * 1000;
}

/** The instant a local day (YYYY-MM-DD) starts in a time zone, as ISO 8601 UTC. */
export function startOfDayIso(date: string, timeZone: string): string {
  const [y, m, d] = date.split('-').map(Number) as [number, number, number];
  const zone = safeZone(timeZone);
  const guess = Date.UTC(y, m - 1, d);
  let utc = guess - zoneOffsetMs(guess, zone);
  // Across a daylight-saving change the offset at the result differs from the guess's.
  const second = guess - zoneOffsetMs(utc, zone);
  if (second !== utc) utc = second;
  return new Date(utc).toISOString();
}

/** A local date plus n days: "2026-01-31" + 1 → "2026-02-01". */
export function addDays(date: string, days: number): string {
  const [y, m, d] = date.split('-').map(Number) as [number, number, number];
  return new Date(Date.UTC(y, m - 1, d + days)).toISOString().slice(0, 10);
}

export function isLocalDate(text: string | null | undefined): text is string {
  return !!text && /^\d{4}-\d{2}-\d{2}$/.test(text) && !Number.isNaN(Date.parse(`${text}T00:00:00Z`));
}
