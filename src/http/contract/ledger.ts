/** The ledger as an account sees it: its balances per currency. */
import { z } from 'zod';
import { MOVEMENT_TYPES } from '../../modules/ledger/types.js';
import { filterDateTime, pageOf, pageQueryShape, sortQuery } from './common.js';

export const balanceDto = z.object({
  Currency: z.string(),
  Pending: z.string().describe('Pending actions, estimated'),
  PaymentPending: z.string().describe('Partners: locked, not yet cleared (funds that will become available)'),
  Overdue: z.string().describe("Payouts of locked actions past their payment date and not cleared (partners: part of PaymentPending; brands: those actions' payouts, before any partial payment of their statements: the statements' Owed says what is left)"),
  Available: z.string().describe('Partners: cleared, ready to withdraw'),
  Payable: z.string().describe('Brands: locked payouts owed'),
});
export type Balance = z.infer<typeof balanceDto>;

export const balancesDto = z.object({ Balances: z.array(balanceDto) });
export type Balances = z.infer<typeof balancesDto>;

/** One movement of a partner's available balance (Finance → Balance). */
export const balanceMovementDto = z
  .object({
    Id: z.string().describe('The ledger transfer'),
    Date: z.string().describe('When it moved (ISO 8601, UTC)'),
    Type: z.enum(MOVEMENT_TYPES),
    Currency: z.string(),
    Amount: z.string().describe('Signed: what it added to the available balance'),
    Balance: z.string().describe('The available balance in the currency after it'),
    Reference: z.string().nullable().describe('What it belongs to: statement:12, paystub:7, correction:3, forfeit:2'),
    StatementNumber: z.string().nullable(),
    ActionId: z.string().nullable().describe('The corrected action, for a correction'),
  })
  .meta({ id: 'BalanceMovement' });
export type BalanceMovement = z.infer<typeof balanceMovementDto>;

const TYPE_LIST = new RegExp(`^(${MOVEMENT_TYPES.join('|')})(,(${MOVEMENT_TYPES.join('|')}))*$`);

export const balanceMovementsQuery = z
  .object({
    ...pageQueryShape,
    sort: sortQuery(['Date']),
    currency: z.string().regex(/^[A-Z]{3}$/, 'a currency code').optional(),
    type: z
      .string()
      .max(200)
      .regex(TYPE_LIST, `one type or several separated by commas, of: ${MOVEMENT_TYPES.join(', ')}`)
      .optional()
      .describe('Movement types, comma-separated'),
    from: filterDateTime().optional().describe('Moved from (inclusive)'),
    to: filterDateTime().optional().describe('Moved before (exclusive)'),
  })
  .strict();
export type BalanceMovementsQuery = z.infer<typeof balanceMovementsQuery>;
export const balanceMovementExportQuery = balanceMovementsQuery.omit({ page: true, pageSize: true });

export const balanceMovementPageDto = pageOf(balanceMovementDto);
