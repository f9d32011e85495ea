import { useQuery } from '@tanstack/react-query';
import { useMemo, useState } from 'react';
import { Link, useNavigate, useParams } from 'react-router';
import { useAccount, useAccountApi, useAccountKey } from '../../api/session';
import type { BrandEventType, BrandEventTypeDetail } from '@contract/event-types';
import { columnsFor, DataTable } from '../../components/DataTable';
import { EmptyState, Loading, Notice, QueryError } from '../../components/Feedback';
import { Badge, Card, Details, PageHeader } from '../../components/Form';
import { Menu } from '../../components/Menu';
import { formatDate, formatDateTime } from '../../lib/format';
import { EVENT_TYPE_KIND_LABELS, RETURNS_PROCESSING_LABELS } from '../../lib/labels';
import { CHANNEL_NOT_RUNNING, ReturnsProcessingDialog } from './ReturnsProcessingDialog';
import '../../styles/returns.css';

const col = columnsFor<BrandEventType>();
const NONE: BrandEventType[] = [];

export function useBrandEventTypes() {
  const http = useAccountApi();
  const key = useAccountKey();
  return useQuery({ queryKey: key('event-types', 'list'), queryFn: () => http.get<BrandEventType[]>('/api/v1/event-types') });
}

function MethodCell({ et }: { et: BrandEventType }) {
  const rp = et.ReturnsProcessing;
  return (
    <span>
      {RETURNS_PROCESSING_LABELS[rp.Method]} {rp.ChannelRunning ? null : <Badge tone="amber" title={CHANNEL_NOT_RUNNING}>not running yet</Badge>}
    </span>
  );
}

/** Settings → Tracking → Event Types: every event type of the brand's programs, with its Returns Processing. */
export function EventTypesPage() {
  const account = useAccount();
  const navigate = useNavigate();
  const list = useBrandEventTypes();
  const [editing, setEditing] = useState<BrandEventType | null>(null);
  const columns = useMemo(
    () => [
      col.accessor('Name', {
        header: 'Event type',
        cell: ({ row }) => <Link to={`/settings/event-types/${row.original.Id}`}>{row.original.Name}</Link>,
      }),
      col.accessor('Id', { header: 'ActionTrackerId', meta: { className: 'num', width: 140 } }),
      col.accessor('CampaignName', { header: 'Program', cell: ({ row }) => <Link to={`/settings/programs/${row.original.CampaignId}`}>{row.original.CampaignName}</Link> }),
      col.accessor('Kind', { header: 'Kind', cell: (info) => <Badge tone="blue">{EVENT_TYPE_KIND_LABELS[info.getValue()]}</Badge>, meta: { width: 110 } }),
      col.accessor((e) => RETURNS_PROCESSING_LABELS[e.ReturnsProcessing.Method], {
        id: 'ReturnsProcessing',
        header: 'Returns processing',
        cell: ({ row }) => <MethodCell et={row.original} />,
      }),
      col.accessor('CreatedDate', { header: 'Added', cell: (info) => formatDate(info.getValue(), account.TimeZone), meta: { width: 120 } }),
      col.display({
        id: 'more',
        header: () => <span className="visually-hidden">More</span>,
        meta: { align: 'right', width: 90, className: 'row-hover-actions' },
        cell: ({ row }) => {
          const et = row.original;
          return (
            <span className="row-actions">
              <Menu
                label="More"
                ariaLabel={`More for event type ${et.Name}`}
                testId={`event-type-more-${et.Id}`}
                items={[
                  { label: 'View / Edit', onSelect: () => navigate(`/settings/event-types/${et.Id}`) },
                  { label: 'Edit Returns Processing', onSelect: () => setEditing(et) },
                ]}
              />
            </span>
          );
        },
      }),
    ],
    [account.TimeZone, navigate],
  );
  return (
    <div className="page">
      <PageHeader title="Event types" subtitle="Tracking: the event types (ActionTrackerIds) of your programs, and how each one’s returns arrive." />
      <DataTable
        label="Event types"
        testId="event-types-table"
        columns={columns}
        data={list.data ?? NONE}
        getRowId={(e) => String(e.Id)}
        rowTestId={(e) => `event-type-${e.Id}`}
        itemName={['event type', 'event types']}
        loading={list.isPending}
        error={list.error}
        onRetry={() => void list.refetch()}
        search={{ placeholder: 'Search event types or programs' }}
        onRowDoubleClick={(e) => navigate(`/settings/event-types/${e.Id}`)}
        emptyMessage={
          <>
            No event types yet. Add them on a program's page (<Link to="/settings/programs">Programs</Link>).
          </>
        }
      />
      {editing ? <ReturnsProcessingDialog eventType={editing} onClose={() => setEditing(null)} /> : null}
    </div>
  );
}

function settingsRows(et: BrandEventType): Array<[string, string]> {
  const rp = et.ReturnsProcessing;
  if (rp.Pull) {
    return [
      ['Server', `${rp.Pull.Protocol} ${rp.Pull.Username}@${rp.Pull.Host}:${rp.Pull.Port}`],
      ['Folder and pattern', `${rp.Pull.Folder} · ${rp.Pull.FilePattern}`],
      ['Result folder', rp.Pull.ResultFolder ?? 'none'],
      ['Schedule', `every ${rp.Pull.IntervalMinutes} minutes${rp.Pull.DeleteAfterPull ? ', files deleted after the pull' : ''}`],
    ];
  }
  if (rp.Email) {
    return [
      ['E-mail address', rp.Email.Address ?? '—'],
      ['Attachments', rp.Email.FilePattern],
      ['Results to', rp.Email.ReturnAddress ?? 'the sender'],
      ['Allowed senders', rp.Email.AllowedSenders.join(', ') || 'anyone with the address'],
    ];
  }
  if (rp.Salesforce) {
    return [
      ['Salesforce', `${rp.Salesforce.InstanceUrl} · ${rp.Salesforce.ObjectName}`],
      ['Matched by', `${rp.Salesforce.MatchField} (${rp.Salesforce.MatchBy === 'ACTION_ID' ? 'action id' : 'order id'})`],
      ['Statuses', rp.Salesforce.Statuses.map((s) => `${rp.Salesforce?.StatusField} = ${s.Value} → ${s.Change}${s.Reason ? ` (${s.Reason})` : ''}`).join('; ')],
    ];
  }
  return [];
}

/** One event type (View / Edit): its details, its Returns Processing with Edit, and every change of it. */
export function EventTypeDetailPage() {
  const { eventTypeId: raw } = useParams();
  const id = Number(raw);
  const account = useAccount();
  const http = useAccountApi();
  const key = useAccountKey();
  const detail = useQuery({
    queryKey: key('event-types', 'detail', id),
    queryFn: () => http.get<BrandEventTypeDetail>(`/api/v1/event-types/${id}`),
    enabled: Number.isInteger(id) && id > 0,
  });
  const [editing, setEditing] = useState(false);
  if (!Number.isInteger(id) || id <= 0) return <div className="page"><EmptyState title="No such event type" /></div>;
  if (detail.isPending) return <div className="page"><Loading /></div>;
  if (detail.isError) return <div className="page"><QueryError error={detail.error} onRetry={() => void detail.refetch()} /></div>;
  const et = detail.data;
  const rp = et.ReturnsProcessing;
  return (
    <div className="page">
      <div className="breadcrumbs">
        <Link to="/settings/event-types">Event types</Link> <span aria-hidden="true">/</span> <span>{et.Name}</span>
      </div>
      <PageHeader title={et.Name} subtitle={`ActionTrackerId ${et.Id} · ${et.CampaignName} · ${et.Currency}`} />
      <Card title="Event type">
        <Details
          items={[
            ['ActionTrackerId', <span key="id" className="mono">{et.Id}</span>],
            ['Program', <Link key="p" to={`/settings/programs/${et.CampaignId}`}>{`${et.CampaignName} (${et.CampaignId})`}</Link>],
            ['Kind', EVENT_TYPE_KIND_LABELS[et.Kind]],
            ['Added', formatDate(et.CreatedDate, account.TimeZone)],
            [
              'Returns Processing',
              <span key="rp" className="returns-processing-row" data-testid="returns-processing-value">
                <MethodCell et={et} />{' '}
                <button type="button" className="btn btn-sm" onClick={() => setEditing(true)}>
                  Edit
                </button>
              </span>,
            ],
            ...settingsRows(et),
          ]}
        />
        {!rp.ChannelRunning ? <Notice kind="warning">{CHANNEL_NOT_RUNNING}</Notice> : null}
        <p className="muted small">
          Batch files of this event type, whatever the channel, are listed on <Link to={`/transactions/returns-batches?eventTypeId=${et.Id}`}>Returns batches</Link>.
        </p>
      </Card>
      <Card title="Changes of Returns Processing">
        {et.ReturnsProcessingHistory.length ? (
          <table className="mini-table" data-testid="returns-processing-history">
            <thead>
              <tr>
                <th scope="col">When</th>
                <th scope="col">Who</th>
                <th scope="col">Change</th>
              </tr>
            </thead>
            <tbody>
              {et.ReturnsProcessingHistory.map((h) => (
                <tr key={h.Id}>
                  <td className="nowrap">{formatDateTime(h.ChangedDate, account.TimeZone)}</td>
                  <td>{h.ChangedBy ?? <span className="muted">a former member</span>}</td>
                  <td>
                    {h.Changes.length ? (
                      <ul className="plain-list">
                        {h.Changes.map((c) => (
                          <li key={c}>{c}</li>
                        ))}
                      </ul>
                    ) : (
                      `${RETURNS_PROCESSING_LABELS[h.Method]}`
                    )}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        ) : (
          <p className="muted">Never changed: {RETURNS_PROCESSING_LABELS[rp.Method]} since the event type was added.</p>
        )}
      </Card>
      {editing ? <ReturnsProcessingDialog eventType={et} onClose={() => setEditing(false)} /> : null}
    </div>
  );
}
