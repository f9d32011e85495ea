/**
 * Operator console → Work items: the background work of every instance (src/worker).
 * Failed items are retried on their own after a backoff; dead ones used up their attempts
 * and wait here. An operator reads the error, fixes the cause, and retries the item: it
 * goes back to the queue at once with its attempts from 0, and resumes from its progress.
 */
import { keepPreviousData, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useMemo, useState } from 'react';
import type { Page } from '@contract/common';
import type { WorkItemState } from '@contract/enums';
import type { WorkItem } from '@contract/work-items';
import { api, errorDetail } from '../../api/client';
import { columnsFor, DataTable, type ServerTableState } from '../../components/DataTable';
import { DebouncedInput } from '../../components/DebouncedInput';
import { Notice } from '../../components/Feedback';
import { Badge, PageHeader } from '../../components/Form';
import { useToast } from '../../components/Toast';
import { formatDateTime } from '../../lib/format';

/** Operators have no account: dates are shown in UTC, as on the other operator pages. */
const TZ = 'UTC';
const NO_ITEMS: WorkItem[] = [];
const col = columnsFor<WorkItem>();

const STATE_FILTERS: Array<{ value: string; label: string }> = [
  { value: 'FAILED,DEAD', label: 'Failed and dead' },
  { value: 'DEAD', label: 'Dead' },
  { value: 'FAILED', label: 'Failed (retried on their own)' },
  { value: 'QUEUED', label: 'Queued' },
  { value: 'RUNNING', label: 'Running' },
  { value: 'DONE', label: 'Done' },
  { value: 'QUEUED,RUNNING,DONE,FAILED,DEAD', label: 'All' },
];

const TONE: Record<WorkItemState, 'gray' | 'green' | 'red' | 'blue' | 'amber'> = {
  QUEUED: 'gray',
  RUNNING: 'blue',
  DONE: 'green',
  FAILED: 'amber',
  DEAD: 'red',
};

function json(value: unknown): string {
  return value === null || value === undefined ? '' : JSON.stringify(value);
}

function RetryButton({ item }: { item: WorkItem }) {
  const queryClient = useQueryClient();
  const toast = useToast();
  const retry = useMutation({
    mutationFn: () => api.post<WorkItem>(`/api/v1/operator/work-items/${item.Id}/retry`, {}),
    onSuccess: async (retried) => {
      toast.success(`Work item ${retried.Id} (${retried.Kind}) is queued again, with its attempts from 0.`);
      await queryClient.invalidateQueries({ queryKey: ['operator', 'work-items'] });
    },
    onError: (error) => toast.error(`Work item ${item.Id} was not retried: ${errorDetail(error)}`),
  });
  if (item.State !== 'FAILED' && item.State !== 'DEAD') return null;
  return (
    <button
      type="button"
      className="btn btn-sm"
      disabled={retry.isPending}
      aria-label={`Retry work item ${item.Id}`}
      onClick={() => retry.mutate()}
    >
      {retry.isPending ? 'Retrying…' : 'Retry'}
    </button>
  );
}

export function OperatorWorkItemsPage() {
  const [state, setState] = useState<ServerTableState>({ pageIndex: 0, pageSize: 25, sorting: [], search: '' });
  const [states, setStates] = useState('FAILED,DEAD');
  const [kind, setKind] = useState('');

  const query = { state: states, kind: kind.trim(), page: state.pageIndex + 1, pageSize: state.pageSize };
  const items = useQuery({
    queryKey: ['operator', 'work-items', query],
    queryFn: () => api.get<Page<WorkItem>>('/api/v1/operator/work-items', query),
    placeholderData: keepPreviousData,
    // Work moves on its own: the list follows it.
    refetchInterval: 5000,
  });

  const columns = useMemo(
    () => [
      col.accessor('Id', { header: 'Id', enableSorting: false, meta: { className: 'num mono', width: 80 } }),
      col.accessor('Kind', { header: 'Kind', enableSorting: false, cell: (info) => <span className="code">{info.getValue()}</span> }),
      col.accessor('State', {
        header: 'State',
        enableSorting: false,
        cell: (info) => <Badge tone={TONE[info.getValue()]}>{info.getValue()}</Badge>,
        meta: { width: 90 },
      }),
      col.accessor('Attempts', {
        header: 'Attempts',
        enableSorting: false,
        cell: (info) => `${info.getValue()} of ${info.row.original.MaxAttempts}`,
        meta: { align: 'right', width: 90 },
      }),
      col.accessor('LastError', {
        header: 'Last error',
        enableSorting: false,
        cell: (info) => <span className="work-item-error">{info.getValue() ?? ''}</span>,
      }),
      col.display({
        id: 'details',
        header: 'Payload and progress',
        cell: (info) => (
          <div className="work-item-json">
            <div>
              <span className="muted">payload</span> {info.row.original.PayloadSummary}
            </div>
            {info.row.original.Progress !== null ? (
              <div>
                <span className="muted">progress</span> {json(info.row.original.Progress)}
              </div>
            ) : null}
          </div>
        ),
      }),
      col.accessor('CreatedDate', { header: 'Created', enableSorting: false, cell: (info) => formatDateTime(info.getValue(), TZ), meta: { className: 'nowrap', width: 130 } }),
      col.display({
        id: 'when',
        header: 'Next / ended',
        cell: (info) => {
          const item = info.row.original;
          if (item.State === 'FAILED' || item.State === 'QUEUED') return <span title="Due from">{formatDateTime(item.RunAfterDate, TZ)}</span>;
          return <span title="Finished">{formatDateTime(item.FinishedDate, TZ)}</span>;
        },
        meta: { className: 'nowrap', width: 130 },
      }),
      col.display({ id: 'retry', header: '', cell: (info) => <RetryButton item={info.row.original} />, meta: { width: 90 } }),
    ],
    [],
  );

  return (
    <div className="page">
      <PageHeader
        title="Work items"
        subtitle="Background work of every instance, oldest first. Failed items are retried on their own; dead ones wait for you. Dates in UTC."
      />
      <Notice>Retry an item once its cause is fixed: it runs again at once, with its attempts from 0, and resumes where it stopped.</Notice>
      <div className="card">
        <DataTable
          label="Work items"
          testId="operator-work-items"
          columns={columns}
          data={items.data?.Items ?? NO_ITEMS}
          getRowId={(item) => item.Id}
          rowTestId={(item) => `work-item-row-${item.Id}`}
          itemName={['work item', 'work items']}
          loading={items.isPending}
          refreshing={items.isFetching && !items.isPending}
          error={items.error}
          onRetry={() => void items.refetch()}
          emptyMessage={states === 'FAILED,DEAD' ? 'No failed or dead work items: nothing needs you.' : 'No work items in this state.'}
          toolbar={
            <>
              <label className="filter">
                <span className="filter-label">State</span>
                <select
                  className="select"
                  value={states}
                  onChange={(e) => {
                    setStates(e.target.value);
                    setState((s) => ({ ...s, pageIndex: 0 }));
                  }}
                >
                  {STATE_FILTERS.map((f) => (
                    <option key={f.value} value={f.value}>
                      {f.label}
                    </option>
                  ))}
                </select>
              </label>
              <label className="filter">
                <span className="filter-label">Kind</span>
                <DebouncedInput
                  className="input"
                  placeholder="e.g. lock-due-actions"
                  value={kind}
                  onCommit={(next) => {
                    setKind(next);
                    setState((s) => ({ ...s, pageIndex: 0 }));
                  }}
                />
              </label>
            </>
          }
          server={{ rowCount: items.data?.Total ?? 0, state, onStateChange: setState }}
        />
      </div>
    </div>
  );
}
