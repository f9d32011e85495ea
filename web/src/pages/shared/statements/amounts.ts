/**
 * Exact sums and comparisons of the API's decimal amounts ("363.55"), as integers of the
 * currency's minor unit (bigint), so that totals per partner and "more than owed" are never
 * off by a float's rounding. Only the bars of a chart use a ratio as a number.
 */
import { minorDigits } from '../../../lib/money';

/** "363.55" in USD → 36355n; null when the text is not a decimal amount with at most the currency's digits. */
export function toMinor(amount: string, currency: string): bigint | null {
  const digits = minorDigits(currency);
  const match = /^([-+]?)(\d+)(?:\.(\d*))?$/.exec(amount.trim());
  if (!match) return null;
  const fraction = match[3] ?? '';
  if (fraction.length > digits) return null;
  const minor = BigInt(match[2]!) * 10n ** BigInt(digits) + BigInt(fraction.padEnd(digits, '0') || '0');
  return match[1] === '-' ? -minor : minor;
}

/** 36355n in USD → "363.55"; the API's form, for formatMoney. */
export function fromMinor(minor: bigint, currency: string): string {
  const digits = minorDigits(currency);
  const negative = minor < 0n;
  const text = (negative ? -minor : minor).toString().padStart(digits + 1, '0');
  const whole = digits ? text.slice(0, -digits) : text;
  const fraction = digits ? `.${text.slice(-digits)}` : '';
  return `${negative ? '-' : ''}${whole}${fraction}`;
}

/** The sum of decimal amounts of one currency, as a decimal amount. */
export function sumAmounts(amounts: readonly string[], currency: string): string {
  let total = 0n;
  for (const amount of amounts) total += toMinor(amount, currency) ?? 0n;
  return fromMinor(total, currency);
}

/** part / whole as a share from 0 to 1, for the width of a bar (display only). */
export function share(part: string, whole: string, currency: string): number {
  const p = toMinor(part, currency) ?? 0n;
  const w = toMinor(whole, currency) ?? 0n;
  if (w <= 0n || p <= 0n) return 0;
  // Per ten thousand, in integers, then one division: exact enough for a bar and a percentage.
  return Number((p * 10_000n) / w) / 10_000;
}

/** Compares two decimal amounts of one currency: negative, zero or positive, as a - b. */
export function compareAmounts(a: string, b: string, currency: string): number {
  const x = toMinor(a, currency) ?? 0n;
  const y = toMinor(b, currency) ?? 0n;
  return x === y ? 0 : x < y ? -1 : 1;
}
