import { useQuery } from '@tanstack/react-query';
import { useAccount, useAccountApi, useAccountKey } from '../../api/session';
import type { AccountDetails } from '@contract/accounts';
import { Loading, QueryError } from '../../components/Feedback';
import { Badge, Card, Details, PageHeader } from '../../components/Form';
import { formatDateTime } from '../../lib/format';
import { label } from '../../lib/labels';

export function AccountPage() {
  const account = useAccount();
  const http = useAccountApi();
  const key = useAccountKey();
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
    </div>
  );
}
