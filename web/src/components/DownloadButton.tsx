import { useState } from 'react';
import { downloadFile, errorDetail, type QueryValue } from '../api/client';
import { useToast } from './Toast';

interface DownloadButtonProps {
  /** The export endpoint, e.g. '/api/v1/actions/export.csv'. */
  path: string;
  /** The filters of the list on screen: the file holds the same rows. */
  query: Record<string, QueryValue>;
  /** The account the export is for (Lockstep-Account header); none for operators. */
  accountId?: number | null;
  /** Used when the server names no file. */
  fallbackName: string;
  label?: string;
  /** What the file holds, for the tooltip: "the actions matching the filters". */
  description?: string;
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
 * Downloads an export with the filters currently applied. The file is fetched with the
 * session and the account header (see downloadFile); a refusal shows the server's detail.
 */
export function DownloadButton({ path, query, accountId, fallbackName, label = 'Download CSV', description, testId }: DownloadButtonProps) {
  const toast = useToast();
  const [pending, setPending] = useState(false);
  const download = async () => {
    setPending(true);
    try {
      await downloadFile(path, { query, accountId: accountId ?? null, fallbackName });
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
      title={description ? `Download ${description} as a CSV file` : undefined}
      data-testid={testId}
    >
      {pending ? <span className="spinner" aria-hidden="true" /> : <DownloadIcon />}
      {pending ? 'Preparing…' : label}
    </button>
  );
}
