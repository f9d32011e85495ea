/**
 * Operator console → Payout runs: every run (scheduled daily, or a manual paystub's), its
 * totals per currency, its bank files to download (pain.001 XML, PayPal CSV), marking it
 * sent once the files went to the bank, and marking a sent paystub failed when the bank
 * returns it (with the reason the partner will see): its money goes back to the partner's
 * available balance. Dates in UTC.
 */
import { useMemo, useState, type ReactNode } from 'react';
import { Link, useParams } from 'react-router';
import { ApiError, downloadFile, errorDetail } from '../../api/client';
import { useFailPaystub, useMarkRunSent, usePayoutRun, usePayoutRuns, useRunPaystubs } from '../../api/payouts';
import type { PayoutRunStatus } from '@contract/enums';
import type { Paystub, PayoutFile, PayoutRun, PayoutRunDetail } from '@contract/payouts';
import { columnsFor, DataTable, type ServerTableState } from '../../components/DataTable';
import { ConfirmDialog, Dialog } from '../../components/Dialog';
import { EmptyState, ErrorMessage, Loading, Notice, QueryError } from '../../components/Feedback';
import { Badge, Card, Details, PageHeader } from '../../components/Form';
import { useToast } from '../../components/Toast';
import { formatDateTime } from '../../lib/format';
import { formatMoney } from '../../lib/money';
import { tableStateToParams, useSearchState } from '../../lib/searchState';
import { methodLabel, PaystubStatusBadge } from '../partner/WithdrawalsPage';
import '../../styles/payouts.css';
import { label } from '../../lib/labels';

const RUNS_PATH = '/operator/payout-runs';
const PAGE_SIZES = [10, 25, 50, 100];
const NO_RUNS: PayoutRun[] = [];
const NO_PAYSTUBS: Paystub[] = [];
const runCol = columnsFor<PayoutRun>();
const paystubCol = columnsFor<Paystub>();
const fileCol = columnsFor<PayoutFile>();

const RUN_STATUS: Record<PayoutRunStatus, { label: string; tone: 'blue' | 'amber' | 'green' | 'gray' }> = {
  PAYING: { label: 'Paying', tone: 'blue' },
  WRITING_FILES: { label: 'Writing files', tone: 'blue' },
  READY: { label: 'Ready to send', tone: 'amber' },
  SENT: { label: 'Sent', tone: 'green' },
};

function RunStatusBadge({ status }: { status: PayoutRunStatus }) {
  return (
    <span className="run-status" data-status={status}>
      <Badge tone={RUN_STATUS[status].tone}>{RUN_STATUS[status].label}</Badge>
    </span>
  );
}

function totalsText(run: PayoutRun): string {
  return run.Totals.length ? run.Totals.map((t) => formatMoney(t.Net, t.Currency)).join(' + ') : '—';
}

const FORMAT_LABELS: Record<PayoutFile['Format'], string> = {
  PAIN_001_001_03: 'pain.001.001.03 (bank transfers)',
  PAIN_001_001_09: 'pain.001.001.09 (SEPA credit transfers)',
  PAYPAL_PAYOUTS_CSV: 'PayPal Payouts CSV',
};

export function OperatorPayoutRunsPage() {
  const { get, update } = useSearchState();
  const page = Math.max(1, Number(get('page')) || 1);
  const pageSize = PAGE_SIZES.includes(Number(get('pageSize'))) ? Number(get('pageSize')) : 25;
  const status = (Object.keys(RUN_STATUS) as PayoutRunStatus[]).find((s) => s === get('status')) ?? '';
  const runs = usePayoutRuns({ page, pageSize, status });
  const columns = useMemo(
    () => [
      runCol.accessor('Id', {
        header: 'Run',
        enableSorting: false,
        cell: (info) => (
          <Link to={`${RUNS_PATH}/${info.getValue()}`} className="strong-link mono" aria-label={`Open payout run ${info.getValue()}`}>
            #{info.getValue()}
          </Link>
        ),
      }),
      runCol.accessor('Status', { header: 'Status', enableSorting: false, cell: (info) => <RunStatusBadge status={info.getValue()} /> }),
      runCol.accessor('Paystubs', { header: 'Paystubs', enableSorting: false, meta: { align: 'right', className: 'num' } }),
      runCol.display({ id: 'net', header: 'Net', meta: { align: 'right', className: 'num nowrap' }, cell: (info) => totalsText(info.row.original) }),
      runCol.accessor('RunDate', { header: 'Run date', enableSorting: false, meta: { className: 'nowrap' } }),
      runCol.accessor('Kind', { header: 'Kind', enableSorting: false, cell: (info) => label.payoutRunKind(info.getValue()) }),
      runCol.accessor('Held', {
        header: 'Held',
        enableSorting: false,
        meta: { align: 'right', className: 'num' },
        cell: (info) => (info.getValue() ? <span className="text-warning">{info.getValue()}</span> : <span className="muted">0</span>),
      }),
      runCol.accessor('SentDate', { header: 'Sent', enableSorting: false, meta: { className: 'nowrap' }, cell: (info) => formatDateTime(info.getValue(), 'UTC') || '—' }),
    ],
    [],
  );
  const tableState: ServerTableState = { pageIndex: page - 1, pageSize, sorting: [], search: '' };
  return (
    <div className="page">
      <PageHeader
        title="Payout runs"
        subtitle="The daily runs pay every partner whose autopay is due; each writes its bank files. Download them, send them to the bank, then mark the run sent. Dates in UTC."
      />
      <div className="card">
        <DataTable
          label="Payout runs"
          testId="payout-runs-table"
          columns={columns}
          data={runs.data?.Items ?? NO_RUNS}
          getRowId={(r) => String(r.Id)}
          rowTestId={(r) => `payout-run-row-${r.Id}`}
          itemName={['run', 'runs']}
          toolbar={
            <div className="filters">
              <label className="filter">
                <span className="filter-label">Status</span>
                <select className="select select-narrow" value={status} onChange={(e) => update({ status: e.target.value, page: null })}>
                  <option value="">All</option>
                  {(Object.keys(RUN_STATUS) as PayoutRunStatus[]).map((s) => (
                    <option key={s} value={s}>
                      {RUN_STATUS[s].label}
                    </option>
                  ))}
                </select>
              </label>
            </div>
          }
          loading={runs.isPending}
          refreshing={runs.isFetching && !runs.isPending}
          error={runs.error}
          onRetry={() => void runs.refetch()}
          emptyMessage="No payout runs yet: the run-payouts job runs daily (lockstep jobs run run-payouts runs it now)."
          pageSizeOptions={PAGE_SIZES}
          server={{ rowCount: runs.data?.Total ?? 0, state: tableState, onStateChange: (next) => update(tableStateToParams(next)) }}
        />
      </div>
    </div>
  );
}

function FilesCard({ run }: { run: PayoutRunDetail }) {
  const toast = useToast();
  const [downloading, setDownloading] = useState<number | null>(null);
  const download = async (file: PayoutFile) => {
    setDownloading(file.Id);
    try {
      await downloadFile(`/api/v1/operator/payout-runs/${run.Id}/files/${file.Id}`, {
        fallbackName: file.FileName,
        mediaType: file.Format === 'PAYPAL_PAYOUTS_CSV' ? 'text/csv' : 'application/xml',
      });
    } catch (error) {
      toast.error(`The download failed: ${errorDetail(error)}`);
    } finally {
      setDownloading(null);
    }
  };
  // A handful of files: the columns are rebuilt with each render, which keeps the buttons' state current.
  const columns = [
      fileCol.accessor('FileName', {
        header: 'File',
        cell: (info) => (
          <button
            type="button"
            className="btn btn-link mono"
            onClick={() => void download(info.row.original)}
            disabled={downloading === info.row.original.Id}
            data-testid={`download-file-${info.row.original.Id}`}
          >
            {downloading === info.row.original.Id ? 'Preparing…' : info.getValue()}
          </button>
        ),
      }),
      fileCol.accessor('Format', { header: 'Format', cell: (info) => FORMAT_LABELS[info.getValue()] }),
      fileCol.accessor('Payments', { header: 'Payments', meta: { align: 'right', className: 'num' } }),
      fileCol.accessor('Total', { header: 'Total', meta: { align: 'right', className: 'num nowrap' }, cell: (info) => formatMoney(info.getValue(), info.row.original.Currency) }),
      fileCol.accessor('Sha256', { header: 'SHA-256', enableSorting: false, meta: { className: 'mono cell-truncate small' }, cell: (info) => <span title={info.getValue()}>{info.getValue().slice(0, 16)}…</span> }),
  ];
  return (
    <Card title="Bank files" testId="run-files">
      {run.Files.length === 0 ? (
        <p className="muted">{run.Status === 'PAYING' || run.Status === 'WRITING_FILES' ? 'The files are being written.' : 'This run paid nobody: it has no files.'}</p>
      ) : (
        <DataTable label="Bank files" columns={columns} data={run.Files} getRowId={(f) => String(f.Id)} itemName={['file', 'files']} hideFooter={run.Files.length <= 10} />
      )}
    </Card>
  );
}

function FailPaystubDialog({ paystub, onClose }: { paystub: Paystub; onClose: () => void }) {
  const toast = useToast();
  const fail = useFailPaystub();
  const [reason, setReason] = useState('');
  return (
    <Dialog
      title={`Mark paystub ${paystub.Id} failed`}
      testId="fail-paystub-dialog"
      onClose={onClose}
      onSubmit={() =>
        fail.mutate(
          { paystubId: paystub.Id, reason },
          {
            onSuccess: () => {
              toast.success(`Paystub ${paystub.Id} is marked returned; ${formatMoney(paystub.Gross, paystub.Currency)} is available to ${paystub.MediaPartnerName} again.`);
              onClose();
            },
          },
        )
      }
      footer={
        <>
          <button type="button" className="btn" onClick={onClose} disabled={fail.isPending}>
            Cancel
          </button>
          <button type="submit" className="btn btn-danger" disabled={fail.isPending || !reason.trim()}>
            {fail.isPending ? 'Marking…' : 'Mark failed'}
          </button>
        </>
      }
    >
      <div className="form">
        <p>
          The bank returned the payment of {formatMoney(paystub.Net, paystub.Currency)} to {paystub.MediaPartnerName} ({paystub.Destination}). Its net and fee go back to
          the partner's available balance, and its actions are paid again by a later paystub.
        </p>
        <div className="field">
          <label htmlFor="fail-reason">Reason (the partner sees it)</label>
          <input id="fail-reason" className="input" autoFocus maxLength={500} value={reason} onChange={(e) => setReason(e.target.value)} placeholder="e.g. Account closed (AC04)" />
        </div>
        {fail.isError ? <ErrorMessage>{errorDetail(fail.error)}</ErrorMessage> : null}
      </div>
    </Dialog>
  );
}

function RunPaystubsCard({ run }: { run: PayoutRunDetail }) {
  const { get, update } = useSearchState();
  const page = Math.max(1, Number(get('page')) || 1);
  const pageSize = PAGE_SIZES.includes(Number(get('pageSize'))) ? Number(get('pageSize')) : 25;
  const paystubs = useRunPaystubs(String(run.Id), { page, pageSize }, true);
  const [failing, setFailing] = useState<Paystub | null>(null);
  const columns = useMemo(
    () => [
      paystubCol.accessor('Id', { header: 'Paystub Id', enableSorting: false, meta: { className: 'mono nowrap' } }),
      paystubCol.accessor('MediaPartnerName', {
        header: 'Partner',
        enableSorting: false,
        cell: (info) => (
          <span className="two-line">
            <span>{info.getValue()}</span>
            <span className="muted small">{methodLabel(info.row.original)}</span>
          </span>
        ),
      }),
      paystubCol.accessor('Status', {
        header: 'Status',
        enableSorting: false,
        cell: (info) => (
          <span className="two-line">
            <PaystubStatusBadge status={info.getValue()} />
            {info.row.original.FailureReason ? <span className="muted small">{info.row.original.FailureReason}</span> : null}
          </span>
        ),
      }),
      paystubCol.accessor('Net', { header: 'Net', enableSorting: false, meta: { align: 'right', className: 'num nowrap' }, cell: (info) => formatMoney(info.getValue(), info.row.original.Currency) }),
      paystubCol.accessor('Fee', { header: 'Fee', enableSorting: false, meta: { align: 'right', className: 'num nowrap' }, cell: (info) => formatMoney(info.getValue(), info.row.original.Currency) }),
      paystubCol.accessor('Gross', { header: 'Gross', enableSorting: false, meta: { align: 'right', className: 'num nowrap' }, cell: (info) => formatMoney(info.getValue(), info.row.original.Currency) }),
      paystubCol.display({
        id: 'actions',
        header: '',
        cell: (info) =>
          info.row.original.Status === 'SENT' ? (
            <button type="button" className="btn btn-sm" onClick={() => setFailing(info.row.original)} data-testid={`fail-paystub-${info.row.original.Id}`}>
              Mark failed
            </button>
          ) : null,
      }),
    ],
    [],
  );
  const tableState: ServerTableState = { pageIndex: page - 1, pageSize, sorting: [], search: '' };
  return (
    <section className="card" data-testid="run-paystubs">
      <div className="card-header">
        <h2 className="card-title">Paystubs</h2>
      </div>
      <DataTable
        label={`Paystubs of run ${run.Id}`}
        columns={columns}
        data={paystubs.data?.Items ?? NO_PAYSTUBS}
        getRowId={(p) => p.Id}
        rowTestId={(p) => `run-paystub-${p.Id}`}
        itemName={['paystub', 'paystubs']}
        loading={paystubs.isPending}
        refreshing={paystubs.isFetching && !paystubs.isPending}
        error={paystubs.error}
        onRetry={() => void paystubs.refetch()}
        emptyMessage="No paystubs in this run."
        pageSizeOptions={PAGE_SIZES}
        server={{ rowCount: paystubs.data?.Total ?? 0, state: tableState, onStateChange: (next) => update(tableStateToParams(next)) }}
      />
      {run.Status !== 'SENT' ? <p className="muted small card-footnote">A paystub can be marked failed once its run was sent to the bank.</p> : null}
      {failing ? <FailPaystubDialog paystub={failing} onClose={() => setFailing(null)} /> : null}
    </section>
  );
}

export function OperatorPayoutRunDetailPage() {
  const { runId = '' } = useParams();
  const valid = /^[1-9]\d{0,9}$/.test(runId);
  const run = usePayoutRun(runId, valid);
  const markSent = useMarkRunSent();
  const toast = useToast();
  const [confirming, setConfirming] = useState(false);
  const back = (
    <div className="breadcrumbs">
      <Link to={RUNS_PATH}>← Payout runs</Link>
    </div>
  );
  const notFound = (
    <div className="page">
      {back}
      <EmptyState title="Payout run not found">There is no payout run {runId}.</EmptyState>
    </div>
  );
  if (!valid) return notFound;
  if (run.isPending) return <div className="page">{back}<Loading label="Loading the run…" /></div>;
  if (run.isError) {
    if (run.error instanceof ApiError && run.error.status === 404) return notFound;
    return <div className="page">{back}<QueryError error={run.error} onRetry={() => void run.refetch()} /></div>;
  }
  const r = run.data;
  return (
    <div className="page" data-testid="payout-run-detail">
      {back}
      <PageHeader
        title={
          <>
            Payout run <span className="mono">#{r.Id}</span> <RunStatusBadge status={r.Status} />
          </>
        }
        subtitle={`${label.payoutRunKind(r.Kind)} run of ${r.RunDate} · the bank pays on ${r.ExecutionDate}`}
        actions={
          r.Status === 'READY' ? (
            <button type="button" className="btn btn-primary" onClick={() => setConfirming(true)} data-testid="mark-run-sent">
              Mark sent
            </button>
          ) : null
        }
      />
      {r.Held > 0 ? (
        <Notice kind="warning">
          {r.Held} partner{r.Held === 1 ? ' was' : 's were'} not paid although due: see “Held partners” below.
        </Notice>
      ) : null}
      <div className="stack">
        <Card title="Totals">
          <Details
            items={[
              ...r.Totals.map(
                (t) =>
                  [t.Currency, `${t.Paystubs} paystub(s): gross ${formatMoney(t.Gross, t.Currency)}, fees ${formatMoney(t.Fee, t.Currency)}, net ${formatMoney(t.Net, t.Currency)}`] as [string, string],
              ),
              ['Started', formatDateTime(r.StartedDate, 'UTC')],
              ['Files ready', r.FilesReadyDate ? formatDateTime(r.FilesReadyDate, 'UTC') : '—'],
              ['Sent', r.SentDate ? formatDateTime(r.SentDate, 'UTC') : '—'],
              ...(r.WorkItemId ? [['Work item', <Link key="wi" to={`/operator/work-items?kind=flow:run-payouts`}>{r.WorkItemId}</Link>] as [string, ReactNode]] : []),
            ]}
          />
        </Card>
        <FilesCard run={r} />
        <RunPaystubsCard run={r} />
        {r.HeldPartners.length > 0 ? (
          <Card title="Held partners" testId="held-partners">
            <ul className="plain-list">
              {r.HeldPartners.map((h) => (
                <li key={`${h.MediaPartnerId}-${h.Currency}`}>
                  <strong>{h.MediaPartnerName}</strong> ({h.MediaPartnerId}): {formatMoney(h.Available, h.Currency)} available, {label.payoutHoldReason(h.Reason)}
                </li>
              ))}
            </ul>
          </Card>
        ) : null}
      </div>
      {confirming ? (
        <ConfirmDialog
          title={`Mark run #${r.Id} sent?`}
          confirmLabel="Mark sent"
          testId="mark-sent-dialog"
          onClose={() => setConfirming(false)}
          onConfirm={async () => {
            await markSent.mutateAsync(r.Id);
            toast.success(`Run #${r.Id} is marked sent: its paystubs show as sent to the partners.`);
          }}
        >
          Confirm that its {r.Files.length} file(s) went to the bank and PayPal. Its paystubs then show as sent, and any of them can be marked failed if the bank
          returns it.
        </ConfirmDialog>
      ) : null}
    </div>
  );
}
