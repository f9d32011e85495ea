import { describe, it, expect } from 'vitest';
import fc from 'fast-check';
import {
  CURRENCY_CODES,
  MoneyError,
  currencyExponent,
  formatMinor,
  formatMoney,
  isCurrencyCode,
  parseAmountMinorOrThrow,
  parsePercentOrThrow,
  percentOfMinor,
  percentageSumMinor,
} from './index.js';

const MAX_ABS_MINOR = 2n ** 63n - 1n;

const abs = (value: bigint): bigint => (value < 0n ? -value : value);

/** Runs `fn` and returns the MoneyError it throws, failing the test otherwise. */
function moneyErrorOf(fn: () => unknown): MoneyError {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(MoneyError);
    return error as MoneyError;
  }
  throw new Error('Expected a MoneyError, but nothing was thrown.');
}

describe('currencies', () => {
  it.each([
    ['USD', 2],
    ['EUR', 2],
    ['GBP', 2],
    ['JPY', 0],
    ['KWD', 3],
    ['ISK', 0],
    ['VND', 0],
    ['KRW', 0],
    ['CLP', 0],
    ['BHD', 3],
    ['OMR', 3],
    ['JOD', 3],
    ['TND', 3],
    ['LYD', 3],
    ['IQD', 3],
    ['HUF', 2],
    ['COP', 2],
    ['IDR', 2],
    ['TWD', 2],
  ])('%s has exponent %i', (code, exponent) => {
    expect(currencyExponent(code)).toBe(exponent);
    expect(isCurrencyCode(code)).toBe(true);
  });

  it('lists every code requested for launch', () => {
    const required =
      'USD EUR GBP JPY KWD CAD AUD NZD CHF CNY HKD SGD SEK NOK DKK ISK PLN CZK HUF RON BGN TRY ILS INR IDR MYR PHP THB VND KRW TWD BRL MXN ARS CLP COP PEN ZAR AED SAR QAR BHD OMR JOD TND LYD IQD EGP NGN KES UAH RUB PKR BDT';
    for (const code of required.split(' ')) {
      expect(CURRENCY_CODES).toContain(code);
    }
  });

  it('keeps CURRENCY_CODES sorted, unique, and consistent with isCurrencyCode', () => {
    expect([...CURRENCY_CODES].sort()).toEqual(CURRENCY_CODES);
    expect(new Set(CURRENCY_CODES).size).toBe(CURRENCY_CODES.length);
    for (const code of CURRENCY_CODES) {
      expect(isCurrencyCode(code)).toBe(true);
    }
  });

  it.each(['usd', 'Usd', 'ABC', 'US', 'USDX', ' USD', '', 'constructor', '__proto__'])(
    'rejects %j',
    (code) => {
      expect(isCurrencyCode(code)).toBe(false);
      expect(() => currencyExponent(code)).toThrow(MoneyError);
    },
  );

  it('explains unknown and lower-case codes', () => {
    expect(moneyErrorOf(() => currencyExponent('ABC')).message).toBe(
      '"ABC" is not a supported ISO 4217 currency code. Use a supported code such as "USD" or "EUR".',
    );
    expect(moneyErrorOf(() => currencyExponent('usd')).message).toBe(
      '"usd" is not a supported ISO 4217 currency code. Codes are exactly three upper-case letters: use "USD".',
    );
  });

  it('names the error MoneyError', () => {
    expect(moneyErrorOf(() => currencyExponent('ABC')).name).toBe('MoneyError');
  });
});

describe('parseAmountMinorOrThrow', () => {
  it.each([
    ['12', 'USD', 1200n],
    ['12.3', 'USD', 1230n],
    ['12.30', 'USD', 1230n],
    ['0.5', 'USD', 50n],
    ['0.05', 'USD', 5n],
    ['0', 'USD', 0n],
    ['0.00', 'USD', 0n],
    ['007.5', 'USD', 750n],
    ['-0', 'USD', 0n],
    ['-0.00', 'USD', 0n],
    ['1234', 'JPY', 1234n],
    ['1.234', 'KWD', 1234n],
    ['1.2', 'KWD', 1200n],
    ['92233720368547758.07', 'USD', MAX_ABS_MINOR],
    ['9223372036854775807', 'JPY', MAX_ABS_MINOR],
    ['00000000000000000000000001.5', 'USD', 150n],
  ])('parses %j %s as %s', (text, currency, expected) => {
    expect(parseAmountMinorOrThrow(text, currency)).toBe(expected);
  });

  it.each([
    ['-0.50', 'USD', -50n],
    ['-12.34', 'USD', -1234n],
    ['-5', 'JPY', -5n],
    ['-92233720368547758.07', 'USD', -MAX_ABS_MINOR],
  ])('parses negative %j %s as %s when allowed', (text, currency, expected) => {
    expect(parseAmountMinorOrThrow(text, currency, { allowNegative: true })).toBe(expected);
  });

  it.each([
    ['12.345', 'USD', 'Amount "12.345" has 3 decimal places; USD allows at most 2.'],
    ['12.300', 'USD', 'Amount "12.300" has 3 decimal places; USD allows at most 2.'],
    ['1.2345', 'KWD', 'Amount "1.2345" has 4 decimal places; KWD allows at most 3.'],
    ['12.5', 'JPY', 'Amount "12.5" has 1 decimal place; JPY amounts must be whole numbers.'],
    ['', 'USD', 'Amount is empty; enter a decimal number such as "12.34".'],
    [' 12', 'USD', 'Amount " 12" contains whitespace; remove all spaces, e.g. "12.34".'],
    ['12 ', 'USD', 'Amount "12 " contains whitespace; remove all spaces, e.g. "12.34".'],
    ['1 000', 'USD', 'Amount "1 000" contains whitespace; remove all spaces, e.g. "12.34".'],
    [
      '1e3',
      'USD',
      'Amount "1e3" uses exponent notation; write all digits out, e.g. "1000" instead of "1e3".',
    ],
    [
      '1.5E-2',
      'USD',
      'Amount "1.5E-2" uses exponent notation; write all digits out, e.g. "1000" instead of "1e3".',
    ],
    [
      '1,000',
      'USD',
      'Amount "1,000" contains a separator; use "." as the decimal point and no thousands separators, e.g. "1234.5".',
    ],
    [
      '1,5',
      'EUR',
      'Amount "1,5" contains a separator; use "." as the decimal point and no thousands separators, e.g. "1234.5".',
    ],
    [
      '1_000',
      'USD',
      'Amount "1_000" contains a separator; use "." as the decimal point and no thousands separators, e.g. "1234.5".',
    ],
    ['+5', 'USD', 'Amount "+5" starts with "+"; leave the sign out for positive numbers.'],
    [
      '.5',
      'USD',
      'Amount ".5" has no digit before the decimal point; add a leading zero, e.g. "0.5".',
    ],
    [
      '12.',
      'USD',
      'Amount "12." ends with a decimal point; add the decimals or remove the point, e.g. "12" or "12.5".',
    ],
    ['NaN', 'USD', 'Amount "NaN" is not a finite number; enter a decimal number such as "12.34".'],
    [
      'Infinity',
      'USD',
      'Amount "Infinity" is not a finite number; enter a decimal number such as "12.34".',
    ],
    [
      '-Infinity',
      'USD',
      'Amount "-Infinity" is not a finite number; enter a decimal number such as "12.34".',
    ],
    [
      '-',
      'USD',
      'Amount "-" is not a plain decimal number; use digits, an optional leading "-" and "." as the decimal point, e.g. "12.34".',
    ],
    [
      '--5',
      'USD',
      'Amount "--5" is not a plain decimal number; use digits, an optional leading "-" and "." as the decimal point, e.g. "12.34".',
    ],
    [
      '1.2.3',
      'USD',
      'Amount "1.2.3" is not a plain decimal number; use digits, an optional leading "-" and "." as the decimal point, e.g. "12.34".',
    ],
    [
      '$12',
      'USD',
      'Amount "$12" is not a plain decimal number; use digits, an optional leading "-" and "." as the decimal point, e.g. "12.34".',
    ],
    [
      '٣',
      'USD',
      'Amount "٣" is not a plain decimal number; use digits, an optional leading "-" and "." as the decimal point, e.g. "12.34".',
    ],
    ['-0.50', 'USD', 'Amount "-0.50" is negative; enter an amount of 0 or more.'],
    [
      '92233720368547758.08',
      'USD',
      'Amount "92233720368547758.08" is too large; the largest supported amount is 92233720368547758.07 USD.',
    ],
    [
      '9223372036854775808',
      'JPY',
      'Amount "9223372036854775808" is too large; the largest supported amount is 9223372036854775807 JPY.',
    ],
    [
      '1'.repeat(500),
      'USD',
      `Amount "${'1'.repeat(500)}" is too large; the largest supported amount is 92233720368547758.07 USD.`,
    ],
    [
      '12.34',
      'usd',
      '"usd" is not a supported ISO 4217 currency code. Codes are exactly three upper-case letters: use "USD".',
    ],
  ])('rejects %j %s', (text, currency, message) => {
    expect(moneyErrorOf(() => parseAmountMinorOrThrow(text, currency)).message).toBe(message);
  });

  it('rejects amounts beyond 2^63-1 in both directions even when negatives are allowed', () => {
    expect(() =>
      parseAmountMinorOrThrow('-92233720368547758.08', 'USD', { allowNegative: true }),
    ).toThrow('is too large');
  });

  it('rejects negatives when allowNegative is explicitly false', () => {
    expect(() => parseAmountMinorOrThrow('-1', 'USD', { allowNegative: false })).toThrow(
      'is negative',
    );
  });
});

describe('formatMinor', () => {
  it.each([
    [1234n, 'USD', '12.34'],
    [-5n, 'USD', '-0.05'],
    [0n, 'USD', '0.00'],
    [100n, 'USD', '1.00'],
    [-123456n, 'EUR', '-1234.56'],
    [7n, 'GBP', '0.07'],
    [5n, 'JPY', '5'],
    [-5n, 'JPY', '-5'],
    [0n, 'JPY', '0'],
    [1234n, 'KWD', '1.234'],
    [1n, 'KWD', '0.001'],
    [-10n, 'KWD', '-0.010'],
    [MAX_ABS_MINOR, 'USD', '92233720368547758.07'],
    [-(2n ** 70n), 'USD', '-11805916207174113034.24'],
  ])('formats %s %s as %j', (amountMinor, currency, expected) => {
    expect(formatMinor(amountMinor, currency)).toBe(expected);
  });

  it('throws for an unknown currency', () => {
    expect(() => formatMinor(1n, 'XYZ')).toThrow(MoneyError);
  });
});

describe('formatMoney', () => {
  it.each([
    [1234n, 'USD', 'en-US', '$12.34'],
    [-5n, 'USD', 'en-US', '-$0.05'],
    [123450n, 'EUR', 'en-US', '€1,234.50'],
    [123450n, 'EUR', 'de-DE', '1.234,50\u00a0€'],
    [123450n, 'GBP', 'en-GB', '£1,234.50'],
    [5n, 'JPY', 'en-US', '¥5'],
    [1234n, 'KWD', 'en-US', 'KWD\u00a01.234'],
    // CLDR would round COP to whole pesos; the ISO exponent keeps the cents visible.
    [1234n, 'COP', 'en-US', 'COP\u00a012.34'],
    // Beyond 2^53 a float would lose the last digits.
    [MAX_ABS_MINOR, 'USD', 'en-US', '$92,233,720,368,547,758.07'],
  ])('formats %s %s in %s as %j', (amountMinor, currency, locale, expected) => {
    expect(formatMoney(amountMinor, currency, locale)).toBe(expected);
  });

  it('defaults to en-US', () => {
    expect(formatMoney(1234n, 'USD')).toBe('$12.34');
  });

  it('explains an invalid locale', () => {
    expect(moneyErrorOf(() => formatMoney(1n, 'USD', 'not a locale!')).message).toBe(
      'Locale "not a locale!" is not a valid BCP 47 language tag; use a tag such as "en-US" or "de-DE".',
    );
  });

  it('throws for an unknown currency', () => {
    expect(() => formatMoney(1n, 'ABC')).toThrow(MoneyError);
  });
});

describe('parsePercentOrThrow', () => {
  it.each([
    ['10', '10'],
    ['010', '10'],
    ['12.50', '12.5'],
    ['12.5', '12.5'],
    ['0', '0'],
    ['0.0', '0'],
    ['-0', '0'],
    ['000.125000', '0.125'],
    ['7.333333', '7.333333'],
    ['100', '100'],
    ['100.000000', '100'],
    ['0.000001', '0.000001'],
  ])('normalizes %j to %j', (text, expected) => {
    expect(parsePercentOrThrow(text)).toBe(expected);
  });

  it.each([
    ['100.000001', 'Percent "100.000001" is more than 100; enter a percent from 0 to 100.'],
    ['150', 'Percent "150" is more than 100; enter a percent from 0 to 100.'],
    ['-5', 'Percent "-5" is negative; enter a percent of 0 or more.'],
    ['7.3333333', 'Percent "7.3333333" has 7 decimal places; at most 6 are allowed.'],
    ['', 'Percent is empty; enter a decimal number such as "12.5".'],
    [
      '12.5%',
      'Percent "12.5%" is not a plain decimal number; use digits, an optional leading "-" and "." as the decimal point, e.g. "12.5".',
    ],
    [
      '1e1',
      'Percent "1e1" uses exponent notation; write all digits out, e.g. "1000" instead of "1e3".',
    ],
    ['.5', 'Percent ".5" has no digit before the decimal point; add a leading zero, e.g. "0.5".'],
    [' 5', 'Percent " 5" contains whitespace; remove all spaces, e.g. "12.5".'],
  ])('rejects %j', (text, message) => {
    expect(moneyErrorOf(() => parsePercentOrThrow(text)).message).toBe(message);
  });
});

describe('percentOfMinor', () => {
  it.each([
    // Exact results.
    [1000n, '10', 100n],
    [1000n, '12.5', 125n],
    [8000n, '0.125', 10n],
    [-1000n, '10', -100n],
    [0n, '33.333333', 0n],
    [12345n, '100', 12345n],
    [12345n, '0', 0n],
    // Ties round half away from zero, in both directions.
    [10n, '5', 1n],
    [-10n, '5', -1n],
    [4n, '12.5', 1n],
    [-4n, '12.5', -1n],
    [20n, '2.5', 1n],
    [-20n, '2.5', -1n],
    [30n, '5', 2n],
    [-30n, '5', -2n],
    // Just below and above a tie.
    [9n, '5', 0n],
    [11n, '5', 1n],
    [-9n, '5', 0n],
    [-11n, '5', -1n],
    // Repeating fractions: 33.333333% of 300 = 99.999999, of 100 = 33.333333.
    [300n, '33.333333', 100n],
    [100n, '33.333333', 33n],
    [-100n, '33.333333', -33n],
    [150n, '33.333333', 50n],
    [999n, '7.333333', 73n],
    // Percents above 100 are allowed here (bonus terms); input validation caps them.
    [100n, '150', 150n],
    // No overflow for huge amounts.
    [MAX_ABS_MINOR, '50', 4611686018427387904n],
  ])('%s at %s percent is %s', (amountMinor, percent, expected) => {
    expect(percentOfMinor(amountMinor, percent)).toBe(expected);
  });

  it.each([
    ['-5', 'Percent "-5" is negative; enter a percent of 0 or more.'],
    ['7.3333333', 'Percent "7.3333333" has 7 decimal places; at most 6 are allowed.'],
    [
      'abc',
      'Percent "abc" is not a plain decimal number; use digits, an optional leading "-" and "." as the decimal point, e.g. "12.5".',
    ],
    ['NaN', 'Percent "NaN" is not a finite number; enter a decimal number such as "12.5".'],
  ])('rejects percent %j', (percent, message) => {
    expect(moneyErrorOf(() => percentOfMinor(100n, percent)).message).toBe(message);
  });
});

describe('percentageSumMinor', () => {
  it('rounds once over the sum, not per part', () => {
    // Each part is 0.4 minor units; rounding per part would pay 0.
    const parts = [
      { amountMinor: 4n, percent: '10' },
      { amountMinor: 4n, percent: '10' },
    ];
    expect(percentageSumMinor(parts)).toBe(1n);
    expect(parts.map((part) => percentOfMinor(part.amountMinor, part.percent))).toEqual([0n, 0n]);
  });

  it('lets per-part ties that would each round up sum to the exact value', () => {
    // Each part is exactly 0.5; per-part rounding would give 2, the exact sum is 1.
    expect(
      percentageSumMinor([
        { amountMinor: 10n, percent: '5' },
        { amountMinor: 10n, percent: '5' },
      ]),
    ).toBe(1n);
  });

  it('nets positive and negative amounts before rounding', () => {
    // 0.6 - 0.2 = 0.4 rounds to 0; per-part rounding would give 1 + 0 = 1.
    expect(
      percentageSumMinor([
        { amountMinor: 6n, percent: '10' },
        { amountMinor: -2n, percent: '10' },
      ]),
    ).toBe(0n);
    // -0.3 - 0.2 = -0.5, a tie, rounds away from zero.
    expect(
      percentageSumMinor([
        { amountMinor: -3n, percent: '10' },
        { amountMinor: -2n, percent: '10' },
      ]),
    ).toBe(-1n);
  });

  it('mixes percents with different numbers of decimals', () => {
    // 1000 × 12.5% + 1000 × 0.125% + 1000 × 7.333333% = 125 + 1.25 + 73.33333 = 199.58333.
    expect(
      percentageSumMinor([
        { amountMinor: 1000n, percent: '12.5' },
        { amountMinor: 1000n, percent: '0.125' },
        { amountMinor: 1000n, percent: '7.333333' },
      ]),
    ).toBe(200n);
  });

  it('is 0 for no parts', () => {
    expect(percentageSumMinor([])).toBe(0n);
  });

  it('throws if any percent is malformed', () => {
    expect(() =>
      percentageSumMinor([
        { amountMinor: 100n, percent: '10' },
        { amountMinor: 100n, percent: '10%' },
      ]),
    ).toThrow(MoneyError);
  });
});

/** Amounts within the range parseAmountMinorOrThrow accepts. */
const amountMinorArb = fc.bigInt({ min: -MAX_ABS_MINOR, max: MAX_ABS_MINOR });

/**
 * Percent strings with 0 to 6 decimals, written with a random number of trailing
 * zeros so that "12.5" and "12.500" are both exercised. Returned with the exact
 * millionths value so properties can compare against independent arithmetic.
 */
const percentArb = fc
  .record({
    millionths: fc.bigInt({ min: 0n, max: 1000n * 10n ** 6n }),
    extraZeros: fc.integer({ min: 0, max: 6 }),
  })
  .map(({ millionths, extraZeros }) => {
    const integerPart = (millionths / 10n ** 6n).toString();
    const fraction = (millionths % 10n ** 6n).toString().padStart(6, '0').replace(/0+$/, '');
    const padded = (fraction + '0'.repeat(extraZeros)).slice(0, 6);
    const percent = padded === '' ? integerPart : `${integerPart}.${padded}`;
    return { percent, millionths };
  });

describe('properties', () => {
  it('parse(format(x)) === x for every currency', () => {
    fc.assert(
      fc.property(amountMinorArb, fc.constantFrom(...CURRENCY_CODES), (amountMinor, currency) => {
        const text = formatMinor(amountMinor, currency);
        expect(parseAmountMinorOrThrow(text, currency, { allowNegative: true })).toBe(amountMinor);
      }),
      { numRuns: 2000 },
    );
  });

  it('format(parse(s)) === s for canonical strings', () => {
    fc.assert(
      fc.property(amountMinorArb, fc.constantFrom('USD', 'JPY', 'KWD'), (amountMinor, currency) => {
        const text = formatMinor(amountMinor, currency);
        const reparsed = parseAmountMinorOrThrow(text, currency, { allowNegative: true });
        expect(formatMinor(reparsed, currency)).toBe(text);
      }),
    );
  });

  it('formatMinor always has exactly the currency exponent in decimals', () => {
    fc.assert(
      fc.property(amountMinorArb, fc.constantFrom(...CURRENCY_CODES), (amountMinor, currency) => {
        const exponent = currencyExponent(currency);
        const text = formatMinor(amountMinor, currency);
        const fraction = text.split('.')[1];
        expect(fraction?.length ?? 0).toBe(exponent);
      }),
    );
  });

  it('percentOfMinor is within half a minor unit of the exact value, ties away from zero', () => {
    fc.assert(
      fc.property(amountMinorArb, percentArb, (amountMinor, { percent, millionths }) => {
        const result = percentOfMinor(amountMinor, percent);
        // exact = amountMinor × millionths / 10^8; compare scaled by 10^8 to stay exact.
        const denominator = 10n ** 8n;
        const exactScaled = amountMinor * millionths;
        const twiceErrorScaled = 2n * abs(result * denominator - exactScaled);
        expect(twiceErrorScaled <= denominator).toBe(true);
        if (twiceErrorScaled === denominator) {
          // A tie: of the two nearest integers, the result must be the one further from zero.
          expect(abs(result) * denominator > abs(exactScaled)).toBe(true);
        }
      }),
      { numRuns: 2000 },
    );
  });

  it('percentOfMinor rounds exact halves away from zero', () => {
    // 50% of an odd amount is always exactly k + 0.5, so every run is a tie.
    const oddAmount = amountMinorArb.map((value) => (value % 2n === 0n ? value + 1n : value));
    fc.assert(
      fc.property(oddAmount, (amountMinor) => {
        const awayFromZero = amountMinor < 0n ? (amountMinor - 1n) / 2n : (amountMinor + 1n) / 2n;
        expect(percentOfMinor(amountMinor, '50')).toBe(awayFromZero);
      }),
    );
  });

  it('percentOfMinor is symmetric under negation', () => {
    fc.assert(
      fc.property(amountMinorArb, percentArb, (amountMinor, { percent }) => {
        expect(percentOfMinor(-amountMinor, percent)).toBe(-percentOfMinor(amountMinor, percent));
      }),
    );
  });

  it('percentOfMinor(a, "100") === a', () => {
    fc.assert(
      fc.property(amountMinorArb, (amountMinor) => {
        expect(percentOfMinor(amountMinor, '100')).toBe(amountMinor);
        expect(percentOfMinor(amountMinor, '100.000000')).toBe(amountMinor);
      }),
    );
  });

  it('percentOfMinor(0n, p) === 0n', () => {
    fc.assert(
      fc.property(percentArb, ({ percent }) => {
        expect(percentOfMinor(0n, percent)).toBe(0n);
      }),
    );
  });

  it('percentOfMinor is monotonic in the amount for non-negative amounts', () => {
    const nonNegative = fc.bigInt({ min: 0n, max: MAX_ABS_MINOR });
    fc.assert(
      fc.property(nonNegative, nonNegative, percentArb, (a, b, { percent }) => {
        const [low, high] = a <= b ? [a, b] : [b, a];
        expect(percentOfMinor(low, percent) <= percentOfMinor(high, percent)).toBe(true);
      }),
      { numRuns: 1000 },
    );
  });

  it('percentOfMinor is monotonic in adjacent amounts (where ties matter most)', () => {
    fc.assert(
      fc.property(fc.bigInt({ min: 0n, max: 10n ** 9n }), percentArb, (a, { percent }) => {
        expect(percentOfMinor(a, percent) <= percentOfMinor(a + 1n, percent)).toBe(true);
      }),
      { numRuns: 1000 },
    );
  });

  it('percentageSumMinor is within half a minor unit of the exact sum', () => {
    const partArb = fc.tuple(amountMinorArb, percentArb);
    fc.assert(
      fc.property(fc.array(partArb, { maxLength: 20 }), (parts) => {
        const result = percentageSumMinor(
          parts.map(([amountMinor, { percent }]) => ({ amountMinor, percent })),
        );
        const denominator = 10n ** 8n;
        const exactScaled = parts.reduce(
          (sum, [amountMinor, { millionths }]) => sum + amountMinor * millionths,
          0n,
        );
        expect(2n * abs(result * denominator - exactScaled) <= denominator).toBe(true);
      }),
    );
  });

  it('parsePercentOrThrow is idempotent and preserves the value', () => {
    fc.assert(
      fc.property(
        percentArb.filter(({ millionths }) => millionths <= 100n * 10n ** 6n),
        ({ percent, millionths }) => {
          const normalized = parsePercentOrThrow(percent);
          expect(parsePercentOrThrow(normalized)).toBe(normalized);
          // 10^8 minor units at p% is exactly p in millionths, so this reads the value back.
          expect(percentOfMinor(10n ** 8n, normalized)).toBe(millionths);
        },
      ),
    );
  });
});
