import { keepPreviousData, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useMemo, useState } from 'react';
import { Link, useNavigate, useParams } from 'react-router';
import { ApiError, downloadFile, errorDetail } from '../../api/client';
import { useAccount, useAccountApi, useAccountKey } from '../../api/session';
import type { Page } from '@contract/common';
import { columnsFor, DataTable } from '../../components/DataTable';
import { Dialog } from '../../components/Dialog';
import { EmptyState, ErrorMessage, Loading, Notice, QueryError } from '../../components/Feedback';
import { Badge, Card, Details, Field, PageHeader } from '../../components/Form';
import { useToast } from '../../components/Toast';
import { formatDateTime } from '../../lib/format';
import { useSearchState } from '../../lib/searchState';
import { ActionDetailsDrawer } from '../shared/actions/ActionDetailsDrawer';
import { useBrandEventTypes } from './EventTypesPage';
import '../../styles/returns.css';
import { RETURNS_OUTCOMES, type ReturnsOutcome } from '@contract/enums';
import type { ReturnsBatch as ContractReturnsBatch, ReturnsBatchRow, ReturnsIgnoredAnswer, ReturnsUploadAnswer } from '@contract/returns';
import { AskSupportLink, supportFor } from '../support/AskSupport';

/** A batch as the page reads it: counts of the outcomes seen so far. */
type BatchView = Omit<ContractReturnsBatch, 'Counts'> & { Counts: Partial<Record<Outcome, number>> };

/** Outcomes in the order the page lists them (the server's RETURNS_OUTCOMES). */
export const OUTCOMES = RETURNS_OUTCOMES;
type Outcome = ReturnsOutcome;

const OUTCOME_LABELS: Record<Outcome, string> = {
  APPLIED: 'Applied',
  UNCHANGED: 'Unchanged',
  LOCKED: 'Locked',
  NOT_FOUND: 'Not found',
  AMBIGUOUS: 'Ambiguous',
  INVALID: 'Invalid',
  CPC_NEEDS_SUPPORT: 'CPC: needs support',
  LIMIT_REACHED: 'Limit reached',
};
const OUTCOME_TONES: Record<Outcome, 'green' | 'gray' | 'amber' | 'red' | 'blue'> = {
  APPLIED: 'green',
  UNCHANGED: 'gray',
  LOCKED: 'amber',
  NOT_FOUND: 'red',
  AMBIGUOUS: 'amber',
  INVALID: 'red',
  CPC_NEEDS_SUPPORT: 'amber',
  LIMIT_REACHED: 'red',
};
const STATUS_TONES: Record<BatchView['Status'], 'gray' | 'blue' | 'green' | 'red'> = { RECEIVED: 'gray', RUNNING: 'blue', DONE: 'green', FAILED: 'red' };
const STATUS_LABELS: Record<BatchView['Status'], string> = { RECEIVED: 'Received', RUNNING: 'Running', DONE: 'Done', FAILED: 'Failed' };
const CHANNEL_LABELS: Record<string, string> = {
  API: 'API',
  UPLOAD: 'Browser upload',
  CLI: 'Command line',
  SFTP: 'SFTP server',
  PULL: 'Pull',
  EMAIL: 'E-mail',
  SALESFORCE: 'Salesforce',
  IMPACT_API: 'impact.com API',
};
const TEMPLATES = [
  ['order', 'Order level'],
  ['item', 'Item level'],
  ['reset', 'Reset'],
] as const;

const inProgress = (b: BatchView) => b.Status === 'RECEIVED' || b.Status === 'RUNNING';
/** While a batch is being applied, its list and page ask again every second. */
const POLL_MS = 1000;

function useDownload() {
  const account = useAccount();
  const toast = useToast();
  return async (path: string, fallbackName: string, mediaType: string) => {
    try {
      await downloadFile(path, { accountId: account.Id, fallbackName, mediaType });
    } catch (error) {
      toast.error(`The download failed: ${errorDetail(error)}`);
    }
  };
}

/** Status, with a progress bar while the batch runs. */
export function BatchStatus({ batch: b }: { batch: BatchView }) {
  const percent = b.RowsTotal ? Math.min(100, Math.round((b.RowsDone / b.RowsTotal) * 100)) : null;
  return (
    <span className="batch-status" data-testid={`batch-status-${b.Id}`} data-status={b.Status}>
      <Badge tone={STATUS_TONES[b.Status]} {...(b.Error ? { title: b.Error } : {})}>
        {STATUS_LABELS[b.Status]}
      </Badge>
      {inProgress(b) ? (
        <span className="batch-progress">
          <progress
            max={b.RowsTotal ?? undefined}
            value={b.RowsTotal ? b.RowsDone : undefined}
            aria-label={`Progress of ${b.FileName}`}
            data-testid={`batch-progress-${b.Id}`}
          />
          <span className="muted small">
            {b.RowsDone.toLocaleString('en-US')}
            {b.RowsTotal !== null ? ` of ${b.RowsTotal.toLocaleString('en-US')} rows (${percent}%)` : ' rows'}
          </span>
        </span>
      ) : null}
    </span>
  );
}

/** The outcomes a batch has so far, e.g. "Applied 3 · Not found 1". */
export function OutcomeCounts({ counts, onPick, active }: { counts: BatchView['Counts']; onPick?: (o: Outcome | null) => void; active?: Outcome | null }) {
  const shown = OUTCOMES.filter((o) => (counts[o] ?? 0) > 0);
  if (!shown.length) return <span className="muted">—</span>;
  return (
    <span className="outcome-counts">
      {shown.map((o) =>
        onPick ? (
          <button
            key={o}
            type="button"
            className={`chip ${active === o ? 'chip-active' : ''}`}
            aria-pressed={active === o}
            data-testid={`outcome-filter-${o}`}
            onClick={() => onPick(active === o ? null : o)}
          >
            {OUTCOME_LABELS[o]} {counts[o]}
          </button>
        ) : (
          <Badge key={o} tone={OUTCOME_TONES[o]}>
            <span data-testid={`count-${o}`}>
              {OUTCOME_LABELS[o]} {counts[o]}
            </span>
          </Badge>
        ),
      )}
    </span>
  );
}

function UploadDialog({ onClose, initialEventTypeId }: { onClose: () => void; initialEventTypeId: string }) {
  const account = useAccount();
  const eventTypes = useBrandEventTypes();
  const queryClient = useQueryClient();
  const toast = useToast();
  const navigate = useNavigate();
  const [eventTypeId, setEventTypeId] = useState(initialEventTypeId);
  const [file, setFile] = useState<File | null>(null);
  const upload = useMutation({
    mutationFn: async (): Promise<ReturnsUploadAnswer | ReturnsIgnoredAnswer> => {
      if (!file) throw new Error('Choose a file.');
      if (!eventTypeId) throw new Error('Choose the event type the file is for.');
      const form = new FormData();
      form.append('file', file, file.name);
      const response = await fetch(`/api/v1/event-types/${eventTypeId}/returns-batches`, {
        method: 'POST',
        body: form,
        headers: { Accept: 'application/json', 'Lockstep-Account': String(account.Id) },
        credentials: 'same-origin',
      });
      const body = await response.json().catch(() => null);
      if (!response.ok) {
        throw new ApiError(body ?? { type: 'about:blank', title: 'Upload failed', status: response.status, detail: `The upload failed (${response.status}).` });
      }
      return body;
    },
    onSuccess: async (answer) => {
      await queryClient.invalidateQueries({ queryKey: ['account', account.Id, 'returns-batches'] });
      if ('Status' in answer && answer.Status === 'IGNORED') {
        toast.error(`${answer.FileName} was not taken: ${answer.Message}`);
        return;
      }
      const batch = answer as ReturnsUploadAnswer;
      if (batch.Duplicate) toast.success(`${batch.FileName} was already received for this event type: this is its first batch, nothing more is applied.`);
      else toast.success(`${batch.FileName} received: batch ${batch.Id}. Its rows are applied in the background.`);
      onClose();
      navigate(`/transactions/returns-batches/${batch.Id}`);
    },
  });
  return (
    <Dialog
      title="Upload a returns file"
      onClose={onClose}
      testId="upload-dialog"
      onSubmit={() => upload.mutate()}
      footer={
        <>
          <button type="button" className="btn" onClick={onClose}>
            Cancel
          </button>
          <button type="submit" className="btn btn-primary" disabled={upload.isPending || !file || !eventTypeId}>
            {upload.isPending ? 'Uploading…' : 'Upload'}
          </button>
        </>
      }
    >
      <p className="muted small">
        A CSV or XML file of reversals and modifications (order level, item level or reset), as impact.com's batch files. Each row gets an outcome; a file sent
        twice for the same event type is applied once.
      </p>
      <Field label="Event type">
        <select className="select" value={eventTypeId} required onChange={(e) => setEventTypeId(e.target.value)} data-testid="upload-event-type">
          <option value="">Choose…</option>
          {(eventTypes.data ?? [])
            .filter((e) => e.Kind !== 'CLICK')
            .map((e) => (
              <option key={e.Id} value={e.Id}>
                {e.CampaignName} · {e.Name} ({e.Id})
              </option>
            ))}
        </select>
      </Field>
      <Field label="File">
        <input type="file" accept=".csv,.xml,text/csv,application/xml,text/xml" required onChange={(e) => setFile(e.target.files?.[0] ?? null)} data-testid="upload-file" />
      </Field>
      {upload.isError ? <ErrorMessage>{errorDetail(upload.error)}</ErrorMessage> : null}
    </Dialog>
  );
}

function TemplateDownloads() {
  const download = useDownload();
  return (
    <Card title="Templates" className="returns-templates">
      <p className="muted small">Start from a template: the columns impact.com's batch files use.</p>
      <div className="button-row">
        {TEMPLATES.map(([layout, label]) =>
          (['csv', 'xml'] as const).map((ext) => (
            <button
              key={`${layout}.${ext}`}
              type="button"
              className="btn btn-sm"
              data-testid={`template-${layout}-${ext}`}
              onClick={() => void download(`/api/v1/returns/templates/${layout}.${ext}`, `${layout}.${ext}`, ext === 'csv' ? 'text/csv' : 'application/xml')}
            >
              {label} ({ext.toUpperCase()})
            </button>
          )),
        )}
      </div>
    </Card>
  );
}

const col = columnsFor<BatchView>();
const NO_BATCHES: BatchView[] = [];

/** Transactions → Returns batches: every batch file of the brand, newest first. */
export function ReturnsBatchesPage() {
  const account = useAccount();
  const http = useAccountApi();
  const key = useAccountKey();
  const { get, update } = useSearchState();
  const eventTypes = useBrandEventTypes();
  const eventTypeId = get('eventTypeId');
  const status = get('status');
  const page = Math.max(1, Number(get('page')) || 1);
  const pageSize = 25;
  const [uploading, setUploading] = useState(false);
  const query = { eventTypeId: eventTypeId || undefined, status: status || undefined, page, pageSize };
  const list = useQuery({
    queryKey: key('returns-batches', 'list', query),
    queryFn: () => http.get<Page<BatchView>>('/api/v1/returns-batches', query),
    placeholderData: keepPreviousData,
    refetchInterval: (q) => (q.state.data?.Items.some(inProgress) ? POLL_MS : false),
  });
  const columns = useMemo(
    () => [
      col.accessor('FileName', {
        header: 'File',
        enableSorting: false,
        cell: ({ row }) => (
          <Link to={`/transactions/returns-batches/${row.original.Id}`} className="mono" data-testid={`batch-link-${row.original.Id}`}>
            {row.original.FileName}
          </Link>
        ),
      }),
      col.accessor('Channel', { header: 'Channel', enableSorting: false, cell: (info) => CHANNEL_LABELS[info.getValue()] ?? info.getValue(), meta: { width: 130 } }),
      col.accessor('EventTypeName', {
        header: 'Event type',
        enableSorting: false,
        cell: ({ row }) => (
          <span>
            {row.original.EventTypeName} <span className="muted small">({row.original.EventTypeId}) · {row.original.ProgramName}</span>
          </span>
        ),
      }),
      col.accessor('ReceivedAt', { header: 'Received', enableSorting: false, cell: (info) => formatDateTime(info.getValue(), account.TimeZone), meta: { width: 160 } }),
      col.accessor('Status', { header: 'Status', enableSorting: false, cell: ({ row }) => <BatchStatus batch={row.original} /> }),
      col.display({ id: 'counts', header: 'Outcomes', cell: ({ row }) => <OutcomeCounts counts={row.original.Counts} /> }),
    ],
    [account.TimeZone],
  );
  return (
    <div className="page">
      <PageHeader
        title="Returns batches"
        subtitle="Files of reversals and modifications, from every channel: their progress and each row's outcome."
        actions={
          <button type="button" className="btn btn-primary" onClick={() => setUploading(true)} data-testid="upload-open">
            Upload file
          </button>
        }
      />
      <DataTable
        label="Returns batches"
        testId="returns-batches-table"
        columns={columns}
        data={list.data?.Items ?? NO_BATCHES}
        getRowId={(b) => b.Id}
        rowTestId={(b) => `batch-${b.Id}`}
        itemName={['batch', 'batches']}
        loading={list.isPending}
        refreshing={list.isFetching && !list.isPending}
        error={list.error}
        onRetry={() => void list.refetch()}
        server={{
          rowCount: list.data?.Total ?? 0,
          state: { pageIndex: page - 1, pageSize, sorting: [], search: '' },
          onStateChange: (next) => update({ page: next.pageIndex > 0 ? next.pageIndex + 1 : null }),
        }}
        pageSizeOptions={[25]}
        toolbar={
          <>
            <select
              className="select select-filter"
              aria-label="Event type"
              value={eventTypeId}
              onChange={(e) => update({ eventTypeId: e.target.value || null, page: null })}
            >
              <option value="">All event types</option>
              {(eventTypes.data ?? []).map((e) => (
                <option key={e.Id} value={e.Id}>
                  {e.CampaignName} · {e.Name}
                </option>
              ))}
            </select>
            <select className="select select-filter" aria-label="Status" value={status} onChange={(e) => update({ status: e.target.value || null, page: null })}>
              <option value="">Any status</option>
              {(['RECEIVED', 'RUNNING', 'DONE', 'FAILED'] as const).map((s) => (
                <option key={s} value={s}>
                  {STATUS_LABELS[s]}
                </option>
              ))}
            </select>
          </>
        }
        emptyMessage={
          <>
            No returns batches {eventTypeId || status ? 'match the filters' : 'yet'}. Upload a file, send one through the API, or set an event type's{' '}
            <Link to="/settings/event-types">Returns Processing</Link>.
          </>
        }
      />
      <TemplateDownloads />
      {uploading ? <UploadDialog initialEventTypeId={eventTypeId} onClose={() => setUploading(false)} /> : null}
    </div>
  );
}

const rowCol = columnsFor<ReturnsBatchRow>();
const NO_ROWS: ReturnsBatchRow[] = [];

/** Rows support has to apply (a CPC reversal, an action past the modification limit): the ticket that asks for them, from the rows shown. */
function BatchRowsSupport({ outcome, rows }: { outcome: 'CPC_NEEDS_SUPPORT' | 'LIMIT_REACHED'; rows: readonly ReturnsBatchRow[] }) {
  const ids = [...new Set(rows.map((r) => r.ActionId).filter((id): id is string => id !== null))];
  const help = ids.length ? supportFor(outcome === 'CPC_NEEDS_SUPPORT' ? 'cpc_needs_operator' : 'modification_limit', ids) : null;
  return help ? (
    <p className="small">
      Only support can apply these rows. <AskSupportLink type={help.type} subject={help.subject} message={help.message} actionIds={ids} label={`Ask support about the ${ids.length} actions shown`} />
    </p>
  ) : null;
}

/** One batch: its progress, its files, and its rows with their outcomes. */
export function ReturnsBatchDetailPage() {
  const { batchId = '' } = useParams();
  const account = useAccount();
  const http = useAccountApi();
  const key = useAccountKey();
  const download = useDownload();
  const { get, update } = useSearchState();
  const outcome = (OUTCOMES as readonly string[]).includes(get('outcome')) ? (get('outcome') as Outcome) : null;
  const page = Math.max(1, Number(get('page')) || 1);
  const pageSize = 50;
  const [openAction, setOpenAction] = useState<string | null>(null);
  const valid = /^[1-9]\d{0,17}$/.test(batchId);
  const batch = useQuery({
    queryKey: key('returns-batches', 'detail', batchId),
    queryFn: () => http.get<BatchView>(`/api/v1/returns-batches/${batchId}`),
    enabled: valid,
    refetchInterval: (q) => (q.state.data && inProgress(q.state.data) ? POLL_MS : false),
  });
  const rowsQuery = { outcome: outcome ?? undefined, page, pageSize };
  const rows = useQuery({
    queryKey: key('returns-batches', 'rows', batchId, rowsQuery, batch.data?.RowsDone),
    queryFn: () => http.get<Page<ReturnsBatchRow>>(`/api/v1/returns-batches/${batchId}/rows`, rowsQuery),
    enabled: valid && batch.isSuccess,
    placeholderData: keepPreviousData,
  });
  const columns = useMemo(
    () => [
      rowCol.accessor('RowNumber', { header: 'Row', enableSorting: false, meta: { className: 'num', width: 70 } }),
      rowCol.accessor('Outcome', {
        header: 'Outcome',
        enableSorting: false,
        cell: (info) => <Badge tone={OUTCOME_TONES[info.getValue()]}>{OUTCOME_LABELS[info.getValue()]}</Badge>,
        meta: { width: 150 },
      }),
      rowCol.accessor('ActionId', {
        header: 'Action',
        enableSorting: false,
        cell: (info) => {
          const id = info.getValue();
          return id ? (
            <button type="button" className="btn btn-link mono" onClick={() => setOpenAction(id)} data-testid={`row-action-${id}`}>
              {id}
            </button>
          ) : (
            <span className="muted">—</span>
          );
        },
      }),
      rowCol.accessor('Message', { header: 'Message', enableSorting: false, cell: (info) => info.getValue() ?? <span className="muted">—</span> }),
      rowCol.accessor((r) => r.Cells.map((c) => `${c.Column}=${c.Value}`).join(', '), {
        id: 'cells',
        header: 'Row as sent',
        enableSorting: false,
        cell: (info) => <span className="mono small cells-text">{info.getValue()}</span>,
      }),
    ],
    [],
  );
  if (!valid) return <div className="page"><EmptyState title="No such batch" /></div>;
  if (batch.isPending) return <div className="page"><Loading /></div>;
  if (batch.isError) return <div className="page"><QueryError error={batch.error} onRetry={() => void batch.refetch()} /></div>;
  const b = batch.data;
  const base = `/api/v1/returns-batches/${b.Id}`;
  return (
    <div className="page">
      <div className="breadcrumbs">
        <Link to="/transactions/returns-batches">Returns batches</Link> <span aria-hidden="true">/</span> <span className="mono">{b.FileName}</span>
      </div>
      <PageHeader
        title={<span className="mono">{b.FileName}</span>}
        subtitle={`Batch ${b.Id} · ${b.EventTypeName} (${b.EventTypeId}) · ${b.ProgramName}`}
        actions={
          <div className="button-row">
            <button type="button" className="btn" data-testid="download-original" onClick={() => void download(`${base}/original`, b.FileName, 'application/octet-stream')}>
              Download original
            </button>
            <button
              type="button"
              className="btn"
              data-testid="download-result"
              disabled={b.Status !== 'DONE'}
              title={b.Status === 'DONE' ? undefined : 'The result file is ready when the batch is done.'}
              onClick={() => void download(`${base}/result.csv`, `result_${b.FileName}.csv`, 'text/csv')}
            >
              Download result
            </button>
            <button type="button" className="btn" data-testid="download-summary" onClick={() => void download(`${base}/summary.json`, `${b.FileName}_summary.json`, 'application/json')}>
              Summary (JSON)
            </button>
          </div>
        }
      />
      <Card>
        <Details
          items={[
            ['Status', <BatchStatus key="s" batch={b} />],
            ['Channel', CHANNEL_LABELS[b.Channel] ?? b.Channel],
            ['Format', b.Format ?? '—'],
            ['Rows', b.RowsTotal !== null ? `${b.RowsDone.toLocaleString('en-US')} of ${b.RowsTotal.toLocaleString('en-US')}` : b.RowsDone.toLocaleString('en-US')],
            ['Received', formatDateTime(b.ReceivedAt, account.TimeZone)],
            ['Started', b.StartedAt ? formatDateTime(b.StartedAt, account.TimeZone) : '—'],
            ['Completed', b.CompletedAt ? formatDateTime(b.CompletedAt, account.TimeZone) : '—'],
            ['SHA-256', <span key="h" className="mono small break-all">{b.ContentHash}</span>],
          ]}
        />
        {b.Error ? <Notice kind="warning">The file could not be read, and nothing of it was applied: {b.Error}</Notice> : null}
      </Card>
      <Card title="Rows">
        <div className="outcome-filter" data-testid="outcome-filters">
          <span className="muted small">Filter by outcome:</span> <OutcomeCounts counts={b.Counts} active={outcome} onPick={(o) => update({ outcome: o, page: null })} />
        </div>
        {outcome === 'CPC_NEEDS_SUPPORT' || outcome === 'LIMIT_REACHED' ? <BatchRowsSupport outcome={outcome} rows={rows.data?.Items ?? NO_ROWS} /> : null}
        <DataTable
          label="Rows of the batch"
          testId="batch-rows-table"
          columns={columns}
          data={rows.data?.Items ?? NO_ROWS}
          getRowId={(r) => String(r.RowNumber)}
          rowTestId={(r) => `batch-row-${r.RowNumber}`}
          itemName={['row', 'rows']}
          loading={rows.isPending}
          refreshing={rows.isFetching && !rows.isPending}
          error={rows.error}
          onRetry={() => void rows.refetch()}
          server={{
            rowCount: rows.data?.Total ?? 0,
            state: { pageIndex: page - 1, pageSize, sorting: [], search: '' },
            onStateChange: (next) => update({ page: next.pageIndex > 0 ? next.pageIndex + 1 : null }),
          }}
          pageSizeOptions={[50]}
          emptyMessage={outcome ? `No row has the outcome ${OUTCOME_LABELS[outcome]}.` : inProgress(b) ? 'No row applied yet.' : 'The batch has no rows.'}
        />
      </Card>
      {openAction ? <ActionDetailsDrawer key={openAction} actionId={openAction} onClose={() => setOpenAction(null)} /> : null}
    </div>
  );
}
