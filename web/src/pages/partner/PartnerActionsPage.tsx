/**
 * Partner: Transactions → Actions. The partner's actions with their status detail
 * (Pending, Approved/Payment Pending, Approved/Paid, Approved/Overdue, Reversed/<reason>),
 * balances on top, and each action's details and history, read-only.
 */
import { useMemo } from 'react';
import { useActionsPage, useContractPrograms } from '../../api/actions';
import { useAccount } from '../../api/session';
import type { Action } from '@contract/actions';
import { APPROVED_STATUS_DETAILS, CHANGE_REASON_CODES, type PendingScreenStatus } from '@contract/enums';
import { columnsFor, DataTable, type ServerTableState } from '../../components/DataTable';
import { DebouncedInput } from '../../components/DebouncedInput';
import { DownloadButtons } from '../../components/DownloadButton';
import { PageHeader } from '../../components/Form';
import { addDays, isLocalDate, startOfDayIso } from '../../lib/format';
import { formatMoney } from '../../lib/money';
import { positiveIntParam, tableStateToParams, useSearchState } from '../../lib/searchState';
import { ActionDetailsDrawer } from '../shared/actions/ActionDetailsDrawer';
import { ActionLockingDate, ContractDate } from '../shared/actions/ContractDate';
import { StatusDetailBadge } from '../shared/actions/ActionStatus';
import { labelWithCode, reasonLabel } from '../../lib/labels';
import { BalanceCards } from '../shared/Balances';
import { ReportActions } from '../reports/ReportActions';

const SORT_KEYS = ['EventDate', 'LockingDate', 'Amount', 'Payout', 'Id', 'CampaignName', 'EventTypeName', 'OrderId', 'State'];
const PAGE_SIZES = [10, 25, 50, 100];
const NO_ACTIONS: Action[] = [];
const col = columnsFor<Action>();

const STATUS_DETAILS: Array<[string, string]> = [
  ['Pending', 'Pending'],
  ...APPROVED_STATUS_DETAILS.map((d): [string, string] => [d, d]),
  ['Reversed', 'Reversed (any reason)'],
  ...CHANGE_REASON_CODES.map((r): [string, string] => [`Reversed/${r}`, `Reversed: ${labelWithCode(reasonLabel(r), r)}`]),
];

/** The Pending screen's filter (pendingStatus): money not yet available, by where it stands. */
const PENDING_FILTERS: Array<[PendingScreenStatus, string]> = [
  ['NOT_YET_LOCKED', 'Not yet locked'],
  ['LOCKED', 'Locked (payment pending)'],
  ['OVERDUE', 'Overdue'],
  ['ALL', 'All not yet available'],
];

export function PartnerActionsPage() {
  const account = useAccount();
  const tz = account.TimeZone;
  const { get, update } = useSearchState();
  const parties = useContractPrograms();

  const programId = positiveIntParam(get('programId'));
  const statusDetail = STATUS_DETAILS.find(([v]) => v === get('statusDetail'))?.[0] ?? '';
  const pendingStatus = PENDING_FILTERS.find(([v]) => v === get('pendingStatus'))?.[0] ?? '';
  const orderId = get('orderId').slice(0, 64);
  const from = isLocalDate(get('from')) ? get('from') : '';
  const to = isLocalDate(get('to')) ? get('to') : '';
  const page = Math.max(1, Number(get('page')) || 1);
  const pageSize = PAGE_SIZES.includes(Number(get('pageSize'))) ? Number(get('pageSize')) : 25;
  const sort = SORT_KEYS.includes(get('sort')) ? get('sort') : 'EventDate';
  const order: 'asc' | 'desc' = get('order') === 'asc' ? 'asc' : 'desc';
  const openId = positiveIntParam(get('action'));

  // The filters and sort, as the list and its exports (CSV, Excel, PDF) take them.
  const filter = {
    sort,
    order,
    programId,
    statusDetail,
    pendingStatus,
    orderId,
    from: from ? startOfDayIso(from, tz) : '',
    to: to ? startOfDayIso(addDays(to, 1), tz) : '',
  };
  const actions = useActionsPage({ page, pageSize, ...filter });

  const columns = useMemo(
    () => [
      col.accessor('Id', {
        header: 'Action Id',
        meta: { className: 'num nowrap', width: 96 },
        cell: (info) => (
          <button type="button" className="link-button mono" onClick={() => update({ action: info.getValue() })} aria-label={`Open action ${info.getValue()}`}>
            {info.getValue()}
          </button>
        ),
      }),
      col.accessor('EventDate', {
        header: 'Event Date',
        meta: { className: 'nowrap', width: 120 },
        // In the program's time zone, as the partner (or the brand) sees it too.
        cell: (info) => <ContractDate iso={info.getValue()} timeZone={info.row.original.ProgramTimeZone} />,
      }),
      col.accessor('CampaignName', { header: 'Program' }),
      col.accessor('EventTypeName', {
        header: 'Event Type',
        cell: (info) => (
          <>
            {info.getValue()}
            {info.row.original.EventKind === 'CLICK' ? <span className="kind-mini">CPC</span> : null}
          </>
        ),
      }),
      col.accessor('OrderId', {
        header: 'Order Id',
        meta: { className: 'mono cell-truncate' },
        cell: (info) => (info.row.original.EventKind === 'CLICK' ? <span className="muted">—</span> : (info.getValue() ?? '—')),
      }),
      col.accessor('Amount', {
        header: 'Sale Amount',
        meta: { align: 'right', className: 'num nowrap' },
        cell: (info) => formatMoney(info.getValue(), info.row.original.Currency),
      }),
      col.accessor('Payout', {
        header: 'Payout',
        meta: { align: 'right', className: 'num nowrap' },
        cell: (info) => {
          const a = info.row.original;
          return <span className={a.State === 'REVERSED' ? 'amount-void' : undefined}>{formatMoney(a.Payout, a.Currency)}</span>;
        },
      }),
      col.accessor('LockingDate', {
        header: 'Locking Date',
        meta: { className: 'nowrap', width: 132 },
        cell: (info) => <ActionLockingDate action={info.row.original} />,
      }),
      col.accessor('StatusDetail', {
        id: 'State',
        header: 'Status Detail',
        cell: (info) => <StatusDetailBadge action={info.row.original} />,
      }),
      col.display({
        id: 'rowActions',
        header: () => <span className="visually-hidden">Row actions</span>,
        meta: { align: 'right', width: 90, className: 'row-hover-actions' },
        cell: ({ row }) => (
          <button type="button" className="btn btn-sm btn-ghost" onClick={() => update({ action: row.original.Id })} aria-label={`Expand action ${row.original.Id}`}>
            Expand
          </button>
        ),
      }),
    ],
    [update],
  );

  const tableState: ServerTableState = { pageIndex: page - 1, pageSize, sorting: [{ id: sort, desc: order === 'desc' }], search: '' };
  const filtered = !!(programId || statusDetail || pendingStatus || orderId || from || to);

  const toolbar = (
    <div className="filters">
      <label className="filter">
        <span className="filter-label">Program</span>
        <select className="select" value={programId} onChange={(e) => update({ programId: e.target.value, page: null })}>
          <option value="">All programs</option>
          {parties.programs.map((p) => (
            <option key={p.id} value={p.id}>
              {p.name} ({p.brandName})
            </option>
          ))}
        </select>
      </label>
      <label className="filter">
        <span className="filter-label">Pending</span>
        <select
          className="select select-status"
          value={pendingStatus}
          title="Money not yet available: not yet locked, locked and waiting for the payment date, or past it (overdue)"
          onChange={(e) => update({ pendingStatus: e.target.value, page: null })}
        >
          <option value="">Any</option>
          {PENDING_FILTERS.map(([v, label]) => (
            <option key={v} value={v}>
              {label}
            </option>
          ))}
        </select>
      </label>
      <label className="filter">
        <span className="filter-label">Status Detail</span>
        <select className="select select-status" value={statusDetail} onChange={(e) => update({ statusDetail: e.target.value, page: null })}>
          <option value="">All statuses</option>
          {STATUS_DETAILS.map(([v, label]) => (
            <option key={v} value={v}>
              {label}
            </option>
          ))}
        </select>
      </label>
      <label className="filter">
        <span className="filter-label">Order Id</span>
        <DebouncedInput className="input input-filter" value={orderId} maxLength={64} placeholder="Any" onCommit={(v) => update({ orderId: v, page: null })} />
      </label>
      <div className="filter">
        <span className="filter-label" id="partner-event-date-label">
          Event Date
        </span>
        <fieldset className="date-range" aria-labelledby="partner-event-date-label">
          <input type="date" className="input input-date" aria-label="Event date from" value={from} max={to || undefined} onChange={(e) => update({ from: e.target.value, page: null })} />
          <span className="muted">to</span>
          <input type="date" className="input input-date" aria-label="Event date to" value={to} min={from || undefined} onChange={(e) => update({ to: e.target.value, page: null })} />
        </fieldset>
      </div>
      {filtered ? (
        <button type="button" className="btn btn-link" onClick={() => update({ programId: null, statusDetail: null, pendingStatus: null, orderId: null, from: null, to: null, page: null })}>
          Clear filters
        </button>
      ) : null}
    </div>
  );

  return (
    <div className="page">
      <PageHeader
        title="Actions"
        subtitle={`Actions credited to ${account.Name}: pending until they lock, then paid on the brand's payment schedule. Event and locking dates are in each program's time zone, as the brand sees them.`}
        actions={
          <>
            <DownloadButtons path="/api/v1/actions/export" query={filter} accountId={account.Id} fallbackName="actions" description="the actions matching the filters" />
            <ReportActions report={{ Id: 'pending-payouts-actions', Title: 'Actions' }} filters={filter} chart />
          </>
        }
      />
      <BalanceCards />
      <div className="card">
        <DataTable
          label="Actions"
          testId="partner-actions"
          columns={columns}
          data={actions.data?.Items ?? NO_ACTIONS}
          getRowId={(a) => a.Id}
          rowTestId={(a) => `action-row-${a.Id}`}
          rowClassName={(a) => (a.Id === openId ? 'row-open' : undefined)}
          onRowDoubleClick={(a) => update({ action: a.Id })}
          itemName={['action', 'actions']}
          toolbar={toolbar}
          loading={actions.isPending}
          refreshing={actions.isFetching && !actions.isPending}
          error={actions.error}
          onRetry={() => void actions.refetch()}
          emptyMessage={filtered ? 'No actions match these filters.' : 'No actions yet: they appear once your links bring conversions.'}
          pageSizeOptions={PAGE_SIZES}
          server={{
            rowCount: actions.data?.Total ?? 0,
            rowCountCapped: actions.data?.TotalCapped ?? false,
            state: tableState,
            onStateChange: (next) =>
              update(tableStateToParams(next)),
          }}
        />
      </div>
      {openId ? <ActionDetailsDrawer key={openId} actionId={openId} onClose={() => update({ action: null })} /> : null}
    </div>
  );
}
