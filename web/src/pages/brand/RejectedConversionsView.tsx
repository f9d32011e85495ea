import { keepPreviousData, useQuery } from '@tanstack/react-query';
import { useMemo } from 'react';
import { useContractParties, useEventTypesOf } from '../../api/actions';
import { usePrograms } from '../../api/queries';
import { useAccount, useAccountApi, useAccountKey } from '../../api/session';
import { REJECT_REASONS, type Conversion, type Page } from '../../api/types';
import { columnsFor, DataTable, type ServerTableState } from '../../components/DataTable';
import { DebouncedInput } from '../../components/DebouncedInput';
import { formatDate, formatDateTime } from '../../lib/format';
import { formatMoney } from '../../lib/money';
import { useSearchState } from '../../lib/searchState';
import { REJECT_REASON_LABELS } from '../shared/actions/reasons';

const SORT_KEYS = ['CreatedDate', 'EventDate', 'Id', 'OrderId'];
const PAGE_SIZES = [10, 25, 50, 100];
const NO_ROWS: Conversion[] = [];
const col = columnsFor<Conversion>();

/** Conversions the platform recorded but could not credit to a partner, with the reason. */
export function RejectedConversionsView() {
  const account = useAccount();
  const tz = account.timeZone;
  const http = useAccountApi();
  const key = useAccountKey();
  const { get, update } = useSearchState();
  const programs = usePrograms();
  const eventTypes = useEventTypesOf(programs.data);
  const parties = useContractParties();

  const reason = REJECT_REASONS.find((r) => r === get('rejectReason')) ?? '';
  const orderId = get('orderId').slice(0, 64);
  const page = Math.max(1, Number(get('page')) || 1);
  const pageSize = PAGE_SIZES.includes(Number(get('pageSize'))) ? Number(get('pageSize')) : 25;
  const sort = SORT_KEYS.includes(get('sort')) ? get('sort') : 'CreatedDate';
  const order: 'asc' | 'desc' = get('order') === 'asc' ? 'asc' : 'desc';

  const query = { status: 'REJECTED', rejectReason: reason, orderId, page, pageSize, sort, order };
  const conversions = useQuery({
    queryKey: key('conversions', query),
    queryFn: () => http.get<Page<Conversion>>('/api/v1/conversions', query),
    placeholderData: keepPreviousData,
  });

  // The conversion list names programs, event types and partners by id; the names come
  // from the brand's programs and contracts.
  const programNames = new Map((programs.data ?? []).map((p) => [p.id, p.name]));
  const eventTypeNames = new Map(eventTypes.flatMap(({ eventTypes: types }) => types.map((et) => [et.id, et.name] as const)));
  const partnerNames = new Map(parties.partners.map((p) => [p.id, p.name]));
  const names = JSON.stringify([...programNames, ...eventTypeNames, ...partnerNames]);

  const columns = useMemo(
    () => [
      col.accessor('Id', { header: 'Conversion Id', meta: { className: 'num mono', width: 120 } }),
      col.accessor('EventDate', {
        header: 'Event Date',
        meta: { className: 'nowrap' },
        cell: (info) => <span title={formatDateTime(info.getValue(), tz)}>{formatDate(info.getValue(), tz)}</span>,
      }),
      col.accessor('ActionTrackerId', {
        header: 'Event Type',
        enableSorting: false,
        cell: (info) => {
          const c = info.row.original;
          return (
            <span className="two-line">
              <span>{eventTypeNames.get(c.ActionTrackerId) ?? `Event type ${c.ActionTrackerId}`}</span>
              <span className="muted small">{programNames.get(c.CampaignId) ?? `Program ${c.CampaignId}`}</span>
            </span>
          );
        },
      }),
      col.accessor('OrderId', { header: 'Order Id', meta: { className: 'mono' } }),
      col.accessor('MediaPartnerId', {
        header: 'Partner',
        enableSorting: false,
        meta: { className: 'nowrap' },
        cell: (info) => {
          const id = info.getValue();
          return id ? (partnerNames.get(id) ?? `Partner ${id}`) : <span className="muted">None</span>;
        },
      }),
      col.accessor('ClickId', {
        header: 'Click Id',
        enableSorting: false,
        meta: { className: 'mono cell-truncate' },
        cell: (info) => (info.getValue() ? <span title={info.getValue()!}>{info.getValue()}</span> : <span className="muted">—</span>),
      }),
      col.accessor('Amount', {
        header: 'Sale Amount',
        enableSorting: false,
        meta: { align: 'right', className: 'num nowrap' },
        cell: (info) => formatMoney(info.getValue(), info.row.original.Currency),
      }),
      col.accessor('RejectReason', {
        header: 'Reject Reason',
        enableSorting: false,
        cell: (info) => {
          const r = info.getValue();
          return r ? (
            <span className="two-line">
              <span className="code">{r}</span>
              <span className="muted small">{REJECT_REASON_LABELS[r] ?? ''}</span>
            </span>
          ) : (
            '—'
          );
        },
      }),
      col.accessor('CreatedDate', {
        header: 'Received',
        meta: { className: 'nowrap' },
        cell: (info) => formatDateTime(info.getValue(), tz),
      }),
    ],
    // The name maps are rebuilt each render; their content is what matters.
    // eslint-disable-next-line react-hooks/exhaustive-deps
    [tz, names],
  );

  const tableState: ServerTableState = { pageIndex: page - 1, pageSize, sorting: [{ id: sort, desc: order === 'desc' }], search: '' };
  const filtered = !!(reason || orderId);

  return (
    <>
      <p className="view-intro muted">
        Conversions you reported that could not be credited to a partner. They created no action and cost nothing; each shows
        why, so nothing is dropped silently.
      </p>
      <div className="card">
        <DataTable
          label="Rejected conversions"
          testId="rejected-conversions"
          columns={columns}
          data={conversions.data?.items ?? NO_ROWS}
          getRowId={(c) => c.Id}
          rowTestId={(c) => `conversion-row-${c.Id}`}
          itemName={['rejected conversion', 'rejected conversions']}
          toolbar={
            <div className="filters">
              <label className="filter">
                <span className="filter-label">Reject Reason</span>
                <select className="select" value={reason} onChange={(e) => update({ rejectReason: e.target.value, page: null })}>
                  <option value="">All reasons</option>
                  {REJECT_REASONS.map((r) => (
                    <option key={r} value={r}>
                      {r}
                    </option>
                  ))}
                </select>
              </label>
              <label className="filter">
                <span className="filter-label">Order Id</span>
                <DebouncedInput className="input input-filter" value={orderId} maxLength={64} placeholder="Any" onCommit={(v) => update({ orderId: v, page: null })} />
              </label>
              {filtered ? (
                <button type="button" className="btn btn-link" onClick={() => update({ rejectReason: null, orderId: null, page: null })}>
                  Clear filters
                </button>
              ) : null}
            </div>
          }
          loading={conversions.isPending}
          refreshing={conversions.isFetching && !conversions.isPending}
          error={conversions.error}
          onRetry={() => void conversions.refetch()}
          emptyMessage={filtered ? 'No rejected conversions match these filters.' : 'No rejected conversions: every conversion was credited.'}
          pageSizeOptions={PAGE_SIZES}
          server={{
            rowCount: conversions.data?.total ?? 0,
            state: tableState,
            onStateChange: (next) =>
              update({
                page: next.pageIndex + 1 === 1 ? null : next.pageIndex + 1,
                pageSize: next.pageSize === 25 ? null : next.pageSize,
                sort: next.sorting[0]?.id ?? null,
                order: next.sorting[0] ? (next.sorting[0].desc ? 'desc' : 'asc') : null,
              }),
          }}
        />
      </div>
    </>
  );
}
