import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useMemo, useState } from 'react';
import { errorDetail } from '../../api/client';
import { useAccount, useAccountApi, useAccountKey } from '../../api/session';
import type { ApiToken, Credentials, IssuedToken, IssueTokenBody } from '@contract/credentials';
import { columnsFor, DataTable } from '../../components/DataTable';
import { ConfirmDialog, Dialog } from '../../components/Dialog';
import { ErrorMessage, Loading, Notice, QueryError } from '../../components/Feedback';
import { Card, CopyField, Field, PageHeader } from '../../components/Form';
import { useToast } from '../../components/Toast';
import { formatDateTime } from '../../lib/format';

const NO_TOKENS: ApiToken[] = [];
const col = columnsFor<ApiToken>();

function IssuedTokenDialog({ issued, onClose }: { issued: IssuedToken; onClose: () => void }) {
  return (
    <Dialog
      title="Your new Auth Token"
      testId="issued-token"
      onClose={onClose}
      footer={
        <button type="button" className="btn btn-primary" onClick={onClose}>
          I have stored it
        </button>
      }
    >
      <Notice kind="warning">Copy the Auth Token now: it is shown only once. Lockstep keeps only a hash of it.</Notice>
      <div className="form">
        <CopyField label="Account SID (user name)" value={issued.AccountSid} testId="issued-sid" />
        <CopyField label="Auth Token (password)" value={issued.AuthToken} testId="issued-token-value" />
      </div>
      <p className="muted small">
        Use them as HTTP Basic credentials: <span className="code">curl -u SID:TOKEN {window.location.origin}/api/v1/account</span>
      </p>
    </Dialog>
  );
}

function IssueTokenDialog({ onIssued, onClose }: { onIssued: (t: IssuedToken) => void; onClose: () => void }) {
  const account = useAccount();
  const http = useAccountApi();
  const queryClient = useQueryClient();
  const [label, setLabel] = useState('');
  const issue = useMutation({
    mutationFn: () => http.post<IssuedToken>('/api/v1/credentials', (label.trim() ? { Label: label.trim() } : {}) satisfies IssueTokenBody),
    onSuccess: async (t) => {
      await queryClient.invalidateQueries({ queryKey: ['account', account.Id, 'credentials'] });
      onIssued(t);
    },
  });
  return (
    <Dialog
      title="Issue an Auth Token"
      onClose={onClose}
      onSubmit={() => issue.mutate()}
      footer={
        <>
          <button type="button" className="btn" onClick={onClose}>
            Cancel
          </button>
          <button type="submit" className="btn btn-primary" disabled={issue.isPending}>
            {issue.isPending ? 'Issuing…' : 'Issue token'}
          </button>
        </>
      }
    >
      <div className="form">
        <Field label="Label" hint="What the token is for, e.g. “Returns file upload” or “Shop integration”.">
          <input className="input" maxLength={100} autoFocus value={label} onChange={(e) => setLabel(e.target.value)} />
        </Field>
        {issue.isError ? <ErrorMessage>{errorDetail(issue.error)}</ErrorMessage> : null}
      </div>
    </Dialog>
  );
}

export function CredentialsPage() {
  const account = useAccount();
  const http = useAccountApi();
  const key = useAccountKey();
  const queryClient = useQueryClient();
  const toast = useToast();
  const credentials = useQuery({ queryKey: key('credentials'), queryFn: () => http.get<Credentials>('/api/v1/credentials') });
  const [issuing, setIssuing] = useState(false);
  const [issued, setIssued] = useState<IssuedToken | null>(null);
  const [rotating, setRotating] = useState<ApiToken | null>(null);
  const [revoking, setRevoking] = useState<ApiToken | null>(null);

  const refresh = () => queryClient.invalidateQueries({ queryKey: ['account', account.Id, 'credentials'] });

  const columns = useMemo(
    () => [
      col.accessor('Label', { header: 'Label', cell: (info) => info.getValue() || <span className="muted">(no label)</span> }),
      col.accessor('Hint', { header: 'Auth Token', cell: (info) => <span className="code">…{info.getValue()}</span>, enableSorting: false }),
      col.accessor('CreatedByName', { header: 'Issued by' }),
      col.accessor('CreatedDate', { header: 'Issued', cell: (info) => formatDateTime(info.getValue(), account.TimeZone), meta: { className: 'nowrap' } }),
      col.accessor('LastUsedDate', {
        header: 'Last used',
        cell: (info) => (info.getValue() ? formatDateTime(info.getValue(), account.TimeZone) : <span className="muted">Never</span>),
        meta: { className: 'nowrap' },
      }),
      col.display({
        id: 'actions',
        header: () => <span className="visually-hidden">Actions</span>,
        meta: { align: 'right', width: 170 },
        cell: ({ row }) => (
          <span className="row-actions">
            <button type="button" className="btn btn-sm" onClick={() => setRotating(row.original)}>
              Rotate
            </button>
            <button type="button" className="btn btn-sm btn-danger-ghost" onClick={() => setRevoking(row.original)}>
              Revoke
            </button>
          </span>
        ),
      }),
    ],
    [account.TimeZone],
  );

  return (
    <div className="page">
      <PageHeader
        title="API credentials"
        subtitle={`HTTP Basic credentials for ${account.Name}'s integrations: the Account SID is the user name, an Auth Token the password.`}
        actions={
          <button type="button" className="btn btn-primary" onClick={() => setIssuing(true)}>
            Issue Auth Token
          </button>
        }
      />
      {credentials.isPending ? (
        <Loading />
      ) : credentials.isError ? (
        <QueryError error={credentials.error} onRetry={() => void credentials.refetch()} />
      ) : (
        <div className="stack">
          <Card title="Account SID">
            <CopyField label="Account SID" value={credentials.data.AccountSid} testId="account-sid" />
          </Card>
          <Card title="Auth Tokens">
            <DataTable
              label="Auth Tokens"
              testId="tokens-table"
              columns={columns}
              data={credentials.data.Tokens ?? NO_TOKENS}
              getRowId={(t) => String(t.Id)}
              itemName={['active token', 'active tokens']}
              emptyMessage="No active Auth Tokens. Issue one to use the API."
            />
          </Card>
        </div>
      )}
      {issuing ? (
        <IssueTokenDialog
          onClose={() => setIssuing(false)}
          onIssued={(t) => {
            setIssuing(false);
            setIssued(t);
          }}
        />
      ) : null}
      {issued ? <IssuedTokenDialog issued={issued} onClose={() => setIssued(null)} /> : null}
      {rotating ? (
        <ConfirmDialog
          title="Rotate this Auth Token?"
          confirmLabel="Rotate token"
          onClose={() => setRotating(null)}
          onConfirm={async () => {
            const t = await http.post<IssuedToken>(`/api/v1/credentials/${rotating.Id}/rotate`);
            await refresh();
            setIssued(t);
          }}
        >
          The token ending in <span className="code">{rotating.Hint}</span> stops working now and a new one is shown once.
          Update every integration that uses it.
        </ConfirmDialog>
      ) : null}
      {revoking ? (
        <ConfirmDialog
          title="Revoke this Auth Token?"
          confirmLabel="Revoke token"
          danger
          onClose={() => setRevoking(null)}
          onConfirm={async () => {
            await http.del(`/api/v1/credentials/${revoking.Id}`);
            toast.success('The Auth Token was revoked.');
            await refresh();
          }}
        >
          Integrations using the token ending in <span className="code">{revoking.Hint}</span> stop working at once.
        </ConfirmDialog>
      ) : null}
    </div>
  );
}
