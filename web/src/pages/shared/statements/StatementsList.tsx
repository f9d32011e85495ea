/**
 * The statements list, for a brand (its own) and for operators (every brand's, with a
 * brand filter): filters, sort, page and search live in the URL. The API has no text
 * search, so a search looks through the first 500 statements matching the filters (a
 * brand has one statement per program, currency and due date a month) and pages them here.
 */
import { keepPreviousData, useQuery } from '@tanstack/react-query';
import { useMemo } from 'react';
import { Link } from 'react-router';
import { api } from '../../../api/client';
import { usePrograms } from '../../../api/queries';
import { type StatementsQuery, type StatementsScope, useStatementsPage } from '../../../api/statements';
import type { Page } from '@contract/common';
import { STATEMENT_STATUSES, type StatementStatus } from '@contract/enums';
import type { OperatorAccount } from '@contract/operator';
import type { Statement, STATEMENT_SORTS } from '@contract/statements';
import { columnsFor, DataTable, type ServerTableState } from '../../../components/DataTable';
import { Notice } from '../../../components/Feedback';
import { formatDate, formatDateTime } from '../../../lib/format';
import { formatMoney, isZeroAmount } from '../../../lib/money';
import { positiveIntParam, tableStateToParams, useSearchState } from '../../../lib/searchState';
import { STATUS_LABELS, StatementStatusBadge } from './StatementStatus';
import '../../../styles/finance.css';

type StatementSort = (typeof STATEMENT_SORTS)[number];
const SORTS: readonly StatementSort[] = ['IssuedDate', 'DueDate', 'Total', 'Number'];
const PAGE_SIZES = [10, 25, 50, 100];
/** How many statements a search looks through (the API's largest page). */
const SEARCH_WINDOW = 500;
const NO_ROWS: Statement[] = [];
const col = columnsFor<Statement>();

const MONTH = /^\d{4}-(0[1-9]|1[0-2])$/;

/** "2026-11-01" → "Nov 2026" (a month of the program's calendar, no time zone involved). */
export function monthLabel(periodStart: string): string {
  const [y, m] = periodStart.split('-').map(Number) as [number, number];
  return new Date(Date.UTC(y, m - 1, 1)).toLocaleDateString('en-US', { month: 'short', year: 'numeric', timeZone: 'UTC' });
}

function useListParams() {
  const { get, update } = useSearchState();
  const status = (STATEMENT_STATUSES as readonly string[]).includes(get('status')) ? (get('status') as StatementStatus) : '';
  const programId = positiveIntParam(get('programId'));
  const brandId = positiveIntParam(get('brandId'));
  const periodFrom = MONTH.test(get('periodFrom')) ? get('periodFrom') : '';
  const periodTo = MONTH.test(get('periodTo')) ? get('periodTo') : '';
  const q = get('q').slice(0, 100);
  const page = Math.max(1, Number(get('page')) || 1);
  const pageSize = PAGE_SIZES.includes(Number(get('pageSize'))) ? Number(get('pageSize')) : 25;
  const sort: StatementSort = SORTS.find((s) => s === get('sort')) ?? 'IssuedDate';
  const order: 'asc' | 'desc' = get('order') === 'asc' ? 'asc' : 'desc';
  return { status, programId, brandId, periodFrom, periodTo, q, page, pageSize, sort, order, update };
}

function matches(s: Statement, text: string): boolean {
  const needle = text.trim().toLowerCase();
  if (!needle) return true;
  return [s.Number, s.CampaignName, s.BrandName, s.Currency, STATUS_LABELS[s.Status], s.DueOn, s.PeriodStart.slice(0, 7), monthLabel(s.PeriodStart)].some(
    (field) => field.toLowerCase().includes(needle),
  );
}

/** Operators: the brands, for the brand filter. */
function useBrands(enabled: boolean) {
  const query = { kind: 'BRAND', page: 1, pageSize: 500, sort: 'Name', order: 'asc' };
  return useQuery({
    queryKey: ['operator', 'accounts', query],
    queryFn: () => api.get<Page<OperatorAccount>>('/api/v1/operator/accounts', query),
    enabled,
    placeholderData: keepPreviousData,
  });
}

function programOptions(seen: Statement[], known: Array<[number, string]>, withBrand: boolean): Array<[number, string]> {
  const map = new Map<number, string>(known);
  for (const s of seen) if (!map.has(s.CampaignId)) map.set(s.CampaignId, withBrand ? `${s.CampaignName} (${s.BrandName})` : s.CampaignName);
  return [...map.entries()].sort((a, b) => a[1].localeCompare(b[1]));
}

function Options({ options }: { options: Array<[number, string]> }) {
  return (
    <>
      {options.map(([id, name]) => (
        <option key={id} value={id}>
          {name}
        </option>
      ))}
    </>
  );
}

/** Brands: their programs, and any program seen on a statement. */
function BrandProgramOptions({ seen }: { seen: Statement[] }) {
  const programs = usePrograms();
  const options = useMemo(() => programOptions(seen, (programs.data ?? []).map((p) => [p.Id, p.Name]), false), [programs.data, seen]);
  return <Options options={options} />;
}

/** Operators have no program list: the programs of the statements shown. */
function SeenProgramOptions({ seen, selected }: { seen: Statement[]; selected: string }) {
  const options = useMemo(() => {
    const list = programOptions(seen, [], true);
    return selected && !list.some(([id]) => String(id) === selected) ? [...list, [Number(selected), `Program ${selected}`] as [number, string]] : list;
  }, [seen, selected]);
  return <Options options={options} />;
}

export function StatementsList({ scope }: { scope: StatementsScope }) {
  const p = useListParams();
  const { update } = p;
  const isOperator = scope.viewer === 'operator';
  const brands = useBrands(isOperator);
  const searching = p.q.trim() !== '';

  const filter: StatementsQuery = {
    sort: p.sort,
    order: p.order,
    status: p.status,
    programId: p.programId,
    brandId: isOperator ? p.brandId : '',
    periodFrom: p.periodFrom ? `${p.periodFrom}-01` : '',
    periodTo: p.periodTo ? `${p.periodTo}-01` : '',
  };
  const statements = useStatementsPage(scope, searching ? { ...filter, page: 1, pageSize: SEARCH_WINDOW } : { ...filter, page: p.page, pageSize: p.pageSize });
  const loaded = statements.data?.Items ?? NO_ROWS;
  const found = useMemo(() => (searching ? loaded.filter((s) => matches(s, p.q)) : loaded), [loaded, searching, p.q]);
  const rows = useMemo(
    () => (searching ? found.slice((p.page - 1) * p.pageSize, p.page * p.pageSize) : found),
    [found, searching, p.page, p.pageSize],
  );
  const rowCount = searching ? found.length : (statements.data?.Total ?? 0);
  const searchCapped = searching && (statements.data?.Total ?? 0) > SEARCH_WINDOW;
  const tz = scope.timeZone;

  // The statement, its status and what is owed come first: on a phone the rest scrolls in from the right.
  const columns = useMemo(
    () => [
      col.accessor('Number', {
        header: 'Statement',
        cell: (info) => {
          const s = info.row.original;
          return (
            <span className="two-line">
              <Link to={`${scope.basePath}/${s.Id}`} className="strong-link mono nowrap" aria-label={`Open statement ${s.Number}`}>
                {s.Number}
              </Link>
              <span className="muted small statement-cell-sub" title={`${s.PeriodStart} to ${s.PeriodEnd}`}>
                {isOperator ? `${s.BrandName} · ` : ''}
                {s.CampaignName} · {monthLabel(s.PeriodStart)}
              </span>
            </span>
          );
        },
      }),
      col.accessor('Status', {
        header: 'Status',
        enableSorting: false,
        cell: (info) => <StatementStatusBadge statement={info.row.original} />,
      }),
      col.accessor('Owed', {
        header: 'Owed',
        enableSorting: false,
        meta: { align: 'right', className: 'num nowrap' },
        cell: (info) => (
          <span className={isZeroAmount(info.getValue()) ? 'muted' : 'strong'}>{formatMoney(info.getValue(), info.row.original.Currency)}</span>
        ),
      }),
      col.accessor('DueOn', {
        id: 'DueDate',
        header: 'Due',
        meta: { className: 'nowrap' },
        cell: (info) => <span className={info.row.original.Status === 'OVERDUE' ? 'text-overdue' : undefined}>{info.getValue()}</span>,
      }),
      col.accessor('Total', {
        header: 'Total',
        meta: { align: 'right', className: 'num nowrap' },
        cell: (info) => formatMoney(info.getValue(), info.row.original.Currency),
      }),
      col.accessor('Paid', {
        header: 'Paid',
        enableSorting: false,
        meta: { align: 'right', className: 'num nowrap' },
        cell: (info) => formatMoney(info.getValue(), info.row.original.Currency),
      }),
      col.accessor('Actions', { header: 'Actions', enableSorting: false, meta: { align: 'right', className: 'num' } }),
      col.accessor('IssuedDate', {
        header: 'Issued',
        meta: { className: 'nowrap' },
        cell: (info) => <span title={formatDateTime(info.getValue(), tz)}>{formatDate(info.getValue(), tz)}</span>,
      }),
    ],
    [scope.basePath, isOperator, tz],
  );

  const tableState: ServerTableState = { pageIndex: p.page - 1, pageSize: p.pageSize, sorting: [{ id: p.sort, desc: p.order === 'desc' }], search: p.q };
  const filtered = !!(p.status || p.programId || (isOperator && p.brandId) || p.periodFrom || p.periodTo);

  const toolbar = (
    <div className="filters">
      {isOperator ? (
        <label className="filter">
          <span className="filter-label">Brand</span>
          <select className="select" value={p.brandId} onChange={(e) => update({ brandId: e.target.value, programId: null, page: null })}>
            <option value="">All brands</option>
            {(brands.data?.Items ?? []).map((b) => (
              <option key={b.Id} value={b.Id}>
                {b.Name}
              </option>
            ))}
          </select>
        </label>
      ) : null}
      <label className="filter">
        <span className="filter-label">Status</span>
        <select className="select select-narrow" value={p.status} onChange={(e) => update({ status: e.target.value, page: null })}>
          <option value="">All statuses</option>
          {STATEMENT_STATUSES.map((s) => (
            <option key={s} value={s}>
              {STATUS_LABELS[s]}
            </option>
          ))}
        </select>
      </label>
      <label className="filter">
        <span className="filter-label">Program</span>
        <select className="select" value={p.programId} onChange={(e) => update({ programId: e.target.value, page: null })}>
          <option value="">All programs</option>
          {isOperator ? <SeenProgramOptions seen={loaded} selected={p.programId} /> : <BrandProgramOptions seen={loaded} />}
        </select>
      </label>
      <div className="filter">
        <span className="filter-label" id="statement-period-label">
          Period
        </span>
        <fieldset className="date-range" aria-labelledby="statement-period-label">
          <input
            type="month"
            className="input input-month"
            aria-label="Period from (month)"
            placeholder="YYYY-MM"
            value={p.periodFrom}
            max={p.periodTo || undefined}
            onChange={(e) => update({ periodFrom: e.target.value, page: null })}
          />
          <span className="muted">to</span>
          <input
            type="month"
            className="input input-month"
            aria-label="Period to (month)"
            placeholder="YYYY-MM"
            value={p.periodTo}
            min={p.periodFrom || undefined}
            onChange={(e) => update({ periodTo: e.target.value, page: null })}
          />
        </fieldset>
      </div>
      {filtered ? (
        <button
          type="button"
          className="btn btn-link"
          onClick={() => update({ status: null, programId: null, brandId: null, periodFrom: null, periodTo: null, page: null })}
        >
          Clear filters
        </button>
      ) : null}
    </div>
  );

  return (
    <>
      {searchCapped ? (
        <Notice kind="warning">
          The search looks through the first {SEARCH_WINDOW} of the {statements.data?.Total.toLocaleString('en-US')} statements matching the filters: narrow
          them (status, program, period) to search the rest.
        </Notice>
      ) : null}
      <div className="card">
        <DataTable
          label="Statements"
          testId="statements-table"
          columns={columns}
          data={rows}
          getRowId={(s) => String(s.Id)}
          rowTestId={(s) => `statement-row-${s.Id}`}
          rowClassName={(s) => (s.Status === 'OVERDUE' ? 'row-overdue' : undefined)}
          itemName={['statement', 'statements']}
          toolbar={toolbar}
          search={{ placeholder: 'Search number, program…', label: 'Search statements' }}
          loading={statements.isPending}
          refreshing={statements.isFetching && !statements.isPending}
          error={statements.error}
          onRetry={() => void statements.refetch()}
          emptyMessage={
            filtered
              ? 'No statements match these filters.'
              : isOperator
                ? 'No statements yet: they are issued once a month is over, for the payouts that locked in it.'
                : "No statements yet: once a month is over, its locked payouts are billed on a statement per program, currency and due date."
          }
          pageSizeOptions={PAGE_SIZES}
          server={{
            rowCount,
            state: tableState,
            onStateChange: (next) => update({ ...tableStateToParams(next), q: next.search.trim() ? next.search : null }),
          }}
        />
      </div>
    </>
  );
}
