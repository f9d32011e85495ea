import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { MoneyError } from '../../../money/index.js';
import { termsFromInputOrThrow, termsInputSchema, termsOutputSchema, termsToOutput } from './schema.js';
import { TermsError } from './types.js';
import type { TermsDefinition } from './types.js';

/** A valid input that each test case modifies in one place. */
function validInput(): Record<string, unknown> & { payouts: Array<Record<string, unknown>> } {
  return {
    payouts: [
      {
        eventTypeId: 7,
        payout: { kind: 'PERCENT', percent: '12.50' },
        groups: [
          { name: 'Shoes', match: { categories: ['shoes'] }, payout: { kind: 'PERCENT', percent: '20' } },
          { name: 'Gift cards', match: { skus: [' GC-1 ', 'GC-2'] }, payout: { kind: 'FIXED', amount: '1.50' } },
        ],
      },
      { eventTypeId: 8, payout: { kind: 'FIXED', amount: '5.00' } },
    ],
    locking: { form: 'MONTHS', months: 0, days: 27 },
    payment: { months: 0, days: 19 },
  };
}

function withChange(change: (input: ReturnType<typeof validInput>) => void): unknown {
  const input = validInput();
  change(input);
  return input;
}

function firstPayout(input: ReturnType<typeof validInput>): Record<string, unknown> {
  const payout = input.payouts[0];
  if (payout === undefined) throw new Error('fixture has no payouts');
  return payout;
}

describe('termsInputSchema', () => {
  it('accepts the valid fixture', () => {
    expect(termsInputSchema.safeParse(validInput()).success).toBe(true);
  });

  it.each<[string, unknown]>([
    ['days form with 0 days', withChange((i) => (i.locking = { form: 'DAYS', days: 0 }))],
    ['days form with 27 days', withChange((i) => (i.locking = { form: 'DAYS', days: 27 }))],
    ['months form at its maximum', withChange((i) => (i.locking = { form: 'MONTHS', months: 12, days: 30 }))],
    ['payment at its maximum', withChange((i) => (i.payment = { months: 12, days: 30 }))],
    ['payment at 0 months 0 days', withChange((i) => (i.payment = { months: 0, days: 0 }))],
    ['a group with both lists', withChange((i) => (firstPayout(i).groups = [{ name: 'G', match: { categories: ['a'], skus: ['b'] }, payout: { kind: 'PERCENT', percent: '1' } }]))],
    ['a group with one empty list and one non-empty', withChange((i) => (firstPayout(i).groups = [{ name: 'G', match: { categories: [], skus: ['b'] }, payout: { kind: 'PERCENT', percent: '1' } }]))],
    ['no groups key', withChange((i) => delete firstPayout(i).groups)],
  ])('accepts %s', (_name, input) => {
    const result = termsInputSchema.safeParse(input);
    expect(result.error?.issues).toBeUndefined();
  });

  it.each<[string, unknown, string, string]>([
    ['days form above 27', withChange((i) => (i.locking = { form: 'DAYS', days: 28 })), 'locking.days', 'Locking days must be at most 27.'],
    ['negative days', withChange((i) => (i.locking = { form: 'DAYS', days: -1 })), 'locking.days', 'Locking days must be 0 or more.'],
    ['fractional days', withChange((i) => (i.locking = { form: 'DAYS', days: 1.5 })), 'locking.days', 'Locking days must be a whole number from 0 to 27.'],
    ['days as a string', withChange((i) => (i.locking = { form: 'DAYS', days: '3' })), 'locking.days', 'Locking days must be a whole number from 0 to 27.'],
    ['months form days above 30', withChange((i) => (i.locking = { form: 'MONTHS', months: 0, days: 31 })), 'locking.days', 'Locking days must be at most 30.'],
    ['months form months above 12', withChange((i) => (i.locking = { form: 'MONTHS', months: 13, days: 0 })), 'locking.months', 'Locking months must be at most 12.'],
    ['unknown locking form', withChange((i) => (i.locking = { form: 'WEEKS', days: 1 })), 'locking.form', 'Locking form must be "DAYS" or "MONTHS".'],
    ['months on the days form', withChange((i) => (i.locking = { form: 'DAYS', days: 1, months: 1 })), 'locking', 'Unrecognized key: "months"'],
    ['payment days above 30', withChange((i) => (i.payment = { months: 0, days: 31 })), 'payment.days', 'Payment days must be at most 30.'],
    ['payment months above 12', withChange((i) => (i.payment = { months: 13, days: 0 })), 'payment.months', 'Payment months must be at most 12.'],
    ['missing payment', withChange((i) => delete i.payment), 'payment', ''],
    ['an unknown top-level key', withChange((i) => (i.extra = true)), '', 'Unrecognized key: "extra"'],
    ['no payouts', withChange((i) => (i.payouts = [])), 'payouts', 'Terms must pay for at least one event type.'],
    ['eventTypeId 0', withChange((i) => (firstPayout(i).eventTypeId = 0)), 'payouts.0.eventTypeId', 'EventTypeId must be a positive id.'],
    ['fractional eventTypeId', withChange((i) => (firstPayout(i).eventTypeId = 1.5)), 'payouts.0.eventTypeId', 'EventTypeId must be a whole number.'],
    ['duplicate eventTypeId', withChange((i) => (firstPayout(i).eventTypeId = 8)), 'payouts.1.eventTypeId', 'Event type 8 appears more than once; give each event type one entry.'],
    ['unknown payout kind', withChange((i) => (firstPayout(i).payout = { kind: 'BONUS', amount: '1' })), 'payouts.0.payout.kind', 'Payout kind must be "PERCENT" or "FIXED".'],
    ['numeric amount', withChange((i) => (firstPayout(i).payout = { kind: 'FIXED', amount: 5 })), 'payouts.0.payout.amount', 'Amount must be a decimal string in the program currency, such as "5.00".'],
    ['numeric percent', withChange((i) => (firstPayout(i).payout = { kind: 'PERCENT', percent: 5 })), 'payouts.0.payout.percent', 'Percent must be a decimal string such as "12.5".'],
    ['amountMinor instead of amount', withChange((i) => (firstPayout(i).payout = { kind: 'FIXED', amount: '1', amountMinor: '100' })), 'payouts.0.payout', 'Unrecognized key: "amountMinor"'],
    ['a group matching nothing', withChange((i) => (firstPayout(i).groups = [{ name: 'G', match: {}, payout: { kind: 'PERCENT', percent: '1' } }])), 'payouts.0.groups.0.match', 'A group must match at least one category or SKU.'],
    ['a group with only empty lists', withChange((i) => (firstPayout(i).groups = [{ name: 'G', match: { categories: [], skus: [] }, payout: { kind: 'PERCENT', percent: '1' } }])), 'payouts.0.groups.0.match', 'A group must match at least one category or SKU.'],
    ['a blank match value', withChange((i) => (firstPayout(i).groups = [{ name: 'G', match: { skus: ['  '] }, payout: { kind: 'PERCENT', percent: '1' } }])), 'payouts.0.groups.0.match.skus.0', 'Match values must not be empty.'],
    ['a blank group name', withChange((i) => (firstPayout(i).groups = [{ name: ' ', match: { skus: ['A'] }, payout: { kind: 'PERCENT', percent: '1' } }])), 'payouts.0.groups.0.name', 'Group name must not be empty.'],
    ['an unknown match key', withChange((i) => (firstPayout(i).groups = [{ name: 'G', match: { brands: ['x'] }, payout: { kind: 'PERCENT', percent: '1' } }])), 'payouts.0.groups.0.match', 'Unrecognized key: "brands"'],
  ])('rejects %s', (_name, input, path, message) => {
    const result = termsInputSchema.safeParse(input);
    expect(result.success).toBe(false);
    const paths = result.error?.issues.map((issue) => issue.path.join('.'));
    expect(paths).toContain(path);
    if (message !== '') {
      const issue = result.error?.issues.find((candidate) => candidate.path.join('.') === path);
      expect(issue?.message).toBe(message);
    }
  });
});

describe('termsFromInputOrThrow', () => {
  it('converts amounts to minor units, canonicalises percents, trims match values and defaults groups', () => {
    const input = termsInputSchema.parse(validInput());
    expect(termsFromInputOrThrow(input, 'USD')).toEqual({
      payouts: [
        {
          eventTypeId: 7,
          payout: { kind: 'PERCENT', percent: '12.5' },
          groups: [
            { name: 'Shoes', match: { categories: ['shoes'] }, payout: { kind: 'PERCENT', percent: '20' } },
            { name: 'Gift cards', match: { skus: ['GC-1', 'GC-2'] }, payout: { kind: 'FIXED', amountMinor: 150n } },
          ],
        },
        { eventTypeId: 8, payout: { kind: 'FIXED', amountMinor: 500n }, groups: [] },
      ],
      locking: { form: 'MONTHS', months: 0, days: 27 },
      payment: { months: 0, days: 19 },
    } satisfies TermsDefinition);
  });

  it.each<[string, string, bigint]>([
    ['USD', '5.00', 500n],
    ['USD', '5', 500n],
    ['USD', '0', 0n],
    ['JPY', '500', 500n],
    ['KWD', '1.234', 1234n],
  ])('FIXED amount in %s: %s → %s', (currency, amount, expected) => {
    // The fixture's groups have USD amounts, so they are left out here.
    const input = termsInputSchema.parse(withChange((i) => (i.payouts = [{ eventTypeId: 1, payout: { kind: 'FIXED', amount } }])));
    expect(termsFromInputOrThrow(input, currency).payouts[0]?.payout).toEqual({ kind: 'FIXED', amountMinor: expected });
  });

  it.each<[string, (i: ReturnType<typeof validInput>) => void, string, string]>([
    [
      'too many decimals in a group amount',
      (i) => (firstPayout(i).groups = [
        { name: 'A', match: { skus: ['A'] }, payout: { kind: 'PERCENT', percent: '1' } },
        { name: 'B', match: { skus: ['B'] }, payout: { kind: 'FIXED', amount: '5.123' } },
      ]),
      'USD',
      'Payouts[0].Groups[1].Payout.Amount: Amount "5.123" has 3 decimal places; USD allows at most 2.',
    ],
    ['decimals in a zero-decimal currency', (i) => (firstPayout(i).payout = { kind: 'FIXED', amount: '5.5' }), 'JPY', 'Payouts[0].Payout.Amount: Amount "5.5" has 1 decimal place; JPY amounts must be whole numbers.'],
    ['a negative amount', (i) => (firstPayout(i).payout = { kind: 'FIXED', amount: '-1.00' }), 'USD', 'Payouts[0].Payout.Amount: Amount "-1.00" is negative; enter an amount of 0 or more.'],
    ['a malformed amount', (i) => (firstPayout(i).payout = { kind: 'FIXED', amount: '1,000' }), 'USD', 'Payouts[0].Payout.Amount: Amount "1,000" contains a separator'],
    ['a percent above 100', (i) => (firstPayout(i).payout = { kind: 'PERCENT', percent: '100.5' }), 'USD', 'Payouts[0].Payout.Percent: Percent "100.5" is more than 100; enter a percent from 0 to 100.'],
    ['a negative percent', (i) => (firstPayout(i).payout = { kind: 'PERCENT', percent: '-1' }), 'USD', 'Payouts[0].Payout.Percent: Percent "-1" is negative'],
    ['an empty percent in the second event type', (i) => (i.payouts[1] = { eventTypeId: 9, payout: { kind: 'PERCENT', percent: '' } }), 'USD', 'Payouts[1].Payout.Percent: Percent is empty'],
  ])('reports %s with the field path', (_name, change, currency, message) => {
    const input = termsInputSchema.parse(withChange(change));
    expect(() => termsFromInputOrThrow(input, currency)).toThrow(TermsError);
    expect(() => termsFromInputOrThrow(input, currency)).toThrow(message);
  });

  it('rejects duplicate event types even when the input was not parsed first', () => {
    const input = termsInputSchema.parse(validInput());
    const duplicated = { ...input, payouts: [...input.payouts, { eventTypeId: 7, payout: { kind: 'PERCENT' as const, percent: '1' } }] };
    expect(() => termsFromInputOrThrow(duplicated, 'USD')).toThrow(
      new TermsError('Payouts[2].EventTypeId: Event type 7 appears more than once; give each event type one entry.'),
    );
  });

  it('rejects out-of-range bounds in hand-built input', () => {
    const input = termsInputSchema.parse(validInput());
    expect(() => termsFromInputOrThrow({ ...input, locking: { form: 'DAYS', days: 28 } }, 'USD')).toThrow(
      'Locking.Days: Locking days must be at most 27.',
    );
  });

  it('leaves an unknown currency as a MoneyError, since it is not a problem with the terms', () => {
    const input = termsInputSchema.parse(validInput());
    expect(() => termsFromInputOrThrow(input, 'usd')).toThrow(MoneyError);
  });
});

describe('termsToOutput', () => {
  const terms: TermsDefinition = {
    payouts: [
      {
        eventTypeId: 3,
        payout: { kind: 'FIXED', amountMinor: 5n },
        groups: [{ name: 'G', match: { categories: ['c'] }, payout: { kind: 'PERCENT', percent: '7.25' } }],
      },
    ],
    locking: { form: 'DAYS', days: 14 },
    payment: { months: 1, days: 0 },
  };

  it.each([
    ['USD', '0.05'],
    ['JPY', '5'],
    ['KWD', '0.005'],
  ])('formats FIXED amounts in %s as %s and matches the output schema', (currency, amount) => {
    const output = termsToOutput(terms, currency);
    expect(output.payouts[0]?.payout).toEqual({ kind: 'FIXED', amount });
    expect(termsOutputSchema.parse(output)).toEqual(output);
    expect(JSON.parse(JSON.stringify(output))).toEqual(output);
  });

  it('round-trips through the input form', () => {
    const textArb = fc.stringMatching(/^[A-Za-z0-9-]{1,8}$/);
    const ruleArb = fc.oneof(
      fc.integer({ min: 0, max: 100_000 }).map((thousandths) => ({ kind: 'PERCENT' as const, percent: String(thousandths / 1000) })),
      fc.bigInt({ min: 0n, max: 10n ** 15n }).map((amountMinor) => ({ kind: 'FIXED' as const, amountMinor })),
    );
    const termsArb: fc.Arbitrary<TermsDefinition> = fc.record({
      payouts: fc.uniqueArray(
        fc.record({
          eventTypeId: fc.integer({ min: 1, max: 1000 }),
          payout: ruleArb,
          groups: fc.array(
            fc.record({ name: textArb, match: fc.record({ categories: fc.array(textArb, { minLength: 1, maxLength: 3 }) }), payout: ruleArb }),
            { maxLength: 3 },
          ),
        }),
        { minLength: 1, maxLength: 4, selector: (p) => p.eventTypeId },
      ),
      locking: fc.oneof(
        fc.record({ form: fc.constant('DAYS' as const), days: fc.integer({ min: 0, max: 27 }) }),
        fc.record({ form: fc.constant('MONTHS' as const), months: fc.integer({ min: 0, max: 12 }), days: fc.integer({ min: 0, max: 30 }) }),
      ),
      payment: fc.record({ months: fc.integer({ min: 0, max: 12 }), days: fc.integer({ min: 0, max: 30 }) }),
    });
    fc.assert(
      fc.property(termsArb, fc.constantFrom('USD', 'JPY', 'KWD'), (original, currency) => {
        const output = termsToOutput(original, currency);
        expect(termsFromInputOrThrow(termsInputSchema.parse(output), currency)).toEqual(original);
      }),
    );
  });
});
