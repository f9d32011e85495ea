/**
 * Finance → Withdrawals (partners): every paystub (Paystub Id, date, method, gross, fee,
 * net, status), newest first; one paystub with the actions it paid (Paystub Id, Action Id,
 * Campaign, Event type, Sale Amount, Payout, Action Date, Locking Date), paged, and its
 * downloads. A paystub the bank returned says why; its money is available again.
 */
import { useMemo } from 'react';
import { Link, useParams } from 'react-router';
import { ApiError } from '../../api/client';
import { usePaystub, usePaystubActions, usePaystubs, useWithdrawalSettings } from '../../api/payouts';
import { useAccount } from '../../api/session';
import type { PaystubStatus } from '@contract/enums';
import type { Paystub, PaystubAction } from '@contract/payouts';
import { columnsFor, DataTable, type ServerTableState } from '../../components/DataTable';
import { DownloadButtons } from '../../components/DownloadButton';
import { EmptyState, Loading, Notice, QueryError } from '../../components/Feedback';
import { Badge, Card, Details, PageHeader } from '../../components/Form';
import { formatDate, formatDateTime } from '../../lib/format';
import { formatMoney } from '../../lib/money';
import { tableStateToParams, useSearchState } from '../../lib/searchState';
import { Kpi, Kpis } from '../shared/Kpi';
import { HoldBanner } from './WithdrawalSettingsPage';
import '../../styles/payouts.css';

export const WITHDRAWALS_PATH = '/finance/withdrawals';
const PAGE_SIZES = [10, 25, 50, 100];
const NO_PAYSTUBS: Paystub[] = [];
const NO_ACTIONS: PaystubAction[] = [];
const col = columnsFor<Paystub>();
const actionCol = columnsFor<PaystubAction>();

const STATUS: Record<PaystubStatus, { label: string; tone: 'blue' | 'green' | 'red'; title: string }> = {
  PROCESSING: { label: 'Processing', tone: 'blue', title: 'Taken from your balance; the payment goes out with the next bank file' },
  SENT: { label: 'Sent', tone: 'green', title: 'Sent to your bank or PayPal' },
  FAILED: { label: 'Returned', tone: 'red', title: 'Returned by the bank: the money is available again' },
};

export function PaystubStatusBadge({ status }: { status: PaystubStatus }) {
  const s = STATUS[status];
  return (
    <span className="paystub-status" data-status={status}>
      <Badge tone={s.tone} title={s.title}>
        {s.label}
      </Badge>
    </span>
  );
}

const METHOD_LABELS: Record<Paystub['WithdrawalMethod'], string> = { EFT: 'EFT', WIRE: 'Wire', PAYPAL: 'PayPal' };

export function methodLabel(p: Pick<Paystub, 'WithdrawalMethod' | 'Destination'>): string {
  return `${METHOD_LABELS[p.WithdrawalMethod]} · ${p.Destination}`;
}

export function WithdrawalsPage() {
  const account = useAccount();
  const { get, update } = useSearchState();
  const settings = useWithdrawalSettings();
  const page = Math.max(1, Number(get('page')) || 1);
  const pageSize = PAGE_SIZES.includes(Number(get('pageSize'))) ? Number(get('pageSize')) : 25;
  const status = (['PROCESSING', 'SENT', 'FAILED'] as const).find((s) => s === get('status')) ?? '';
  const paystubs = usePaystubs({ page, pageSize, status });
  const tz = account.TimeZone;

  const columns = useMemo(
    () => [
      col.accessor('Id', {
        header: 'Paystub Id',
        enableSorting: false,
        cell: (info) => (
          <Link to={`${WITHDRAWALS_PATH}/${info.getValue()}`} className="strong-link mono" aria-label={`Open paystub ${info.getValue()}`}>
            {info.getValue()}
          </Link>
        ),
      }),
      col.accessor('Status', { header: 'Status', enableSorting: false, cell: (info) => <PaystubStatusBadge status={info.getValue()} /> }),
      col.accessor('Net', {
        header: 'Net',
        enableSorting: false,
        meta: { align: 'right', className: 'num nowrap strong' },
        cell: (info) => formatMoney(info.getValue(), info.row.original.Currency),
      }),
      col.accessor('CreatedDate', {
        header: 'Date',
        enableSorting: false,
        meta: { className: 'nowrap' },
        cell: (info) => <span title={formatDateTime(info.getValue(), tz)}>{formatDate(info.getValue(), tz)}</span>,
      }),
      col.accessor('WithdrawalMethod', { header: 'Method', enableSorting: false, meta: { className: 'nowrap' }, cell: (info) => methodLabel(info.row.original) }),
      col.accessor('Gross', {
        header: 'Gross',
        enableSorting: false,
        meta: { align: 'right', className: 'num nowrap' },
        cell: (info) => formatMoney(info.getValue(), info.row.original.Currency),
      }),
      col.accessor('Fee', {
        header: 'Fee',
        enableSorting: false,
        meta: { align: 'right', className: 'num nowrap' },
        cell: (info) => formatMoney(info.getValue(), info.row.original.Currency),
      }),
      col.accessor('Actions', { header: 'Actions', enableSorting: false, meta: { align: 'right', className: 'num' } }),
    ],
    [tz],
  );
  const tableState: ServerTableState = { pageIndex: page - 1, pageSize, sorting: [], search: '' };

  return (
    <div className="page">
      <PageHeader
        title="Withdrawals"
        subtitle="Each paystub paid out your whole available balance in one currency; open one to see the actions it paid."
        actions={
          <Link to="/settings/withdrawal-settings" className="btn">
            Withdrawal settings
          </Link>
        }
      />
      {settings.data ? <HoldBanner settings={settings.data} timeZone={tz} /> : null}
      {settings.data && !settings.data.Configured ? (
        <Notice kind="warning">
          <span>
            No withdrawal settings yet: nothing is paid out until you say where withdrawals go.{' '}
            <Link to="/settings/withdrawal-settings">Set them up</Link>.
          </span>
        </Notice>
      ) : null}
      <div className="card">
        <DataTable
          label="Paystubs"
          testId="paystubs-table"
          columns={columns}
          data={paystubs.data?.Items ?? NO_PAYSTUBS}
          getRowId={(p) => p.Id}
          rowTestId={(p) => `paystub-row-${p.Id}`}
          rowClassName={(p) => (p.Status === 'FAILED' ? 'row-failed' : undefined)}
          itemName={['paystub', 'paystubs']}
          toolbar={
            <div className="filters">
              <label className="filter">
                <span className="filter-label">Status</span>
                <select className="select select-narrow" value={status} onChange={(e) => update({ status: e.target.value, page: null })}>
                  <option value="">All</option>
                  {(Object.keys(STATUS) as PaystubStatus[]).map((s) => (
                    <option key={s} value={s}>
                      {STATUS[s].label}
                    </option>
                  ))}
                </select>
              </label>
            </div>
          }
          loading={paystubs.isPending}
          refreshing={paystubs.isFetching && !paystubs.isPending}
          error={paystubs.error}
          onRetry={() => void paystubs.refetch()}
          emptyMessage={status ? 'No paystubs with this status.' : 'No withdrawals yet: once your available balance is paid out, its paystub appears here.'}
          pageSizeOptions={PAGE_SIZES}
          server={{ rowCount: paystubs.data?.Total ?? 0, state: tableState, onStateChange: (next) => update(tableStateToParams(next)) }}
        />
      </div>
    </div>
  );
}

function PaystubActionsCard({ paystub }: { paystub: Paystub }) {
  const account = useAccount();
  const { get, update } = useSearchState();
  const page = Math.max(1, Number(get('page')) || 1);
  const pageSize = PAGE_SIZES.includes(Number(get('pageSize'))) ? Number(get('pageSize')) : 25;
  const actions = usePaystubActions(paystub.Id, { page, pageSize }, true);
  const tz = account.TimeZone;
  const columns = useMemo(
    () => [
      actionCol.accessor('PaystubId', { header: 'Paystub Id', enableSorting: false, meta: { className: 'mono nowrap' } }),
      actionCol.accessor('ActionId', { header: 'Action Id', enableSorting: false, meta: { className: 'num mono nowrap' } }),
      actionCol.accessor('CampaignName', { header: 'Campaign', enableSorting: false, meta: { className: 'cell-truncate' } }),
      actionCol.accessor('EventTypeName', { header: 'Event Type', enableSorting: false }),
      actionCol.accessor('SaleAmount', {
        header: 'Sale Amount',
        enableSorting: false,
        meta: { align: 'right', className: 'num nowrap' },
        cell: (info) => formatMoney(info.getValue(), info.row.original.Currency),
      }),
      actionCol.accessor('Payout', {
        header: 'Payout',
        enableSorting: false,
        meta: { align: 'right', className: 'num nowrap' },
        cell: (info) => formatMoney(info.getValue(), info.row.original.Currency),
      }),
      actionCol.accessor('EventDate', {
        header: 'Action Date',
        enableSorting: false,
        meta: { className: 'nowrap' },
        cell: (info) => <span title={formatDateTime(info.getValue(), tz)}>{formatDate(info.getValue(), tz)}</span>,
      }),
      actionCol.accessor('LockingDate', {
        header: 'Locking Date',
        enableSorting: false,
        meta: { className: 'nowrap' },
        cell: (info) => <span title={formatDateTime(info.getValue(), tz)}>{formatDate(info.getValue(), tz)}</span>,
      }),
    ],
    [tz],
  );
  const tableState: ServerTableState = { pageIndex: page - 1, pageSize, sorting: [], search: '' };
  return (
    <section className="card" data-testid="paystub-actions" aria-labelledby="paystub-actions-title">
      <div className="card-header card-header-wrap">
        <h2 className="card-title" id="paystub-actions-title">
          Actions paid
        </h2>
        <DownloadButtons
          path={`/api/v1/paystubs/${paystub.Id}/actions/export`}
          query={{}}
          accountId={account.Id}
          fallbackName={`paystub-${paystub.Id}`}
          description={`every action paystub ${paystub.Id} paid`}
        />
      </div>
      <DataTable
        label={`Actions paid by paystub ${paystub.Id}`}
        testId="paystub-actions-table"
        columns={columns}
        data={actions.data?.Items ?? NO_ACTIONS}
        getRowId={(a) => a.ActionId}
        rowTestId={(a) => `paystub-action-${a.ActionId}`}
        itemName={['action', 'actions']}
        loading={actions.isPending}
        refreshing={actions.isFetching && !actions.isPending}
        error={actions.error}
        onRetry={() => void actions.refetch()}
        emptyMessage={paystub.Status === 'FAILED' ? 'The bank returned this payment: its actions are unpaid again and go on your next paystub.' : 'No actions.'}
        pageSizeOptions={PAGE_SIZES}
        server={{ rowCount: actions.data?.Total ?? 0, state: tableState, onStateChange: (next) => update(tableStateToParams(next)) }}
      />
    </section>
  );
}

export function PaystubDetailPage() {
  const account = useAccount();
  const { paystubId = '' } = useParams();
  const valid = /^[1-9]\d{0,17}$/.test(paystubId);
  const paystub = usePaystub(paystubId, valid);
  const tz = account.TimeZone;
  const back = (
    <div className="breadcrumbs">
      <Link to={WITHDRAWALS_PATH}>← Withdrawals</Link>
    </div>
  );
  const notFound = (
    <div className="page">
      {back}
      <EmptyState title="Paystub not found" action={<Link to={WITHDRAWALS_PATH} className="btn">All withdrawals</Link>}>
        There is no paystub {paystubId} of this account.
      </EmptyState>
    </div>
  );
  if (!valid) return notFound;
  if (paystub.isPending) return <div className="page">{back}<Loading label="Loading the paystub…" /></div>;
  if (paystub.isError) {
    if (paystub.error instanceof ApiError && paystub.error.status === 404) return notFound;
    return <div className="page">{back}<QueryError error={paystub.error} onRetry={() => void paystub.refetch()} /></div>;
  }
  const p = paystub.data;
  return (
    <div className="page" data-testid="paystub-detail">
      {back}
      <PageHeader
        title={
          <>
            Paystub <span className="mono" data-testid="paystub-id">{p.Id}</span> <PaystubStatusBadge status={p.Status} />
          </>
        }
        subtitle={`${formatDateTime(p.CreatedDate, tz)} · ${p.Kind === 'MANUAL' ? 'Manual paystub' : 'Autopay'} · ${p.Currency}`}
      />
      {p.Status === 'FAILED' ? (
        <Notice kind="warning">
          <span data-testid="paystub-failure">
            <strong>Returned by the bank{p.FailedDate ? ` on ${formatDate(p.FailedDate, tz)}` : ''}:</strong> {p.FailureReason}. The{' '}
            {formatMoney(p.Gross, p.Currency)} is available again and goes out with your next withdrawal; check your{' '}
            <Link to="/settings/withdrawal-settings">withdrawal settings</Link>.
          </span>
        </Notice>
      ) : null}
      <Kpis>
        <Kpi label="Gross" value={formatMoney(p.Gross, p.Currency)} hint="taken from your balance" testId="paystub-gross" />
        <Kpi label="Fee" value={formatMoney(p.Fee, p.Currency)} hint={METHOD_LABELS[p.WithdrawalMethod]} testId="paystub-fee" />
        <Kpi label="Net" value={formatMoney(p.Net, p.Currency)} hint="sent to you" testId="paystub-net" />
        <Kpi label="Actions" value={p.Actions} testId="paystub-action-count" />
      </Kpis>
      <div className="stack">
        <PaystubActionsCard paystub={p} />
        <Card title="Payment details">
          <Details
            items={[
              ['Paid to', <span key="d" className="mono">{p.Destination}</span>],
              ['Method', `${p.PaymentMethod === 'PAYPAL' ? 'PayPal' : 'Bank transfer'} (${METHOD_LABELS[p.WithdrawalMethod]})`],
              ['Withdrawal date', formatDateTime(p.CreatedDate, tz)],
              ['Sent', p.SentDate ? formatDateTime(p.SentDate, tz) : 'Not yet: it goes out with the next bank file'],
              ...(p.Status === 'FAILED' ? [['Returned', `${p.FailedDate ? formatDateTime(p.FailedDate, tz) : ''} — ${p.FailureReason ?? ''}`] as [string, string]] : []),
            ]}
          />
          <p className="muted small">The withdrawal date is when the paystub was made, not when your bank credits it; your bank may deduct fees of its own.</p>
        </Card>
      </div>
    </div>
  );
}
