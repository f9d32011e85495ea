/** The ledger as an account sees it: its balances per currency. */
import { z } from 'zod';

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
