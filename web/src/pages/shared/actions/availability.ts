import type { Action } from '../../../api/types';
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

export function isModified(action: Action): boolean {
  return (
    !isZeroAmount(action.DeltaAmount) ||
    !isZeroAmount(action.DeltaPayout) ||
    action.Items.some((item) => item.Rejected || (item.OriginalAmount !== null && item.OriginalAmount !== item.Amount))
  );
}

/**
 * What the brand may do with an action now. The server decides (a refusal's detail is
 * always shown); this only disables what would certainly be refused and says why.
 */
export function brandAvailability(action: Action, op: BrandOperation, timeZone: string, now = Date.now()): Availability {
  const due = Date.parse(action.LockingDate) <= now;
  const lockingDate = formatDate(action.LockingDate, timeZone);
  if (action.State === 'APPROVED') {
    return { enabled: false, reason: 'Locked (approved): a locked action is never changed.' };
  }
  if (action.State === 'REVERSED') {
    if (due) return { enabled: false, reason: `Passed its locking date (${lockingDate}) while reversed: it stays reversed.` };
    if (op === 'restore' || op === 'reset') return { enabled: true };
    return { enabled: false, reason: 'Reversed: approve it first to restore it.' };
  }
  // PENDING
  if (op === 'restore') return { enabled: false, reason: 'Only reversed actions are restored.' };
  if (op === 'approve') return { enabled: true };
  if (due) return { enabled: false, reason: `Reached its locking date (${lockingDate}): it is locking and can only be approved.` };
  if (op === 'reverse' && action.EventKind === 'CLICK') return { enabled: false, reason: CPC_REVERSAL_NEEDS_SUPPORT };
  if (op === 'modify' && action.EventKind === 'CLICK') {
    return { enabled: false, reason: 'A cost-per-click action has no sale amount or items to modify.' };
  }
  if (op === 'reset' && !isModified(action)) return { enabled: false, reason: 'Nothing to reset: it has its original values.' };
  return { enabled: true };
}
