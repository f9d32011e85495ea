import type { BalanceMovement, BalanceMovementsQuery } from '../contract/ledger.js';
import type { MovementFilter, BalanceMovement as MovementRow } from '../../modules/ledger/balance-movements.js';
import type { MovementType } from '../../modules/ledger/types.js';
import { formatMinor } from '../../money/index.js';
import type { ExportColumn } from '../table-export.js';

export function toBalanceMovementDto(m: MovementRow): BalanceMovement {
  return {
    Id: m.transferId.toString(),
    Date: m.at.toISOString(),
    Type: m.type,
    Currency: m.currency,
    Amount: formatMinor(m.amountMinor, m.currency),
    Balance: formatMinor(m.balanceMinor, m.currency),
    Reference: m.reference,
    StatementNumber: m.statementNumber,
    ActionId: m.actionId === null ? null : m.actionId.toString(),
  };
}

/** The Balance download's columns, named as the API names the fields. */
export const balanceMovementColumns: Array<ExportColumn<MovementRow>> = [
  { header: 'Id', value: (m) => m.transferId.toString(), width: 10 },
  { header: 'Date', value: (m) => m.at, width: 19, pdf: true },
  { header: 'Type', value: (m) => m.type, width: 20, pdf: true },
  { header: 'Reference', value: (m) => m.reference, width: 16, pdf: true },
  { header: 'StatementNumber', value: (m) => m.statementNumber, width: 18, pdf: true },
  { header: 'ActionId', value: (m) => (m.actionId === null ? null : m.actionId.toString()), width: 12 },
  { header: 'Currency', value: (m) => m.currency, width: 9, pdf: true },
  { header: 'Amount', value: (m) => ({ minor: m.amountMinor, currency: m.currency }), width: 12, pdf: true, alignRight: true },
  { header: 'Balance', value: (m) => ({ minor: m.balanceMinor, currency: m.currency }), width: 12, pdf: true, alignRight: true },
];

/** A movements list's query as the ledger module's filter. */
export function movementFilterOf(q: Omit<BalanceMovementsQuery, 'page' | 'pageSize'>): MovementFilter {
  return {
    ...(q.currency ? { currency: q.currency } : {}),
    ...(q.type ? { types: q.type.split(',') as MovementType[] } : {}),
    ...(q.from ? { from: new Date(q.from) } : {}),
    ...(q.to ? { to: new Date(q.to) } : {}),
    ...(q.order ? { order: q.order } : {}),
  };
}
