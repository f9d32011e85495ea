/**
 * Export via API (issue 16 item 4) from the UI: pick a format, queue the report with the
 * filters given (none from the catalog, the page's own from a report page), follow the
 * job (asked every 2 s) and download its file once COMPLETED.
 */
import { useState } from 'react';
import { downloadFile, errorDetail, type QueryValue } from '../../api/client';
import { EXPORT_FORMAT_LABELS, useCreateExport, useExportJob, type ExportFormat, type ReportExportDto } from '../../api/reports';
import { useAccount } from '../../api/session';
import { Dialog } from '../../components/Dialog';
import { ErrorMessage } from '../../components/Feedback';
import { Badge } from '../../components/Form';
import { useToast } from '../../components/Toast';

const FORMATS: ExportFormat[] = ['csv', 'xlsx', 'pdf'];

const STATUS_TONES: Record<ReportExportDto['Status'], 'gray' | 'blue' | 'green' | 'red' | 'amber'> = {
  QUEUED: 'gray',
  RUNNING: 'blue',
  COMPLETED: 'green',
  FAILED: 'red',
  CANCELLED: 'amber',
};

export function ExportStatusBadge({ status }: { status: ReportExportDto['Status'] }) {
  return <Badge tone={STATUS_TONES[status]}>{status === 'COMPLETED' ? 'Completed' : status.charAt(0) + status.slice(1).toLowerCase()}</Badge>;
}

/** The filters in words: "state = PENDING · programId = 3", or "No filters". */
export function filtersText(filters: Record<string, unknown>): string {
  const set = Object.entries(filters).filter(([, v]) => v !== null && v !== undefined && v !== '');
  return set.length ? set.map(([k, v]) => `${k} = ${String(v)}`).join(' · ') : 'No filters: every row of the report';
}

/** Downloads a completed export's file (with the session and the account header). */
export function ExportDownloadButton({ job, className = 'btn btn-sm' }: { job: ReportExportDto; className?: string }) {
  const account = useAccount();
  const toast = useToast();
  const [pending, setPending] = useState(false);
  return (
    <button
      type="button"
      className={className}
      disabled={pending}
      data-testid={`export-download-${job.Id}`}
      onClick={async () => {
        setPending(true);
        try {
          await downloadFile(job.DownloadUrl, { accountId: account.Id, fallbackName: job.FileName ?? `${job.Report}.${job.Format}` });
        } catch (error) {
          toast.error(`The download failed: ${errorDetail(error)}`);
        } finally {
          setPending(false);
        }
      }}
    >
      {pending ? 'Downloading…' : `Download ${job.FileName ?? EXPORT_FORMAT_LABELS[job.Format]}`}
    </button>
  );
}

export function ExportDialog({
  report,
  filters,
  onClose,
}: {
  report: { Id: string; Title: string };
  filters: Record<string, QueryValue>;
  onClose: () => void;
}) {
  const [format, setFormat] = useState<ExportFormat>('csv');
  const create = useCreateExport();
  const [job, setJob] = useState<ReportExportDto | null>(null);
  const status = useExportJob(job);
  const current = status.data ?? job;

  return (
    <Dialog
      title={`Export ${report.Title}`}
      onClose={onClose}
      size="sm"
      testId="export-dialog"
      onSubmit={() => {
        if (job) return;
        create.mutate({ report: report.Id, format, filters }, { onSuccess: (answer) => setJob(answer) });
      }}
      footer={
        current ? (
          <button type="button" className="btn" onClick={onClose}>
            Close
          </button>
        ) : (
          <>
            <button type="button" className="btn" onClick={onClose}>
              Cancel
            </button>
            <button type="submit" className="btn btn-primary" disabled={create.isPending}>
              {create.isPending ? 'Queueing…' : 'Export'}
            </button>
          </>
        )
      }
    >
      <p className="muted small" data-testid="export-filters">
        {filtersText(filters)}
      </p>
      {current ? (
        <div className="export-job" data-testid="export-job" aria-live="polite">
          <div>
            Export {current.Id} · {EXPORT_FORMAT_LABELS[current.Format]} · <ExportStatusBadge status={current.Status} />
          </div>
          {current.Status === 'QUEUED' || current.Status === 'RUNNING' ? (
            <p className="muted small">
              <span className="spinner" aria-hidden="true" /> {current.Status === 'QUEUED' ? 'Waiting for the worker…' : `Writing: ${current.RowsWritten.toLocaleString('en-US')} rows so far…`} You may
              close this dialog: the file is kept for 7 days under Reports → Recent exports.
            </p>
          ) : null}
          {current.Status === 'COMPLETED' ? (
            <p>
              {current.RowsWritten.toLocaleString('en-US')} {current.RowsWritten === 1 ? 'row' : 'rows'}, {(current.Bytes / 1024).toFixed(1)} KB.{' '}
              <ExportDownloadButton job={current} className="btn btn-primary btn-sm" />
            </p>
          ) : null}
          {current.Status === 'FAILED' ? <ErrorMessage>{current.Error ?? 'The export failed.'}</ErrorMessage> : null}
          {status.error ? <ErrorMessage>{errorDetail(status.error)}</ErrorMessage> : null}
        </div>
      ) : (
        <fieldset className="radio-group">
          <legend>Format</legend>
          {FORMATS.map((f) => (
            <label key={f} className="radio">
              <input type="radio" name="export-format" value={f} checked={format === f} onChange={() => setFormat(f)} />
              {EXPORT_FORMAT_LABELS[f]}
            </label>
          ))}
        </fieldset>
      )}
      {create.error ? <ErrorMessage>{errorDetail(create.error)}</ErrorMessage> : null}
    </Dialog>
  );
}
