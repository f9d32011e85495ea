import { DomainError } from '../core/errors.js';
import type { ActionChange, ChangeBuild, ChangeResult, ChangeTargetView } from '../modules/actions/apply-action-changes.js';
import { modifyAmountRequestOf, parseAmountOrThrow, type FieldNames } from '../modules/actions/request-operations.js';
import type { OperationRequest } from '../modules/actions/transitions.js';
import type { ChangeReasonCode } from '../modules/actions/types.js';
import type { RowOutcome } from '../modules/returns/record-batch-progress.js';
import type { ReturnsOutcome, ReturnsRequest, ReturnsRow, ReturnsTarget } from '../modules/returns/types.js';

/**
 * A returns row as the change it asks of an action: the same operation requests the API's
 * routes make (src/modules/actions/request-operations.ts), with messages that name the
 * file's columns. Only once the action is found does a row become operations: its amounts
 * are in the action's currency, its items are the action's.
 */

/** What the engine applies: a file's row request, or a reversal (the impact-compatible DELETE). */
export type EngineRequest = ReturnsRequest | { readonly kind: 'REVERSE'; readonly target: ReturnsTarget; readonly reason: ChangeReasonCode };

export type EngineRow =
  | { readonly rowNumber: number; readonly cells: ReturnsRow['cells']; readonly request: EngineRequest }
  | { readonly rowNumber: number; readonly cells: ReturnsRow['cells']; readonly invalid: { column: string | null; message: string } };

const ORDER_FIELDS: FieldNames = {
  amount: 'Amount',
  items: 'the item columns',
  item: (n) => `item ${n + 1}`,
  itemAmount: (n) => `Amount${n + 1}`,
};

const ACTION_ID = /^[1-9]\d{0,17}$/;

/** The row's change, or its outcome when it cannot be one (malformed, another event type). */
export function changeOfRow(row: EngineRow, eventTypeId: number): ActionChange | RowOutcome {
  if ('invalid' in row) return invalidRow(row, row.invalid.column, row.invalid.message);
  const { target } = row.request;
  let changeTarget: ActionChange['target'];
  if (target.by === 'ActionId') {
    const text = target.actionId.trim();
    if (!ACTION_ID.test(text)) return invalidRow(row, 'ActionId', `${JSON.stringify(text.slice(0, 40))} is not an action id (a number of at most 18 digits).`);
    changeTarget = { actionId: BigInt(text) };
  } else {
    if (target.actionTrackerId.trim() !== String(eventTypeId)) {
      return invalidRow(row, 'ActionTrackerId', `${JSON.stringify(target.actionTrackerId.slice(0, 40))} is not this batch's event type (${eventTypeId}); send each event type's rows in a file of its own.`);
    }
    changeTarget = { orderId: target.orderId };
  }
  const request = row.request;
  return { key: row.rowNumber, target: changeTarget, build: (action) => buildOrProblem(request, action) };
}

function invalidRow(row: Pick<EngineRow, 'rowNumber' | 'cells'>, column: string | null, message: string): RowOutcome {
  return { rowNumber: row.rowNumber, outcome: 'INVALID', actionId: null, message: column ? `${column}: ${message}` : message, cells: row.cells };
}

function buildOrProblem(request: EngineRequest, action: ChangeTargetView): ChangeBuild {
  try {
    return build(request, action);
  } catch (error) {
    if (error instanceof DomainError && error.status === 400) {
      const column = /^([A-Za-z]+\d*): /.exec(error.message)?.[1] ?? null;
      return { problem: 'invalid', column, message: column ? error.message.slice(column.length + 2) : error.message };
    }
    throw error;
  }
}

const problem = (column: string | null, message: string): ChangeBuild => ({ problem: 'invalid', column, message });

function build(request: EngineRequest, action: ChangeTargetView): ChangeBuild {
  const isCpc = action.eventKind === 'CLICK';
  if (request.kind === 'RESET') return { requests: [{ op: 'RESET' }] };
  if (request.kind === 'APPROVE') return { requests: [{ op: 'APPROVE' }] };
  if (request.kind === 'REVERSE') return { requests: [{ op: 'REVERSE', reason: request.reason }] };
  const currency = request.currencyCode?.trim().toUpperCase();
  if (currency && currency !== action.currency) {
    return problem('currencyCode', `action ${action.id} is in ${action.currency}, not ${currency}; amounts are not converted: send them in ${action.currency}.`);
  }
  const note = request.customerStatus ? `CustomerStatus ${JSON.stringify(request.customerStatus.slice(0, 40))} was not recorded: actions here have no customer status.` : undefined;
  const withNote = (built: Extract<ChangeBuild, { requests: unknown }>): ChangeBuild => (note ? { ...built, note } : built);
  if (request.kind === 'ORDER') {
    const modify = modifyAmountRequestOf({ reason: request.reason, amount: request.amount }, action.currency, ORDER_FIELDS);
    // A reversal of a cost-per-click action (amount 0) is the operators' (CPC_NEEDS_SUPPORT), not a malformed row.
    if (isCpc && modify.op === 'MODIFY_AMOUNT' && modify.amountMinor === 0n) return { requests: [{ op: 'REVERSE', reason: request.reason }] };
    // Open-ended locking: an order-level update of an open-ended action always ends approved or
    // reversed (impact.com), so a row that does not reverse it approves it as well.
    const reversal = modify.op === 'MODIFY_AMOUNT' && modify.amountMinor === 0n && action.originalAmountMinor !== 0n;
    if (action.openEndedLocking && !reversal) return withNote({ requests: [modify, { op: 'APPROVE' }] });
    return withNote({ requests: [modify] });
  }
  // Item level: each change names an item of the action by its SKU (or, without one, by its position).
  const items = action.items ?? [];
  if (items.length === 0) return problem('Sku1', `action ${action.id} has no items; send an order-level row (Amount) instead.`);
  const changes: Array<{ index: number; column: number; amount?: string; reject?: boolean }> = [];
  const quantities: Array<{ index: number; quantity: number }> = [];
  for (const change of request.items) {
    const n = change.index;
    let index: number;
    if (change.sku !== undefined && change.sku !== '') {
      const matching = items.flatMap((item, i) => (item.sku === change.sku ? [i] : []));
      if (matching.length === 0) return problem(`Sku${n}`, `action ${action.id} has no item with the SKU ${JSON.stringify(change.sku.slice(0, 40))}.`);
      if (matching.length > 1) {
        if (!matching.includes(n - 1)) {
          return { problem: 'ambiguous', column: `Sku${n}`, message: `action ${action.id} has ${matching.length} items with the SKU ${JSON.stringify(change.sku.slice(0, 40))} (items ${matching.map((i) => i + 1).join(', ')}); say which by its position (Sku${matching[0]! + 1}, …).` };
        }
        index = n - 1;
      } else index = matching[0]!;
    } else {
      if (n < 1 || n > items.length) return problem(`Sku${n}`, `action ${action.id} has ${items.length} item(s), no item ${n}; name the item by its SKU.`);
      index = n - 1;
    }
    if (changes.some((c) => c.index === index)) return problem(`Sku${n}`, `item ${index + 1} of action ${action.id} is changed twice in this row.`);
    if (change.quantity === 0) {
      changes.push({ index, column: n, reject: true });
      continue;
    }
    if (change.amount === undefined) {
      if (change.quantity !== undefined && change.quantity !== items[index]!.quantity) {
        return problem(`Amount${n}`, `give the item's new amount with its new quantity (Quantity${n} ${change.quantity}); amounts are absolute, not per unit.`);
      }
      return problem(`Amount${n}`, `give the item's new amount, or Quantity${n} 0 to reject it.`);
    }
    changes.push({ index, column: n, amount: change.amount });
    if (change.quantity !== undefined) quantities.push({ index, quantity: change.quantity });
  }
  // The rejections first, then one modification of the amounts: what Modify Item Details asks of the planner.
  const requests: OperationRequest[] = changes.flatMap((c): OperationRequest[] => (c.reject ? [{ op: 'REJECT_ITEM', itemIndex: c.index, reason: request.reason }] : []));
  const itemAmounts = changes.flatMap((c) => (c.amount === undefined ? [] : [{ index: c.index, amountMinor: parseAmountOrThrow(c.amount, action.currency, `Amount${c.column}`) }]));
  if (itemAmounts.length > 0) requests.push({ op: 'MODIFY_AMOUNT', reason: request.reason, itemAmounts });
  return withNote({ requests, quantities });
}

/** The outcome a row's result is reported as. */
export function outcomeOfResult(result: ChangeResult, cells: ReturnsRow['cells']): RowOutcome {
  const base = { rowNumber: result.key, actionId: result.actionId, cells };
  if (result.result !== 'REFUSED') return { ...base, outcome: result.result, message: result.message };
  const outcome: ReturnsOutcome =
    result.refusal === 'not_found'
      ? 'NOT_FOUND'
      : result.refusal === 'ambiguous'
        ? 'AMBIGUOUS'
        : result.refusal === 'locked'
          ? 'LOCKED'
          : result.refusal === 'modification_limit'
            ? 'LIMIT_REACHED'
            : result.refusal === 'cpc_needs_operator'
              ? 'CPC_NEEDS_SUPPORT'
              : 'INVALID';
  return { ...base, outcome, message: result.column && outcome !== 'NOT_FOUND' ? `${result.column}: ${result.message}` : result.message };
}
