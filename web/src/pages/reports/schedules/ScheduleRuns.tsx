import { useMemo, useState } from 'react';
import { downloadFile, errorDetail } from '../../../api/client';
import { useAccount } from '../../../api/session';
import { columnsFor, DataTable, type ServerTableState } from '../../../components/DataTable';
import { Badge, Card } from '../../../components/Form';
import { useToast } from '../../../components/Toast';
import { browserTimeZone, formatDateTime } from '../../../lib/format';
import { describeTiming, FORMAT_MEDIA_TYPES, useScheduleRuns, type RunStatus, type ScheduleDto, type ScheduleRunDto } from './api';

const col = columnsFor<ScheduleRunDto>();
const NO_RUNS: ScheduleRunDto[] = [];
const RUN_TONES: Record<RunStatus, 'green' | 'red' | 'blue'> = { DELIVERED: 'green', FAILED: 'red', RUNNING: 'blue' };

function RunDownload({ schedule, run }: { schedule: ScheduleDto; run: ScheduleRunDto }) {
  const account = useAccount();
  const toast = useToast();
  const [pending, setPending] = useState(false);
  if (!run.DownloadUrl) return <span className="muted small">No file</span>;
  const url = run.DownloadUrl;
  const download = async () => {
    setPending(true);
    try {
      await downloadFile(url, { accountId: account.Id, fallbackName: `${schedule.Report}.${schedule.Format}`, mediaType: FORMAT_MEDIA_TYPES[schedule.Format] });
    } catch (error) {
      toast.error(`The download failed: ${errorDetail(error)}`);
    } finally {
      setPending(false);
    }
  };
  return (
    <button type="button" className="btn btn-sm" onClick={() => void download()} disabled={pending || run.Status === 'RUNNING'} aria-label={`Download the file of run ${run.Id}`}>
      {pending ? 'Preparing…' : 'Download'}
    </button>
  );
}

/** A schedule's run history, newest first: when it ran, how it went, to whom, and its file while it is kept (7 days). */
export function ScheduleRuns({ schedule, onClose }: { schedule: ScheduleDto; onClose: () => void }) {
  const account = useAccount();
  const viewer = browserTimeZone();
  const [state, setState] = useState<ServerTableState>({ pageIndex: 0, pageSize: 10, sorting: [], search: '' });
  const runs = useScheduleRuns(schedule.Id, state.pageIndex + 1, state.pageSize);
  const columns = useMemo(
    () => [
      col.accessor('RunDate', {
        header: 'Run date',
        enableSorting: false,
        meta: { className: 'nowrap' },
        cell: (info) => (
          <span title={`${formatDateTime(info.getValue(), viewer)} your time (${viewer})`}>
            {formatDateTime(info.getValue(), schedule.TimeZone)} <span className="muted small">{schedule.TimeZone}</span>
          </span>
        ),
      }),
      col.accessor('Status', { header: 'Status', enableSorting: false, cell: (info) => <Badge tone={RUN_TONES[info.getValue()]}>{info.getValue()}</Badge> }),
      col.accessor('DeliveredTo', { header: 'Delivered to', enableSorting: false, cell: (info) => info.getValue() ?? '—' }),
      col.accessor('Error', { header: 'Error', enableSorting: false, cell: (info) => (info.getValue() ? <span className="small schedule-run-error">{info.getValue()}</span> : '—') }),
      col.accessor('FinishedDate', { header: 'Finished', enableSorting: false, meta: { className: 'nowrap' }, cell: (info) => formatDateTime(info.getValue(), account.TimeZone) || '—' }),
      col.display({
        id: 'file',
        header: () => <span className="visually-hidden">File</span>,
        meta: { align: 'right' },
        cell: ({ row }) => <RunDownload schedule={schedule} run={row.original} />,
      }),
    ],
    [schedule, viewer, account.TimeZone],
  );
  return (
    <Card
      title={`Run history: ${schedule.Name}`}
      testId="schedule-runs"
      actions={
        <button type="button" className="btn btn-sm" onClick={onClose}>
          Close history
        </button>
      }
    >
      <p className="muted small schedule-runs-note">
        {describeTiming(schedule)}. Each run’s file is kept 7 days.
      </p>
      <DataTable
        label={`Runs of ${schedule.Name}`}
        testId="schedule-runs-table"
        columns={columns}
        data={runs.data?.Items ?? NO_RUNS}
        getRowId={(r) => r.Id}
        rowTestId={(r) => `schedule-run-${r.Id}`}
        itemName={['run', 'runs']}
        loading={runs.isPending}
        refreshing={runs.isFetching && !runs.isPending}
        error={runs.error}
        onRetry={() => void runs.refetch()}
        emptyMessage={schedule.NextRunDate ? `No runs yet. The first is on ${formatDateTime(schedule.NextRunDate, schedule.TimeZone)} ${schedule.TimeZone}.` : 'No runs yet.'}
        pageSizeOptions={[10, 25, 50]}
        server={{ rowCount: runs.data?.Total ?? 0, state, onStateChange: setState }}
      />
    </Card>
  );
}
