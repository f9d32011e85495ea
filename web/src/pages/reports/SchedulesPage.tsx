import { useMemo, useState } from 'react';
import { errorDetail } from '../../api/client';
import { useAccount, useSession } from '../../api/session';
import { columnsFor, DataTable } from '../../components/DataTable';
import { ConfirmDialog } from '../../components/Dialog';
import { Notice } from '../../components/Feedback';
import { Badge, Card, PageHeader } from '../../components/Form';
import { useToast } from '../../components/Toast';
import { browserTimeZone, formatDateTime } from '../../lib/format';
import {
  DATE_RANGE_LABELS,
  describeTiming,
  FORMAT_LABELS,
  useScheduleCatalog,
  useScheduleMutations,
  useSchedules,
  type ScheduleDto,
  type ScheduleStatus,
} from './schedules/api';
import { ScheduleDialog } from './schedules/ScheduleDialog';
import { ScheduleRuns } from './schedules/ScheduleRuns';
import '../../styles/report-schedules.css';

const col = columnsFor<ScheduleDto>();
const NO_SCHEDULES: ScheduleDto[] = [];
/** The list is read whole (up to the API's page size) so the table searches and sorts all of it. */
const LOADED = 500;
const STATUS_TONES: Record<ScheduleStatus, 'green' | 'amber' | 'red'> = { ACTIVE: 'green', PAUSED: 'amber', STOPPED: 'red' };
const STATUS_LABELS: Record<ScheduleStatus, string> = { ACTIVE: 'Active', PAUSED: 'Paused', STOPPED: 'Stopped' };

/** The next run in the schedule's time zone, and in the viewer's when it differs. */
function NextRun({ schedule, viewer }: { schedule: ScheduleDto; viewer: string }) {
  if (!schedule.NextRunDate) return <span className="muted">{schedule.Status === 'ACTIVE' ? '—' : `Not while ${STATUS_LABELS[schedule.Status].toLowerCase()}`}</span>;
  const theirs = `${formatDateTime(schedule.NextRunDate, schedule.TimeZone)} ${schedule.TimeZone}`;
  const yours = `${formatDateTime(schedule.NextRunDate, viewer)} ${viewer}`;
  return (
    <span className="schedule-next-run">
      <span>{yours}</span>
      {viewer === schedule.TimeZone ? null : <span className="muted small">{theirs}</span>}
    </span>
  );
}

/** Reports → Schedules: reports run daily, weekly or monthly and e-mailed; their run history and files. */
export function SchedulesPage() {
  const account = useAccount();
  const { me } = useSession();
  const toast = useToast();
  const viewer = browserTimeZone();
  const schedules = useSchedules(1, LOADED);
  const catalog = useScheduleCatalog();
  const { setActive, remove } = useScheduleMutations();
  const [creating, setCreating] = useState(false);
  const [editing, setEditing] = useState<ScheduleDto | null>(null);
  const [deleting, setDeleting] = useState<ScheduleDto | null>(null);
  const [historyOf, setHistoryOf] = useState<string | null>(null);

  const titles = useMemo(() => new Map((catalog.data?.Items ?? []).map((r) => [r.Id, r.Title])), [catalog.data]);
  const mayChange = (s: ScheduleDto) => account.Role === 'ADMIN' || s.UserId === me.User.Id;

  const toggle = (s: ScheduleDto) =>
    setActive.mutate(
      { id: s.Id, active: s.Status !== 'ACTIVE' },
      {
        onSuccess: (saved) => toast.success(saved.Status === 'ACTIVE' ? `${saved.Name} is resumed: it runs next on ${formatDateTime(saved.NextRunDate, saved.TimeZone)} ${saved.TimeZone}.` : `${saved.Name} is paused.`),
        onError: (error) => toast.error(errorDetail(error)),
      },
    );

  // Rebuilt each render (a handful of rows): the actions read the session and the mutation's state.
  const columns = [
      col.accessor('Name', { header: 'Name', cell: (info) => <span className="schedule-name">{info.getValue()}</span> }),
      col.accessor((s) => titles.get(s.Report) ?? s.Report, { id: 'report', header: 'Report' }),
      col.accessor((s) => describeTiming(s), { id: 'when', header: 'Runs', enableSorting: false }),
      col.accessor((s) => FORMAT_LABELS[s.Format], { id: 'format', header: 'Format' }),
      col.accessor((s) => DATE_RANGE_LABELS[s.DateRange], { id: 'dateRange', header: 'Date range' }),
      col.accessor((s) => s.NextRunDate ?? '', {
        id: 'nextRun',
        header: 'Next run',
        meta: { className: 'nowrap' },
        cell: ({ row }) => <NextRun schedule={row.original} viewer={viewer} />,
      }),
      col.accessor('Status', {
        header: 'Status',
        cell: ({ row }) => (
          <Badge tone={STATUS_TONES[row.original.Status]} title={row.original.StoppedReason ?? undefined}>
            {STATUS_LABELS[row.original.Status]}
          </Badge>
        ),
      }),
      col.display({
        id: 'actions',
        header: () => <span className="visually-hidden">Actions</span>,
        meta: { align: 'right' },
        cell: ({ row }) => {
          const s = row.original;
          const changeable = mayChange(s);
          return (
            <span className="row-actions schedule-actions">
              <button type="button" className="btn btn-sm" onClick={() => setHistoryOf(s.Id)} aria-label={`Run history of ${s.Name}`}>
                History
              </button>
              {changeable ? (
                <>
                  <button type="button" className="btn btn-sm" onClick={() => setEditing(s)} aria-label={`Edit ${s.Name}`}>
                    Edit
                  </button>
                  {s.Status === 'STOPPED' ? null : (
                    <button type="button" className="btn btn-sm" onClick={() => toggle(s)} disabled={setActive.isPending} aria-label={`${s.Status === 'ACTIVE' ? 'Pause' : 'Resume'} ${s.Name}`}>
                      {s.Status === 'ACTIVE' ? 'Pause' : 'Resume'}
                    </button>
                  )}
                  <button type="button" className="btn btn-sm btn-danger-ghost" onClick={() => setDeleting(s)} aria-label={`Delete ${s.Name}`}>
                    Delete
                  </button>
                </>
              ) : null}
            </span>
          );
        },
      }),
  ];

  const shown = schedules.data?.Items.find((s) => s.Id === historyOf);
  const stopped = (schedules.data?.Items ?? []).filter((s) => s.Status === 'STOPPED' && s.StoppedReason);
  const total = schedules.data?.Total ?? 0;

  return (
    <div className="page">
      <PageHeader
        title="Schedules"
        subtitle={`Reports of ${account.Name} run daily, weekly or monthly at a time in a time zone, their dates counted back from each run, and e-mailed to the schedule’s user.`}
        actions={
          <button type="button" className="btn btn-primary" onClick={() => setCreating(true)} data-testid="new-schedule">
            New schedule
          </button>
        }
      />
      <div className="stack">
        {stopped.map((s) => (
          <Notice key={s.Id} kind="warning">
            <strong>{s.Name}</strong> no longer runs. {s.StoppedReason}
          </Notice>
        ))}
        {total > LOADED ? <Notice kind="info">Showing the first {LOADED} of {total} schedules.</Notice> : null}
        <Card title="Scheduled reports">
          <DataTable
            label="Scheduled reports"
            testId="schedules-table"
            columns={columns}
            data={schedules.data?.Items ?? NO_SCHEDULES}
            getRowId={(s) => s.Id}
            rowTestId={(s) => `schedule-row-${s.Id}`}
            itemName={['schedule', 'schedules']}
            loading={schedules.isPending}
            refreshing={schedules.isFetching && !schedules.isPending}
            error={schedules.error}
            onRetry={() => void schedules.refetch()}
            search={{ placeholder: 'Search by name, report or timing', label: 'Search schedules' }}
            initialSorting={[{ id: 'Name', desc: false }]}
            pageSizeOptions={[10, 25, 50]}
            emptyMessage="No schedules yet. A schedule runs a report at a time you choose and e-mails you the file."
            onRowDoubleClick={(s) => setHistoryOf(s.Id)}
          />
        </Card>
        {shown ? <ScheduleRuns key={shown.Id} schedule={shown} onClose={() => setHistoryOf(null)} /> : null}
      </div>
      {creating ? (
        <ScheduleDialog
          onClose={() => setCreating(false)}
          onSaved={(saved) => {
            setCreating(false);
            setHistoryOf(saved.Id);
            toast.success(`${saved.Name} is scheduled: ${describeTiming(saved)}; the first run is on ${formatDateTime(saved.NextRunDate, saved.TimeZone)} ${saved.TimeZone}.`);
          }}
        />
      ) : null}
      {editing ? (
        <ScheduleDialog
          schedule={editing}
          onClose={() => setEditing(null)}
          onSaved={(saved) => {
            setEditing(null);
            toast.success(`${saved.Name} is saved: ${describeTiming(saved)}.`);
          }}
        />
      ) : null}
      {deleting ? (
        <ConfirmDialog
          title={`Delete the schedule “${deleting.Name}”?`}
          confirmLabel="Delete schedule"
          danger
          testId="delete-schedule"
          onClose={() => setDeleting(null)}
          onConfirm={async () => {
            await remove(deleting.Id);
            if (historyOf === deleting.Id) setHistoryOf(null);
            toast.success(`${deleting.Name} was deleted.`);
          }}
        >
          It no longer runs, and its run history goes with it. Files already e-mailed stay with their recipients.
        </ConfirmDialog>
      ) : null}
    </div>
  );
}
