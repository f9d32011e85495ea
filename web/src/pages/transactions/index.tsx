/**
 * Transactions section. Add a page by adding an entry to `transactionPages`, e.g.
 *
 *   import { PendingPayoutsPage } from '../brand/PendingPayoutsPage';
 *   { path: 'pending-payouts', label: 'Pending Payouts', element: <PendingPayoutsPage />, kinds: ['BRAND'],
 *     description: 'Actions waiting to lock: approve, reverse or modify them.' },
 *
 * The route (/transactions/pending-payouts), the section tab and the entry on this
 * section's index page follow from the entry. Put brand-only pages in pages/brand/,
 * partner-only pages in pages/partner/, and reuse components/DataTable for lists.
 */
import { Link } from 'react-router';
import { useAccount } from '../../api/session';
import { EmptyState } from '../../components/Feedback';
import { PageHeader } from '../../components/Form';
import { visiblePages, type PageDef } from '../../navigation';
import { PendingPayoutsPage } from '../brand/PendingPayoutsPage';
import { ReturnsBatchDetailPage, ReturnsBatchesPage } from '../brand/ReturnsBatchesPage';
import { PartnerActionsPage } from '../partner/PartnerActionsPage';
import { PartnerLinksPage } from '../partner/PartnerLinksPage';

export const transactionPages: PageDef[] = [
  {
    path: 'pending-payouts',
    label: 'Pending Payouts',
    element: <PendingPayoutsPage view="actions" />,
    kinds: ['BRAND'],
    description: 'Actions waiting to lock: approve, reverse or modify them; reversed actions and rejected conversions.',
  },
  { path: 'pending-payouts/reversed', label: 'Reversed', element: <PendingPayoutsPage view="reversed" />, kinds: ['BRAND'], hidden: true },
  {
    path: 'pending-payouts/rejected-conversions',
    label: 'Rejected conversions',
    element: <PendingPayoutsPage view="rejected" />,
    kinds: ['BRAND'],
    hidden: true,
  },
  {
    path: 'returns-batches',
    label: 'Returns batches',
    element: <ReturnsBatchesPage />,
    kinds: ['BRAND'],
    description: 'Files of reversals and modifications: upload one, follow its progress, see each row’s outcome, download the result.',
  },
  { path: 'returns-batches/:batchId', label: 'Returns batch', element: <ReturnsBatchDetailPage />, kinds: ['BRAND'], hidden: true },
  {
    path: 'actions',
    label: 'Actions',
    element: <PartnerActionsPage />,
    kinds: ['PARTNER'],
    description: 'Your actions and their status: pending, approved (payment pending, paid, overdue) or reversed, with their history.',
  },
  {
    path: 'links',
    label: 'Links',
    element: <PartnerLinksPage />,
    kinds: ['PARTNER'],
    description: 'Your tracking links: create one for a program you have a contract with, copy it, see its clicks.',
  },
];

export function TransactionsIndex() {
  const account = useAccount();
  const pages = visiblePages({ id: 'transactions', path: 'transactions', label: 'Transactions', pages: transactionPages }, account);
  return (
    <div className="page">
      <PageHeader title="Transactions" subtitle={`Actions, payouts and payments of ${account.Name}.`} />
      {pages.length ? (
        <div className="report-grid">
          {pages.map((p) => (
            <Link key={p.path} to={p.path} className="report-card">
              <div className="report-card-title">{p.label}</div>
              <div className="report-card-text">{p.description}</div>
            </Link>
          ))}
        </div>
      ) : (
        <EmptyState title="No transactions yet" action={<Link to="/reports/contract-history" className="btn">Open Contract History</Link>}>
          Transactions appear here once tracking is live: clicks and conversions on your{' '}
          {account.Kind === 'BRAND' ? "partners' links become actions you can review" : 'links become actions and payouts'}.
        </EmptyState>
      )}
    </div>
  );
}
