import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import type { Page } from '@contract/common';
import type {
  WebhookDeliveryDetailDto,
  WebhookDeliveryDto,
  WebhookEndpointDto,
  WebhookEndpointWithSecretDto,
  WebhookEventTypeListDto,
} from '@contract/webhooks';
import { errorDetail } from '../../../api/client';
import { useAccount, useAccountApi, useAccountKey } from '../../../api/session';
import { columnsFor, DataTable } from '../../../components/DataTable';
import { ConfirmDialog, Dialog } from '../../../components/Dialog';
import { ErrorMessage, Loading, Notice, QueryError } from '../../../components/Feedback';
import { Badge, Card, CopyField, Details, Field, PageHeader } from '../../../components/Form';
import { useToast } from '../../../components/Toast';
import { formatDateTime } from '../../../lib/format';
import '../../../styles/webhooks.css';

const NO_ENDPOINTS: WebhookEndpointDto[] = [];
const NO_DELIVERIES: WebhookDeliveryDto[] = [];
const endpointCol = columnsFor<WebhookEndpointDto>();
const deliveryCol = columnsFor<WebhookDeliveryDto>();

function SecretDialog({ title, secret, onClose }: { title: string; secret: string; onClose: () => void }) {
  return (
    <Dialog
      title={title}
      testId="webhook-secret"
      onClose={onClose}
      footer={
        <button type="button" className="btn btn-primary" onClick={onClose}>
          I have stored it
        </button>
      }
    >
      <Notice kind="warning">Copy the signing secret now: it is shown only once. Lockstep keeps it encrypted and never shows it again.</Notice>
      <div className="form">
        <CopyField label="Signing secret" value={secret} testId="webhook-secret-value" />
      </div>
      <p className="muted small">
        Verify each request's <span className="code">webhook-signature</span> header with it, e.g. with the <span className="code">standardwebhooks</span>{' '}
        package: <span className="code">new Webhook(secret).verify(body, headers)</span>.
      </p>
    </Dialog>
  );
}

function EndpointDialog({ endpoint, onSaved, onClose }: { endpoint?: WebhookEndpointDto; onSaved: (saved: WebhookEndpointDto | WebhookEndpointWithSecretDto) => void; onClose: () => void }) {
  const http = useAccountApi();
  const key = useAccountKey();
  const types = useQuery({ queryKey: key('webhook-event-types'), queryFn: () => http.get<WebhookEventTypeListDto>('/api/v1/webhooks/event-types') });
  const [url, setUrl] = useState(endpoint?.Url ?? '');
  const [description, setDescription] = useState(endpoint?.Description ?? '');
  const [selected, setSelected] = useState<Set<string>>(new Set(endpoint?.EventTypes ?? []));
  const save = useMutation({
    mutationFn: () => {
      const body = { Url: url.trim(), Description: description.trim(), EventTypes: [...selected] };
      return endpoint
        ? http.patch<WebhookEndpointDto>(`/api/v1/webhooks/endpoints/${endpoint.Id}`, body)
        : http.post<WebhookEndpointWithSecretDto>('/api/v1/webhooks/endpoints', body);
    },
    onSuccess: onSaved,
  });
  const toggle = (type: string) =>
    setSelected((current) => {
      const next = new Set(current);
      if (next.has(type)) next.delete(type);
      else next.add(type);
      return next;
    });
  return (
    <Dialog
      title={endpoint ? 'Edit webhook endpoint' : 'Add a webhook endpoint'}
      testId="webhook-endpoint-dialog"
      size="lg"
      onClose={onClose}
      onSubmit={() => save.mutate()}
      footer={
        <>
          <button type="button" className="btn" onClick={onClose}>
            Cancel
          </button>
          <button type="submit" className="btn btn-primary" disabled={save.isPending || selected.size === 0 || url.trim() === ''}>
            {save.isPending ? 'Saving…' : endpoint ? 'Save' : 'Add endpoint'}
          </button>
        </>
      }
    >
      <div className="form">
        <Field label="URL" hint="An https:// address your server answers with 2xx. Private and loopback addresses are refused.">
          <input className="input" type="url" required maxLength={2000} autoFocus value={url} onChange={(e) => setUrl(e.target.value)} placeholder="https://hooks.example.com/lockstep" />
        </Field>
        <Field label="Description">
          <input className="input" maxLength={500} value={description} onChange={(e) => setDescription(e.target.value)} />
        </Field>
        <fieldset className="webhook-event-types">
          <legend>Event types</legend>
          {types.isPending ? <Loading /> : types.isError ? <QueryError error={types.error} /> : null}
          <div className="checkbox-grid">
            {(types.data?.Items ?? []).map((type) => (
              <label key={type.Type} className="checkbox" title={type.Description}>
                <input type="checkbox" checked={selected.has(type.Type)} onChange={() => toggle(type.Type)} />
                <span className="code">{type.Type}</span> <span className="muted small">{type.Description}</span>
              </label>
            ))}
          </div>
        </fieldset>
        {save.isError ? <ErrorMessage>{errorDetail(save.error)}</ErrorMessage> : null}
      </div>
    </Dialog>
  );
}

function DeliveryDialog({ deliveryId, onClose }: { deliveryId: string; onClose: () => void }) {
  const account = useAccount();
  const http = useAccountApi();
  const key = useAccountKey();
  const delivery = useQuery({ queryKey: key('webhook-delivery', deliveryId), queryFn: () => http.get<WebhookDeliveryDetailDto>(`/api/v1/webhooks/deliveries/${deliveryId}`) });
  const d = delivery.data;
  return (
    <Dialog title={`Delivery ${deliveryId}`} testId="webhook-delivery" size="lg" onClose={onClose}>
      {delivery.isPending ? (
        <Loading />
      ) : delivery.isError ? (
        <QueryError error={delivery.error} />
      ) : d ? (
        <div className="stack">
          <Details
            items={[
              ['Event', <span key="event" className="code">{d.EventType}</span>],
              ['Resource', <span key="resource" className="code">{d.Subject}</span>],
              ['webhook-id', <span key="id" className="code">{d.WebhookId}</span>],
              ['State', d.State],
              ['Attempts', d.Attempts],
              ['Next attempt', d.NextAttemptDate ? formatDateTime(d.NextAttemptDate, account.TimeZone) : '—'],
            ]}
          />
          <h3>Request</h3>
          <pre className="webhook-request" data-testid="webhook-request">
            {JSON.stringify(d.Request, null, 2)}
          </pre>
          <h3>Attempts</h3>
          <table className="table">
            <thead>
              <tr>
                <th>#</th>
                <th>When</th>
                <th>Response code</th>
                <th>Time</th>
                <th>Answer or error</th>
              </tr>
            </thead>
            <tbody>
              {d.AttemptLog.map((a) => (
                <tr key={`${a.Attempt}-${a.AttemptedDate}`}>
                  <td>{a.Attempt}</td>
                  <td className="nowrap">{formatDateTime(a.AttemptedDate, account.TimeZone)}</td>
                  <td>{a.ResponseCode ?? '—'}</td>
                  <td className="nowrap">{a.DurationMs} ms</td>
                  <td className="small">{a.Error ?? a.Response ?? ''}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      ) : null}
    </Dialog>
  );
}

function DeliveryLog({ endpoint }: { endpoint: WebhookEndpointDto }) {
  const account = useAccount();
  const http = useAccountApi();
  const key = useAccountKey();
  const queryClient = useQueryClient();
  const toast = useToast();
  const [page, setPage] = useState({ pageIndex: 0, pageSize: 25 });
  const [open, setOpen] = useState<string | null>(null);
  const deliveries = useQuery({
    queryKey: key('webhook-deliveries', endpoint.Id, page.pageIndex, page.pageSize),
    queryFn: () => http.get<Page<WebhookDeliveryDto>>(`/api/v1/webhooks/endpoints/${endpoint.Id}/deliveries`, { page: page.pageIndex + 1, pageSize: page.pageSize }),
    refetchInterval: 5000,
  });
  const refresh = () => queryClient.invalidateQueries({ queryKey: ['account', account.Id, 'webhook-deliveries', endpoint.Id] });
  const replay = async (delivery: WebhookDeliveryDto) => {
    try {
      await http.post(`/api/v1/webhooks/deliveries/${delivery.Id}/replay`);
      toast.success(`Delivery ${delivery.Id} is sent again.`);
      await refresh();
    } catch (error) {
      toast.error(errorDetail(error));
    }
  };
  const columns = [
      deliveryCol.accessor('CreatedDate', { header: 'Created', cell: (info) => formatDateTime(info.getValue(), account.TimeZone), meta: { className: 'nowrap' }, enableSorting: false }),
      deliveryCol.accessor('EventType', { header: 'Event', cell: (info) => <span className="code">{info.getValue()}</span>, enableSorting: false }),
      deliveryCol.accessor('Subject', { header: 'Resource', enableSorting: false }),
      deliveryCol.accessor('State', {
        header: 'State',
        enableSorting: false,
        cell: (info) => <Badge tone={info.getValue() === 'DELIVERED' ? 'green' : info.getValue() === 'FAILED' ? 'red' : 'amber'}>{info.getValue()}</Badge>,
      }),
      deliveryCol.accessor('LastResponseCode', { header: 'Response code', enableSorting: false, cell: (info) => info.getValue() ?? '—' }),
      deliveryCol.accessor('LastDurationMs', { header: 'Time', enableSorting: false, cell: (info) => (info.getValue() === null ? '—' : `${info.getValue()} ms`) }),
      deliveryCol.accessor('Attempts', { header: 'Attempts', enableSorting: false }),
      deliveryCol.display({
        id: 'actions',
        header: () => <span className="visually-hidden">Actions</span>,
        meta: { align: 'right', width: 170 },
        cell: ({ row }) => (
          <span className="row-actions">
            <button type="button" className="btn btn-sm" onClick={() => setOpen(row.original.Id)}>
              Details
            </button>
            <button type="button" className="btn btn-sm" onClick={() => void replay(row.original)}>
              Replay
            </button>
          </span>
        ),
      }),
  ];
  return (
    <Card title={`Delivery log: ${endpoint.Url}`} testId="webhook-deliveries">
      <DataTable
        label="Webhook deliveries"
        testId="webhook-deliveries-table"
        columns={columns}
        data={deliveries.data?.Items ?? NO_DELIVERIES}
        getRowId={(d) => d.Id}
        itemName={['delivery', 'deliveries']}
        loading={deliveries.isPending}
        error={deliveries.error}
        emptyMessage="Nothing sent to this endpoint yet. Send a test event to try it."
        server={{
          rowCount: deliveries.data?.Total ?? 0,
          state: { pageIndex: page.pageIndex, pageSize: page.pageSize, sorting: [], search: '' },
          onStateChange: (next) => setPage({ pageIndex: next.pageIndex, pageSize: next.pageSize }),
        }}
      />
      {open ? <DeliveryDialog deliveryId={open} onClose={() => setOpen(null)} /> : null}
    </Card>
  );
}

export function WebhooksPage() {
  const account = useAccount();
  const http = useAccountApi();
  const key = useAccountKey();
  const queryClient = useQueryClient();
  const toast = useToast();
  const endpoints = useQuery({ queryKey: key('webhook-endpoints'), queryFn: () => http.get<{ Items: WebhookEndpointDto[] }>('/api/v1/webhooks/endpoints') });
  const [adding, setAdding] = useState(false);
  const [editing, setEditing] = useState<WebhookEndpointDto | null>(null);
  const [rotating, setRotating] = useState<WebhookEndpointDto | null>(null);
  const [deleting, setDeleting] = useState<WebhookEndpointDto | null>(null);
  const [secret, setSecret] = useState<{ title: string; value: string } | null>(null);
  const [logOf, setLogOf] = useState<string | null>(null);

  const refresh = () => queryClient.invalidateQueries({ queryKey: ['account', account.Id, 'webhook-endpoints'] });
  const act = async (what: () => Promise<unknown>, done: string) => {
    try {
      await what();
      toast.success(done);
      await refresh();
    } catch (error) {
      toast.error(errorDetail(error));
    }
  };

  const columns = [
      endpointCol.accessor('Url', { header: 'URL', cell: (info) => <span className="code">{info.getValue()}</span> }),
      endpointCol.accessor('Description', { header: 'Description' }),
      endpointCol.accessor('EventTypes', { header: 'Events', enableSorting: false, cell: (info) => <span className="small">{info.getValue().join(', ')}</span> }),
      endpointCol.accessor('Enabled', {
        header: 'Status',
        cell: ({ row }) =>
          row.original.Enabled ? (
            <Badge tone={row.original.FailingSinceDate ? 'amber' : 'green'} title={row.original.FailingSinceDate ? `Failing since ${row.original.FailingSinceDate}` : undefined}>
              {row.original.FailingSinceDate ? 'Failing' : 'Enabled'}
            </Badge>
          ) : (
            <Badge tone="red" title={row.original.DisabledReason ?? undefined}>
              Disabled
            </Badge>
          ),
      }),
      endpointCol.display({
        id: 'actions',
        header: () => <span className="visually-hidden">Actions</span>,
        meta: { align: 'right', width: 420 },
        cell: ({ row }) => {
          const e = row.original;
          return (
            <span className="row-actions">
              <button type="button" className="btn btn-sm" onClick={() => setLogOf(e.Id)}>
                Delivery log
              </button>
              <button
                type="button"
                className="btn btn-sm"
                disabled={!e.Enabled}
                onClick={() => void act(() => http.post(`/api/v1/webhooks/endpoints/${e.Id}/test`), 'A webhook.test event is on its way.')}
              >
                Send test event
              </button>
              <button type="button" className="btn btn-sm" onClick={() => setEditing(e)}>
                Edit
              </button>
              <button
                type="button"
                className="btn btn-sm"
                onClick={() => void act(() => http.patch(`/api/v1/webhooks/endpoints/${e.Id}`, { Enabled: !e.Enabled }), e.Enabled ? 'Endpoint disabled.' : 'Endpoint enabled.')}
              >
                {e.Enabled ? 'Disable' : 'Enable'}
              </button>
              <button type="button" className="btn btn-sm" onClick={() => setRotating(e)}>
                Rotate secret
              </button>
              <button type="button" className="btn btn-sm btn-danger-ghost" onClick={() => setDeleting(e)}>
                Delete
              </button>
            </span>
          );
        },
      }),
  ];
  const shown = endpoints.data?.Items.find((e) => e.Id === logOf);
  const disabled = (endpoints.data?.Items ?? []).filter((e) => !e.Enabled && e.DisabledReason);

  return (
    <div className="page">
      <PageHeader
        title="Webhooks"
        subtitle={`Endpoints that ${account.Name}'s systems run: Lockstep POSTs each event you subscribe to, signed per Standard Webhooks (webhook-id, webhook-timestamp, webhook-signature), retried for 3 days.`}
        actions={
          <button type="button" className="btn btn-primary" onClick={() => setAdding(true)}>
            Add endpoint
          </button>
        }
      />
      {endpoints.isPending ? (
        <Loading />
      ) : endpoints.isError ? (
        <QueryError error={endpoints.error} onRetry={() => void endpoints.refetch()} />
      ) : (
        <div className="stack">
          {disabled.map((e) => (
            <Notice key={e.Id} kind="warning">
              <span className="code">{e.Url}</span>: {e.DisabledReason}
            </Notice>
          ))}
          <Card title="Endpoints">
            <DataTable
              label="Webhook endpoints"
              testId="webhook-endpoints-table"
              columns={columns}
              data={endpoints.data.Items ?? NO_ENDPOINTS}
              getRowId={(e) => e.Id}
              itemName={['endpoint', 'endpoints']}
              emptyMessage="No webhook endpoints. Add one to be told of every change as it happens."
            />
          </Card>
          {shown ? <DeliveryLog key={shown.Id} endpoint={shown} /> : null}
        </div>
      )}
      {adding ? (
        <EndpointDialog
          onClose={() => setAdding(false)}
          onSaved={async (saved) => {
            setAdding(false);
            await refresh();
            if ('Secret' in saved) setSecret({ title: 'Your endpoint’s signing secret', value: saved.Secret });
          }}
        />
      ) : null}
      {editing ? (
        <EndpointDialog
          endpoint={editing}
          onClose={() => setEditing(null)}
          onSaved={async () => {
            setEditing(null);
            toast.success('Endpoint saved.');
            await refresh();
          }}
        />
      ) : null}
      {secret ? <SecretDialog title={secret.title} secret={secret.value} onClose={() => setSecret(null)} /> : null}
      {rotating ? (
        <ConfirmDialog
          title="Rotate this endpoint's signing secret?"
          confirmLabel="Rotate secret"
          onClose={() => setRotating(null)}
          onConfirm={async () => {
            const rotated = await http.post<WebhookEndpointWithSecretDto>(`/api/v1/webhooks/endpoints/${rotating.Id}/rotate-secret`);
            await refresh();
            setSecret({ title: 'The new signing secret', value: rotated.Secret });
          }}
        >
          A new secret is shown once. For 24 hours every request is signed with both the old and the new secret, so your receiver can switch without missing one.
        </ConfirmDialog>
      ) : null}
      {deleting ? (
        <ConfirmDialog
          title="Delete this webhook endpoint?"
          confirmLabel="Delete endpoint"
          danger
          onClose={() => setDeleting(null)}
          onConfirm={async () => {
            await http.del(`/api/v1/webhooks/endpoints/${deleting.Id}`);
            if (logOf === deleting.Id) setLogOf(null);
            toast.success('The endpoint was deleted.');
            await refresh();
          }}
        >
          Nothing more is sent to <span className="code">{deleting.Url}</span>.
        </ConfirmDialog>
      ) : null}
    </div>
  );
}
