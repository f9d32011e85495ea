import type { ServiceContext } from '../../core/context.js';
import { DomainError, invalid } from '../../core/errors.js';
import type { Sql } from '../../db/types.js';
import { MoneyError, parseAmountMinorOrThrow } from '../../money/index.js';
import type { Actor } from '../accounts/actor.js';
import { applyActionOperation, applyActionOperationSequence, type ActionOutcome } from './apply-action-operation.js';
import { getActionDetailOrThrow } from './list-actions.js';
import { previewActionOperationSequence, type OperationPreview } from './preview-action-operations.js';
import type { OperationRequest, Refusal } from './transitions.js';
import type { BulkOperation, ChangeReasonCode } from './types.js';

/**
 * What a user asks for, in the words of a request (decimal amounts in the action's
 * currency, "reject these items, give those new amounts"), turned into the operation
 * requests the transition table plans. The API's routes come through here, and so will
 * returns files and the impact-compatible API: a file row and an API call that ask for
 * the same change mean the same operations and are refused in the same words.
 *
 * Messages name the fields as the caller knows them: the API's by default
 * (`Amount`, `Items[0].Amount`: positions in the request's list); a file names its
 * columns and rows instead.
 *
 * Items are numbered from 1 here, as people and files count them (`Sku1` is an action's
 * first item in impact.com's files, and the API's `Index` is 1 for it); the transition
 * table counts from 0, and this is the one place that turns the one into the other.
 */
export interface FieldNames {
  amount: string;
  items: string;
  item: (n: number) => string;
  itemAmount: (n: number) => string;
}

export const API_FIELD_NAMES: FieldNames = {
  amount: 'Amount',
  items: 'Items',
  item: (n) => `Items[${n}]`,
  itemAmount: (n) => `Items[${n}].Amount`,
};

/** A decimal amount in the currency's minor units; a malformed one is a 400 naming its field. */
export function parseAmountOrThrow(text: string, currency: string, field: string): bigint {
  try {
    return parseAmountMinorOrThrow(text, currency);
  } catch (error) {
    if (error instanceof MoneyError) throw invalid(`${field}: ${error.message}`);
    throw error;
  }
}

/** The currency an action's amounts are given in (its program's); 404 when the caller cannot see it. */
export async function actionCurrencyOrThrow(sql: Sql, actor: Actor, actionId: bigint, now: Date): Promise<string> {
  const { action } = await getActionDetailOrThrow(sql, actor, actionId, now);
  return action.currency;
}

export interface AmountChange {
  reason: ChangeReasonCode;
  /** The order's new amount. */
  amount?: string;
  /** New amounts for some items, by item number (1 is the first item). */
  items?: ReadonlyArray<{ index: number; amount: string }>;
}

/** The transition table's 0-based position of an item number (1 is the first); a number below 1 is refused. */
function itemPositionOrThrow(itemNumber: number, field: string): number {
  if (!Number.isInteger(itemNumber) || itemNumber < 1) {
    throw invalid(`${field}: items are numbered from 1 (the first item is 1, as Sku1 is in a file); got ${itemNumber}.`);
  }
  return itemNumber - 1;
}

/** Modify: the order's new amount, or new amounts for items; exactly one of the two. */
export function modifyAmountRequestOf(change: AmountChange, currency: string, names: FieldNames = API_FIELD_NAMES): OperationRequest {
  const hasItems = change.items !== undefined && change.items.length > 0;
  if ((change.amount === undefined) === !hasItems) {
    throw invalid(`Give either ${names.amount} (the new order amount) or ${names.items} (new amounts for items), not both and not neither.`);
  }
  return {
    op: 'MODIFY_AMOUNT',
    reason: change.reason,
    ...(change.amount !== undefined ? { amountMinor: parseAmountOrThrow(change.amount, currency, names.amount) } : {}),
    ...(hasItems
      ? {
          itemAmounts: change.items!.map((item, n) => ({
            index: itemPositionOrThrow(item.index, names.item(n)),
            amountMinor: parseAmountOrThrow(item.amount, currency, names.itemAmount(n)),
          })),
        }
      : {}),
  };
}

/** Reject item: the item by its number (1 is the first). */
export function rejectItemRequestOf(reason: ChangeReasonCode, itemNumber: number, field = 'ItemIndex'): OperationRequest {
  return { op: 'REJECT_ITEM', itemIndex: itemPositionOrThrow(itemNumber, field), reason };
}

export interface ItemChange {
  /** The item's number: 1 is the first item. */
  index: number;
  /** The item's new amount… */
  amount?: string;
  /** …or its rejection (quantity 0). */
  reject?: boolean;
}

/**
 * Modify Item Details: some items rejected, others given new amounts, under one reason.
 * The rejections come first, one operation each, then one modification of the amounts,
 * so a caller applies them as one sequence (all or nothing).
 */
export function itemChangeRequestsOf(
  reason: ChangeReasonCode,
  items: readonly ItemChange[],
  currency: string,
  names: FieldNames = API_FIELD_NAMES,
): OperationRequest[] {
  const seen = new Set<number>();
  for (const [n, item] of items.entries()) {
    if ((item.amount === undefined) === (item.reject === undefined)) {
      throw invalid(`${names.item(n)}: give either Amount (a new amount) or Reject: true, not both and not neither.`);
    }
    itemPositionOrThrow(item.index, names.item(n));
    if (seen.has(item.index)) throw invalid(`${names.item(n)}: item ${item.index} is listed twice.`);
    seen.add(item.index);
  }
  const steps: OperationRequest[] = items
    .filter((item) => item.reject)
    .map((item) => ({ op: 'REJECT_ITEM', itemIndex: item.index - 1, reason }));
  const itemAmounts = items.flatMap((item, n) =>
    item.amount === undefined ? [] : [{ index: item.index - 1, amountMinor: parseAmountOrThrow(item.amount, currency, names.itemAmount(n)) }],
  );
  if (itemAmounts.length > 0) steps.push({ op: 'MODIFY_AMOUNT', reason, itemAmounts });
  return steps;
}

/** One operation for many actions: a reason for a reversal, and only there. */
export function bulkRequestOf(operation: BulkOperation, reason: ChangeReasonCode | undefined): OperationRequest {
  if (operation === 'REVERSE') {
    if (!reason) throw invalid('Reason is required to reverse actions.');
    return { op: 'REVERSE', reason };
  }
  if (reason) throw invalid(`Reason applies to REVERSE only, not to ${operation}.`);
  return { op: operation };
}

const REFUSAL_PROBLEM: Record<Refusal, ConstructorParameters<typeof DomainError>[0]> = {
  not_found: 'not-found',
  forbidden: 'forbidden',
  cpc_needs_operator: 'forbidden',
  locked: 'conflict',
  wrong_state: 'conflict',
  modification_limit: 'conflict',
  not_cpc: 'conflict',
  no_contract: 'conflict',
  invalid: 'validation',
};

/** A refused operation as the error every edge reports (a 404, 403, 409 or 400 with the refusal's message). */
export function refusalError(outcome: ActionOutcome, where = ''): DomainError {
  if (outcome.ok || !outcome.refusal) throw new Error('refusalError: the operation was not refused');
  return new DomainError(REFUSAL_PROBLEM[outcome.refusal], `${outcome.message ?? outcome.refusal}${where}`, { refusal: outcome.refusal });
}

/** One operation on one action; a refusal is thrown as its error (refusalError). */
export async function applyOneOrThrow(ctx: ServiceContext, actor: Actor, actionId: bigint | string, request: OperationRequest): Promise<void> {
  const [outcome] = await applyActionOperation(ctx, actor, [actionId], request);
  if (!outcome) throw new Error(`The operation on action ${actionId} gave no outcome.`);
  if (!outcome.ok) throw refusalError(outcome);
}

/** The words of a refused step of a sequence: which change of how many, and that none was saved. */
function stepNote(step: number | undefined, of: number, saved: boolean): string {
  if (of <= 1) return '';
  return ` (change ${step! + 1} of ${of}; ${saved ? 'none of the changes was saved' : 'none of the changes would be saved'})`;
}

/**
 * A dry run of applySequenceOrThrow: what the changes would make of the action, planned
 * the same way and refused in the same words (a refusal is thrown as its error), with
 * nothing written.
 */
export async function previewSequenceOrThrow(
  ctx: ServiceContext,
  actor: Actor,
  actionId: bigint,
  requests: readonly OperationRequest[],
): Promise<Extract<OperationPreview, { ok: true }>> {
  const preview = await previewActionOperationSequence(ctx, actor, actionId, requests);
  if (!preview.ok) throw refusalError(preview, stepNote(preview.step, requests.length, false));
  return preview;
}

/** Operations on one action as one change, all or nothing; a refusal names the step that was refused. */
export async function applySequenceOrThrow(ctx: ServiceContext, actor: Actor, actionId: bigint, requests: readonly OperationRequest[]): Promise<void> {
  const outcome = await applyActionOperationSequence(ctx, actor, actionId, requests);
  if (!outcome.ok) {
    throw refusalError(outcome, stepNote(outcome.step, requests.length, true));
  }
}
