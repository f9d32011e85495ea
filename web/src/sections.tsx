/**
 * The app's navigation: the top-level sections (Home, Reports, Transactions, Settings)
 * and the pages inside each. Routes, the top navigation and each section's tabs are all
 * generated from this list, so adding a page is one entry in the section's `pages`
 * array (see pages/transactions/index.tsx for an example).
 */
import type { SectionDef } from './navigation';
import { financePages } from './pages/finance';
import { HomePage } from './pages/home/HomePage';
import { reportPages, ReportsIndex } from './pages/reports';
import { settingsPages } from './pages/settings';
import { TicketDetailPage, TicketsPage } from './pages/support/TicketsPage';
import { transactionPages, TransactionsIndex } from './pages/transactions';

export type { PageDef, SectionDef } from './navigation';
export { pageAllowedForKind, visiblePages } from './navigation';

export const sections: SectionDef[] = [
  { id: 'home', path: 'home', label: 'Home', pages: [], index: <HomePage />, flat: true },
  { id: 'reports', path: 'reports', label: 'Reports', pages: reportPages, index: <ReportsIndex /> },
  { id: 'transactions', path: 'transactions', label: 'Transactions', pages: transactionPages, index: <TransactionsIndex /> },
  { id: 'finance', path: 'finance', label: 'Finance', pages: financePages },
  { id: 'settings', path: 'settings', label: 'Settings', pages: settingsPages },
  {
    id: 'help',
    path: 'help',
    label: 'Help',
    pages: [
      { path: 'tickets', label: 'Tickets', element: <TicketsPage />, description: "Ask Lockstep's support team, and follow what you asked." },
      { path: 'tickets/:ticketId', label: 'Ticket', element: <TicketDetailPage />, hidden: true },
    ],
  },
];
