import { Link } from 'react-router';
import { useAccount } from '../../api/session';
import { PageHeader } from '../../components/Form';
import { pageAllowedForKind, type PageDef } from '../../navigation';
import { ContractHistoryPage } from './ContractHistoryPage';

export const reportPages: PageDef[] = [
  {
    path: 'contract-history',
    label: 'Contract History',
    element: <ContractHistoryPage />,
    description: 'Every contract, current and past: filter by program, status and termination reason; expire contracts.',
  },
];

export function ReportsIndex() {
  const account = useAccount();
  return (
    <div className="page">
      <PageHeader title="Reports" subtitle={`Reports of ${account.Name}.`} />
      <div className="report-grid">
        {reportPages
          .filter((p) => !p.hidden && pageAllowedForKind(p, account))
          .map((p) => (
            <Link key={p.path} to={p.path} className="report-card">
              <div className="report-card-title">{p.label}</div>
              <div className="report-card-text">{p.description}</div>
            </Link>
          ))}
      </div>
    </div>
  );
}
