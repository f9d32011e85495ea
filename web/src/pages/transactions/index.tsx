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

export const transactionPages: PageDef[] = [];

export function TransactionsIndex() {
  const account = useAccount();
  const pages = visiblePages({ id: 'transactions', path: 'transactions', label: 'Transactions', pages: transactionPages }, account);
  return (
    <div className="page">
      <PageHeader title="Transactions" subtitle={`Actions, payouts and payments of ${account.name}.`} />
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
          {account.kind === 'BRAND' ? "partners' links become actions you can review" : 'links become actions and payouts'}.
        </EmptyState>
      )}
    </div>
  );
}
