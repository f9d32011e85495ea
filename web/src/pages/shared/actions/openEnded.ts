import type { Action } from '@contract/actions';

/** Open-ended locking: actions lock on their own this many days after the day they were tracked (the server's OPEN_ENDED_LOCKING_DAYS). */
export const OPEN_ENDED_LOCKING_DAYS = 730;

/**
 * Whether the action follows open-ended locking. Its contract's terms say so per event type
 * (Terms.Payouts[].OpenEndedLocking), and the server then sets its locking date 730 days
 * after the day it was tracked; no locking period can come near that (the longest, 12 months
 * and 30 days after the end of the month, is under 430 days). So the action's own dates tell,
 * for every viewer (brand, partner, operator), without reading the contract.
 */
export function isOpenEndedAction(a: Pick<Action, 'EventDate' | 'LockingDate'>): boolean {
  return Date.parse(a.LockingDate) - Date.parse(a.EventDate) >= (OPEN_ENDED_LOCKING_DAYS - 1) * 86_400_000;
}
