import type { EventType, Terms } from '../../api/types';
import { lockingText, payoutText, paymentText } from '../../lib/format';

function matchText(match: { categories?: string[]; skus?: string[] }): string {
  const parts: string[] = [];
  if (match.categories?.length) parts.push(`category ${match.categories.join(', ')}`);
  if (match.skus?.length) parts.push(`SKU ${match.skus.join(', ')}`);
  return parts.join(' or ');
}

/** Payouts per event type (with payout groups), the locking rule and the payment schedule. */
export function TermsSummary({ terms, currency, eventTypes }: { terms: Terms; currency: string; eventTypes?: EventType[] }) {
  const names = new Map((eventTypes ?? []).map((e) => [e.id, e]));
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
          {terms.payouts.map((p) => {
            const et = names.get(p.eventTypeId);
            return [
              <tr key={p.eventTypeId}>
                <td>
                  {et ? et.name : `Event type ${p.eventTypeId}`}{' '}
                  <span className="muted small">
                    #{p.eventTypeId}
                    {et ? ` · ${et.kind}` : ''}
                  </span>
                </td>
                <td className="align-right nowrap">
                  {payoutText(p.payout, currency)}
                  {et?.kind === 'CLICK' && p.payout.kind === 'FIXED' ? <span className="muted small"> per click</span> : null}
                </td>
              </tr>,
              ...p.groups.map((g, i) => (
                <tr key={`${p.eventTypeId}-g${i}`} className="group-row">
                  <td>
                    <span className="group-arrow" aria-hidden="true">
                      ↳
                    </span>{' '}
                    {g.name} <span className="muted small">({matchText(g.match)})</span>
                  </td>
                  <td className="align-right nowrap">{payoutText(g.payout, currency)}</td>
                </tr>
              )),
            ];
          })}
        </tbody>
      </table>
      <ul className="terms-rules">
        <li>{lockingText(terms.locking)}.</li>
        <li>{paymentText(terms.payment)}.</li>
      </ul>
    </div>
  );
}
