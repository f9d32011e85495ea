import { useState } from 'react';
import { downloadFile, errorDetail, type QueryValue } from '../api/client';
import { useToast } from './Toast';

export type DownloadFormat = 'csv' | 'xlsx' | 'pdf';

/** Every export endpoint serves the same rows in these formats, under the same query parameters. */
const FORMATS: Record<DownloadFormat, { label: string; mediaType: string; as: string }> = {
  csv: { label: 'Download CSV', mediaType: 'text/csv', as: 'as a CSV file' },
  xlsx: { label: 'Download Excel', mediaType: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet', as: 'as an Excel workbook' },
  pdf: { label: 'Download PDF', mediaType: 'application/pdf', as: 'as a PDF document' },
};

interface DownloadProps {
  /** The export endpoint without its extension, e.g. '/api/v1/actions/export': the format adds '.csv', '.xlsx' or '.pdf'. */
  path: string;
  /** The filters of the list on screen: the file holds the same rows. */
  query: Record<string, QueryValue>;
  /** The account the export is for (Lockstep-Account header); none for operators. */
  accountId?: number | null;
  /** The file name without its extension, used when the server names no file: 'actions'. */
  fallbackName: string;
  /** What the file holds, for the tooltip: "the actions matching the filters". */
  description?: string;
}

interface DownloadButtonProps extends DownloadProps {
  format: DownloadFormat;
  testId?: string;
}

function DownloadIcon() {
  return (
    <svg width="14" height="14" viewBox="0 0 16 16" aria-hidden="true">
      <path
        fill="currentColor"
        d="M8 1.5a.75.75 0 0 1 .75.75v6.69l2.22-2.22a.75.75 0 1 1 1.06 1.06l-3.5 3.5a.75.75 0 0 1-1.06 0l-3.5-3.5a.75.75 0 0 1 1.06-1.06l2.22 2.22V2.25A.75.75 0 0 1 8 1.5ZM2.75 12a.75.75 0 0 1 .75.75v.75h9v-.75a.75.75 0 0 1 1.5 0v1.5a.75.75 0 0 1-.75.75H2.75a.75.75 0 0 1-.75-.75v-1.5a.75.75 0 0 1 .75-.75Z"
      />
    </svg>
  );
}

/**
 * Downloads an export in one format with the filters currently applied. The file is fetched
 * with the session and the account header (see downloadFile); a refusal shows the server's detail.
 */
export function DownloadButton({ path, format, query, accountId, fallbackName, description, testId }: DownloadButtonProps) {
  const toast = useToast();
  const [pending, setPending] = useState(false);
  const { label, mediaType, as } = FORMATS[format];
  const download = async () => {
    setPending(true);
    try {
      await downloadFile(`${path}.${format}`, { query, accountId: accountId ?? null, fallbackName: `${fallbackName}.${format}`, mediaType });
    } catch (error) {
      toast.error(`The download failed: ${errorDetail(error)}`);
    } finally {
      setPending(false);
    }
  };
  return (
    <button
      type="button"
      className="btn"
      onClick={() => void download()}
      disabled={pending}
      aria-busy={pending || undefined}
      title={description ? `Download ${description} ${as}` : undefined}
      data-testid={testId}
    >
      {pending ? <span className="spinner" aria-hidden="true" /> : <DownloadIcon />}
      {pending ? 'Preparing…' : label}
    </button>
  );
}

/**
 * The export in every format, side by side: Download CSV, Download Excel, Download PDF.
 * Test ids are `${testIdPrefix}-csv`, `-xlsx` and `-pdf`.
 */
export function DownloadButtons({ testIdPrefix = 'download', ...props }: DownloadProps & { testIdPrefix?: string }) {
  return (
    <fieldset className="btn-group" aria-label="Download">
      {(Object.keys(FORMATS) as DownloadFormat[]).map((format) => (
        <DownloadButton key={format} {...props} format={format} testId={`${testIdPrefix}-${format}`} />
      ))}
    </fieldset>
  );
}
