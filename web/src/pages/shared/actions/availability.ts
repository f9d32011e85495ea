import type { Action } from '@contract/actions';
import type { RequestableOperation } from '@contract/enums';
import { formatDate } from '../../../lib/format';
import { isZeroAmount } from '../../../lib/money';

export type BrandOperation = 'approve' | 'reverse' | 'modify' | 'restore' | 'reset';

export interface Availability {
  enabled: boolean;
  /** Why not, in words the brand can act on. */
  reason?: string;
}

export const CPC_REVERSAL_NEEDS_SUPPORT =
  'Reversing a cost-per-click action needs support: ask an operator (a CPC reversal ticket).';

/** The operations of the state machine behind each of the brand's buttons. */
const BRAND_OPERATIONS: Record<BrandOperation, readonly RequestableOperation[]> = {
  approve: ['APPROVE'],
  reverse: ['REVERSE'],
  // "Modify Item Details" re-prices the order or its items, or rejects items.
  modify: ['MODIFY_AMOUNT', 'REJECT_ITEM'],
  restore: ['RESTORE'],
  reset: ['RESET'],
};

export function isModified(action: Action): boolean {
  return (
    !isZeroAmount(action.DeltaAmount) ||
    !isZeroAmount(action.DeltaPayout) ||
    action.Items.some((item) => item.Rejected || (item.OriginalAmount !== null && item.OriginalAmount !== item.Amount))
  );
}

/**
 * What the brand may do with an action now. The server decides: an operation is enabled
 * when the action's AllowedOperations lists it (and the server still answers each request).
 * When it is not, this only puts the reason into words, from what the page shows of the
 * action; it never enables anything.
 */
export function brandAvailability(action: Action, op: BrandOperation, timeZone: string, now = Date.now()): Availability {
  if (BRAND_OPERATIONS[op].some((o) => action.AllowedOperations.includes(o))) return { enabled: true };
  return { enabled: false, reason: whyNot(action, op, timeZone, now) };
}

function whyNot(action: Action, op: BrandOperation, timeZone: string, now: number): string {
  const due = Date.parse(action.LockingDate) <= now;
  const lockingDate = formatDate(action.LockingDate, timeZone);
  if (action.State === 'APPROVED') return 'Locked (approved): a locked action is never changed.';
  if (action.State === 'REVERSED') {
    if (due) return `Passed its locking date (${lockingDate}) while reversed: it stays reversed.`;
    if (op === 'restore' || op === 'reset') return 'Not possible for this action now.';
    return 'Reversed: approve it first to restore it.';
  }
  if (op === 'restore') return 'Only reversed actions are restored.';
  if (due && op !== 'approve') return `Reached its locking date (${lockingDate}): it is locking and can only be approved.`;
  if (op === 'reverse' && action.EventKind === 'CLICK') return CPC_REVERSAL_NEEDS_SUPPORT;
  if (op === 'modify' && action.EventKind === 'CLICK') return 'A cost-per-click action has no sale amount or items to modify.';
  if (op === 'reset' && !isModified(action)) return 'Nothing to reset: it has its original values.';
  return 'Not possible for this action now.';
}
