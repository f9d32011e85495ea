/**
 * A locked action's post-lock corrections (an operator's adjustments of its payout), in
 * the action's details for its brand, its partner and operators: amount, reason, note,
 * and where each stands (billed on which statement, cleared, paid).
 */
import { useQuery } from '@tanstack/react-query';
import { accountApi, api } from '../../../api/client';
import { useSession } from '../../../api/session';
import type { Action } from '@contract/actions';
import type { Correction } from '@contract/corrections';
import { QueryError } from '../../../components/Feedback';
import { Badge } from '../../../components/Form';
import { formatDateTime } from '../../../lib/format';
import { formatSignedMoney } from '../../../lib/money';
import { reasonLabel } from '../../../lib/labels';

const STATUS: Record<Correction['Status'], { label: string; tone: 'gray' | 'blue' | 'green' | 'amber' }> = {
  UNBILLED: { label: 'On the next statement', tone: 'amber' },
  BILLED: { label: 'Billed', tone: 'blue' },
  CLEARED: { label: 'Available', tone: 'green' },
  PAID: { label: 'Paid', tone: 'green' },
  FORFEITED: { label: 'Forfeited', tone: 'gray' },
};

/** The corrections query's key: an account's (brand, partner), or the operator console's (no account). */
export function correctionsKey(accountId: number | null, actionId: string): readonly unknown[] {
  return accountId === null ? ['operator', 'actions', 'corrections', actionId] : ['account', accountId, 'actions', 'corrections', actionId];
}

export function useActionCorrections(actionId: string, enabled: boolean) {
  const { account } = useSession();
  const accountId = account?.Id ?? null;
  const path = `/api/v1/actions/${actionId}/corrections`;
  return useQuery({
    queryKey: correctionsKey(accountId, actionId),
    queryFn: () => (accountId === null ? api.get<{ Items: Correction[] }>(path) : accountApi(accountId).get<{ Items: Correction[] }>(path)),
    enabled,
  });
}

export function ActionCorrections({ action, timeZone }: { action: Action; timeZone: string }) {
  const corrections = useActionCorrections(action.Id, action.State === 'APPROVED');
  if (action.State !== 'APPROVED') return null;
  if (corrections.isError) return <QueryError error={corrections.error} onRetry={() => void corrections.refetch()} />;
  const items = corrections.data?.Items ?? [];
  if (items.length === 0) return null;
  return (
    <section data-testid="action-corrections" aria-labelledby={`corrections-${action.Id}`}>
      <h3 className="subhead" id={`corrections-${action.Id}`}>
        Corrections after the lock <span className="muted small">· {items.length}, oldest first. The action itself never changes.</span>
      </h3>
      <ul className="history">
        {items.map((c) => (
          <li key={c.Id} data-testid={`correction-${c.Id}`}>
            <strong className="num">{formatSignedMoney(c.Amount, c.Currency)}</strong> · {reasonLabel(c.Reason)}{' '}
            <Badge tone={STATUS[c.Status].tone}>{STATUS[c.Status].label}</Badge>
            <div className="muted small">
              {formatDateTime(c.CreatedDate, timeZone)}
              {c.StatementNumber ? ` · statement ${c.StatementNumber}` : ''}
              {c.ClearedDate ? ` · cleared ${formatDateTime(c.ClearedDate, timeZone)}` : ''}
              {c.PaystubId ? ` · paystub ${c.PaystubId}` : ''}
            </div>
            {c.Note ? <div className="small">{c.Note}</div> : null}
          </li>
        ))}
      </ul>
    </section>
  );
}
