/**
 * Step 2: each chosen account's money, per currency: what is available, approved and waiting
 * for the brand's payment, overdue (and from which brand, whom to contact), and the pending
 * actions that will still become funds. A balance below the withdrawal threshold is cleared
 * by a ticket: a manual paystub, or a forfeit; an operator performs either.
 */
import { useQueryClient } from '@tanstack/react-query';
import { useState, type ReactNode } from 'react';
import type { TicketDetail } from '@contract/tickets';
import { closureKeys, openTicket, useWaitingTickets, type ClosureEligibilityItem } from '../../../api/closure';
import { useSession } from '../../../api/session';
import { AccountLink } from '../../../components/AccountLink';
import { ConfirmDialog } from '../../../components/Dialog';
import { Notice } from '../../../components/Feedback';
import { Card } from '../../../components/Form';
import { formatDate } from '../../../lib/format';
import { label, TICKET_TYPE_LABELS } from '../../../lib/labels';
import { compareAmounts, formatMoney, isZeroAmount } from '../../../lib/money';
import { StatusBadge } from '../../support/TicketsPage';
import { TICKETS_PATH } from '../../support/newTicketLink';
import { belowThreshold } from './steps';

type Fund = ClosureEligibilityItem['Funds'][number];

/** A ticket the user opened or already had: where to follow it, and that an operator performs it. */
export function TicketNote({ ticket, accountId, children }: { ticket: Pick<TicketDetail, 'Id' | 'Status'>; accountId: number; children: ReactNode }) {
  return (
    <Notice kind="info">
      <span data-testid={`ticket-note-${ticket.Id}`}>
        {children}{' '}
        <AccountLink accountId={accountId} to={`${TICKETS_PATH}/${ticket.Id}`} className="strong-link">
          Ticket #{ticket.Id}
        </AccountLink>{' '}
        <StatusBadge status={ticket.Status} />
      </span>
    </Notice>
  );
}

/** The two ways to clear a balance below the threshold, unless a ticket already asks for one of them. */
function BalanceRequests({ item, fund }: { item: ClosureEligibilityItem; fund: Fund }) {
  const queryClient = useQueryClient();
  const paystubs = useWaitingTickets(item.AccountId, 'MANUAL_PAYSTUB');
  const forfeits = useWaitingTickets(item.AccountId, 'FORFEIT_BALANCE');
  const [asking, setAsking] = useState<'MANUAL_PAYSTUB' | 'FORFEIT_BALANCE' | null>(null);
  const [opened, setOpened] = useState<TicketDetail | null>(null);
  const money = (amount: string | null) => formatMoney(amount, fund.Currency);
  const available = money(fund.Available);
  const paystub = fund.ManualPaystub;
  const waiting = [...(paystubs.data ?? []), ...(forfeits.data ?? [])].filter((t) => t.Currency === null || t.Currency === fund.Currency);

  const ask = async (type: 'MANUAL_PAYSTUB' | 'FORFEIT_BALANCE') => {
    const about = `${item.Name} (account ${item.AccountId})`;
    const ticket = await openTicket(item.AccountId, {
      Type: type,
      Subject: type === 'MANUAL_PAYSTUB' ? `Manual paystub of ${available} for ${item.Name}` : `Forfeit ${available} of ${item.Name}`,
      Message:
        type === 'MANUAL_PAYSTUB'
          ? `Please pay the available ${fund.Currency} balance of ${about}, ${available}, by a manual paystub${paystub?.Method ? ` (${label.paymentMethod(paystub.Method)})` : ''}: fee ${money(paystub?.Fee ?? null)}, ${money(paystub?.Net ?? null)} to receive. I am closing the account.`
          : `I forfeit the available ${fund.Currency} balance of ${about}, ${available}. I understand that it is lost: it will not be paid to me or anyone. I am closing the account.`,
      AccountIds: [item.AccountId],
      Currency: fund.Currency,
    });
    setOpened(ticket);
    await queryClient.invalidateQueries({ queryKey: closureKeys.all });
  };

  if (opened) {
    return (
      <TicketNote ticket={opened} accountId={item.AccountId}>
        {opened.Type === 'MANUAL_PAYSTUB' ? 'Your manual paystub is asked for.' : 'Your forfeit is asked for.'} An operator performs it; the balance clears then. Follow it in
        Help → Tickets:
      </TicketNote>
    );
  }
  if (waiting.length) {
    return (
      <>
        {waiting.map((t) => (
          <TicketNote key={t.Id} ticket={t} accountId={item.AccountId}>
            {TICKET_TYPE_LABELS[t.Type]} of this balance is already asked for: an operator performs it, no need to ask again.
          </TicketNote>
        ))}
      </>
    );
  }
  return (
    <div className="closure-options">
      <p>
        {available} is below {fund.Threshold === null ? 'any withdrawal threshold (you have no withdrawal settings)' : `your withdrawal threshold of ${money(fund.Threshold)}`}, so no
        payout pays it on its own. Clear it one of two ways:
      </p>
      <ul className="closure-list">
        {paystub?.Possible ? (
          <li>
            <span>
              <strong>Request a manual paystub</strong>: {paystub.Method ? `${label.paymentMethod(paystub.Method)}, ` : ''}fee {money(paystub.Fee)}, you receive{' '}
              <strong>{money(paystub.Net)}</strong>.
            </span>
            <button type="button" className="btn btn-sm" onClick={() => setAsking('MANUAL_PAYSTUB')}>
              Request a manual paystub
            </button>
          </li>
        ) : (
          <li>
            <span className="muted">A manual paystub is not possible{paystub?.Refusal ? `: ${paystub.Refusal}` : ': the balance does not cover the fee and leave a remainder.'}</span>
          </li>
        )}
        <li>
          <span>
            <strong>Forfeit the balance</strong>: the {available} is lost.
          </span>
          <button type="button" className="btn btn-sm btn-danger-ghost" onClick={() => setAsking('FORFEIT_BALANCE')}>
            Forfeit the balance
          </button>
        </li>
      </ul>
      {asking === 'MANUAL_PAYSTUB' ? (
        <ConfirmDialog title={`Request a manual paystub of ${available}?`} confirmLabel="Open the ticket" testId="manual-paystub-dialog" onConfirm={() => ask('MANUAL_PAYSTUB')} onClose={() => setAsking(null)}>
          <p>
            A ticket asks the support team to pay {available} of {item.Name} now{paystub?.Method ? ` by ${label.paymentMethod(paystub.Method)}` : ''}: the fee of {money(paystub?.Fee ?? null)}{' '}
            is taken and you receive {money(paystub?.Net ?? null)}.
          </p>
        </ConfirmDialog>
      ) : null}
      {asking === 'FORFEIT_BALANCE' ? (
        <ConfirmDialog title={`Forfeit ${available}?`} confirmLabel="Forfeit the balance" danger testId="forfeit-dialog" onConfirm={() => ask('FORFEIT_BALANCE')} onClose={() => setAsking(null)}>
          <p>
            The {available} of {item.Name} will be <strong>lost</strong>: it is not paid to you or to anyone, and it cannot be claimed later. A ticket asks the support team
            to do it.
          </p>
        </ConfirmDialog>
      ) : null}
    </div>
  );
}

function FundsOfAccount({ item, timeZone }: { item: ClosureEligibilityItem; timeZone: string }) {
  const money = item.Funds.filter((f) => !isZeroAmount(f.Available) || !isZeroAmount(f.PaymentPending) || !isZeroAmount(f.Overdue));
  const clear = money.length === 0 && item.OverdueFrom.length === 0 && item.PendingPayouts.length === 0 && item.PendingActions === 0;
  return (
    <section className="closure-account" aria-label={item.Name} data-testid={`closure-funds-${item.AccountId}`}>
      <h3 className="subhead">{item.Name}</h3>
      {clear ? <p className="muted">No funds: nothing available, nothing waiting for payment, nothing overdue, no pending action.</p> : null}
      {money.length ? (
        <div className="table-scroll">
          <table className="table">
            <thead>
              <tr>
                <th>Currency</th>
                <th className="num">Available</th>
                <th className="num">Waiting for the brand's payment</th>
                <th className="num">Overdue</th>
                <th className="num">Withdrawal threshold</th>
              </tr>
            </thead>
            <tbody>
              {money.map((f) => (
                <tr key={f.Currency}>
                  <td>{f.Currency}</td>
                  <td className="num">{formatMoney(f.Available, f.Currency)}</td>
                  <td className="num">{formatMoney(f.PaymentPending, f.Currency)}</td>
                  <td className="num">{formatMoney(f.Overdue, f.Currency)}</td>
                  <td className="num">{f.Threshold === null ? 'none' : formatMoney(f.Threshold, f.Currency)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      ) : null}
      {money.map((f) =>
        belowThreshold(f) ? (
          <BalanceRequests key={f.Currency} item={item} fund={f} />
        ) : !isZeroAmount(f.Available) && f.Threshold !== null && compareAmounts(f.Available, f.Threshold) >= 0 ? (
          <p key={f.Currency}>
            {formatMoney(f.Available, f.Currency)} is at or above your threshold: the next payout pays it (Home says when).
          </p>
        ) : null,
      )}
      {money.some((f) => !isZeroAmount(f.PaymentPending)) ? (
        <p>Approved actions waiting for the brand's payment become available when the brand pays its statement; then they are paid out or cleared as above.</p>
      ) : null}
      {item.OverdueFrom.length ? (
        <>
          <p>Overdue: these brands have not paid their statements. Contact them about it:</p>
          <ul className="closure-list">
            {item.OverdueFrom.map((o) => (
              <li key={`${o.BrandId}-${o.Currency}`}>
                <span>
                  <strong>{o.BrandName}</strong> owes {formatMoney(o.Overdue, o.Currency)}
                </span>
                {o.Contact ? <a href={`mailto:${o.Contact}`}>{o.Contact}</a> : <span className="muted">no contact on file: ask support</span>}
              </li>
            ))}
          </ul>
        </>
      ) : null}
      {item.PendingPayouts.length ? (
        <>
          <p>Pending actions that will become funds when they lock:</p>
          <ul className="closure-list">
            {item.PendingPayouts.map((p) => (
              <li key={p.Currency}>
                <span>
                  {p.Count} pending {p.Count === 1 ? 'action' : 'actions'}, {formatMoney(p.Payout, p.Currency)}
                </span>
                <span className="muted">
                  {p.FirstLockingDate && p.LastLockingDate && p.FirstLockingDate !== p.LastLockingDate
                    ? `lock from ${formatDate(p.FirstLockingDate, timeZone)} to ${formatDate(p.LastLockingDate, timeZone)}`
                    : p.LastLockingDate
                      ? `lock on ${formatDate(p.LastLockingDate, timeZone)}`
                      : 'locking date not set'}
                </span>
              </li>
            ))}
          </ul>
          <p className="muted small">Wait until the last one has locked and been paid, or ask the brand to reverse the ones that should not earn.</p>
        </>
      ) : null}
    </section>
  );
}

export function ClearFundsStep({ items }: { items: ClosureEligibilityItem[] }) {
  const { me } = useSession();
  return (
    <Card title="Step 2: Clear your balance" testId="closure-step-2">
      <p>An account is closed only with no funds: nothing available, nothing that will become available, nothing overdue.</p>
      {items.map((item) => (
        <FundsOfAccount key={item.AccountId} item={item} timeZone={me.Accounts.find((a) => a.Id === item.AccountId)?.TimeZone ?? 'UTC'} />
      ))}
    </Card>
  );
}
