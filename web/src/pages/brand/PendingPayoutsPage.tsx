/**
 * Brand: Transactions → Pending Payouts. Three views under one header:
 * - Actions: what waits to lock (state PENDING by default; locked ones read-only through
 *   the status filter), with approve, reverse, modify and reset, one by one or in bulk;
 * - Reversed: reversed actions, which "Approve" restores while their locking date is ahead;
 * - Rejected conversions: conversions the platform could not credit, so none is dropped silently.
 */
import { useEffect, useMemo, useState } from 'react';
import { NavLink } from 'react-router';
import { useActionsPage, useBrandPartners, useEventTypesOf } from '../../api/actions';
import type { QueryValue } from '../../api/client';
import { usePrograms } from '../../api/queries';
import { useAccount } from '../../api/session';
import type { Action, BulkOperation } from '@contract/actions';
import { APPROVED_STATUS_DETAILS, CHANGE_REASON_CODES } from '@contract/enums';
import { columnsFor, DataTable, type ServerTableState } from '../../components/DataTable';
import { DebouncedInput } from '../../components/DebouncedInput';
import { DownloadButtons } from '../../components/DownloadButton';
import { PageHeader } from '../../components/Form';
import { Menu, type MenuItem } from '../../components/Menu';
import { addDays, formatDate, formatDateTime, isLocalDate, startOfDayIso } from '../../lib/format';
import { formatMoney, isZeroAmount } from '../../lib/money';
import { positiveIntParam, tableStateToParams, useSearchState } from '../../lib/searchState';
import { ActionDetailsDrawer } from '../shared/actions/ActionDetailsDrawer';
import { StatusDetailBadge } from '../shared/actions/ActionStatus';
import { brandAvailability, type BrandOperation } from '../shared/actions/availability';
import { ActionOperationDialog, type PendingOperation } from './ActionOperationDialog';
import { BulkDialog, BulkOutcome, type BulkReport } from './BulkActions';
import { RejectedConversionsView } from './RejectedConversionsView';

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
        subtitle={`Actions of ${account.Name} waiting to lock: approve, reverse or modify them before their locking date. Dates in ${account.TimeZone}.`}
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
  return { status, reason, partnerId, actionTrackerId, orderId, actionId, from, to, page, pageSize, sort, order, openId, update };
}

type ActionsParams = ReturnType<typeof useActionsParams>;

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
  return (
    <DownloadButtons
      path="/api/v1/actions/export"
      query={actionsFilter(p, reversed, account.TimeZone)}
      accountId={account.Id}
      fallbackName={reversed ? 'reversed-actions' : 'actions'}
      description={reversed ? 'the reversed actions matching the filters' : 'the actions matching the filters'}
    />
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
  const query = { page: p.page, pageSize: p.pageSize, ...actionsFilter(p, reversed, tz) };
  const actions = useActionsPage(query);

  // A new filter, sort or page is a new list: a selection of rows no longer shown would surprise.
  const queryKey = JSON.stringify(query);
  // biome-ignore lint/correctness/useExhaustiveDependencies: queryKey is what the effect runs for, not a value it reads
  useEffect(() => setSelected(new Set()), [queryKey]);

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
        meta: { className: 'nowrap', width: 108 },
        cell: (info) => <span title={formatDateTime(info.getValue(), tz)}>{formatDate(info.getValue(), tz)}</span>,
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
        meta: { className: 'nowrap', width: 112 },
        cell: (info) => <span title={formatDateTime(info.getValue(), tz)}>{formatDate(info.getValue(), tz)}</span>,
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
  const filtered = !!(p.partnerId || p.actionTrackerId || p.orderId || p.actionId || p.from || p.to || p.reason || (!reversed && p.status !== 'Pending'));
  const reset = () => update({ partnerId: null, actionTrackerId: null, orderId: null, actionId: null, from: null, to: null, status: null, reason: null, page: null });
  const multiProgram = (programs.data?.length ?? 0) > 1;

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
        <span className="filter-label">Event Type</span>
        <select className="select select-status" value={p.actionTrackerId} onChange={(e) => update({ actionTrackerId: e.target.value, page: null })}>
          <option value="">All event types</option>
          {eventTypes.map(({ program, eventTypes: types }) =>
            multiProgram ? (
              <optgroup key={program.Id} label={program.Name}>
                {types.map((et) => (
                  <option key={et.Id} value={et.Id}>
                    {et.Name} ({et.Kind})
                  </option>
                ))}
              </optgroup>
            ) : (
              types.map((et) => (
                <option key={et.Id} value={et.Id}>
                  {et.Name} ({et.Kind})
                </option>
              ))
            ),
          )}
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
  const bulkBar = selected.size ? (
    <section className="bulk-bar" aria-label="Bulk actions" data-testid="bulk-bar">
      <span className="bulk-count" data-testid="selected-count">
        {selected.size} selected
      </span>
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
      <button type="button" className="btn btn-sm btn-link" onClick={() => setSelected(new Set())}>
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
            canSelect: (a) => a.AllowedOperations.some((op) => (reversed ? op === 'RESTORE' || op === 'RESET' : op === 'APPROVE' || op === 'REVERSE')),
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
          }}
        />
      ) : null}
    </>
  );
}
