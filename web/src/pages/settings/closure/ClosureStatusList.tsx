/** Each account as the closure sees it now: closed, may be closed, or what blocks it (the server's words). */
import type { ClosureEligibilityItem } from '../../../api/closure';
import { Badge } from '../../../components/Form';
import { formatDateTime } from '../../../lib/format';

export function ClosureStatusList({ items, timeZone, testId }: { items: readonly ClosureEligibilityItem[]; timeZone: string; testId?: string }) {
  return (
    <ul className="closure-status" data-testid={testId}>
      {items.map((item) => (
        <li key={item.AccountId} data-testid={`closure-status-${item.AccountId}`}>
          <div className="closure-status-head">
            <span>
              <strong>{item.Name}</strong> <span className="muted small">#{item.AccountId}</span>
            </span>
            {item.ClosedDate !== null ? (
              <Badge tone="gray">Closed {formatDateTime(item.ClosedDate, timeZone)}</Badge>
            ) : item.Eligible ? (
              <Badge tone="green">Can be closed</Badge>
            ) : (
              <Badge tone="red">Blocked</Badge>
            )}
          </div>
          {item.ClosedDate === null && !item.Eligible && item.Blockers.length ? (
            <ul className="closure-blockers">
              {item.Blockers.map((b) => (
                <li key={b}>{b}</li>
              ))}
            </ul>
          ) : null}
        </li>
      ))}
    </ul>
  );
}
