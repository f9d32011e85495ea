/**
 * Finance section: money owed and paid. Add a page by adding an entry to `financePages`
 * (see pages/transactions/index.tsx); the route (/finance/<path>) and the section's tab
 * follow from it. The section shows in the top navigation for the accounts that have one
 * of its pages.
 */
import type { PageDef } from '../../navigation';
import { StatementDetailPage, StatementsPage } from '../brand/StatementsPage';
import { BalancePage } from '../partner/BalancePage';
import { PaystubDetailPage, WithdrawalsPage } from '../partner/WithdrawalsPage';

export const financePages: PageDef[] = [
  {
    path: 'statements',
    label: 'Statements',
    element: <StatementsPage />,
    kinds: ['BRAND'],
    description: "Each month's locked payouts, billed per program, currency and due date: totals by partner, payments, downloads.",
  },
  { path: 'statements/:statementId', label: 'Statement', element: <StatementDetailPage />, kinds: ['BRAND'], hidden: true },
  {
    path: 'balance',
    label: 'Balance',
    element: <BalancePage />,
    kinds: ['PARTNER'],
    description: 'Every movement of your available balance (payments received, corrections, withdrawals, fees, forfeits) with the running balance.',
  },
  {
    path: 'withdrawals',
    label: 'Withdrawals',
    element: <WithdrawalsPage />,
    kinds: ['PARTNER'],
    description: 'Your paystubs: each withdrawal of your available balance, its fee and net, and the actions it paid.',
  },
  { path: 'withdrawals/:paystubId', label: 'Paystub', element: <PaystubDetailPage />, kinds: ['PARTNER'], hidden: true },
];
