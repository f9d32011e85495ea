import type { LockingRule, Payout, PaymentSchedule } from '../api/types';

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

/** Today's local date (YYYY-MM-DD) in a time zone. */
export function todayIn(timeZone: string): string {
  return formatDate(new Date().toISOString(), timeZone);
}

export function payoutText(payout: Payout, currency: string): string {
  return payout.kind === 'PERCENT' ? `${payout.percent}%` : `${payout.amount} ${currency}`;
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
  return rule.form === 'DAYS'
    ? `Locked ${plural(rule.days, 'day')} after the end of the day they are tracked`
    : `Locked ${monthsAndDays(rule.months, rule.days)} after the end of the month`;
}

export function paymentText(schedule: PaymentSchedule): string {
  return `Paid ${monthsAndDays(schedule.months, schedule.days)} after the end of the month they lock`;
}

export function humanize(code: string): string {
  const text = code.toLowerCase().replace(/_/g, ' ');
  return text.charAt(0).toUpperCase() + text.slice(1);
}

export const RETURNS_PROCESSING_LABELS: Record<string, string> = {
  API: 'API',
  SFTP_UPLOAD: 'Upload to file server (SFTP)',
  SFTP_PULL: "Pull from the brand's server",
  EMAIL: 'E-mail',
  SALESFORCE: 'Salesforce',
};

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
