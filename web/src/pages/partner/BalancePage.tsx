/**
 * Finance → Balance (partners): every movement of the available balance (payments received
 * when a brand's statement is paid, post-lock corrections, withdrawals and their fees,
 * returned paystubs, forfeits) with the running balance after each, per currency; filtered
 * by currency, type and date, paged, sorted by date, and downloadable. Above it, what the
 * balance is now and what will become available.
 */
import { keepPreviousData, useQuery } from '@tanstack/react-query';
import { useMemo } from 'react';
import { Link } from 'react-router';
import { useBalances } from '../../api/actions';
import { useAccount, useAccountApi, useAccountKey } from '../../api/session';
import type { Page } from '@contract/common';
import { MOVEMENT_TYPES, type MovementType } from '@contract/enums';
import type { BalanceMovement } from '@contract/ledger';
import { columnsFor, DataTable, type ServerTableState } from '../../components/DataTable';
import { DownloadButtons } from '../../components/DownloadButton';
import { DateRangeFilter } from '../../components/DateRangeFilter';
import { Badge, PageHeader } from '../../components/Form';
import { addDays, formatDate, formatDateTime, isLocalDate, startOfDayIso } from '../../lib/format';
import { formatMoney } from '../../lib/money';
import { tableStateToParams, useSearchState } from '../../lib/searchState';
import { Kpi, Kpis } from '../shared/Kpi';
import { WITHDRAWALS_PATH } from './WithdrawalsPage';

const PAGE_SIZES = [10, 25, 50, 100];
const NO_MOVEMENTS: BalanceMovement[] = [];
const col = columnsFor<BalanceMovement>();

export const MOVEMENT_LABELS: Record<MovementType, string> = {
  PAYMENT_RECEIVED: 'Payment received',
  CORRECTION: 'Correction',
  WITHDRAWAL: 'Withdrawal',
  FEE: 'Withdrawal fee',
  WITHDRAWAL_RETURNED: 'Withdrawal returned',
  FEE_RETURNED: 'Fee returned',
  FORFEIT: 'Forfeit',
  OTHER: 'Other',
};

/** What a movement belongs to, as a person reads it, with a link where there is a page for it. */
function ReferenceCell({ m }: { m: BalanceMovement }) {
  if (!m.Reference) return <span className="muted">—</span>;
  const [kind, id] = m.Reference.split(':');
  if (kind === 'statement') return <span>Statement {m.StatementNumber ?? id}</span>;
  if (kind === 'paystub') {
    return (
      <Link to={`${WITHDRAWALS_PATH}/${id}`} className="strong-link">
        Paystub {id}
      </Link>
    );
  }
  if (kind === 'correction') return <span>Correction {id}{m.ActionId ? ` of action ${m.ActionId}` : ''}</span>;
  if (kind === 'forfeit') return <span>Forfeit {id}</span>;
  return <span className="mono">{m.Reference}</span>;
}

function useBalanceMovements(query: Record<string, string | number>) {
  const http = useAccountApi();
  const key = useAccountKey();
  return useQuery({
    queryKey: key('balance-movements', query),
    queryFn: () => http.get<Page<BalanceMovement>>('/api/v1/balance/movements', query),
    placeholderData: keepPreviousData,
  });
}

export function BalancePage() {
  const account = useAccount();
  const tz = account.TimeZone;
  const { get, update } = useSearchState();
  const balances = useBalances();
  const page = Math.max(1, Number(get('page')) || 1);
  const pageSize = PAGE_SIZES.includes(Number(get('pageSize'))) ? Number(get('pageSize')) : 25;
  const order = get('order') === 'asc' ? 'asc' : 'desc';
  const type = MOVEMENT_TYPES.find((t) => t === get('type')) ?? '';
  const currency = /^[A-Z]{3}$/.test(get('currency')) ? get('currency') : '';
  const from = isLocalDate(get('from')) ? get('from') : '';
  const to = isLocalDate(get('to')) ? get('to') : '';
  const filter = {
    ...(type ? { type } : {}),
    ...(currency ? { currency } : {}),
    ...(from ? { from: startOfDayIso(from, tz) } : {}),
    ...(to ? { to: startOfDayIso(addDays(to, 1), tz) } : {}),
    order,
  };
  const movements = useBalanceMovements({ ...filter, page, pageSize });
  const currencies = (balances.data ?? []).map((b) => b.Currency);
  const filtered = Boolean(type || currency || from || to);

  const columns = useMemo(
    () => [
      col.accessor('Date', {
        header: 'Date',
        meta: { className: 'nowrap' },
        cell: (info) => <span title={formatDateTime(info.getValue(), tz)}>{formatDate(info.getValue(), tz)}</span>,
      }),
      col.accessor('Type', {
        header: 'Type',
        enableSorting: false,
        cell: (info) => (
          <span data-movement-type={info.getValue()}>
            <Badge tone={info.getValue().startsWith('WITHDRAWAL') || info.getValue() === 'PAYMENT_RECEIVED' ? 'blue' : 'gray'}>{MOVEMENT_LABELS[info.getValue()] ?? info.getValue()}</Badge>
          </span>
        ),
      }),
      col.accessor('Reference', { header: 'Reference', enableSorting: false, cell: (info) => <ReferenceCell m={info.row.original} /> }),
      col.accessor('Amount', {
        header: 'Amount',
        enableSorting: false,
        meta: { align: 'right', className: 'num nowrap strong' },
        cell: (info) => formatMoney(info.getValue(), info.row.original.Currency),
      }),
      col.accessor('Balance', {
        header: 'Balance',
        enableSorting: false,
        meta: { align: 'right', className: 'num nowrap' },
        cell: (info) => formatMoney(info.getValue(), info.row.original.Currency),
      }),
    ],
    [tz],
  );
  const tableState: ServerTableState = { pageIndex: page - 1, pageSize, sorting: [{ id: 'Date', desc: order === 'desc' }], search: '' };

  return (
    <div className="page">
      <PageHeader
        title="Balance"
        subtitle="Every movement of your available balance, with the balance after it: payments received, corrections, withdrawals, fees and forfeits."
        actions={
          <DownloadButtons
            path="/api/v1/balance/movements/export"
            query={filter}
            accountId={account.Id}
            fallbackName="balance-movements"
            description={filtered ? 'the movements this filter shows' : 'every movement of your balance'}
          />
        }
      />
      {balances.data && balances.data.length > 0 ? (
        <Kpis>
          {balances.data.map((b) => (
            <Kpi
              key={b.Currency}
              testId={`balance-available-${b.Currency}`}
              label={`Available (${b.Currency})`}
              value={formatMoney(b.Available, b.Currency)}
              hint={`${formatMoney(b.PaymentPending, b.Currency)} payment pending`}
            />
          ))}
        </Kpis>
      ) : null}
      <div className="card">
        <DataTable
          label="Balance movements"
          testId="balance-movements-table"
          columns={columns}
          data={movements.data?.Items ?? NO_MOVEMENTS}
          getRowId={(m) => m.Id}
          rowTestId={(m) => `movement-${m.Id}`}
          itemName={['movement', 'movements']}
          toolbar={
            <div className="filters">
              <label className="filter">
                <span className="filter-label">Currency</span>
                <select className="select select-narrow" value={currency} onChange={(e) => update({ currency: e.target.value, page: null })}>
                  <option value="">All</option>
                  {currencies.map((c) => (
                    <option key={c} value={c}>
                      {c}
                    </option>
                  ))}
                </select>
              </label>
              <label className="filter">
                <span className="filter-label">Type</span>
                <select className="select" value={type} onChange={(e) => update({ type: e.target.value, page: null })}>
                  <option value="">All types</option>
                  {MOVEMENT_TYPES.map((t) => (
                    <option key={t} value={t}>
                      {MOVEMENT_LABELS[t]}
                    </option>
                  ))}
                </select>
              </label>
              <DateRangeFilter
                id="balance-date-label"
                label="Date"
                fromLabel="Moved from"
                toLabel="Moved to"
                from={from}
                to={to}
                onChange={(change) => update({ ...change, page: null })}
              />
              {filtered ? (
                <button type="button" className="btn btn-link" onClick={() => update({ type: null, currency: null, from: null, to: null, page: null })}>
                  Clear filters
                </button>
              ) : null}
            </div>
          }
          loading={movements.isPending}
          refreshing={movements.isFetching && !movements.isPending}
          error={movements.error}
          onRetry={() => void movements.refetch()}
          emptyMessage={filtered ? 'No movements match this filter.' : 'Nothing has moved your available balance yet: it grows when a brand pays the statement your actions are on.'}
          pageSizeOptions={PAGE_SIZES}
          server={{
            rowCount: movements.data?.Total ?? 0,
            state: tableState,
            onStateChange: (next) => {
              const params = tableStateToParams(next);
              update({ ...params, sort: null, order: params.order === 'asc' ? 'asc' : null });
            },
          }}
        />
      </div>
    </div>
  );
}
