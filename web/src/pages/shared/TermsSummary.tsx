import type { EventType, PayoutGroup, Terms } from '@contract/programs';
import { lockingText, payoutText, paymentText } from '../../lib/format';
import { label } from '../../lib/labels';

function matchText(match: PayoutGroup['Match']): string {
  const parts: string[] = [];
  if (match.Categories?.length) parts.push(`category ${match.Categories.join(', ')}`);
  if (match.Skus?.length) parts.push(`SKU ${match.Skus.join(', ')}`);
  return parts.join(' or ');
}

/** Payouts per event type (with payout groups), the locking rule and the payment schedule. */
export function TermsSummary({ terms, currency, eventTypes }: { terms: Terms; currency: string; eventTypes?: EventType[] }) {
  const names = new Map((eventTypes ?? []).map((e) => [e.Id, e]));
  return (
    <div className="terms-summary">
      <table className="mini-table">
        <thead>
          <tr>
            <th scope="col">Event type</th>
            <th scope="col" className="align-right">
              Payout
            </th>
          </tr>
        </thead>
        <tbody>
          {terms.Payouts.map((p) => {
            const et = names.get(p.EventTypeId);
            return [
              <tr key={p.EventTypeId}>
                <td>
                  {et ? et.Name : `Event type ${p.EventTypeId}`}{' '}
                  <span className="muted small">
                    #{p.EventTypeId}
                    {et ? ` · ${label.eventTypeKind(et.Kind)}` : ''}
                  </span>
                </td>
                <td className="align-right nowrap">
                  {payoutText(p.Payout, currency)}
                  {et?.Kind === 'CLICK' && p.Payout.Kind === 'FIXED' ? <span className="muted small"> per click</span> : null}
                  {p.OpenEndedLocking ? (
                    <div>
                      <span className="badge badge-blue" title="Pending until a returns file or the API settles it; locks on its own 730 days after the day tracked">
                        Open-ended
                      </span>
                    </div>
                  ) : null}
                </td>
              </tr>,
              ...p.Groups.map((g, i) => (
                // biome-ignore lint/suspicious/noArrayIndexKey: a group is its place in the list (the first match wins); names need not be unique
                <tr key={`${p.EventTypeId}-g${i}`} className="group-row">
                  <td>
                    <span className="group-arrow" aria-hidden="true">
                      ↳
                    </span>{' '}
                    {g.Name} <span className="muted small">({matchText(g.Match)})</span>
                  </td>
                  <td className="align-right nowrap">{payoutText(g.Payout, currency)}</td>
                </tr>
              )),
            ];
          })}
        </tbody>
      </table>
      <ul className="terms-rules">
        <li>
          {lockingText(terms.Locking)}
          {terms.Payouts.some((p) => p.OpenEndedLocking) ? ', except for the event types with open-ended locking' : ''}.
        </li>
        {terms.Payouts.some((p) => p.OpenEndedLocking) ? (
          <li>
            Open-ended locking: those actions stay pending until a returns file or the API approves or reverses them, and lock on their own 730 days
            after the day they were tracked.
          </li>
        ) : null}
        <li>{paymentText(terms.Payment)}.</li>
      </ul>
    </div>
  );
}
