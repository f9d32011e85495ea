import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { percentOfMinor } from '../../../money/index.js';
import { computePayoutMinor } from './payout.js';
import type { ConversionForPayout } from './payout.js';
import type { EventTypePayout, PayoutGroup, PayoutRule } from './types.js';

const pct = (percent: string): PayoutRule => ({ kind: 'PERCENT', percent });
const fixed = (amountMinor: bigint): PayoutRule => ({ kind: 'FIXED', amountMinor });
const terms = (payout: PayoutRule, groups: PayoutGroup[] = []): EventTypePayout => ({ eventTypeId: 1, payout, groups });
const group = (name: string, match: PayoutGroup['match'], payout: PayoutRule): PayoutGroup => ({ name, match, payout });

type Item = NonNullable<ConversionForPayout['items']>[number];
const item = (amountMinor: bigint, fields: Partial<Omit<Item, 'amountMinor'>> = {}): Item => ({
  quantity: 1,
  ...fields,
  amountMinor,
});

const shoes20 = group('Shoes', { categories: ['shoes'] }, pct('20'));
const sku1Five = group('SKU1', { skus: ['SKU1'] }, pct('5'));

describe('computePayoutMinor', () => {
  it.each<[string, EventTypePayout, ConversionForPayout, bigint]>([
    // Without items the action amount is the base.
    ['percent of the action amount', terms(pct('12.5')), { amountMinor: 1000n }, 125n],
    ['half-cent tie rounds away from zero', terms(pct('10')), { amountMinor: 12345n }, 1235n],
    ['just under half rounds down', terms(pct('10')), { amountMinor: 12344n }, 1234n],
    ['negative half-cent tie rounds away from zero', terms(pct('10')), { amountMinor: -15n }, -2n],
    ['fixed ignores the amount', terms(fixed(500n)), { amountMinor: 123456n }, 500n],
    ['fixed with a zero amount (e.g. a click)', terms(fixed(7n)), { amountMinor: 0n }, 7n],
    ['empty items list is the same as no items', terms(pct('10')), { amountMinor: 1000n, items: [] }, 100n],
    ['groups do not apply without items', terms(pct('10'), [shoes20]), { amountMinor: 1000n }, 100n],

    // With items, the items determine the payout.
    ['action amount is ignored when there are items', terms(pct('10')), { amountMinor: 999_999n, items: [item(1000n)] }, 100n],
    ['percent parts are rounded once, not per item (0.5 + 0.5 = 1)', terms(pct('10')), { amountMinor: 0n, items: [item(5n), item(5n)] }, 1n],
    ['three ties of 1.5 sum to 4.5 → 5, not 6', terms(pct('10')), { amountMinor: 0n, items: [item(15n), item(15n), item(15n)] }, 5n],
    [
      'default and group percents are summed before rounding (1.5 + 0.5 = 2)',
      terms(pct('10'), [group('G', { categories: ['g'] }, pct('5'))]),
      { amountMinor: 0n, items: [item(15n), item(10n, { category: 'g' })] },
      2n,
    ],
    ['line subtotal already includes the quantity', terms(pct('10')), { amountMinor: 0n, items: [item(3000n, { quantity: 3 })] }, 300n],

    // Matching.
    [
      'first matching group wins (category group listed first)',
      terms(pct('1'), [shoes20, sku1Five]),
      { amountMinor: 0n, items: [item(1000n, { sku: 'SKU1', category: 'shoes' })] },
      200n,
    ],
    [
      'first matching group wins (sku group listed first)',
      terms(pct('1'), [sku1Five, shoes20]),
      { amountMinor: 0n, items: [item(1000n, { sku: 'SKU1', category: 'shoes' })] },
      50n,
    ],
    [
      'a category equal to a listed SKU does not match the SKU group',
      terms(pct('1'), [sku1Five]),
      { amountMinor: 0n, items: [item(1000n, { category: 'SKU1' })] },
      10n,
    ],
    [
      'a SKU equal to a listed category does not match the category group',
      terms(pct('1'), [shoes20]),
      { amountMinor: 0n, items: [item(1000n, { sku: 'shoes' })] },
      10n,
    ],
    [
      'matching trims both sides',
      terms(pct('1'), [group('Shoes', { categories: [' shoes'] }, pct('20'))]),
      { amountMinor: 0n, items: [item(1000n, { category: 'shoes  ' })] },
      200n,
    ],
    [
      'matching is case-sensitive',
      terms(pct('1'), [shoes20]),
      { amountMinor: 0n, items: [item(1000n, { category: 'Shoes' })] },
      10n,
    ],
    [
      'a group can match on either list',
      terms(pct('1'), [group('Mixed', { categories: ['hats'], skus: ['S-9'] }, pct('30'))]),
      { amountMinor: 0n, items: [item(1000n, { category: 'hats' }), item(100n, { sku: 'S-9' })] },
      330n,
    ],
    [
      'items without sku or category fall to the default',
      terms(pct('2'), [shoes20]),
      { amountMinor: 0n, items: [item(1000n)] },
      20n,
    ],

    // Quantity 0 means the item was rejected.
    ['a rejected item contributes nothing', terms(pct('10')), { amountMinor: 0n, items: [item(1000n), item(5000n, { quantity: 0 })] }, 100n],
    ['only rejected items pay nothing, even with a fixed default', terms(fixed(300n)), { amountMinor: 5000n, items: [item(5000n, { quantity: 0 })] }, 0n],
    [
      'a rejected item in a fixed group pays nothing',
      terms(pct('0'), [group('Per unit', { skus: ['S'] }, fixed(100n))]),
      { amountMinor: 0n, items: [item(500n, { sku: 'S', quantity: 0 })] },
      0n,
    ],

    // Fixed payouts.
    [
      'a fixed group pays per unit',
      terms(pct('0'), [group('Per unit', { skus: ['S'] }, fixed(100n))]),
      { amountMinor: 0n, items: [item(3000n, { sku: 'S', quantity: 3 })] },
      300n,
    ],
    ['a fixed default is paid once per action, not per item', terms(fixed(300n)), { amountMinor: 0n, items: [item(1n, { quantity: 4 }), item(2n), item(3n)] }, 300n],
    [
      'a fixed default is not paid when every item matched a group',
      terms(fixed(300n), [shoes20]),
      { amountMinor: 0n, items: [item(1000n, { category: 'shoes' }), item(505n, { category: 'shoes' })] },
      301n,
    ],
    [
      'a fixed default is paid when some items fall to it',
      terms(fixed(300n), [shoes20]),
      { amountMinor: 0n, items: [item(1000n, { category: 'shoes' }), item(500n, { category: 'socks' })] },
      500n,
    ],
    [
      'mixed fixed and percent',
      terms(fixed(300n), [group('Per unit', { skus: ['S'] }, fixed(100n)), group('Ten percent', { categories: ['c'] }, pct('10'))]),
      {
        amountMinor: 1n,
        items: [
          item(3000n, { sku: 'S', quantity: 3 }), // 3 × 100 = 300
          item(2005n, { category: 'c' }), // 200.5, rounded with the other percent parts
          item(999n, { category: 'other', quantity: 2 }), // falls to the default: 300 once
          item(1n, { category: 'other too' }), // also the default, but it is paid only once
        ],
      },
      801n,
    ],
  ])('%s', (_name, rule, conversion, expected) => {
    expect(computePayoutMinor(rule, conversion)).toBe(expected);
  });

  it.each([-1, 1.5, Number.NaN, Number.POSITIVE_INFINITY])('rejects quantity %s', (quantity) => {
    expect(() => computePayoutMinor(terms(pct('10')), { amountMinor: 0n, items: [item(100n, { quantity })] })).toThrow(RangeError);
  });
});

describe('computePayoutMinor properties', () => {
  // Percents from 0 to 100 with up to 6 decimals, as stored after parsePercentOrThrow.
  const percentArb = fc.integer({ min: 0, max: 100_000_000 }).map((millionths) => {
    const integer = Math.floor(millionths / 1_000_000);
    const fraction = String(millionths % 1_000_000).padStart(6, '0').replace(/0+$/, '');
    return fraction === '' ? String(integer) : `${integer}.${fraction}`;
  });
  const itemArb = fc.record({
    amountMinor: fc.bigInt({ min: -1_000_000n, max: 10_000_000_000n }),
    quantity: fc.integer({ min: 0, max: 5 }),
    category: fc.option(fc.constantFrom('shoes', 'hats', ' shoes '), { nil: undefined }),
    sku: fc.option(fc.constantFrom('A', 'B'), { nil: undefined }),
  });
  const itemsArb = fc.array(itemArb, { minLength: 1, maxLength: 12 });

  it('with no groups, the payout is the percent of the sum of accepted item amounts', () => {
    fc.assert(
      fc.property(percentArb, itemsArb, fc.bigInt({ min: 0n, max: 10n ** 12n }), (percent, items, amountMinor) => {
        const accepted = items.filter((i) => i.quantity > 0).reduce((sum, i) => sum + i.amountMinor, 0n);
        expect(computePayoutMinor(terms(pct(percent)), { amountMinor, items })).toBe(percentOfMinor(accepted, percent));
      }),
    );
  });

  it('item order does not change the payout', () => {
    const groups = [group('Shoes', { categories: ['shoes'] }, pct('7.5')), group('A', { skus: ['A'] }, fixed(25n))];
    const itemsAndShuffleArb = itemsArb.chain((items) =>
      fc.tuple(fc.constant(items), fc.shuffledSubarray(items, { minLength: items.length, maxLength: items.length })),
    );
    fc.assert(
      fc.property(
        fc.oneof(percentArb.map(pct), fc.bigInt({ min: 0n, max: 10_000n }).map(fixed)),
        itemsAndShuffleArb,
        (payout, [items, shuffled]) => {
          const rule = terms(payout, groups);
          expect(computePayoutMinor(rule, { amountMinor: 0n, items: shuffled })).toBe(
            computePayoutMinor(rule, { amountMinor: 0n, items }),
          );
        },
      ),
    );
  });
});
