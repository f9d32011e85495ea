/**
 * Money is an integer number of minor units (cents, fils, yen) plus an ISO 4217
 * code. Amounts never pass through floating point: text is parsed exactly into a
 * bigint, and percentages are computed as exact fractions and rounded in exactly one
 * place (percentageSumMinor), so every payout can be reproduced to the minor unit.
 */
import { currencyExponent } from './currencies.js';
import { MoneyError } from './errors.js';

export { MoneyError };

export interface Money {
  amountMinor: bigint;
  currency: string;
}

/**
 * The largest absolute amount accepted from text, 2^63 - 1 minor units. It matches a
 * Postgres bigint column, so anything parsed here can be stored without overflow.
 */
const MAX_ABS_MINOR = 2n ** 63n - 1n;

/** Percentages carry at most this many decimals, so 10^6 is a common denominator. */
const PERCENT_DECIMALS = 6;
const PERCENT_SCALE = 10n ** BigInt(PERCENT_DECIMALS);

/**
 * The only accepted shape for amounts and percentages: an optional "-", one or more
 * ASCII digits, and optionally "." followed by one or more digits. Anything looser
 * ("1e3", "1,000", "+5", ".5", "12.") has a plausible second reading, and a payout
 * must never depend on guessing which one was meant.
 */
const DECIMAL_PATTERN = /^(-?)([0-9]+)(?:\.([0-9]+))?$/;

interface DecimalParts {
  negative: boolean;
  integerDigits: string;
  fractionDigits: string;
}

/**
 * Splits a strict decimal string into its parts, or throws a MoneyError naming the
 * specific problem. `label` ("Amount" or "Percent") starts the message so the user
 * knows which field is wrong.
 */
function splitDecimalOrThrow(text: string, label: string): DecimalParts {
  const match = DECIMAL_PATTERN.exec(text);
  if (match) {
    return {
      negative: match[1] === '-',
      integerDigits: match[2] ?? '',
      fractionDigits: match[3] ?? '',
    };
  }
  throw new MoneyError(describeMalformed(text, label));
}

/** Picks the most helpful explanation for text that is not a strict decimal. */
function describeMalformed(text: string, label: string): string {
  const quoted = JSON.stringify(text);
  const example = label === 'Percent' ? '"12.5"' : '"12.34"';
  if (text === '') {
    return `${label} is empty; enter a decimal number such as ${example}.`;
  }
  if (/\s/.test(text)) {
    return `${label} ${quoted} contains whitespace; remove all spaces, e.g. ${example}.`;
  }
  if (/^[-+]?(nan|infinity|inf)$/i.test(text)) {
    return `${label} ${quoted} is not a finite number; enter a decimal number such as ${example}.`;
  }
  if (/^[-+]?[0-9.]+[eE][-+]?[0-9]+$/.test(text)) {
    return `${label} ${quoted} uses exponent notation; write all digits out, e.g. "1000" instead of "1e3".`;
  }
  if (/[0-9][,_'][0-9]/.test(text)) {
    return `${label} ${quoted} contains a separator; use "." as the decimal point and no thousands separators, e.g. "1234.5".`;
  }
  if (text.startsWith('+')) {
    return `${label} ${quoted} starts with "+"; leave the sign out for positive numbers.`;
  }
  if (/^-?\.[0-9]+$/.test(text)) {
    return `${label} ${quoted} has no digit before the decimal point; add a leading zero, e.g. "0.5".`;
  }
  if (/^-?[0-9]+\.$/.test(text)) {
    return `${label} ${quoted} ends with a decimal point; add the decimals or remove the point, e.g. "12" or "12.5".`;
  }
  return `${label} ${quoted} is not a plain decimal number; use digits, an optional leading "-" and "." as the decimal point, e.g. ${example}.`;
}

function decimalPlaces(count: number): string {
  return count === 1 ? '1 decimal place' : `${count} decimal places`;
}

/**
 * Parses a decimal string such as "12.30" into minor units of `currency`, exactly.
 * More decimals than the currency has is an error rather than a rounding, even when
 * the extra digits are zeros ("12.300" USD): a value with the wrong precision usually
 * means the wrong currency or a float leaked upstream, and that should be fixed at
 * the source. Negative amounts are rejected unless `allowNegative` is set, but "-0"
 * is zero and always accepted.
 */
export function parseAmountMinorOrThrow(
  text: string,
  currency: string,
  options: { allowNegative?: boolean } = {},
): bigint {
  const exponent = currencyExponent(currency);
  const { negative, integerDigits, fractionDigits } = splitDecimalOrThrow(text, 'Amount');
  const quoted = JSON.stringify(text);

  if (fractionDigits.length > exponent) {
    const allowed =
      exponent === 0
        ? `${currency} amounts must be whole numbers.`
        : `${currency} allows at most ${exponent}.`;
    throw new MoneyError(
      `Amount ${quoted} has ${decimalPlaces(fractionDigits.length)}; ${allowed}`,
    );
  }

  // Strip leading zeros before the size check so that "007.5" is fine, and so that
  // a very long digit string is rejected without building a huge bigint first.
  const digits = (integerDigits + fractionDigits.padEnd(exponent, '0')).replace(/^0+/, '');
  const maxDigits = MAX_ABS_MINOR.toString().length;
  const absoluteMinor = digits === '' ? 0n : digits.length > maxDigits ? null : BigInt(digits);
  if (absoluteMinor === null || absoluteMinor > MAX_ABS_MINOR) {
    throw new MoneyError(
      `Amount ${quoted} is too large; the largest supported amount is ${formatMinor(MAX_ABS_MINOR, currency)} ${currency}.`,
    );
  }

  if (negative && absoluteMinor !== 0n && !options.allowNegative) {
    throw new MoneyError(`Amount ${quoted} is negative; enter an amount of 0 or more.`);
  }
  return negative ? -absoluteMinor : absoluteMinor;
}

/**
 * A plain decimal string with exactly the currency's number of decimals, e.g. 1234n
 * USD → "12.34", -5n USD → "-0.05", 5n JPY → "5". It is the machine format (CSV,
 * API, audit logs) and parses back to the same amount with parseAmountMinorOrThrow.
 */
export function formatMinor(amountMinor: bigint, currency: string): string {
  const exponent = currencyExponent(currency);
  const sign = amountMinor < 0n ? '-' : '';
  const absolute = (amountMinor < 0n ? -amountMinor : amountMinor).toString();
  if (exponent === 0) {
    return sign + absolute;
  }
  // Pad so there is always at least one digit before the point ("0.05", not ".05").
  const padded = absolute.padStart(exponent + 1, '0');
  const integerPart = padded.slice(0, -exponent);
  const fractionPart = padded.slice(-exponent);
  return `${sign}${integerPart}.${fractionPart}`;
}

/**
 * Human display, e.g. "$12.34" or "1.234,50 €". Intl.NumberFormat receives the exact
 * decimal string, so no float is involved even for amounts beyond 2^53. The fraction
 * digits are pinned to the ISO exponent because CLDR would otherwise round some
 * currencies (COP, HUF, IDR) to whole units and show a different amount than is paid.
 */
export function formatMoney(amountMinor: bigint, currency: string, locale = 'en-US'): string {
  const exponent = currencyExponent(currency);
  let formatter: Intl.NumberFormat;
  try {
    formatter = new Intl.NumberFormat(locale, {
      style: 'currency',
      currency,
      minimumFractionDigits: exponent,
      maximumFractionDigits: exponent,
    });
  } catch (error) {
    if (error instanceof RangeError) {
      throw new MoneyError(
        `Locale ${JSON.stringify(locale)} is not a valid BCP 47 language tag; use a tag such as "en-US" or "de-DE".`,
      );
    }
    throw error;
  }
  // Intl.NumberFormat v3 (Node 19+) formats a decimal string exactly, without
  // converting it to a float first. formatMinor always returns a plain decimal, which
  // is what the `${number}` type in the signature asks for.
  return formatter.format(formatMinor(amountMinor, currency) as `${number}`);
}

/** A validated percent as an integer number of millionths of a percent. */
function percentMillionthsOrThrow(text: string): bigint {
  const { negative, integerDigits, fractionDigits } = splitDecimalOrThrow(text, 'Percent');
  const quoted = JSON.stringify(text);
  if (fractionDigits.length > PERCENT_DECIMALS) {
    throw new MoneyError(
      `Percent ${quoted} has ${decimalPlaces(fractionDigits.length)}; at most ${PERCENT_DECIMALS} are allowed.`,
    );
  }
  const millionths = BigInt(integerDigits + fractionDigits.padEnd(PERCENT_DECIMALS, '0'));
  if (negative && millionths !== 0n) {
    throw new MoneyError(`Percent ${quoted} is negative; enter a percent of 0 or more.`);
  }
  return millionths;
}

/**
 * Validates a percent typed by a user (0 to 100 inclusive, at most 6 decimals) and
 * returns it in canonical form, e.g. "12.50" → "12.5", "010" → "10", "-0" → "0", so
 * that equal terms are stored as equal strings.
 */
export function parsePercentOrThrow(text: string): string {
  const millionths = percentMillionthsOrThrow(text);
  if (millionths > 100n * PERCENT_SCALE) {
    throw new MoneyError(
      `Percent ${JSON.stringify(text)} is more than 100; enter a percent from 0 to 100.`,
    );
  }
  const integerPart = (millionths / PERCENT_SCALE).toString();
  const fractionPart = (millionths % PERCENT_SCALE)
    .toString()
    .padStart(PERCENT_DECIMALS, '0')
    .replace(/0+$/, '');
  return fractionPart === '' ? integerPart : `${integerPart}.${fractionPart}`;
}

/**
 * The one place a percentage payout is rounded. It computes Σ amountMinor × percent
 * / 100 as an exact fraction and rounds the total once, half away from zero. Rounding
 * each part separately would drift (two parts of 0.4 would pay 0 instead of 1), and
 * rounding in several places would let two reports of the same payout disagree.
 * Percents are non-negative decimal strings with at most 6 decimals; values above
 * 100 are accepted here because bonus terms can exceed 100%, and user input is capped
 * by parsePercentOrThrow instead. Amounts may be negative (reversals, clawbacks).
 */
export function percentageSumMinor(
  parts: ReadonlyArray<{ amountMinor: bigint; percent: string }>,
): bigint {
  // Every percent is an integer number of millionths, so the exact total is
  // numerator / (100 × 10^6) with a single shared denominator.
  let numerator = 0n;
  for (const part of parts) {
    numerator += part.amountMinor * percentMillionthsOrThrow(part.percent);
  }
  return divideRoundHalfAwayFromZero(numerator, 100n * PERCENT_SCALE);
}

/** The payout for one amount at one percent; see percentageSumMinor for the rounding. */
export function percentOfMinor(amountMinor: bigint, percent: string): bigint {
  return percentageSumMinor([{ amountMinor, percent }]);
}

/**
 * Rounds numerator / denominator (denominator > 0) to the nearest integer, ties away
 * from zero. It works on the absolute value because bigint division truncates toward
 * zero, which makes the tie rule symmetric for negative amounts: -0.5 becomes -1.
 */
function divideRoundHalfAwayFromZero(numerator: bigint, denominator: bigint): bigint {
  const absolute = numerator < 0n ? -numerator : numerator;
  const quotient = absolute / denominator;
  const remainder = absolute % denominator;
  const rounded = remainder * 2n >= denominator ? quotient + 1n : quotient;
  return numerator < 0n ? -rounded : rounded;
}
