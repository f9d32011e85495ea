/**
 * Payout for one action under one event type's terms.
 *
 * These rules are product decisions, written down here so that the code, the
 * docs and support all agree:
 *
 * 1. Without items (no `items`, or an empty list), the action amount is the
 *    base: a PERCENT payout pays that percent of `amountMinor`, a FIXED payout
 *    pays its fixed amount once.
 * 2. With items, the items alone determine the payout and the action-level
 *    `amountMinor` is ignored, because it may include shipping, tax or items
 *    the advertiser later rejects.
 * 3. Each item is matched against the groups top-down and the first matching
 *    group wins, so more specific groups should be listed first. A group
 *    matches when the item's category is in `categories` or its SKU is in
 *    `skus`. Values are compared case-sensitively after trimming spaces from
 *    both sides; blank values never match. Items that match no group fall to
 *    the event type's default payout.
 * 4. Items with quantity 0 have been rejected by the advertiser; they
 *    contribute nothing and do not count as falling to the default.
 * 5. A PERCENT payout for an item pays that percent of the item's line
 *    subtotal (`amountMinor`, which already includes the quantity). The
 *    percent parts of all items are summed exactly and rounded once, half away
 *    from zero, by percentageSumMinor; no part is rounded on its own, so
 *    splitting a basket into lines never changes the payout.
 * 6. A FIXED group payout pays its amount per unit: amount × quantity.
 * 7. A FIXED default payout pays its amount once per action, not per item,
 *    provided at least one item falls to the default. If every item matched a
 *    group (or was rejected), the default fixed amount is not paid.
 */
import { percentOfMinor, percentageSumMinor } from '../../../money/index.js';
import type { EventTypePayout, PayoutGroup } from './types.js';

export interface ConversionForPayout {
  amountMinor: bigint;
  items?: ReadonlyArray<{
    sku?: string;
    category?: string;
    quantity: number;
    /** Line subtotal, i.e. already multiplied by the quantity. */
    amountMinor: bigint;
  }>;
}

function includesTrimmed(values: ReadonlyArray<string> | undefined, value: string | undefined): boolean {
  if (values === undefined || value === undefined) return false;
  const needle = value.trim();
  if (needle === '') return false;
  return values.some((candidate) => candidate.trim() === needle);
}

function groupMatches(group: PayoutGroup, item: { sku?: string; category?: string }): boolean {
  return includesTrimmed(group.match.categories, item.category) || includesTrimmed(group.match.skus, item.sku);
}

function assertQuantity(quantity: number, index: number): void {
  // Fixed per-unit payouts multiply a bigint by the quantity, so it has to be
  // a whole number; a negative quantity has no meaning for a line item.
  if (!Number.isSafeInteger(quantity) || quantity < 0) {
    throw new RangeError(`items[${index}].quantity must be a whole number of 0 or more, got ${quantity}.`);
  }
}

export function computePayoutMinor(rule: EventTypePayout, conversion: ConversionForPayout): bigint {
  const items = conversion.items ?? [];
  if (items.length === 0) {
    return rule.payout.kind === 'PERCENT'
      ? percentOfMinor(conversion.amountMinor, rule.payout.percent)
      : rule.payout.amountMinor;
  }

  const percentParts: Array<{ amountMinor: bigint; percent: string }> = [];
  let fixedMinor = 0n;
  let anyItemFellToDefault = false;

  for (const [index, item] of items.entries()) {
    assertQuantity(item.quantity, index);
    if (item.quantity === 0) continue;

    const group = rule.groups.find((candidate) => groupMatches(candidate, item));
    if (group === undefined) {
      anyItemFellToDefault = true;
      if (rule.payout.kind === 'PERCENT') {
        percentParts.push({ amountMinor: item.amountMinor, percent: rule.payout.percent });
      }
      // A FIXED default is paid once per action, after the loop.
      continue;
    }
    if (group.payout.kind === 'PERCENT') {
      percentParts.push({ amountMinor: item.amountMinor, percent: group.payout.percent });
    } else {
      fixedMinor += group.payout.amountMinor * BigInt(item.quantity);
    }
  }

  if (anyItemFellToDefault && rule.payout.kind === 'FIXED') {
    fixedMinor += rule.payout.amountMinor;
  }
  return percentageSumMinor(percentParts) + fixedMinor;
}
