import { useBalances } from '../../api/actions';
import { useAccount } from '../../api/session';
import { QueryError } from '../../components/Feedback';
import { formatMoney, isZeroAmount } from '../../lib/money';
import '../../styles/finance.css';

/**
 * The account's balances per currency. Partners: pending (estimated, from pending
 * actions), payment pending (locked, not yet cleared: funds that will become
 * available), of which overdue (past the payment date), and available (cleared, ready
 * to withdraw). Brands: pending (estimated), payable (locked payouts owed) and overdue.
 * Overdue stands out when it is not zero.
 */
export function BalanceCards() {
  const account = useAccount();
  const balances = useBalances();
  const isPartner = account.Kind === 'PARTNER';
  if (balances.isError) return <QueryError error={balances.error} onRetry={() => void balances.refetch()} />;
  const list = balances.data ?? [];
  return (
    <div className="balances" data-testid="balances" aria-busy={balances.isPending || undefined}>
      {balances.isPending ? (
        <div className="balance-card balance-card-loading">
          <span className="spinner" aria-hidden="true" /> Loading balances…
        </div>
      ) : list.length === 0 ? (
        <div className="balance-card muted">No balances yet: they start with your first tracked action.</div>
      ) : (
        list.map((b) => (
          <section key={b.Currency} className="balance-card" data-testid={`balance-${b.Currency}`} aria-label={`Balances in ${b.Currency}`}>
            <div className="balance-currency">{b.Currency}</div>
            <div className="balance-figures">
              <div className="balance-figure">
                <div className="kpi-label" title="Pending actions, estimated: they may still be modified or reversed">
                  Pending
                </div>
                <div className="balance-value" data-testid={`balance-${b.Currency}-pending`}>
                  {formatMoney(b.Pending, b.Currency)}
                </div>
              </div>
              {isPartner ? (
                <div className="balance-figure">
                  <div className="kpi-label" title="Locked, not yet cleared: funds that will become available">
                    Payment pending
                  </div>
                  <div className="balance-value" data-testid={`balance-${b.Currency}-payment-pending`}>
                    {formatMoney(b.PaymentPending, b.Currency)}
                  </div>
                </div>
              ) : (
                <div className="balance-figure">
                  <div className="kpi-label" title="Locked payouts owed to partners">
                    Payable
                  </div>
                  <div className="balance-value" data-testid={`balance-${b.Currency}-payable`}>
                    {formatMoney(b.Payable, b.Currency)}
                  </div>
                </div>
              )}
              <div className={`balance-figure ${isZeroAmount(b.Overdue) ? '' : 'balance-figure-overdue'}`}>
                <div
                  className="kpi-label"
                  title={
                    isPartner
                      ? "Part of payment pending: locked payouts past their payment date, waiting for the brand's payment"
                      : 'Locked payouts past their payment date and not paid: see Finance → Statements'
                  }
                >
                  Overdue
                  {isZeroAmount(b.Overdue) ? null : (
                    <span className="balance-warning-mark" aria-hidden="true">
                      !
                    </span>
                  )}
                </div>
                <div className="balance-value" data-testid={`balance-${b.Currency}-overdue`}>
                  {formatMoney(b.Overdue, b.Currency)}
                </div>
              </div>
              {isPartner ? (
                <div className="balance-figure">
                  <div className="kpi-label" title="Cleared: the brand paid, ready to withdraw">
                    Available
                  </div>
                  <div className="balance-value" data-testid={`balance-${b.Currency}-available`}>
                    {formatMoney(b.Available, b.Currency)}
                  </div>
                </div>
              ) : null}
            </div>
          </section>
        ))
      )}
    </div>
  );
}
