import { useQuery } from '@tanstack/react-query';
import { Link } from 'react-router';
import { useAccount, useAccountApi, useAccountKey, useSession } from '../../api/session';
import type { AccountDetails } from '@contract/accounts';
import { Loading, QueryError } from '../../components/Feedback';
import { Badge, Card, Details, PageHeader } from '../../components/Form';
import { formatDateTime } from '../../lib/format';
import { label } from '../../lib/labels';
import { CLOSE_ACCOUNT_PATH } from './closure/steps';

export function AccountPage() {
  const account = useAccount();
  const http = useAccountApi();
  const key = useAccountKey();
  const { me } = useSession();
  // Closing is for partner admins: offered in a partner account to a user who administers one.
  const mayClose = account.Kind === 'PARTNER' && me.Accounts.some((a) => a.Kind === 'PARTNER' && a.Role === 'ADMIN');
  const details = useQuery({ queryKey: key('account'), queryFn: () => http.get<AccountDetails>('/api/v1/account') });
  return (
    <div className="page">
      <PageHeader title="Account" subtitle="Your account as Lockstep knows it. Contact support to change its currency or time zone." />
      <Card>
        {details.isPending ? (
          <Loading />
        ) : details.isError ? (
          <QueryError error={details.error} onRetry={() => void details.refetch()} />
        ) : (
          <Details
            items={[
              ['Name', details.data.Name],
              ['Kind', label.accountKind(details.data.Kind)],
              ['Account Id', <span key="id" className="mono">{details.data.Id}</span>],
              ['Account SID', <span key="sid" className="mono">{details.data.AccountSid}</span>],
              ['Currency', details.data.Currency],
              ['Time zone', details.data.TimeZone],
              ['Status', <Badge key="st" tone={details.data.Status === 'ACTIVE' ? 'green' : 'gray'}>{label.accountStatus(details.data.Status)}</Badge>],
              ['Created', formatDateTime(details.data.CreatedDate, account.TimeZone)],
              ['Your role', label.role(account.Role)],
            ]}
          />
        )}
      </Card>
      {mayClose ? (
        <Card title="Close account">
          <p>
            Stop using Lockstep for good: expire your contracts, clear your balance, then ask the support team to close the partner accounts you administer. Closing
            cannot be undone.
          </p>
          <Link to={CLOSE_ACCOUNT_PATH} className="btn btn-danger-ghost">
            Close account…
          </Link>
        </Card>
      ) : null}
    </div>
  );
}
