/** Home: the next expected payout per currency (date and amount), or what blocks it, as the payout run would decide today. */
import { useQuery } from '@tanstack/react-query';
import { Link } from 'react-router';
import type { NextPayoutItem } from '@contract/payouts';
import { accountApi } from '../../api/client';
import { useAccount } from '../../api/session';
import { Card } from '../../components/Form';
import { formatDate, formatDateTime } from '../../lib/format';

const FIX: Partial<Record<NonNullable<NextPayoutItem['Blocker']>, { to: string; label: string }>> = {
  NO_WITHDRAWAL_SETTINGS: { to: '/settings/withdrawal-settings', label: 'Add withdrawal settings' },
  CURRENCY_NOT_PAID_BY_METHOD: { to: '/settings/withdrawal-settings', label: 'Change withdrawal settings' },
  BELOW_THRESHOLD: { to: '/settings/withdrawal-settings', label: 'Change the threshold' },
  BELOW_MINIMUM: { to: '/help/tickets?new&type=MANUAL_PAYSTUB', label: 'Ask for a manual paystub' },
};

export function NextPayoutCard() {
  const account = useAccount();
  const next = useQuery({
    queryKey: ['account', account.Id, 'payouts', 'next'],
    queryFn: () => accountApi(account.Id).get<{ Items: NextPayoutItem[] }>('/api/v1/payouts/next'),
  });
  const items = next.data?.Items ?? [];
  if (next.isPending || items.length === 0) return null;
  return (
    <Card title="Next payout" testId="next-payout">
      <ul className="next-payouts">
        {items.map((item) => {
          const fix = item.Blocker ? FIX[item.Blocker] : undefined;
          return (
            <li key={item.Currency} data-testid={`next-payout-${item.Currency}`}>
              {item.Blocker === null ? (
                <>
                  <strong>
                    {item.Net} {item.Currency}
                  </strong>{' '}
                  expected on <strong>{formatDate(`${item.PayOn}T12:00:00Z`, 'UTC')}</strong>
                  <span className="muted">
                    {' '}
                    ({item.Gross} {item.Currency} available, fee {item.Fee} {item.Currency})
                  </span>
                </>
              ) : (
                <>
                  <span>{item.Message}</span>
                  {item.HoldEndsDate ? <span className="muted"> Ends {formatDateTime(item.HoldEndsDate, account.TimeZone)}.</span> : null}
                  {fix ? (
                    <>
                      {' '}
                      <Link to={fix.to}>{fix.label}</Link>
                    </>
                  ) : null}
                </>
              )}
            </li>
          );
        })}
      </ul>
    </Card>
  );
}
