/**
 * Brand: Transactions → Pending Payouts. Three views under one header:
 * - Actions: what waits to lock (state PENDING by default; locked ones read-only through
 *   the status filter), with approve, reverse, modify and reset, one by one or in bulk;
 * - Reversed: reversed actions, which "Approve" restores while their locking date is ahead;
 * - Rejected conversions: conversions the platform could not credit, so none is dropped silently.
 */
import { useEffect, useMemo, useState } from 'react';
import { NavLink } from 'react-router';
import { useActionsPage, useActionTotals, useBrandPartners, useEventTypesOf, useMatchingActionIds } from '../../api/actions';
import { errorDetail, type QueryValue } from '../../api/client';
import { usePrograms } from '../../api/queries';
import { useAccount } from '../../api/session';
import type { Action, ActionTotals, BulkOperation } from '@contract/actions';
import { APPROVED_STATUS_DETAILS, CHANGE_REASON_CODES } from '@contract/enums';
import { columnsFor, DataTable, type ServerTableState } from '../../components/DataTable';
import { DebouncedInput } from '../../components/DebouncedInput';
import { DownloadButtons } from '../../components/DownloadButton';
import { PageHeader } from '../../components/Form';
import { Menu, type MenuItem } from '../../components/Menu';
import { addDays, isLocalDate, startOfDayIso } from '../../lib/format';
import { formatMoney, isZeroAmount } from '../../lib/money';
import { positiveIntParam, tableStateToParams, useSearchState } from '../../lib/searchState';
import { ActionDetailsDrawer } from '../shared/actions/ActionDetailsDrawer';
import { ActionLockingDate, ContractDate } from '../shared/actions/ContractDate';
import { StatusDetailBadge } from '../shared/actions/ActionStatus';
import { brandAvailability, type BrandOperation } from '../shared/actions/availability';
import { ActionOperationDialog, type PendingOperation } from './ActionOperationDialog';
import { BulkDialog, BulkOutcome, type BulkReport } from './BulkActions';
import { RejectedConversionsView } from './RejectedConversionsView';
import { ReportActions } from '../reports/ReportActions';
import '../../styles/actions.css';

export type PendingPayoutsView = 'actions' | 'reversed' | 'rejected';

const SORT_KEYS = ['EventDate', 'LockingDate', 'Amount', 'Payout', 'Id', 'MediaPartnerName', 'EventTypeName', 'CampaignName', 'OrderId', 'State'];
const PAGE_SIZES = [10, 25, 50, 100];
const NO_ACTIONS: Action[] = [];
const col = columnsFor<Action>();

const STATUS_OPTIONS: Array<[value: string, label: string]> = [
  ['Pending', 'Pending'],
  ['APPROVED', 'Approved (locked): all'],
  ...APPROVED_STATUS_DETAILS.map((d): [string, string] => [d, d]),
];

function PendingPayoutsNav() {
  return (
    <nav className="subtabs" aria-label="Pending Payouts views">
      <NavLink to="/transactions/pending-payouts" end className="subtab">
        Actions
      </NavLink>
      <NavLink to="/transactions/pending-payouts/reversed" className="subtab">
        Reversed
      </NavLink>
      <NavLink to="/transactions/pending-payouts/rejected-conversions" className="subtab">
        Rejected conversions
      </NavLink>
    </nav>
  );
}

export function PendingPayoutsPage({ view }: { view: PendingPayoutsView }) {
  const account = useAccount();
  return (
    <div className="page">
      <PageHeader
        title="Pending Payouts"
        subtitle={`Actions of ${account.Name} waiting to lock: approve, reverse or modify them before their locking date. Event and locking dates are in each program's time zone, as the partner sees them.`}
        actions={view === 'rejected' ? undefined : <ActionsDownload reversed={view === 'reversed'} />}
      />
      <PendingPayoutsNav />
      {view === 'rejected' ? <RejectedConversionsView /> : <ActionsView key={view} reversed={view === 'reversed'} />}
    </div>
  );
}

function useActionsParams(reversed: boolean) {
  const { get, update } = useSearchState();
  const status = reversed ? '' : (STATUS_OPTIONS.find(([v]) => v === get('status'))?.[0] ?? 'Pending');
  const reason = reversed ? (CHANGE_REASON_CODES.find((r) => r === get('reason')) ?? '') : '';
  const partnerId = positiveIntParam(get('partnerId'));
  const programId = positiveIntParam(get('programId'));
  const currency = /^[A-Z]{3}$/.test(get('currency')) ? get('currency') : '';
  const actionTrackerId = positiveIntParam(get('actionTrackerId'));
  const orderId = get('orderId').slice(0, 64);
  const actionId = get('actionId');
  const from = isLocalDate(get('from')) ? get('from') : '';
  const to = isLocalDate(get('to')) ? get('to') : '';
  const page = Math.max(1, Number(get('page')) || 1);
  const pageSize = PAGE_SIZES.includes(Number(get('pageSize'))) ? Number(get('pageSize')) : 25;
  const sort = SORT_KEYS.includes(get('sort')) ? get('sort') : 'EventDate';
  const order: 'asc' | 'desc' = get('order') === 'asc' ? 'asc' : 'desc';
  const openId = positiveIntParam(get('action'));
  return { status, reason, partnerId, programId, currency, actionTrackerId, orderId, actionId, from, to, page, pageSize, sort, order, openId, update };
}

type ActionsParams = ReturnType<typeof useActionsParams>;

/** A row is selectable when the server allows one of the view's bulk operations on it. */
function selectableFor(a: Action, reversed: boolean): boolean {
  return a.AllowedOperations.some((op) => (reversed ? op === 'RESTORE' || op === 'RESET' : op === 'APPROVE' || op === 'REVERSE'));
}

/** Above the table: per currency, how many actions match and their sale amounts and payouts (all of them, not the page). */
function ActionTotalsStrip({ totals, loading }: { totals: ActionTotals['Totals'] | undefined; loading: boolean }) {
  if (loading || !totals) return <div className="totals-strip muted small">Totals…</div>;
  if (totals.length === 0) return null;
  return (
    <section className="totals-strip" aria-label="Totals of the matching actions" data-testid="action-totals">
      {totals.map((t) => (
        <div key={t.Currency} className="totals-item" data-testid={`totals-${t.Currency}`}>
          <span className="totals-currency">{t.Currency}</span>
          <span>
            {t.Count.toLocaleString('en-US')} {t.Count === 1 ? 'action' : 'actions'}
          </span>
          <span>
            Sale amount <strong className="num" data-testid={`totals-${t.Currency}-amount`}>{formatMoney(t.Amount, t.Currency)}</strong>
          </span>
          <span>
            Payout <strong className="num" data-testid={`totals-${t.Currency}-payout`}>{formatMoney(t.Payout, t.Currency)}</strong>
          </span>
        </div>
      ))}
    </section>
  );
}

function isActionId(text: string): boolean {
  return text === '' || /^\d{1,18}$/.test(text);
}

/** The list's filters and sort as the API takes them: the same for the list and its exports (CSV, Excel, PDF). */
function actionsFilter(p: ActionsParams, reversed: boolean, timeZone: string): Record<string, QueryValue> {
  return {
    sort: p.sort,
    order: p.order,
    ...(reversed
      ? p.reason
        ? { statusDetail: `Reversed/${p.reason}` }
        : { state: 'REVERSED' }
      : p.status === 'Pending'
        ? { state: 'PENDING' }
        : p.status === 'APPROVED'
          ? { state: 'APPROVED' }
          : { statusDetail: p.status }),
    partnerId: p.partnerId,
    programId: p.programId,
    currency: p.currency,
    actionTrackerId: p.actionTrackerId,
    orderId: p.orderId,
    actionId: isActionId(p.actionId) ? p.actionId : '',
    from: p.from ? startOfDayIso(p.from, timeZone) : '',
    to: p.to ? startOfDayIso(addDays(p.to, 1), timeZone) : '',
  };
}

/** Download CSV, Excel or PDF: every action of the list as filtered now (all pages; the server sends them newest first). */
function ActionsDownload({ reversed }: { reversed: boolean }) {
  const account = useAccount();
  const p = useActionsParams(reversed);
  const filter = actionsFilter(p, reversed, account.TimeZone);
  return (
    <>
      <DownloadButtons
        path="/api/v1/actions/export"
        query={filter}
        accountId={account.Id}
        fallbackName={reversed ? 'reversed-actions' : 'actions'}
        description={reversed ? 'the reversed actions matching the filters' : 'the actions matching the filters'}
      />
      <ReportActions
        report={reversed ? { Id: 'reversed-actions', Title: 'Reversed Actions' } : { Id: 'pending-payouts-actions', Title: 'Pending Payouts Actions' }}
        filters={filter}
        chart={!reversed}
      />
    </>
  );
}

function ActionsView({ reversed }: { reversed: boolean }) {
  const account = useAccount();
  const tz = account.TimeZone;
  const p = useActionsParams(reversed);
  const { update } = p;
  const programs = usePrograms();
  const eventTypes = useEventTypesOf(programs.data);
  const partners = useBrandPartners();
  const [operation, setOperation] = useState<PendingOperation | null>(null);
  const [selected, setSelected] = useState<Set<string>>(() => new Set());
  const [bulk, setBulk] = useState<BulkOperation | null>(null);
  const [report, setReport] = useState<BulkReport | null>(null);

  const actionIdValid = isActionId(p.actionId);
  const filter = actionsFilter(p, reversed, tz);
  const query = { page: p.page, pageSize: p.pageSize, ...filter };
  const actions = useActionsPage(query);
  // Totals of every matching action (the server's, not the page's), per currency.
  const totals = useActionTotals(filter);
  const matching = useMatchingActionIds();
  const [allMatching, setAllMatching] = useState<{ count: number; more: boolean } | null>(null);

  // A new filter, sort or page is a new list: a selection of rows no longer shown would surprise.
  const queryKey = JSON.stringify(query);
  // biome-ignore lint/correctness/useExhaustiveDependencies: queryKey is what the effect runs for, not a value it reads
  useEffect(() => {
    setSelected(new Set());
    setAllMatching(null);
  }, [queryKey]);

  const rows = actions.data?.Items ?? NO_ACTIONS;

  const open = (action: Action) => update({ action: action.Id });
  const operate = (op: BrandOperation, action: Action) => setOperation({ op, action });

  // open/operate only call setters and update (which reads the address itself, not its
  // closure): new columns for them would remount every cell at each change of the URL.
  // biome-ignore lint/correctness/useExhaustiveDependencies: see above
  const columns = useMemo(() => {
    const menuItems = (a: Action): MenuItem[] => {
      const item = (op: BrandOperation, label: string, extra: Partial<MenuItem> = {}): MenuItem => {
        const availability = brandAvailability(a, op, tz);
        return {
          label,
          testId: `menu-${op}`,
          disabled: !availability.enabled,
          disabledReason: availability.reason,
          onSelect: () => operate(op, a),
          ...extra,
        };
      };
      const details: MenuItem = { label: 'Expand details', testId: 'menu-expand', onSelect: () => open(a) };
      if (reversed) return [details, item('restore', 'Approve', { description: 'Restore: pending again' }), item('reset', 'Reset…')];
      return [details, item('approve', 'Approve'), item('reverse', 'Reverse…', { danger: true }), item('modify', 'Modify…'), item('reset', 'Reset…')];
    };
    return [
      col.accessor('Id', {
        header: 'Action Id',
        meta: { className: 'num nowrap', width: 96 },
        cell: (info) => (
          <button type="button" className="link-button mono" onClick={() => open(info.row.original)} aria-label={`Open action ${info.getValue()}`}>
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
      col.accessor('MediaPartnerName', { header: 'Partner', meta: { className: 'nowrap' } }),
      col.accessor('EventTypeName', {
        header: 'Event Type',
        cell: (info) => {
          const a = info.row.original;
          return (
            <span className="two-line" title={`ActionTrackerId ${a.ActionTrackerId} · ${a.EventKind}`}>
              <span>
                {a.EventTypeName}
                {a.EventKind === 'CLICK' ? <span className="kind-mini">CPC</span> : null}
              </span>
              <span className="muted small">{a.CampaignName}</span>
            </span>
          );
        },
      }),
      col.accessor('OrderId', {
        header: 'Order Id',
        meta: { className: 'mono cell-truncate' },
        cell: (info) => {
          const a = info.row.original;
          // A CPC action's order id is its click id: not an order, so not shown as one.
          if (a.EventKind === 'CLICK') return <span className="muted">—</span>;
          return <span title={info.getValue() ?? undefined}>{info.getValue() ?? '—'}</span>;
        },
      }),
      col.accessor('Amount', {
        header: 'Sale Amount',
        meta: { align: 'right', className: 'num nowrap' },
        cell: (info) => {
          const a = info.row.original;
          if (isZeroAmount(a.DeltaAmount)) return formatMoney(a.Amount, a.Currency);
          return (
            <span className="amount-modified" title={`Modified: originally ${formatMoney(a.IntendedAmount, a.Currency)}`}>
              {formatMoney(a.Amount, a.Currency)}
            </span>
          );
        },
      }),
      col.accessor('Payout', {
        header: 'Payout',
        meta: { align: 'right', className: 'num nowrap' },
        cell: (info) => formatMoney(info.getValue(), info.row.original.Currency),
      }),
      col.accessor('LockingDate', {
        header: 'Locking Date',
        meta: { className: 'nowrap', width: 132 },
        cell: (info) => <ActionLockingDate action={info.row.original} />,
      }),
      col.accessor('State', {
        header: 'Status',
        cell: (info) => <StatusDetailBadge action={info.row.original} />,
      }),
      col.display({
        id: 'rowActions',
        header: () => <span className="visually-hidden">Row actions</span>,
        meta: { align: 'right', width: 116, className: 'row-hover-actions' },
        cell: ({ row }) => {
          const a = row.original;
          return (
            <span className="row-actions">
              <button type="button" className="btn btn-sm btn-ghost" onClick={() => open(a)} aria-label={`Expand action ${a.Id}`} title="Expand details">
                Expand
              </button>
              <Menu label="More" ariaLabel={`More actions for action ${a.Id}`} testId={`more-${a.Id}`} items={menuItems(a)} />
            </span>
          );
        },
      }),
    ];
  }, [tz, reversed]);

  const tableState: ServerTableState = {
    pageIndex: p.page - 1,
    pageSize: p.pageSize,
    sorting: [{ id: p.sort, desc: p.order === 'desc' }],
    search: '',
  };
  const filtered = !!(
    p.partnerId ||
    p.programId ||
    p.currency ||
    p.actionTrackerId ||
    p.orderId ||
    p.actionId ||
    p.from ||
    p.to ||
    p.reason ||
    (!reversed && p.status !== 'Pending')
  );
  const reset = () =>
    update({ partnerId: null, programId: null, currency: null, actionTrackerId: null, orderId: null, actionId: null, from: null, to: null, status: null, reason: null, page: null });
  const currencies = [...new Set((programs.data ?? []).map((x) => x.Currency))].sort();
  // Each event type once, named with its program ("Online Sale (SALE) · Acme Outdoor US"):
  // programs often share event type names. With a program chosen, only its event types.
  const eventTypeOptions = eventTypes
    .filter(({ program }) => !p.programId || String(program.Id) === String(p.programId))
    .flatMap(({ program, eventTypes: types }) => types.map((et) => ({ id: et.Id, label: `${et.Name} (${et.Kind}) · ${program.Name}` })))
    .filter((option, i, all) => all.findIndex((o) => o.id === option.id) === i);
  const moneySorted = p.sort === 'Amount' || p.sort === 'Payout';
  const severalCurrencies = (totals.data?.Totals.length ?? 0) > 1;

  const toolbar = (
    <div className="filters">
      <label className="filter">
        <span className="filter-label">Partner</span>
        <select className="select select-partner" value={p.partnerId} onChange={(e) => update({ partnerId: e.target.value, page: null })}>
          <option value="">All partners</option>
          {(partners.data ?? []).map((x) => (
            <option key={x.MediaPartnerId} value={x.MediaPartnerId}>
              {x.MediaPartnerName}
            </option>
          ))}
        </select>
      </label>
      <label className="filter">
        <span className="filter-label">Program</span>
        <select
          className="select select-partner"
          value={p.programId}
          onChange={(e) => update({ programId: e.target.value, actionTrackerId: null, page: null })}
        >
          <option value="">All programs</option>
          {(programs.data ?? []).map((x) => (
            <option key={x.Id} value={x.Id}>
              {x.Name} ({x.Currency})
            </option>
          ))}
        </select>
      </label>
      {currencies.length > 1 ? (
        <label className="filter">
          <span className="filter-label">Currency</span>
          <select className="select select-currency" value={p.currency} onChange={(e) => update({ currency: e.target.value, page: null })}>
            <option value="">All currencies</option>
            {currencies.map((c) => (
              <option key={c} value={c}>
                {c}
              </option>
            ))}
          </select>
        </label>
      ) : null}
      <label className="filter">
        <span className="filter-label">Event Type</span>
        <select className="select select-status" value={p.actionTrackerId} onChange={(e) => update({ actionTrackerId: e.target.value, page: null })}>
          <option value="">All event types</option>
          {eventTypeOptions.map((option) => (
            <option key={option.id} value={option.id}>
              {option.label}
            </option>
          ))}
        </select>
      </label>
      {reversed ? (
        <label className="filter">
          <span className="filter-label">Status Detail</span>
          <select className="select select-status" value={p.reason} onChange={(e) => update({ reason: e.target.value, page: null })}>
            <option value="">Reversed: any reason</option>
            {CHANGE_REASON_CODES.map((r) => (
              <option key={r} value={r}>
                Reversed/{r}
              </option>
            ))}
          </select>
        </label>
      ) : (
        <label className="filter">
          <span className="filter-label">Status Detail</span>
          <select className="select select-status" value={p.status} onChange={(e) => update({ status: e.target.value === 'Pending' ? null : e.target.value, page: null })}>
            {STATUS_OPTIONS.map(([v, label]) => (
              <option key={v} value={v}>
                {label}
              </option>
            ))}
          </select>
        </label>
      )}
      <label className="filter">
        <span className="filter-label">Order Id</span>
        <DebouncedInput className="input input-filter" value={p.orderId} maxLength={64} placeholder="Any" onCommit={(v) => update({ orderId: v, page: null })} />
      </label>
      <label className="filter">
        <span className="filter-label">Action Id</span>
        <DebouncedInput
          className={`input input-filter input-filter-sm ${actionIdValid ? '' : 'input-invalid'}`}
          value={p.actionId}
          inputMode="numeric"
          placeholder="Any"
          aria-invalid={actionIdValid ? undefined : true}
          title={actionIdValid ? undefined : 'An action id is a number.'}
          onCommit={(v) => update({ actionId: v, page: null })}
        />
      </label>
      <div className="filter">
        <span className="filter-label" id="event-date-label">
          Event Date
        </span>
        <fieldset className="date-range" aria-labelledby="event-date-label">
          <input
            type="date"
            className="input input-date"
            aria-label="Event date from"
            value={p.from}
            max={p.to || undefined}
            onChange={(e) => update({ from: e.target.value, page: null })}
          />
          <span className="muted">to</span>
          <input
            type="date"
            className="input input-date"
            aria-label="Event date to"
            value={p.to}
            min={p.from || undefined}
            onChange={(e) => update({ to: e.target.value, page: null })}
          />
        </fieldset>
      </div>
      {filtered ? (
        <button type="button" className="btn btn-link" onClick={reset}>
          Clear filters
        </button>
      ) : null}
    </div>
  );

  const selectedIds = [...selected];
  const total = actions.data?.Total ?? 0;
  const pageSelected = rows.length > 0 && rows.every((a) => selected.has(a.Id) || !selectableFor(a, reversed));
  // "Select all N matching": every matching action's id from the server, up to the bulk limit.
  const selectAllMatching = async () => {
    const found = await matching.mutateAsync(filter);
    setSelected(new Set(found.Ids));
    setAllMatching({ count: found.Ids.length, more: found.More });
  };
  const bulkBar = selected.size ? (
    <section className="bulk-bar" aria-label="Bulk actions" data-testid="bulk-bar">
      <span className="bulk-count" data-testid="selected-count">
        {allMatching
          ? `All ${allMatching.count.toLocaleString('en-US')} matching selected${allMatching.more ? ` (the first ${allMatching.count.toLocaleString('en-US')}: one bulk request takes at most that many)` : ''}`
          : `${selected.size} selected`}
      </span>
      {!allMatching && pageSelected && (total > rows.length || actions.data?.TotalCapped) ? (
        <button type="button" className="btn btn-sm btn-link" data-testid="select-all-matching" disabled={matching.isPending} onClick={() => void selectAllMatching()}>
          {matching.isPending ? 'Selecting…' : `Select all ${actions.data?.TotalCapped ? `${total.toLocaleString('en-US')}+` : total.toLocaleString('en-US')} matching`}
        </button>
      ) : null}
      {matching.error ? <span className="field-error">{errorDetail(matching.error)}</span> : null}
      {reversed ? (
        <>
          <button type="button" className="btn btn-sm btn-primary" onClick={() => setBulk('RESTORE')}>
            Approve selected
          </button>
          <button type="button" className="btn btn-sm" onClick={() => setBulk('RESET')}>
            Reset selected
          </button>
        </>
      ) : (
        <>
          <button type="button" className="btn btn-sm btn-primary" onClick={() => setBulk('APPROVE')}>
            Approve selected
          </button>
          <button type="button" className="btn btn-sm btn-danger-ghost" onClick={() => setBulk('REVERSE')}>
            Reverse selected
          </button>
        </>
      )}
      <button
        type="button"
        className="btn btn-sm btn-link"
        onClick={() => {
          setSelected(new Set());
          setAllMatching(null);
        }}
      >
        Clear selection
      </button>
    </section>
  ) : null;

  const emptyMessage = reversed
    ? filtered
      ? 'No reversed actions match these filters.'
      : 'No reversed actions.'
    : filtered
      ? 'No actions match these filters.'
      : 'Nothing pending: every action has locked or been reversed.';

  return (
    <>
      {reversed ? (
        <p className="view-intro muted">
          Reversed actions earn the partner nothing. <strong>Approve</strong> restores one: it is pending again and locks per the
          contract terms. After its locking date a reversed action stays reversed for good.
        </p>
      ) : null}
      {report ? <BulkOutcome report={report} onDismiss={() => setReport(null)} /> : null}
      <ActionTotalsStrip totals={totals.data?.Totals} loading={totals.isPending} />
      {moneySorted && severalCurrencies ? (
        <p className="muted small" data-testid="money-sort-note">
          Sorted by currency, then {p.sort === 'Payout' ? 'payout' : 'sale amount'}: amounts in different currencies are not compared. Choose a currency to
          sort one currency only.
        </p>
      ) : null}
      <div className="card">
        {bulkBar}
        <DataTable
          label={reversed ? 'Reversed actions' : 'Pending Payouts actions'}
          testId="actions-table"
          columns={columns}
          data={rows}
          getRowId={(a) => a.Id}
          rowTestId={(a) => `action-row-${a.Id}`}
          rowClassName={(a) => (a.State === 'APPROVED' ? 'row-locked' : a.Id === p.openId ? 'row-open' : undefined)}
          onRowDoubleClick={open}
          itemName={['action', 'actions']}
          toolbar={toolbar}
          loading={actions.isPending}
          refreshing={actions.isFetching && !actions.isPending}
          error={actions.error}
          onRetry={() => void actions.refetch()}
          emptyMessage={emptyMessage}
          pageSizeOptions={PAGE_SIZES}
          selection={{
            selected,
            onChange: setSelected,
            // A row is selectable when the server allows one of the view's bulk operations on it.
            canSelect: (a) => selectableFor(a, reversed),
            rowLabel: (a) => `Select action ${a.Id}`,
          }}
          server={{
            rowCount: actions.data?.Total ?? 0,
            rowCountCapped: actions.data?.TotalCapped ?? false,
            state: tableState,
            onStateChange: (next) =>
              update(tableStateToParams(next)),
          }}
        />
      </div>
      {p.openId ? <ActionDetailsDrawer key={p.openId} actionId={p.openId} onClose={() => update({ action: null })} onOperation={operate} /> : null}
      {operation ? <ActionOperationDialog operation={operation} onClose={() => setOperation(null)} /> : null}
      {bulk ? (
        <BulkDialog
          operation={bulk}
          actionIds={selectedIds}
          onClose={() => setBulk(null)}
          onDone={(r) => {
            setBulk(null);
            setReport(r);
            setSelected(new Set());
            setAllMatching(null);
          }}
        />
      ) : null}
    </>
  );
}
