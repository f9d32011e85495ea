/**
 * Money in the UI: amounts arrive from the API as decimal strings in their currency
 * ("129.99") and are shown with Intl.NumberFormat, which formats a decimal string exactly.
 * No float arithmetic on money happens in the browser.
 */

const formatters = new Map<string, Intl.NumberFormat>();

function formatter(currency: string, signed: boolean): Intl.NumberFormat | null {
  const key = `${currency}:${signed}`;
  let f = formatters.get(key);
  if (!f) {
    try {
      f = new Intl.NumberFormat('en-US', { style: 'currency', currency, ...(signed ? { signDisplay: 'exceptZero' as const } : {}) });
    } catch {
      return null;
    }
    formatters.set(key, f);
  }
  return f;
}

/** "$1,234.50", "CA$12.00", "€9.90". */
export function formatMoney(amount: string | null | undefined, currency: string): string {
  if (amount === null || amount === undefined || amount === '') return '—';
  return formatter(currency, false)?.format(amount as Intl.StringNumericLiteral) ?? `${amount} ${currency}`;
}

/** A change: "+$1.50", "-$3.00", "$0.00". */
export function formatSignedMoney(amount: string | null | undefined, currency: string): string {
  if (amount === null || amount === undefined || amount === '') return '—';
  return formatter(currency, true)?.format(amount as Intl.StringNumericLiteral) ?? `${amount} ${currency}`;
}

export function isZeroAmount(amount: string | null | undefined): boolean {
  return !amount || /^[-+]?0*(\.0*)?$/.test(amount);
}

export function isNegativeAmount(amount: string): boolean {
  return amount.trim().startsWith('-') && !isZeroAmount(amount);
}

/** Digits after the decimal point in a currency (2 for USD, 0 for JPY). */
export function minorDigits(currency: string): number {
  return formatter(currency, false)?.resolvedOptions().maximumFractionDigits ?? 2;
}

/** Why a typed amount is not acceptable, or null when it is (e.g. "150", "150.5", "150.50"). */
export function amountProblem(text: string, currency: string): string | null {
  const value = text.trim();
  if (!value) return 'Enter an amount.';
  const digits = minorDigits(currency);
  const match = /^(\d{1,15})(?:\.(\d+))?$/.exec(value);
  if (!match) return `Enter an amount in ${currency}, e.g. ${digits ? `120.${'0'.repeat(digits)}` : '120'}.`;
  if ((match[2]?.length ?? 0) > digits) return `${currency} amounts have at most ${digits} decimal places.`;
  return null;
}

/** "150" → "150.00" for USD: the canonical form, to compare amounts as text. */
export function normalizeAmount(text: string, currency: string): string {
  const digits = minorDigits(currency);
  const [whole = '0', fraction = ''] = text.trim().replace(/^\+/, '').split('.');
  const intPart = whole.replace(/^0+(?=\d)/, '') || '0';
  return digits ? `${intPart}.${fraction.padEnd(digits, '0').slice(0, digits)}` : intPart;
}

/** Compares two decimal amounts exactly (as scaled integers, never floats): negative, zero or positive. */
export function compareAmounts(a: string, b: string): number {
  const scaled = (text: string, digits: number): bigint => {
    const value = text.trim().replace(/^\+/, '');
    const negative = value.startsWith('-');
    const [whole = '0', fraction = ''] = value.replace(/^-/, '').split('.');
    const units = BigInt(`${whole || '0'}${fraction.padEnd(digits, '0').slice(0, digits)}`);
    return negative ? -units : units;
  };
  const digits = Math.max(a.split('.')[1]?.length ?? 0, b.split('.')[1]?.length ?? 0);
  const d = scaled(a, digits) - scaled(b, digits);
  return d < 0n ? -1 : d > 0n ? 1 : 0;
}
