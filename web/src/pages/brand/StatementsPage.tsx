/**
 * Brand: Finance → Statements. Once a month is over, its locked payouts are billed on a
 * statement per program, currency and due date; the brand pays it, and paid in full its
 * actions clear (the partners' payouts become available).
 */
import { useParams } from 'react-router';
import { useAccount } from '../../api/session';
import { useBrandStatementsScope } from '../../api/statements';
import { PageHeader } from '../../components/Form';
import { StatementDetailView } from '../shared/statements/StatementDetailView';
import { StatementsList } from '../shared/statements/StatementsList';

export function StatementsPage() {
  const account = useAccount();
  const scope = useBrandStatementsScope();
  return (
    <div className="page">
      <PageHeader
        title="Statements"
        subtitle={`What ${account.Name} owes its partners, billed each month: a statement per program, currency and due date. Issue dates in ${account.TimeZone}.`}
      />
      <StatementsList scope={scope} />
    </div>
  );
}

export function StatementDetailPage() {
  const scope = useBrandStatementsScope();
  const { statementId = '' } = useParams();
  return <StatementDetailView key={statementId} scope={scope} statementId={statementId} />;
}
