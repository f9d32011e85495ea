/**
 * Operator console → Statements: every brand's statements (brand filter), and one
 * statement's detail, where support records the payment received from the brand. Paid in
 * full, the statement's actions clear; the dialog shows the clearing's outcome.
 */
import { useParams } from 'react-router';
import { useOperatorStatementsScope } from '../../api/statements';
import { PageHeader } from '../../components/Form';
import { StatementDetailView } from '../shared/statements/StatementDetailView';
import { StatementsList } from '../shared/statements/StatementsList';

export function OperatorStatementsPage() {
  const scope = useOperatorStatementsScope();
  return (
    <div className="page">
      <PageHeader title="Statements" subtitle="Every brand's statements: what each owes its partners, month by month. Record the payments received. Dates in UTC." />
      <StatementsList scope={scope} />
    </div>
  );
}

export function OperatorStatementDetailPage() {
  const scope = useOperatorStatementsScope();
  const { statementId = '' } = useParams();
  return <StatementDetailView key={statementId} scope={scope} statementId={statementId} />;
}
