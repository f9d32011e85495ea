/**
 * One statement, for its brand and for operators: the totals (Total, Paid, Owed, due date,
 * status), the payout by partner and by event type within a partner, the payments
 * recorded, and the action listing (paged, by partner; CSV, Excel and PDF of every line).
 * Operators record money received from the brand; a brand admin records its own payment.
 */
import { useMemo, useState } from 'react';
import { Link } from 'react-router';
import { ApiError } from '../../../api/client';
import { type StatementsScope, useStatementDetail, useStatementLines } from '../../../api/statements';
import type { Payment, StatementDetail, StatementLine } from '@contract/statements';
import { columnsFor, DataTable, type ServerTableState } from '../../../components/DataTable';
import { DownloadButtons } from '../../../components/DownloadButton';
import { EmptyState, Loading, Notice, QueryError } from '../../../components/Feedback';
import { Card, Details, PageHeader } from '../../../components/Form';
import { formatDate, formatDateTime } from '../../../lib/format';
import { formatMoney, isZeroAmount } from '../../../lib/money';
import { positiveIntParam, useSearchState } from '../../../lib/searchState';
import { Kpi, Kpis } from '../Kpi';
import { partnerTotals, StatementGroupsTable } from './StatementGroups';
import { monthLabel } from './StatementsList';
import { StatementStatusBadge } from './StatementStatus';
import { RecordPaymentDialog } from './RecordPaymentDialog';
import '../../../styles/finance.css';

const LINE_PAGE_SIZES = [25, 50, 100, 500];
const NO_LINES: StatementLine[] = [];
const lineCol = columnsFor<StatementLine>();
const paymentCol = columnsFor<Payment>();

function StatusNotice({ statement, tz }: { statement: StatementDetail; tz: string }) {
  const s = statement;
  if (s.Status === 'OVERDUE') {
    return (
      <Notice kind="warning">
        <span data-testid="statement-notice">
          <strong>Overdue:</strong> due on {s.DueOn}, {formatMoney(s.Owed, s.Currency)} still owed. The partners' payouts on it wait until it is paid in full.
        </span>
      </Notice>
    );
  }
  if (s.Status === 'PAID') {
    return (
      <Notice kind={s.ClearedDate ? 'success' : 'info'}>
        <span data-testid="statement-notice">
          Paid in full{s.PaidDate ? ` on ${formatDate(s.PaidDate, tz)}` : ''}.{' '}
          {s.ClearedDate
            ? `Its actions cleared on ${formatDate(s.ClearedDate, tz)}: they are Approved/Paid and the partners' payouts are available.`
            : 'Its actions are clearing: they turn Approved/Paid in a moment.'}
        </span>
      </Notice>
    );
  }
  return null;
}

function PaymentsCard({ statement, tz }: { statement: StatementDetail; tz: string }) {
  const columns = useMemo(
    () => [
      paymentCol.accessor('ReceivedDate', { header: 'Received', meta: { className: 'nowrap' } }),
      paymentCol.accessor('Amount', {
        header: 'Amount',
        meta: { align: 'right', className: 'num nowrap' },
        cell: (info) => formatMoney(info.getValue(), info.row.original.Currency),
      }),
      paymentCol.accessor('Reference', { header: 'Reference', meta: { className: 'mono cell-truncate' } }),
      paymentCol.accessor('Source', {
        header: 'Recorded by',
        cell: (info) => (info.getValue() === 'OPERATOR' ? 'Operator (money received)' : 'The brand'),
      }),
      paymentCol.accessor('RecordedDate', {
        header: 'Recorded',
        meta: { className: 'nowrap' },
        cell: (info) => formatDateTime(info.getValue(), tz),
      }),
    ],
    [tz],
  );
  return (
    <Card title="Payments" testId="statement-payments">
      {statement.Payments.length === 0 ? (
        <p className="muted" data-testid="no-payments">
          No payment recorded yet: {formatMoney(statement.Owed, statement.Currency)} {statement.Status === 'OVERDUE' ? 'was' : 'is'} due on {statement.DueOn}.
        </p>
      ) : (
      <DataTable
        label="Payments"
        columns={columns}
        data={statement.Payments}
        getRowId={(p) => String(p.Id)}
        rowTestId={(p) => `payment-row-${p.Id}`}
        itemName={['payment', 'payments']}
        initialSorting={[{ id: 'ReceivedDate', desc: false }]}
        hideFooter={statement.Payments.length <= 10}
      />
      )}
    </Card>
  );
}

function LinesCard({ scope, statement }: { scope: StatementsScope; statement: StatementDetail }) {
  const { get, update } = useSearchState();
  const partners = useMemo(() => partnerTotals(statement), [statement]);
  const partnerId = positiveIntParam(get('partnerId'));
  const page = Math.max(1, Number(get('linesPage')) || 1);
  const pageSize = LINE_PAGE_SIZES.includes(Number(get('linesPageSize'))) ? Number(get('linesPageSize')) : 25;
  const lines = useStatementLines(scope, String(statement.Id), { page, pageSize, partnerId });
  const tz = scope.timeZone;
  const currency = statement.Currency;

  const columns = useMemo(
    () => [
      lineCol.accessor('ActionId', { header: 'Action Id', enableSorting: false, meta: { className: 'num mono nowrap' } }),
      lineCol.accessor('MediaPartnerName', { header: 'Partner', enableSorting: false, meta: { className: 'nowrap' } }),
      lineCol.accessor('EventTypeName', { header: 'Event Type', enableSorting: false }),
      lineCol.accessor('Payout', {
        header: 'Payout',
        enableSorting: false,
        meta: { align: 'right', className: 'num nowrap' },
        cell: (info) => formatMoney(info.getValue(), currency),
      }),
      lineCol.accessor('SaleAmount', {
        header: 'Sale Amount',
        enableSorting: false,
        meta: { align: 'right', className: 'num nowrap' },
        cell: (info) => formatMoney(info.getValue(), currency),
      }),
      lineCol.accessor('OrderId', {
        header: 'Order Id',
        enableSorting: false,
        meta: { className: 'mono cell-truncate' },
        cell: (info) => info.getValue() ?? <span className="muted">—</span>,
      }),
      lineCol.accessor('EventDate', {
        header: 'Event Date',
        enableSorting: false,
        meta: { className: 'nowrap' },
        cell: (info) => <span title={formatDateTime(info.getValue(), tz)}>{formatDate(info.getValue(), tz)}</span>,
      }),
      lineCol.accessor('LockedDate', {
        header: 'Locked',
        enableSorting: false,
        meta: { className: 'nowrap' },
        cell: (info) => <span title={formatDateTime(info.getValue(), tz)}>{formatDate(info.getValue(), tz)}</span>,
      }),
    ],
    [tz, currency],
  );
  const tableState: ServerTableState = { pageIndex: page - 1, pageSize, sorting: [], search: '' };

  return (
    <section className="card" id="statement-lines" data-testid="statement-lines" aria-labelledby="statement-lines-title">
      <div className="card-header card-header-wrap">
        <h2 className="card-title" id="statement-lines-title">
          Actions on this statement
        </h2>
        <DownloadButtons
          path={`/api/v1/statements/${statement.Id}/lines/export`}
          query={{}}
          accountId={scope.accountId}
          fallbackName={`statement-${statement.Number}`}
          description={`every action on statement ${statement.Number}`}
        />
      </div>
      <DataTable
        label={`Actions on statement ${statement.Number}`}
        testId="statement-lines-table"
        columns={columns}
        data={lines.data?.Items ?? NO_LINES}
        getRowId={(l) => l.ActionId}
        rowTestId={(l) => `line-row-${l.ActionId}`}
        itemName={['action', 'actions']}
        toolbar={
          <div className="filters">
            <label className="filter">
              <span className="filter-label">Partner</span>
              <select className="select" value={partnerId} onChange={(e) => update({ partnerId: e.target.value, linesPage: null })}>
                <option value="">All partners</option>
                {partners.map((p) => (
                  <option key={p.partnerId} value={p.partnerId}>
                    {p.partnerName} ({p.actions})
                  </option>
                ))}
              </select>
            </label>
            <span className="muted small filters-note">The downloads hold every action on the statement.</span>
          </div>
        }
        loading={lines.isPending}
        refreshing={lines.isFetching && !lines.isPending}
        error={lines.error}
        onRetry={() => void lines.refetch()}
        emptyMessage="No actions on this statement for this partner."
        pageSizeOptions={LINE_PAGE_SIZES}
        server={{
          rowCount: lines.data?.Total ?? 0,
          state: tableState,
          onStateChange: (next) =>
            update({ linesPage: next.pageIndex === 0 ? null : next.pageIndex + 1, linesPageSize: next.pageSize === 25 ? null : next.pageSize }),
        }}
      />
    </section>
  );
}

export function StatementDetailView({ scope, statementId }: { scope: StatementsScope; statementId: string }) {
  const valid = /^[1-9]\d{0,9}$/.test(statementId);
  const statement = useStatementDetail(scope, statementId, valid);
  const { update } = useSearchState();
  const [paying, setPaying] = useState(false);
  const tz = scope.timeZone;
  const isOperator = scope.viewer === 'operator';
  const back = (
    <div className="breadcrumbs">
      <Link to={scope.basePath}>← Statements</Link>
    </div>
  );

  const notFound = (
    <div className="page">
      {back}
      <EmptyState title="Statement not found" action={<Link to={scope.basePath} className="btn">All statements</Link>}>
        There is no statement {statementId}
        {isOperator ? '' : ' of this account'}.
      </EmptyState>
    </div>
  );
  if (!valid) return notFound;
  if (statement.isPending) return <div className="page">{back}<Loading label="Loading the statement…" /></div>;
  if (statement.isError) {
    if (statement.error instanceof ApiError && statement.error.status === 404) return notFound;
    return (
      <div className="page">
        {back}
        <QueryError error={statement.error} onRetry={() => void statement.refetch()} />
      </div>
    );
  }
  const s = statement.data;
  const owes = !isZeroAmount(s.Owed);
  const payLabel = isOperator ? 'Record payment received' : 'Record a payment';

  const listPartner = (partnerId: number) => {
    update({ partnerId, linesPage: null });
    document.getElementById('statement-lines')?.scrollIntoView({ behavior: 'smooth', block: 'start' });
  };

  return (
    <div className="page statement-page" data-testid="statement-detail">
      {back}
      <PageHeader
        title={
          <>
            <span className="mono statement-number">{s.Number}</span> <StatementStatusBadge statement={s} />
          </>
        }
        subtitle={
          <>
            {isOperator ? `${s.BrandName} · ` : ''}
            {s.CampaignName} · {monthLabel(s.PeriodStart)} ({s.PeriodStart} to {s.PeriodEnd}) · {s.Currency}
          </>
        }
        actions={
          owes ? (
            scope.canRecordPayment ? (
              <button type="button" className="btn btn-primary" onClick={() => setPaying(true)}>
                {payLabel}
              </button>
            ) : (
              <span className="muted small">{scope.recordPaymentRefusal}</span>
            )
          ) : null
        }
      />
      <StatusNotice statement={s} tz={tz} />
      <Kpis>
        <Kpi label="Total" value={formatMoney(s.Total, s.Currency)} hint={`${s.Actions} actions`} testId="statement-total" />
        <Kpi label="Paid" value={formatMoney(s.Paid, s.Currency)} hint={s.PaidDate ? `in full on ${formatDate(s.PaidDate, tz)}` : undefined} testId="statement-paid" />
        <Kpi label="Owed" value={<span className={owes && s.Status === 'OVERDUE' ? 'text-overdue' : undefined}>{formatMoney(s.Owed, s.Currency)}</span>} testId="statement-owed" />
        <Kpi label="Due" value={s.DueOn} hint={s.Status === 'OVERDUE' ? 'past due' : undefined} testId="statement-due" />
      </Kpis>
      <div className="stack">
        <Card title="By partner and event type" testId="statement-groups-card">
          <StatementGroupsTable statement={s} onListPartner={listPartner} />
        </Card>
        <PaymentsCard statement={s} tz={tz} />
        <LinesCard scope={scope} statement={s} />
        <Card title="Statement details">
          <Details
            items={[
              ['Number', <span key="n" className="mono">{s.Number}</span>],
              ['Program', `${s.CampaignName} (${s.CampaignId})`],
              ...(isOperator ? [['Brand', `${s.BrandName} (${s.BrandAccountId})`] as [string, string]] : []),
              ['Period', `${s.PeriodStart} to ${s.PeriodEnd}`],
              ['Issued', formatDateTime(s.IssuedDate, tz)],
              ['Due', s.DueOn],
              ['Paid in full', s.PaidDate ? formatDateTime(s.PaidDate, tz) : '—'],
              ['Cleared', s.ClearedDate ? formatDateTime(s.ClearedDate, tz) : '—'],
            ]}
          />
          <p className="muted small statement-tz">Dates of the period and due date are the program's days; other times in {tz}.</p>
        </Card>
      </div>
      {paying ? <RecordPaymentDialog scope={scope} statement={s} onClose={() => setPaying(false)} /> : null}
    </div>
  );
}
