import type { Action } from '@contract/actions';
import { Badge } from '../../../components/Form';
import { reasonLabel, statusDetailLabel } from '../../../lib/labels';

type Tone = 'gray' | 'green' | 'red' | 'blue' | 'amber' | 'violet';

export function statusTone(statusDetail: string): Tone {
  if (statusDetail === 'Pending') return 'amber';
  if (statusDetail === 'Approved/Paid') return 'green';
  if (statusDetail === 'Approved/Overdue') return 'red';
  if (statusDetail.startsWith('Approved')) return 'blue';
  return 'gray';
}

export function LockIcon({ title = 'Locked' }: { title?: string }) {
  // The name is on the wrapper (tooltip and aria-label), not in an SVG <title>, so the
  // cell's text stays the status detail alone.
  return (
    <span className="lock-icon" role="img" aria-label={title} title={title}>
      <svg width="12" height="12" viewBox="0 0 16 16" aria-hidden="true">
        <path
          fill="currentColor"
          d="M8 1a3.5 3.5 0 0 0-3.5 3.5V6H4a1.5 1.5 0 0 0-1.5 1.5v6A1.5 1.5 0 0 0 4 15h8a1.5 1.5 0 0 0 1.5-1.5v-6A1.5 1.5 0 0 0 12 6h-.5V4.5A3.5 3.5 0 0 0 8 1Zm-2 3.5a2 2 0 1 1 4 0V6H6V4.5Z"
        />
      </svg>
    </span>
  );
}

/** The status detail as partners know it, in words: Pending, Approved/Payment Pending, Reversed: Item returned… (the code in the tooltip). */
export function StatusDetailBadge({ action }: { action: Pick<Action, 'StatusDetail' | 'State' | 'ReversalReason'> }) {
  const title =
    action.State === 'REVERSED'
      ? `${action.StatusDetail}: reversed, ${reasonLabel(action.ReversalReason)}`
      : action.State === 'APPROVED'
        ? 'Locked: approved actions are no longer changed'
        : 'Pending: the brand may still modify or reverse it until its locking date';
  return (
    <span className="status-cell">
      <Badge tone={statusTone(action.StatusDetail)} title={title}>
        {statusDetailLabel(action.StatusDetail)}
      </Badge>
      {action.State === 'APPROVED' ? <LockIcon /> : null}
    </span>
  );
}
