import { MoneyError } from './errors.js';

/**
 * ISO 4217 currency codes and their exponents (the number of minor-unit digits).
 * The exponents are ISO's, not CLDR's: CLDR shows some currencies (COP, HUF, IDR,
 * ...) without decimals, but banks and payment providers settle them in ISO minor
 * units, so that is what amounts are stored in.
 */
const EXPONENTS = new Map<string, number>([
  // Major and European currencies.
  ['USD', 2],
  ['EUR', 2],
  ['GBP', 2],
  ['CHF', 2],
  ['SEK', 2],
  ['NOK', 2],
  ['DKK', 2],
  ['ISK', 0],
  ['PLN', 2],
  ['CZK', 2],
  ['HUF', 2],
  ['RON', 2],
  ['BGN', 2],
  ['RSD', 2],
  ['MKD', 2],
  ['BAM', 2],
  ['ALL', 2],
  ['MDL', 2],
  ['UAH', 2],
  ['BYN', 2],
  ['RUB', 2],
  ['TRY', 2],
  ['GEL', 2],
  ['AMD', 2],
  ['AZN', 2],
  ['KZT', 2],
  // Americas.
  ['CAD', 2],
  ['MXN', 2],
  ['BRL', 2],
  ['ARS', 2],
  ['CLP', 0],
  ['COP', 2],
  ['PEN', 2],
  ['UYU', 2],
  ['PYG', 0],
  ['BOB', 2],
  ['CRC', 2],
  ['GTQ', 2],
  ['DOP', 2],
  ['JMD', 2],
  ['TTD', 2],
  // Asia and Pacific.
  ['JPY', 0],
  ['CNY', 2],
  ['HKD', 2],
  ['TWD', 2],
  ['KRW', 0],
  ['SGD', 2],
  ['MYR', 2],
  ['IDR', 2],
  ['PHP', 2],
  ['THB', 2],
  ['VND', 0],
  ['INR', 2],
  ['PKR', 2],
  ['BDT', 2],
  ['LKR', 2],
  ['NPR', 2],
  ['AUD', 2],
  ['NZD', 2],
  ['FJD', 2],
  ['XPF', 0],
  // Middle East and Africa.
  ['ILS', 2],
  ['AED', 2],
  ['SAR', 2],
  ['QAR', 2],
  ['KWD', 3],
  ['BHD', 3],
  ['OMR', 3],
  ['JOD', 3],
  ['IQD', 3],
  ['LYD', 3],
  ['TND', 3],
  ['EGP', 2],
  ['MAD', 2],
  ['DZD', 2],
  ['NGN', 2],
  ['GHS', 2],
  ['KES', 2],
  ['UGX', 0],
  ['TZS', 2],
  ['RWF', 0],
  ['ETB', 2],
  ['ZAR', 2],
  ['XOF', 0],
  ['XAF', 0],
]);

/** Every supported code, sorted so listings and tests are stable. */
export const CURRENCY_CODES: readonly string[] = Object.freeze([...EXPONENTS.keys()].sort());

/**
 * True only for an exact upper-case code in the table. Lower-case input is not
 * accepted silently, because stored codes must compare equal byte for byte.
 */
export function isCurrencyCode(code: string): boolean {
  return /^[A-Z]{3}$/.test(code) && EXPONENTS.has(code);
}

/** The number of minor-unit digits for a currency; throws MoneyError for unknown codes. */
export function currencyExponent(code: string): number {
  const exponent = /^[A-Z]{3}$/.test(code) ? EXPONENTS.get(code) : undefined;
  if (exponent === undefined) {
    throw new MoneyError(unknownCurrencyMessage(code));
  }
  return exponent;
}

function unknownCurrencyMessage(code: string): string {
  const base = `${JSON.stringify(code)} is not a supported ISO 4217 currency code.`;
  // A lower-case or padded code is the most common mistake, so point at the fix.
  const upper = code.trim().toUpperCase();
  if (upper !== code && EXPONENTS.has(upper)) {
    return `${base} Codes are exactly three upper-case letters: use "${upper}".`;
  }
  return `${base} Use a supported code such as "USD" or "EUR".`;
}
