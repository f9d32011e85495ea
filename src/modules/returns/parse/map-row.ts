/**
 * One record's cells to what the row asks for, or to why it is INVALID (the column as
 * spelled in the file, and what is wrong). It knows no action: amounts stay decimal text
 * (syntax only; the action's currency decides how many decimals it may have).
 */
import { CHANGE_REASON_CODES, type ChangeReasonCode } from '../../actions/types.js';
import type { ReturnsCell, ReturnsItemChange, ReturnsLimits, ReturnsRequest, ReturnsRow, ReturnsRowProblem, ReturnsTarget } from '../types.js';
import type { ColumnRole } from './columns.js';

export interface MapOptions {
  readonly limits: ReturnsLimits;
  /** `;`- and tab-separated files come from spreadsheets in locales that write `12,50`: a decimal comma is read there. */
  readonly decimalComma: boolean;
}

const REASONS: ReadonlySet<string> = new Set(CHANGE_REASON_CODES);
const REASON_LIST = [...CHANGE_REASON_CODES, 'RESET', 'APPROVED'].join(', ');
const ACTION_ID = /^\d{1,18}$/;
const LEADING_ZEROS = /^0+(?=\d)/;
const TRACKER_ID = /^\d{1,10}$/;
const MAX_ID = 2_147_483_647;
const DECIMAL = /^(?:\d{1,15}(?:\.\d{0,10})?|\.\d{1,10})$/;
const DECIMAL_COMMA = /^\d{1,15},\d{1,10}$/;
const WHOLE = /^\d{1,10}$/;
const CURRENCY = /^[A-Za-z]{3}$/;
const MAX_ORDER_ID = 64;
const MAX_CUSTOMER_STATUS = 40;

type Mutable<T> = { -readonly [K in keyof T]: T[K] };

class RowProblem {
  constructor(readonly problem: ReturnsRowProblem) {}
}

function fail(column: string | null, message: string): never {
  throw new RowProblem({ column, message });
}

interface Given {
  readonly column: string;
  readonly value: string;
}

interface ItemCells {
  sku?: Given;
  category?: Given;
  quantity?: Given;
  amount?: Given;
}

export function mapRow(rowNumber: number, cells: readonly ReturnsCell[], roles: readonly ColumnRole[], options: MapOptions): ReturnsRow {
  try {
    return { rowNumber, cells, request: requestOf(cells, roles, options) };
  } catch (error) {
    if (error instanceof RowProblem) return { rowNumber, cells, invalid: error.problem };
    throw error;
  }
}

export function invalidRow(rowNumber: number, cells: readonly ReturnsCell[], invalid: ReturnsRowProblem): ReturnsRow {
  return { rowNumber, cells, invalid };
}

function requestOf(cells: readonly ReturnsCell[], roles: readonly ColumnRole[], options: MapOptions): ReturnsRequest {
  const maxField = options.limits.maxFieldBytes;
  let actionId: Given | undefined;
  let orderId: Given | undefined;
  let tracker: Given | undefined;
  let amount: Given | undefined;
  let currency: Given | undefined;
  let status: Given | undefined;
  let reason: Given | undefined;
  let hasAmountColumn = false;
  let hasItemColumns = false;
  let items: Map<number, ItemCells> | undefined;
  let reasonColumn: string | null = null;
  let actionIdColumn: string | null = null;
  for (let i = 0; i < cells.length; i++) {
    const cell = cells[i]!;
    const column = cell[0];
    const text = cell[1];
    if (text.length > maxField) fail(column, `the value of ${column} is longer than ${maxField} characters (the limit)`);
    const role = roles[i]!;
    if (role.kind === 'unknown') continue;
    if (role.kind === 'amount') hasAmountColumn = true;
    else if (role.kind === 'item') hasItemColumns = true;
    else if (role.kind === 'reason') reasonColumn = column;
    else if (role.kind === 'actionId') actionIdColumn = column;
    const value = text.trim();
    if (value === '') continue;
    if (value.includes('\uFFFD')) fail(column, `${column} holds characters that are not valid in the file's encoding (UTF-8): save the file as UTF-8 and send it again`);
    const given = { column, value };
    switch (role.kind) {
      case 'actionId':
        actionId = given;
        break;
      case 'orderId':
        orderId = given;
        break;
      case 'actionTrackerId':
        tracker = given;
        break;
      case 'amount':
        amount = given;
        break;
      case 'currencyCode':
        currency = given;
        break;
      case 'customerStatus':
        status = given;
        break;
      case 'reason':
        reason = given;
        break;
      case 'item': {
        items ??= new Map();
        let item = items.get(role.index);
        if (!item) {
          item = {};
          items.set(role.index, item);
        }
        item[role.field] = given;
        break;
      }
      default:
        break;
    }
  }

  const target = targetOf(actionId, orderId, tracker, actionIdColumn);
  if (!reason) fail(reasonColumn, `${reasonColumn ?? 'Reason'} is empty: every row needs a Reason (a reason code such as ITEM_RETURNED, RESET to restore the original values, or APPROVED)`);
  const code = reason.value.toUpperCase();
  if (code === 'RESET' || code === 'APPROVED') {
    const what = code === 'RESET' ? 'a RESET row restores the original values' : 'an APPROVED row approves the action as it is';
    if (amount) fail(amount.column, `${what}: leave ${amount.column} empty`);
    const firstItem = items && [...items.values()][0];
    const itemColumn = firstItem && (firstItem.sku ?? firstItem.category ?? firstItem.quantity ?? firstItem.amount);
    if (itemColumn) fail(itemColumn.column, `${what}: leave the item columns (${itemColumn.column}) empty`);
    if (status) fail(status.column, `${what}: leave ${status.column} empty`);
    return { kind: code === 'RESET' ? 'RESET' : 'APPROVE', target };
  }
  if (!REASONS.has(code)) fail(reason.column, `"${reason.value.slice(0, 40)}" is not a reason code: use one of ${REASON_LIST}`);
  const changeReason = code as ChangeReasonCode;
  const extras: { currencyCode?: string; customerStatus?: string } = {};
  if (currency) {
    if (!CURRENCY.test(currency.value)) fail(currency.column, `${currency.column} "${currency.value.slice(0, 20)}" is not a currency code: write three letters, like USD`);
    extras.currencyCode = currency.value.toUpperCase();
  }
  if (status && status.value.length > MAX_CUSTOMER_STATUS) fail(status.column, `${status.column} is longer than ${MAX_CUSTOMER_STATUS} characters`);

  if (items) {
    if (amount) fail(amount.column, `a row changes either the order's ${amount.column} or its items, not both: leave ${amount.column} empty on an item-level row`);
    const changes = [...items.entries()].sort(([a], [b]) => a - b).map(([index, cellsOfItem]) => itemChangeOf(index, cellsOfItem, options));
    if (status) extras.customerStatus = status.value;
    const request: Mutable<Extract<ReturnsRequest, { kind: 'ITEMS' }>> = { kind: 'ITEMS', target, reason: changeReason, items: changes };
    if (extras.currencyCode !== undefined) request.currencyCode = extras.currencyCode;
    if (extras.customerStatus !== undefined) request.customerStatus = extras.customerStatus;
    return request;
  }
  let newAmount: string;
  if (amount) newAmount = decimalOf(amount, options);
  else if (!hasAmountColumn && !hasItemColumns) {
    // A file of just ActionId and Reason (impact.com's Attribution Risk Reversals report) reverses.
    newAmount = '0';
  } else if (hasAmountColumn) fail(cells.find((_, i) => roles[i]!.kind === 'amount')![0], 'the new sale amount is empty: write it (0 reverses the action)');
  else fail(null, 'the row changes nothing: give the new Quantity or Amount of an item (Quantity1, Amount1, …)');
  if (status) {
    if (isZero(newAmount)) fail(status.column, `${status.column} is not allowed on a reversal row (Amount 0): leave it empty`);
    extras.customerStatus = status.value;
  }
  // The optional fields are set only when given: a spread of them costs more than the rest of the row.
  const request: Mutable<Extract<ReturnsRequest, { kind: 'ORDER' }>> = { kind: 'ORDER', target, reason: changeReason, amount: newAmount };
  if (extras.currencyCode !== undefined) request.currencyCode = extras.currencyCode;
  if (extras.customerStatus !== undefined) request.customerStatus = extras.customerStatus;
  return request;
}

function targetOf(actionId: Given | undefined, orderId: Given | undefined, tracker: Given | undefined, actionIdColumn: string | null): ReturnsTarget {
  if (actionId) {
    if (!ACTION_ID.test(actionId.value)) fail(actionId.column, `${actionId.column} "${actionId.value.slice(0, 40)}" is not an action id: an action's Id is a whole number of at most 18 digits`);
    return { by: 'ActionId', actionId: actionId.value.charCodeAt(0) === 0x30 ? actionId.value.replace(LEADING_ZEROS, '') : actionId.value };
  }
  if (!orderId && !tracker) {
    fail(actionIdColumn, 'the row names no action: give its ActionId, or its Oid (or OrderId) and ActionTrackerId');
  }
  if (!orderId) fail(null, `${tracker!.column} is given but the order id is empty: give the Oid (or OrderId) too, or the ActionId`);
  if (!tracker) fail(null, `${orderId.column} is given but ActionTrackerId is empty: give the event type's ActionTrackerId too, or the ActionId`);
  if (orderId.value.length > MAX_ORDER_ID) fail(orderId.column, `${orderId.column} is longer than ${MAX_ORDER_ID} characters, so no action has it`);
  if (!TRACKER_ID.test(tracker.value) || Number(tracker.value) > MAX_ID) {
    fail(tracker.column, `${tracker.column} "${tracker.value.slice(0, 20)}" is not an event type id: it is a whole number`);
  }
  return { by: 'OrderId', orderId: orderId.value, actionTrackerId: String(Number(tracker.value)) };
}

function itemChangeOf(index: number, item: ItemCells, options: MapOptions): ReturnsItemChange {
  const change: { index: number; sku?: string; category?: string; quantity?: number; amount?: string } = { index };
  if (item.sku) change.sku = item.sku.value;
  if (item.category) change.category = item.category.value;
  if (item.quantity) {
    if (!WHOLE.test(item.quantity.value) || Number(item.quantity.value) > MAX_ID) {
      fail(item.quantity.column, `${item.quantity.column} "${item.quantity.value.slice(0, 20)}" is not a quantity: write a whole number, 0 or more (0 rejects the item)`);
    }
    change.quantity = Number(item.quantity.value);
  }
  if (item.amount) change.amount = decimalOf(item.amount, options);
  if (change.quantity === undefined && change.amount === undefined) {
    const column = (item.sku ?? item.category)!.column;
    fail(column, `item ${index} gives no new quantity or amount: fill Quantity${index} (0 rejects the item) or Amount${index}`);
  }
  return change;
}

function decimalOf(given: Given, options: MapOptions): string {
  let value = given.value;
  if (options.decimalComma && DECIMAL_COMMA.test(value)) value = value.replace(',', '.');
  if (DECIMAL.test(value)) {
    if (value.startsWith('.')) value = `0${value}`;
    if (value.endsWith('.')) value = value.slice(0, -1);
    return value;
  }
  if (/^-\s*\d/.test(value)) fail(given.column, `${given.column} "${value.slice(0, 30)}" is negative: an amount is 0 or more (0 reverses)`);
  fail(given.column, `${given.column} "${value.slice(0, 30)}" is not an amount: write digits with a point before the decimals, like 1234.50 (no currency sign, thousands separator or exponent)`);
}

function isZero(decimal: string): boolean {
  return /^0*(?:\.0*)?$/.test(decimal);
}

