import { keepPreviousData, useQuery } from '@tanstack/react-query';
import { useMemo } from 'react';
import { useAccount, useAccountApi, useAccountKey } from '../../api/session';
import type { Page } from '@contract/common';
import type { Conversion } from '@contract/conversions';
import { REJECT_REASONS } from '@contract/enums';
import { columnsFor, DataTable, type ServerTableState } from '../../components/DataTable';
import { DateRangeFilter } from '../../components/DateRangeFilter';
import { DebouncedInput } from '../../components/DebouncedInput';
import { addDays, formatDate, formatDateTime, isLocalDate, startOfDayIso } from '../../lib/format';
import { formatMoney } from '../../lib/money';
import { tableStateToParams, useSearchState } from '../../lib/searchState';
import { REJECT_REASON_LABELS } from '../../lib/labels';

const SORT_KEYS = ['CreatedDate', 'EventDate', 'Id', 'OrderId'];
const PAGE_SIZES = [10, 25, 50, 100];
const NO_ROWS: Conversion[] = [];
const col = columnsFor<Conversion>();

/** Conversions the platform recorded but could not credit to a partner, with the reason. */
export function RejectedConversionsView() {
  const account = useAccount();
  const tz = account.TimeZone;
  const http = useAccountApi();
  const key = useAccountKey();
  const { get, update } = useSearchState();

  const reason = REJECT_REASONS.find((r) => r === get('rejectReason')) ?? '';
  const orderId = get('orderId').slice(0, 64);
  const from = isLocalDate(get('from')) ? get('from') : '';
  const to = isLocalDate(get('to')) ? get('to') : '';
  const page = Math.max(1, Number(get('page')) || 1);
  const pageSize = PAGE_SIZES.includes(Number(get('pageSize'))) ? Number(get('pageSize')) : 25;
  const sort = SORT_KEYS.includes(get('sort')) ? get('sort') : 'CreatedDate';
  const order: 'asc' | 'desc' = get('order') === 'asc' ? 'asc' : 'desc';

  const query = {
    status: 'REJECTED',
    rejectReason: reason,
    orderId,
    from: from ? startOfDayIso(from, tz) : '',
    to: to ? startOfDayIso(addDays(to, 1), tz) : '',
    page,
    pageSize,
    sort,
    order,
  };
  const conversions = useQuery({
    queryKey: key('conversions', query),
    queryFn: () => http.get<Page<Conversion>>('/api/v1/conversions', query),
    placeholderData: keepPreviousData,
  });

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
            <span className="two-line" title={`ActionTrackerId ${c.ActionTrackerId} · CampaignId ${c.CampaignId}`}>
              <span>{c.EventTypeName}</span>
              <span className="muted small">{c.CampaignName}</span>
            </span>
          );
        },
      }),
      col.accessor('OrderId', { header: 'Order Id', meta: { className: 'mono' } }),
      col.accessor('MediaPartnerName', {
        header: 'Partner',
        enableSorting: false,
        meta: { className: 'nowrap' },
        cell: (info) => {
          const c = info.row.original;
          if (c.MediaPartnerId === null) return <span className="muted">None</span>;
          return <span title={`MediaPartnerId ${c.MediaPartnerId}`}>{info.getValue() ?? `Partner ${c.MediaPartnerId}`}</span>;
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
    [tz],
  );

  const tableState: ServerTableState = { pageIndex: page - 1, pageSize, sorting: [{ id: sort, desc: order === 'desc' }], search: '' };
  const filtered = !!(reason || orderId || from || to);

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
          data={conversions.data?.Items ?? NO_ROWS}
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
              <DateRangeFilter
                id="rejected-event-date-label"
                label="Event Date"
                fromLabel="Event date from"
                toLabel="Event date to"
                from={from}
                to={to}
                onChange={(change) => update({ ...change, page: null })}
              />
              {filtered ? (
                <button type="button" className="btn btn-link" onClick={() => update({ rejectReason: null, orderId: null, from: null, to: null, page: null })}>
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
            rowCount: conversions.data?.Total ?? 0,
            state: tableState,
            onStateChange: (next) =>
              update(tableStateToParams(next)),
          }}
        />
      </div>
    </>
  );
}
