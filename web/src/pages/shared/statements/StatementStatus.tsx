import type { StatementStatus } from '@contract/enums';
import type { Statement } from '@contract/statements';
import { Badge } from '../../../components/Form';

export const STATUS_LABELS: Record<StatementStatus, string> = {
  OPEN: 'Open',
  PARTIALLY_PAID: 'Partially paid',
  PAID: 'Paid',
  OVERDUE: 'Overdue',
};

const TONES: Record<StatementStatus, 'blue' | 'amber' | 'green' | 'red'> = {
  OPEN: 'blue',
  PARTIALLY_PAID: 'amber',
  PAID: 'green',
  OVERDUE: 'red',
};

function statusTitle(s: Pick<Statement, 'Status' | 'DueOn' | 'ClearedDate'>): string {
  switch (s.Status) {
    case 'OPEN':
      return `Not paid yet; due on ${s.DueOn}`;
    case 'PARTIALLY_PAID':
      return `Paid in part; the rest is due on ${s.DueOn}`;
    case 'PAID':
      return s.ClearedDate ? "Paid in full; its actions cleared (the partners' payouts are available)" : 'Paid in full; its actions are clearing';
    case 'OVERDUE':
      return `Past its due date (${s.DueOn}) and not paid in full`;
  }
}

/** A statement's status: Open, Partially paid, Paid, or Overdue (red, with a mark that does not rely on colour). */
export function StatementStatusBadge({ statement }: { statement: Pick<Statement, 'Status' | 'DueOn' | 'ClearedDate'> }) {
  const status = statement.Status;
  return (
    <span className="statement-status" data-status={status}>
      <Badge tone={TONES[status]} title={statusTitle(statement)}>
        {status === 'OVERDUE' ? (
          <span className="statement-status-mark" aria-hidden="true">
            !
          </span>
        ) : null}
        {STATUS_LABELS[status]}
      </Badge>
    </span>
  );
}
