/**
 * DataTable: the one table of the app, on TanStack Table v9 (useTable + tableFeatures).
 *
 * Two modes:
 * - client (default): give it every row; it searches, sorts and pages in the browser.
 * - server: pass `server` with the row count and a controlled {pageIndex, pageSize,
 *   sorting, search} state; the page fetches that page from the API (put the state in
 *   the query key) and passes the returned items as `data`.
 *
 * Columns are built with `columnsFor<Row>()` (a typed column helper bound to the
 * table's features); a column's `id` is its server sort key in server mode.
 * Keep `data` and `columns` referentially stable (query data, useMemo, or module
 * constants): a fresh array each render makes the table recompute its models.
 */
import {
  columnFilteringFeature,
  createColumnHelper,
  createFilteredRowModel,
  createPaginatedRowModel,
  createSortedRowModel,
  filterFn_includesString,
  functionalUpdate,
  globalFilteringFeature,
  rowPaginationFeature,
  rowSortingFeature,
  sortFn_alphanumeric,
  sortFn_basic,
  sortFn_datetime,
  sortFn_text,
  tableFeatures,
  useTable,
  type ColumnDef,
  type PaginationState,
  type RowData,
  type SortingState,
  type Updater,
} from '@tanstack/react-table';
import { useEffect, useId, useRef, useState, type ReactNode } from 'react';
import { errorDetail } from '../api/client';

export interface DataColumnMeta {
  /** Text alignment of the column's cells and header. */
  align?: 'left' | 'right' | 'center';
  /** CSS width of the column, e.g. 96 or '12rem'. */
  width?: number | string;
  /** Extra class on every cell of the column (e.g. 'mono', 'nowrap'). */
  className?: string;
}

export const dataTableFeatures = tableFeatures({
  columnFilteringFeature,
  globalFilteringFeature,
  rowSortingFeature,
  rowPaginationFeature,
  filteredRowModel: createFilteredRowModel(),
  sortedRowModel: createSortedRowModel(),
  paginatedRowModel: createPaginatedRowModel(),
  filterFns: { includesString: filterFn_includesString },
  sortFns: { alphanumeric: sortFn_alphanumeric, basic: sortFn_basic, datetime: sortFn_datetime, text: sortFn_text },
  columnMeta: {} as DataColumnMeta,
});

export type DataTableFeatures = typeof dataTableFeatures;
// biome-ignore lint/suspicious/noExplicitAny: a table's columns hold values of different types, and ColumnDef is invariant in its value type (TanStack's own advice)
export type DataColumn<TData extends RowData> = ColumnDef<DataTableFeatures, TData, any>;

/** The typed column helper for a row type: `const col = columnsFor<Contract>()`. */
export function columnsFor<TData extends RowData>() {
  return createColumnHelper<DataTableFeatures, TData>();
}

/** The controlled state of a server-side table; page index is 0-based. */
export interface ServerTableState {
  pageIndex: number;
  pageSize: number;
  sorting: SortingState;
  search: string;
}

export interface DataTableProps<TData extends RowData> {
  columns: DataColumn<TData>[];
  data: TData[];
  getRowId: (row: TData) => string;
  /** What a row is called in the row count: ['contract', 'contracts']. */
  itemName?: [singular: string, plural: string];
  /** Server-side paging, sorting and search. Omit for client-side processing. */
  server?: {
    rowCount: number;
    /** The server stopped counting: rowCount is a lower bound ("10,000+ rows"). */
    rowCountCapped?: boolean;
    state: ServerTableState;
    onStateChange: (next: ServerTableState) => void;
  };
  /** Shows a search box: in client mode it filters the loaded rows; in server mode it sets state.search. */
  search?: { placeholder: string; label?: string };
  /** Filters and buttons shown left of the search box. */
  toolbar?: ReactNode;
  /** First load in progress (no rows yet). */
  loading?: boolean;
  /** A refetch is in progress while rows are shown. */
  refreshing?: boolean;
  /** A failed query: its problem detail is shown in the table. */
  error?: unknown;
  onRetry?: () => void;
  emptyMessage?: ReactNode;
  /** Client mode only: the initial sort and page size. */
  initialSorting?: SortingState;
  initialPageSize?: number;
  pageSizeOptions?: number[];
  /** Hide the footer (row count and pager), e.g. for short lists. */
  hideFooter?: boolean;
  /** Accessible name of the table. */
  label: string;
  testId?: string;
  rowTestId?: (row: TData) => string;
  /** Extra class of a row, e.g. 'row-muted' for read-only rows. */
  rowClassName?: (row: TData) => string | undefined;
  /** Double-clicking a row (outside its buttons, links and inputs) opens it. */
  onRowDoubleClick?: (row: TData) => void;
  /** A checkbox column: the selected row ids are controlled by the page. */
  selection?: RowSelection<TData>;
}

export interface RowSelection<TData> {
  selected: ReadonlySet<string>;
  onChange: (next: Set<string>) => void;
  /** Rows that can be selected (default: all); the others show no checkbox. */
  canSelect?: (row: TData) => boolean;
  /** Accessible name of a row's checkbox, e.g. "Select action 123". */
  rowLabel?: (row: TData) => string;
}

function SelectAllCheckbox({ checked, indeterminate, disabled, onChange }: { checked: boolean; indeterminate: boolean; disabled: boolean; onChange: (checked: boolean) => void }) {
  const ref = useRef<HTMLInputElement>(null);
  useEffect(() => {
    if (ref.current) ref.current.indeterminate = indeterminate;
  }, [indeterminate]);
  return (
    <input
      ref={ref}
      type="checkbox"
      className="row-check"
      aria-label="Select all rows on this page"
      checked={checked}
      disabled={disabled}
      onChange={(event) => onChange(event.target.checked)}
    />
  );
}

const INTERACTIVE = 'button, a, input, select, textarea, label, [role="menuitem"]';

const DEFAULT_PAGE_SIZES = [10, 25, 50, 100];

function SortIcon({ direction }: { direction: false | 'asc' | 'desc' }) {
  return (
    <span className={`sort-icon ${direction ? 'sort-icon-active' : ''}`} aria-hidden="true">
      {direction === 'asc' ? '▲' : direction === 'desc' ? '▼' : '↕'}
    </span>
  );
}

export function DataTable<TData extends RowData>(props: DataTableProps<TData>) {
  const { server } = props;
  const searchId = useId();
  const pageSizes = props.pageSizeOptions ?? DEFAULT_PAGE_SIZES;

  const [clientSorting, setClientSorting] = useState<SortingState>(props.initialSorting ?? []);
  const [clientPagination, setClientPagination] = useState<PaginationState>({
    pageIndex: 0,
    pageSize: props.initialPageSize ?? 25,
  });
  const [clientSearch, setClientSearch] = useState('');

  // The search box is local state; in server mode it is sent after a short pause in typing.
  const [searchText, setSearchText] = useState(server?.state.search ?? '');
  const serverRef = useRef(server);
  serverRef.current = server;
  useEffect(() => {
    if (!serverRef.current) return;
    const current = serverRef.current;
    if (searchText === current.state.search) return;
    const timer = window.setTimeout(() => {
      const s = serverRef.current;
      if (s && s.state.search !== searchText) s.onStateChange({ ...s.state, search: searchText, pageIndex: 0 });
    }, 300);
    return () => window.clearTimeout(timer);
  }, [searchText]);

  const sorting = server ? server.state.sorting : clientSorting;
  const pagination: PaginationState = server
    ? { pageIndex: server.state.pageIndex, pageSize: server.state.pageSize }
    : clientPagination;
  const globalFilter = server ? server.state.search : clientSearch;

  const onSortingChange = (updater: Updater<SortingState>) => {
    if (server) {
      server.onStateChange({ ...server.state, sorting: functionalUpdate(updater, server.state.sorting), pageIndex: 0 });
    } else {
      setClientSorting((old) => functionalUpdate(updater, old));
      setClientPagination((old) => ({ ...old, pageIndex: 0 }));
    }
  };
  const onPaginationChange = (updater: Updater<PaginationState>) => {
    if (server) {
      const next = functionalUpdate(updater, pagination);
      server.onStateChange({ ...server.state, pageIndex: next.pageIndex, pageSize: next.pageSize });
    } else {
      setClientPagination((old) => functionalUpdate(updater, old));
    }
  };

  const table = useTable({
    features: dataTableFeatures,
    columns: props.columns,
    data: props.data,
    getRowId: (row: TData) => props.getRowId(row),
    state: { sorting, pagination, globalFilter },
    onSortingChange,
    onPaginationChange,
    onGlobalFilterChange: (updater: Updater<string>) => {
      if (!server) {
        setClientSearch((old) => functionalUpdate(updater, old) ?? '');
        setClientPagination((old) => ({ ...old, pageIndex: 0 }));
      }
    },
    globalFilterFn: 'includesString',
    manualSorting: !!server,
    manualPagination: !!server,
    manualFiltering: !!server,
    ...(server ? { rowCount: server.rowCount } : {}),
    enableSortingRemoval: false,
    autoResetPageIndex: false,
  });

  const rows = table.getRowModel().rows;
  const rowCount = server ? server.rowCount : table.getRowCount();
  const pageCount = Math.max(1, table.getPageCount());
  const firstRow = rowCount === 0 ? 0 : pagination.pageIndex * pagination.pageSize + 1;
  const lastRow = Math.min(rowCount, (pagination.pageIndex + 1) * pagination.pageSize);
  const [singular, plural] = props.itemName ?? ['row', 'rows'];
  const leafColumns = table.getAllLeafColumns();
  const { selection } = props;
  const columnCount = leafColumns.length + (selection ? 1 : 0);
  const selectableIds = selection
    ? rows.filter((row) => selection.canSelect?.(row.original) ?? true).map((row) => row.id)
    : [];
  const selectedOnPage = selectableIds.filter((id) => selection?.selected.has(id)).length;
  const toggleRow = (id: string, checked: boolean) => {
    if (!selection) return;
    const next = new Set(selection.selected);
    if (checked) next.add(id);
    else next.delete(id);
    selection.onChange(next);
  };
  const togglePage = (checked: boolean) => {
    if (!selection) return;
    const next = new Set(selection.selected);
    for (const id of selectableIds) {
      if (checked) next.add(id);
      else next.delete(id);
    }
    selection.onChange(next);
  };
  const formatCount = (n: number) => n.toLocaleString('en-US');
  const capped = !!server?.rowCountCapped;

  // A page past the end (rows removed, filters changed) falls back to the last page.
  useEffect(() => {
    if (!props.loading && rowCount > 0 && pagination.pageIndex > 0 && pagination.pageIndex >= pageCount) {
      table.setPageIndex(pageCount - 1);
    }
  }, [props.loading, rowCount, pageCount, pagination.pageIndex, table]);

  let body: ReactNode;
  if (props.error && rows.length === 0) {
    body = (
      <tr>
        <td colSpan={columnCount} className="table-message table-message-error" role="alert">
          {errorDetail(props.error)}{' '}
          {props.onRetry ? (
            <button type="button" className="btn btn-sm" onClick={props.onRetry}>
              Retry
            </button>
          ) : null}
        </td>
      </tr>
    );
  } else if (props.loading && rows.length === 0) {
    body = (
      <tr>
        <td colSpan={columnCount} className="table-message">
          <span className="spinner" aria-hidden="true" /> Loading…
        </td>
      </tr>
    );
  } else if (rows.length === 0) {
    body = (
      <tr>
        <td colSpan={columnCount} className="table-message" data-testid="table-empty">
          {globalFilter ? `No ${plural} match “${globalFilter}”.` : (props.emptyMessage ?? `No ${plural} yet.`)}
        </td>
      </tr>
    );
  } else {
    body = rows.map((row) => {
      const selectable = selection ? (selection.canSelect?.(row.original) ?? true) : false;
      const isSelected = selectable && !!selection?.selected.has(row.id);
      const onDoubleClick = props.onRowDoubleClick;
      return (
      <tr
        key={row.id}
        data-row-id={row.id}
        data-testid={props.rowTestId?.(row.original)}
        className={[props.rowClassName?.(row.original), isSelected ? 'row-selected' : '', onDoubleClick ? 'row-openable' : ''].filter(Boolean).join(' ') || undefined}
        aria-selected={selection ? isSelected : undefined}
        onDoubleClick={
          onDoubleClick
            ? (event) => {
                if (event.target instanceof Element && event.target.closest(INTERACTIVE)) return;
                onDoubleClick(row.original);
              }
            : undefined
        }
      >
        {selection ? (
          <td className="cell-check">
            {selectable ? (
              <input
                type="checkbox"
                className="row-check"
                aria-label={selection.rowLabel?.(row.original) ?? `Select row ${row.id}`}
                checked={isSelected}
                onChange={(event) => toggleRow(row.id, event.target.checked)}
              />
            ) : null}
          </td>
        ) : null}
        {row.getAllCells().map((cell) => {
          const meta = cell.column.columnDef.meta;
          return (
            <td key={cell.id} className={`${meta?.align ? `align-${meta.align}` : ''} ${meta?.className ?? ''}`} data-column={cell.column.id}>
              <table.FlexRender cell={cell} />
            </td>
          );
        })}
      </tr>
      );
    });
  }

  return (
    <div className={`data-table ${props.refreshing ? 'is-refreshing' : ''}`} data-testid={props.testId}>
      {props.toolbar || props.search ? (
        <div className="table-toolbar">
          <div className="table-toolbar-filters">{props.toolbar}</div>
          {props.search ? (
            <div className="table-search">
              <label htmlFor={searchId} className="visually-hidden">
                {props.search.label ?? 'Search'}
              </label>
              <input
                id={searchId}
                type="search"
                className="input"
                placeholder={props.search.placeholder}
                value={server ? searchText : clientSearch}
                onChange={(event) => (server ? setSearchText(event.target.value) : table.setGlobalFilter(event.target.value))}
              />
            </div>
          ) : null}
        </div>
      ) : null}
      {/* The frame that scrolls sideways is a named, focusable region, so a keyboard can scroll it too (WCAG 2.1.1). */}
      {/* biome-ignore lint/a11y/noNoninteractiveTabindex: a scrollable region must take the focus to be scrolled without a mouse */}
      <section className="table-scroll" aria-label={`${props.label} (scrolls sideways)`} tabIndex={0}>
        <div className="table-progress" aria-hidden="true" />
        {/* The first column (after the selection boxes) stays in view while a wide table scrolls inside its frame. */}
        <table className={selection ? 'table table-with-check' : 'table'} aria-label={props.label} aria-busy={props.loading || props.refreshing || undefined}>
          <thead>
            {table.getHeaderGroups().map((group) => (
              <tr key={group.id}>
                {selection ? (
                  <th scope="col" className="cell-check">
                    <SelectAllCheckbox
                      checked={selectableIds.length > 0 && selectedOnPage === selectableIds.length}
                      indeterminate={selectedOnPage > 0 && selectedOnPage < selectableIds.length}
                      disabled={selectableIds.length === 0}
                      onChange={togglePage}
                    />
                  </th>
                ) : null}
                {group.headers.map((header) => {
                  const column = header.column;
                  const meta = column.columnDef.meta;
                  const canSort = column.getCanSort();
                  const direction = column.getIsSorted();
                  const style = meta?.width !== undefined ? { width: meta.width } : undefined;
                  return (
                    <th
                      key={header.id}
                      scope="col"
                      style={style}
                      className={meta?.align ? `align-${meta.align}` : undefined}
                      aria-sort={direction === 'asc' ? 'ascending' : direction === 'desc' ? 'descending' : canSort ? 'none' : undefined}
                    >
                      {header.isPlaceholder ? null : canSort ? (
                        <button type="button" className="th-sort" onClick={column.getToggleSortingHandler()}>
                          <table.FlexRender header={header} />
                          <SortIcon direction={direction} />
                        </button>
                      ) : (
                        <table.FlexRender header={header} />
                      )}
                    </th>
                  );
                })}
              </tr>
            ))}
          </thead>
          <tbody>{body}</tbody>
        </table>
      </section>
      {props.hideFooter ? null : (
        <div className="table-footer">
          <div className="table-count" data-testid="row-count" aria-live="polite">
            {rowCount === 0
              ? `0 ${plural}`
              : rowCount <= pagination.pageSize && pagination.pageIndex === 0 && !capped
                ? `${formatCount(rowCount)} ${rowCount === 1 ? singular : plural}`
                : `${formatCount(firstRow)}–${formatCount(lastRow)} of ${formatCount(rowCount)}${capped ? '+' : ''} ${plural}`}
          </div>
          {rowCount <= Math.min(...pageSizes) && pagination.pageIndex === 0 ? null : (
          <div className="table-pager">
            <label className="pager-size">
              Rows per page
              <select
                className="select select-sm"
                value={pagination.pageSize}
                onChange={(event) => onPaginationChange({ pageIndex: 0, pageSize: Number(event.target.value) })}
              >
                {pageSizes.map((size) => (
                  <option key={size} value={size}>
                    {size}
                  </option>
                ))}
              </select>
            </label>
            <span className="pager-page">
              Page {Math.min(pagination.pageIndex + 1, pageCount)} of {pageCount}
            </span>
            <button type="button" className="btn btn-sm" aria-label="First page" onClick={() => table.firstPage()} disabled={!table.getCanPreviousPage()}>
              «
            </button>
            <button type="button" className="btn btn-sm" aria-label="Previous page" onClick={() => table.previousPage()} disabled={!table.getCanPreviousPage()}>
              ‹
            </button>
            <button type="button" className="btn btn-sm" aria-label="Next page" onClick={() => table.nextPage()} disabled={!table.getCanNextPage()}>
              ›
            </button>
            <button type="button" className="btn btn-sm" aria-label="Last page" onClick={() => table.lastPage()} disabled={!table.getCanLastPage()}>
              »
            </button>
          </div>
          )}
        </div>
      )}
    </div>
  );
}
