/**
 * Column names as impact.com spells them, compared without regard to case: what each
 * column means, and whether a set of columns can describe a row at all.
 */

export type ItemField = 'sku' | 'category' | 'quantity' | 'amount';

export type ColumnRole =
  | { readonly kind: 'actionId' | 'orderId' | 'actionTrackerId' | 'amount' | 'currencyCode' | 'customerStatus' | 'reason' }
  | { readonly kind: 'item'; readonly field: ItemField; readonly index: number }
  /** `Sku`, `Category` or `Quantity` without a number: the API's spelling of item 1, not a file's. */
  | { readonly kind: 'unnumberedItem' }
  | { readonly kind: 'unknown' };

/** Item numbers run from 1 to this (as the API's item indexes run 0-999). */
export const MAX_ITEM_NUMBER = 1000;

const NAMED: Readonly<Record<string, ColumnRole>> = {
  actionid: { kind: 'actionId' },
  oid: { kind: 'orderId' },
  orderid: { kind: 'orderId' },
  actiontrackerid: { kind: 'actionTrackerId' },
  amount: { kind: 'amount' },
  currencycode: { kind: 'currencyCode' },
  customerstatus: { kind: 'customerStatus' },
  reason: { kind: 'reason' },
  // impact.com's API calls the reversal reason DispositionCode; a file made by a script written for it may too.
  dispositioncode: { kind: 'reason' },
  sku: { kind: 'unnumberedItem' },
  category: { kind: 'unnumberedItem' },
  quantity: { kind: 'unnumberedItem' },
};

const UNKNOWN: ColumnRole = { kind: 'unknown' };
const ITEM = /^(sku|category|quantity|amount)(\d{1,4})$/;

export function roleOf(name: string): ColumnRole {
  const key = name.trim().toLowerCase();
  const named = NAMED[key];
  if (named) return named;
  const item = ITEM.exec(key);
  if (!item) return UNKNOWN;
  const index = Number(item[2]);
  // Sku0 or Sku1001 is not an item column; columnsProblem says why.
  return { kind: 'item', field: item[1] as ItemField, index };
}

/** What makes two columns mean the same thing (Oid and OrderId; ActionId and ACTIONID). */
function keyOf(role: ColumnRole): string | undefined {
  if (role.kind === 'unknown' || role.kind === 'unnumberedItem') return undefined;
  return role.kind === 'item' ? `${role.field}${role.index}` : role.kind;
}

/**
 * Why rows with these columns cannot be read, or null: the same column twice (which one
 * counts?), an item column without its number, no Reason, or nothing that names an
 * action. A CSV file fails with it; an XML row (whose columns are its own) is INVALID.
 */
export function columnsProblem(names: readonly string[], roles: readonly ColumnRole[]): { column: string | null; message: string } | null {
  const seen = new Map<string, string>();
  let hasReason = false;
  let hasActionId = false;
  let orderColumn: string | undefined;
  let trackerColumn: string | undefined;
  for (let i = 0; i < roles.length; i++) {
    const role = roles[i]!;
    const name = names[i]!;
    if (role.kind === 'unnumberedItem') {
      return { column: name, message: `the column ${name} has no item number: a returns file numbers its item columns from 1 (Sku1, Category1, Quantity1, Amount1, Sku2, …)` };
    }
    if (role.kind === 'item' && (role.index < 1 || role.index > MAX_ITEM_NUMBER)) {
      return { column: name, message: `the column ${name} names item ${role.index}: items are numbered from 1 to ${MAX_ITEM_NUMBER} (Sku1 is the first item)` };
    }
    const key = keyOf(role);
    if (key === undefined) continue;
    const earlier = seen.get(key);
    if (earlier !== undefined) {
      return { column: name, message: earlier.toLowerCase() === name.toLowerCase() ? `the column ${name} appears twice, so it is not clear which to use: keep one` : `the columns ${earlier} and ${name} mean the same, so it is not clear which to use: keep one` };
    }
    seen.set(key, name);
    if (role.kind === 'reason') hasReason = true;
    else if (role.kind === 'actionId') hasActionId = true;
    else if (role.kind === 'orderId') orderColumn = name;
    else if (role.kind === 'actionTrackerId') trackerColumn = name;
  }
  if (!hasActionId && !(orderColumn && trackerColumn)) {
    const half = orderColumn ? `${orderColumn} without ActionTrackerId` : trackerColumn ? `${trackerColumn} without Oid (or OrderId)` : 'no column that names an action';
    return { column: orderColumn ?? trackerColumn ?? null, message: `there is ${half}: a row names its action by ActionId, or by Oid (or OrderId) with ActionTrackerId` };
  }
  if (!hasReason) return { column: null, message: 'there is no Reason column: every row needs a Reason (a reason code such as ITEM_RETURNED, RESET to restore the original values, or APPROVED)' };
  return null;
}
