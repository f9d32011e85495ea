import { computePayoutMinor, type EventTypePayout } from '../programs/terms/index.js';
import type { Actor } from '../accounts/actor.js';
import {
  MAX_MODIFICATIONS_PER_ACTION,
  REQUESTABLE_OPERATIONS,
  type ActionItem,
  type ActionState,
  type ChangeReasonCode,
  type EventKind,
  type Operation,
  type RequestableOperation,
} from './types.js';

/**
 * The action state machine, in one place. Every operation names the states it starts
 * from, the state it leads to and who may perform it; `planOperation` turns an action
 * and a request into either a plan (the new values) or a typed refusal. Applying a plan
 * is a compare-and-set on the state the plan was made from.
 */
export type { Operation } from './types.js';

export type Performer = 'BRAND' | 'OPERATOR' | 'SYSTEM';

export const TRANSITIONS: Record<Operation, { from: readonly ActionState[]; to: ActionState | 'PENDING_OR_REVERSED'; by: Performer }> = {
  APPROVE: { from: ['PENDING'], to: 'APPROVED', by: 'BRAND' },
  REVERSE: { from: ['PENDING'], to: 'REVERSED', by: 'BRAND' },
  MODIFY_AMOUNT: { from: ['PENDING'], to: 'PENDING_OR_REVERSED', by: 'BRAND' },
  REJECT_ITEM: { from: ['PENDING'], to: 'PENDING_OR_REVERSED', by: 'BRAND' },
  RESTORE: { from: ['REVERSED'], to: 'PENDING', by: 'BRAND' },
  RESET: { from: ['PENDING', 'REVERSED'], to: 'PENDING', by: 'BRAND' },
  LOCK: { from: ['PENDING'], to: 'APPROVED', by: 'SYSTEM' },
  REATTRIBUTE: { from: ['PENDING'], to: 'PENDING', by: 'OPERATOR' },
  REVERSE_CPC: { from: ['PENDING'], to: 'REVERSED', by: 'OPERATOR' },
};

export interface ActionSnapshot {
  id: bigint;
  state: ActionState;
  eventKind: EventKind;
  amountMinor: bigint;
  payoutMinor: bigint;
  originalAmountMinor: bigint;
  originalPayoutMinor: bigint;
  items: ActionItem[] | null;
  originalItems: ActionItem[] | null;
  lockingAt: Date;
  modificationCount: number;
  reversalReason: string | null;
}

export type OperationRequest =
  | { op: 'APPROVE' }
  | { op: 'REVERSE'; reason: ChangeReasonCode }
  | { op: 'MODIFY_AMOUNT'; reason: ChangeReasonCode; amountMinor?: bigint; itemAmounts?: Array<{ index: number; amountMinor: bigint }> }
  | { op: 'REJECT_ITEM'; reason: ChangeReasonCode; itemIndex: number }
  | { op: 'RESTORE' }
  | { op: 'RESET' }
  | { op: 'LOCK' }
  | { op: 'REATTRIBUTE'; reason: ChangeReasonCode; partnerAccountId: number }
  | { op: 'REVERSE_CPC'; reason: ChangeReasonCode };

export type Refusal =
  | 'not_found'
  | 'forbidden'
  | 'locked'
  | 'wrong_state'
  | 'cpc_needs_operator'
  | 'not_cpc'
  | 'modification_limit'
  | 'invalid'
  | 'no_contract';

export interface Refused {
  ok: false;
  refusal: Refusal;
  message: string;
}

export interface Plan {
  ok: true;
  stateAfter: ActionState;
  amountMinor: bigint;
  payoutMinor: bigint;
  items: ActionItem[] | null;
  reversalReason: string | null;
  reason: string | null;
  /** Set when the plan locks the action: the ledger posts its payout. */
  locks: boolean;
  detail?: Record<string, unknown>;
}

export type PlanResult = Plan | Refused;

const refuse = (refusal: Refusal, message: string): Refused => ({ ok: false, refusal, message });

function sumItems(items: readonly ActionItem[]): bigint {
  return items.reduce((sum, item) => sum + item.amountMinor, 0n);
}

/**
 * Spreads a new order total over the accepted items in proportion to their amounts,
 * with the remainder going to the largest items, so the items always add up exactly.
 */
export function scaleItems(items: readonly ActionItem[], newTotalMinor: bigint): ActionItem[] {
  const live = items.map((item, index) => ({ item, index })).filter(({ item }) => item.quantity > 0);
  const oldTotal = live.reduce((sum, { item }) => sum + item.amountMinor, 0n);
  const result = items.map((item) => ({ ...item }));
  if (live.length === 0) return result;
  if (oldTotal === 0n) {
    // Nothing to be proportional to: split evenly.
    const share = newTotalMinor / BigInt(live.length);
    let rest = newTotalMinor - share * BigInt(live.length);
    for (const { index } of live) {
      result[index]!.amountMinor = share + (rest > 0n ? 1n : 0n);
      if (rest > 0n) rest -= 1n;
    }
    return result;
  }
  let assigned = 0n;
  const remainders: Array<{ index: number; remainder: bigint }> = [];
  for (const { item, index } of live) {
    const exact = item.amountMinor * newTotalMinor;
    const share = exact / oldTotal;
    result[index]!.amountMinor = share;
    assigned += share;
    remainders.push({ index, remainder: exact % oldTotal });
  }
  remainders.sort((a, b) => (b.remainder > a.remainder ? 1 : b.remainder < a.remainder ? -1 : a.index - b.index));
  let left = newTotalMinor - assigned;
  for (const { index } of remainders) {
    if (left <= 0n) break;
    result[index]!.amountMinor += 1n;
    left -= 1n;
  }
  return result;
}

/** The payout of an amount (or of items) under the contract's terms for the action's event type. */
export function payoutFor(rule: EventTypePayout, amountMinor: bigint, items: readonly ActionItem[] | null): bigint {
  return computePayoutMinor(rule, items?.length ? { amountMinor, items } : { amountMinor });
}

export interface PlanContext {
  now: Date;
  performer: Performer;
  /** The contract's payout rule for the action's event type (for recomputing payouts). */
  rule: EventTypePayout;
}

/**
 * The checks every request of an operation passes before its own: who may do it, the
 * locking date, the states it starts from, the modification limit, cost-per-click. Null
 * when none refuses; `planOperation` and `allowedOperations` both start here.
 */
export function refusalOf(action: ActionSnapshot, op: Operation, context: { now: Date; performer: Performer }): Refused | null {
  const transition = TRANSITIONS[op];
  const isCpc = action.eventKind === 'CLICK';
  if (transition.by !== context.performer) {
    if (op === 'REVERSE' && isCpc) {
      return refuse('cpc_needs_operator', `Action ${action.id} is a cost-per-click action; reversing it needs support (an operator ticket).`);
    }
    return refuse('forbidden', `${op} is done by ${transition.by.toLowerCase()}, not by ${context.performer.toLowerCase()}.`);
  }
  if (action.state === 'APPROVED') {
    return refuse('locked', `Action ${action.id} is locked (approved); a locked action cannot be changed.`);
  }
  const due = action.lockingAt.getTime() <= context.now.getTime();
  // Approving a due action that the lock job has not reached yet only does early what
  // the job would do, so it is allowed; every other change stops at the locking date.
  if (due && op !== 'APPROVE' && op !== 'LOCK') {
    const when = action.lockingAt.toISOString();
    return refuse(
      'locked',
      action.state === 'REVERSED'
        ? `Action ${action.id} passed its locking date ${when} while reversed; it stays reversed for good.`
        : `Action ${action.id} reached its locking date ${when}; a locked action cannot be changed.`,
    );
  }
  if (!transition.from.includes(action.state)) {
    return refuse('wrong_state', `Action ${action.id} is ${action.state}; ${op} applies to ${transition.from.join(' or ')} actions.`);
  }
  if (op !== 'LOCK' && action.modificationCount >= MAX_MODIFICATIONS_PER_ACTION) {
    return refuse('modification_limit', `Action ${action.id} has reached the limit of ${MAX_MODIFICATIONS_PER_ACTION} modifications.`);
  }
  if (op === 'REVERSE' && isCpc) {
    return refuse('cpc_needs_operator', `Action ${action.id} is a cost-per-click action; reversing it needs support (an operator ticket).`);
  }
  if (op === 'REVERSE_CPC' && !isCpc) {
    return refuse('not_cpc', `Action ${action.id} is not a cost-per-click action; the brand reverses it.`);
  }
  if ((op === 'MODIFY_AMOUNT' || op === 'REJECT_ITEM') && isCpc) {
    return refuse('invalid', `Action ${action.id} is a cost-per-click action; it has no sale amount or items to change.`);
  }
  return null;
}

/** Who performs the operations of an actor: a brand account, an operator; a partner changes no action. */
export function performerOf(actor: Actor): Performer | null {
  if (actor.type === 'operator') return 'OPERATOR';
  return actor.accountKind === 'BRAND' ? 'BRAND' : null;
}

function sameItems(a: readonly ActionItem[] | null, b: readonly ActionItem[] | null): boolean {
  if (!a || !b) return a === b || (a?.length ?? 0) + (b?.length ?? 0) === 0;
  return a.length === b.length && a.every((item, i) => item.quantity === b[i]!.quantity && item.amountMinor === b[i]!.amountMinor);
}

/** Whether a reset would change anything: the action is reversed, or differs from its original amount, payout or items. */
export function differsFromOriginal(action: ActionSnapshot): boolean {
  return (
    action.state === 'REVERSED' ||
    action.amountMinor !== action.originalAmountMinor ||
    action.payoutMinor !== action.originalPayoutMinor ||
    !sameItems(action.items, action.originalItems)
  );
}

/**
 * The operations a performer may ask for on an action now, from the one table above: those
 * `refusalOf` lets through, less the ones that could not change anything whatever the
 * request says (REJECT_ITEM with no item left to reject, RESET of an action that has its
 * original values). A request may still be refused for what it asks (an item that does not
 * exist, a negative amount); this is what the UI offers, not a promise.
 */
export function allowedOperations(action: ActionSnapshot, performer: Performer | null, now: Date): RequestableOperation[] {
  if (!performer) return [];
  return REQUESTABLE_OPERATIONS.filter((op) => {
    if (refusalOf(action, op, { now, performer })) return false;
    if (op === 'REJECT_ITEM') return (action.items ?? []).some((item) => item.quantity > 0);
    if (op === 'RESET') return differsFromOriginal(action);
    return true;
  });
}

export function planOperation(action: ActionSnapshot, request: OperationRequest, context: PlanContext): PlanResult {
  const refused = refusalOf(action, request.op, context);
  if (refused) return refused;

  const keep = {
    amountMinor: action.amountMinor,
    payoutMinor: action.payoutMinor,
    items: action.items,
    reversalReason: action.reversalReason,
  };
  switch (request.op) {
    case 'APPROVE':
    case 'LOCK':
      return { ok: true, stateAfter: 'APPROVED', ...keep, reversalReason: null, reason: null, locks: true };
    case 'REVERSE':
    case 'REVERSE_CPC':
      return { ok: true, stateAfter: 'REVERSED', ...keep, reversalReason: request.reason, reason: request.reason, locks: false };
    case 'RESTORE':
      return { ok: true, stateAfter: 'PENDING', ...keep, reversalReason: null, reason: null, locks: false };
    case 'RESET':
      // The original amount and items, priced by the contract the action is under now
      // (the same payout as at creation, unless an operator re-attributed the action).
      return {
        ok: true,
        stateAfter: 'PENDING',
        amountMinor: action.originalAmountMinor,
        payoutMinor: payoutFor(context.rule, action.originalAmountMinor, action.originalItems),
        items: action.originalItems,
        reversalReason: null,
        reason: 'RESET',
        locks: false,
      };
    case 'REATTRIBUTE':
      // The new partner's payout and dates come from their contract; the caller fills them in.
      return { ok: true, stateAfter: 'PENDING', ...keep, reason: request.reason, locks: false, detail: { partnerAccountId: request.partnerAccountId } };
    case 'MODIFY_AMOUNT':
      return planModifyAmount(action, request, context);
    case 'REJECT_ITEM':
      return planRejectItem(action, request, context);
  }
}

function planModifyAmount(
  action: ActionSnapshot,
  request: Extract<OperationRequest, { op: 'MODIFY_AMOUNT' }>,
  context: PlanContext,
): PlanResult {
  let items = action.items ? action.items.map((item) => ({ ...item })) : null;
  let amountMinor: bigint;
  if (request.itemAmounts?.length) {
    if (!items) return refuse('invalid', `Action ${action.id} has no items; modify its order amount instead.`);
    for (const change of request.itemAmounts) {
      const item = items[change.index];
      if (!item) return refuse('invalid', `Action ${action.id} has no item ${change.index + 1}.`);
      if (item.quantity === 0) return refuse('invalid', `Item ${change.index + 1} of action ${action.id} was rejected; reset the action to restore it.`);
      if (change.amountMinor < 0n) return refuse('invalid', 'An item amount cannot be negative.');
      item.amountMinor = change.amountMinor;
    }
    amountMinor = sumItems(items);
  } else if (request.amountMinor !== undefined) {
    if (request.amountMinor < 0n) return refuse('invalid', 'The sale amount cannot be negative.');
    amountMinor = request.amountMinor;
    if (items) items = scaleItems(items, amountMinor);
  } else {
    return refuse('invalid', 'Give the new sale amount, or new amounts for items.');
  }
  // A new amount of zero is a reversal, unless the action was worth zero to begin with
  // (a lead, say), where zero is simply its amount.
  if (amountMinor === 0n && action.originalAmountMinor !== 0n) {
    return {
      ok: true,
      stateAfter: 'REVERSED',
      amountMinor: action.amountMinor,
      payoutMinor: action.payoutMinor,
      items: action.items,
      reversalReason: request.reason,
      reason: request.reason,
      locks: false,
      detail: { requestedAmountMinor: '0' },
    };
  }
  const payoutMinor = payoutFor(context.rule, amountMinor, items);
  return { ok: true, stateAfter: 'PENDING', amountMinor, payoutMinor, items, reversalReason: null, reason: request.reason, locks: false };
}

function planRejectItem(
  action: ActionSnapshot,
  request: Extract<OperationRequest, { op: 'REJECT_ITEM' }>,
  context: PlanContext,
): PlanResult {
  if (!action.items || action.items.length === 0) {
    return refuse('invalid', `Action ${action.id} has no items; reverse it or modify its sale amount instead.`);
  }
  const items = action.items.map((item) => ({ ...item }));
  const item = items[request.itemIndex];
  if (!item) return refuse('invalid', `Action ${action.id} has no item ${request.itemIndex + 1}.`);
  if (item.quantity === 0) return refuse('invalid', `Item ${request.itemIndex + 1} of action ${action.id} is already rejected.`);
  item.quantity = 0;
  item.amountMinor = 0n;
  const left = items.filter((i) => i.quantity > 0);
  if (left.length === 0) {
    // Rejecting the last item reverses the action. Its amounts stay as they were, so a
    // restore brings back the action as it stood before this last rejection.
    return {
      ok: true,
      stateAfter: 'REVERSED',
      amountMinor: action.amountMinor,
      payoutMinor: action.payoutMinor,
      items: action.items,
      reversalReason: request.reason,
      reason: request.reason,
      locks: false,
      detail: { itemIndex: request.itemIndex, lastItem: true },
    };
  }
  const amountMinor = sumItems(items);
  return {
    ok: true,
    stateAfter: 'PENDING',
    amountMinor,
    payoutMinor: payoutFor(context.rule, amountMinor, items),
    items,
    reversalReason: null,
    reason: request.reason,
    locks: false,
    detail: { itemIndex: request.itemIndex },
  };
}
