/**
 * Operator console → Tickets: the queue (oldest first, by type, status and age) and a
 * ticket with the live facts of each account it names. Resolving performs what the ticket
 * asks (src/flows/resolve-ticket.ts); a refusal comes back here and is told to the
 * requester; rejecting says why.
 */
import { keepPreviousData, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useMemo, useState } from 'react';
import { Link, useParams } from 'react-router';
import type { Page } from '@contract/common';
import { TICKET_STATUSES, TICKET_TYPES } from '@contract/enums';
import { api, errorDetail } from '../../api/client';
import type { TicketAccountFacts } from '@contract/tickets';
import { ticketKeys, type Ticket, type TicketDetail } from '../../api/tickets';
import { columnsFor, DataTable, type ServerTableState } from '../../components/DataTable';
import { ErrorMessage, Loading, QueryError } from '../../components/Feedback';
import { Card, Details, Field, PageHeader } from '../../components/Form';
import { useToast } from '../../components/Toast';
import '../../styles/tickets.css';
import { formatDateTime, humanize } from '../../lib/format';
import { StatusBadge, TICKET_TYPE_LABELS } from '../support/TicketsPage';
import { TicketReply, TicketThread } from '../support/TicketThread';
import { ClosureReviewPanel } from './ClosureReviewPanel';

const TZ = 'UTC';
const col = columnsFor<Ticket>();
const NO_TICKETS: Ticket[] = [];


export function OperatorTicketsPage() {
  const [state, setState] = useState<ServerTableState>({ pageIndex: 0, pageSize: 25, sorting: [], search: '' });
  const [status, setStatus] = useState('OPEN');
  const [type, setType] = useState('');
  const [age, setAge] = useState('');
  const query = { page: state.pageIndex + 1, pageSize: state.pageSize, ...(status ? { status } : {}), ...(type ? { type } : {}), ...(age ? { olderThanDays: age } : {}) };
  const tickets = useQuery({
    queryKey: ticketKeys.list(null, query),
    queryFn: () => api.get<Page<Ticket>>('/api/v1/tickets', query),
    placeholderData: keepPreviousData,
    refetchInterval: 15_000,
  });
  const columns = useMemo(
    () => [
      col.accessor('Id', {
        header: 'Ticket',
        enableSorting: false,
        cell: (info) => (
          <Link to={`/operator/tickets/${info.getValue()}`} className="strong-link mono">
            #{info.getValue()}
          </Link>
        ),
        meta: { width: 90 },
      }),
      col.accessor('OpenedDate', { header: 'Opened', enableSorting: false, cell: (info) => formatDateTime(info.getValue(), TZ), meta: { className: 'nowrap' } }),
      col.accessor('AccountName', { header: 'Account', enableSorting: false }),
      col.accessor('Type', { header: 'Type', enableSorting: false, cell: (info) => humanize(info.getValue()) }),
      col.accessor('Subject', { header: 'Subject', enableSorting: false }),
      col.accessor('Status', { header: 'Status', enableSorting: false, cell: (info) => <StatusBadge status={info.getValue()} /> }),
    ],
    [],
  );
  return (
    <div className="page">
      <PageHeader title="Tickets" subtitle="What users ask the support team for, oldest first. Dates in UTC." />
      <div className="card">
        <DataTable
          label="Ticket queue"
          testId="operator-tickets"
          columns={columns}
          data={tickets.data?.Items ?? NO_TICKETS}
          getRowId={(ticket) => ticket.Id}
          itemName={['ticket', 'tickets']}
          loading={tickets.isPending}
          refreshing={tickets.isFetching && !tickets.isPending}
          error={tickets.error}
          onRetry={() => void tickets.refetch()}
          emptyMessage="No tickets match: nothing waits for you."
          toolbar={
            <>
              <label className="filter">
                <span className="filter-label">Status</span>
                <select className="select" value={status} onChange={(e) => setStatus(e.target.value)}>
                  <option value="">All</option>
                  {TICKET_STATUSES.map((s) => (
                    <option key={s} value={s}>
                      {humanize(s)}
                    </option>
                  ))}
                </select>
              </label>
              <label className="filter">
                <span className="filter-label">Type</span>
                <select className="select" value={type} onChange={(e) => setType(e.target.value)}>
                  <option value="">All</option>
                  {TICKET_TYPES.map((t) => (
                    <option key={t} value={t}>
                      {humanize(t)}
                    </option>
                  ))}
                </select>
              </label>
              <label className="filter">
                <span className="filter-label">Older than (days)</span>
                <input className="input" inputMode="numeric" value={age} onChange={(e) => setAge(e.target.value.replace(/\D/g, ''))} />
              </label>
            </>
          }
          server={{ rowCount: tickets.data?.Total ?? 0, state, onStateChange: setState }}
        />
      </div>
    </div>
  );
}

export function OperatorTicketDetailPage() {
  const { ticketId = '' } = useParams();
  const queryClient = useQueryClient();
  const toast = useToast();
  const [note, setNote] = useState('');
  const [error, setError] = useState<string | null>(null);
  const ticket = useQuery({ queryKey: ticketKeys.one(null, ticketId), queryFn: () => api.get<TicketDetail>(`/api/v1/tickets/${ticketId}`) });
  const facts = useQuery({
    queryKey: [...ticketKeys.one(null, ticketId), 'facts'],
    queryFn: () => api.get<{ Items: TicketAccountFacts[] }>(`/api/v1/operator/tickets/${ticketId}/facts`),
  });
  const refresh = () => queryClient.invalidateQueries({ queryKey: ticketKeys.all(null) });
  const act = useMutation({
    mutationFn: (what: 'resolve' | 'review' | 'reject') =>
      what === 'resolve'
        ? api.post<Ticket>(`/api/v1/operator/tickets/${ticketId}/resolve`, note.trim() ? { Message: note } : {})
        : api.post<Ticket>(`/api/v1/operator/tickets/${ticketId}/status`, { Status: what === 'review' ? 'IN_REVIEW' : 'REJECTED', ...(note.trim() ? { Message: note } : {}) }),
    onSuccess: async (done) => {
      setError(null);
      setNote('');
      toast.success(`Ticket #${done.Id} is now ${humanize(done.Status).toLowerCase()}.`);
      await refresh();
    },
    onError: async (e) => {
      setError(errorDetail(e));
      await refresh();
    },
  });
  if (ticket.isPending) return <Loading />;
  if (ticket.error) return <QueryError error={ticket.error} onRetry={() => void ticket.refetch()} />;
  const t = ticket.data;
  const closed = t.Status === 'RESOLVED' || t.Status === 'REJECTED';
  return (
    <div className="page">
      <PageHeader title={`Ticket #${t.Id}: ${t.Subject}`} subtitle={<Link to="/operator/tickets">Queue</Link>} actions={<StatusBadge status={t.Status} />} />
      <Card>
        <Details
          items={[
            ['Type', TICKET_TYPE_LABELS[t.Type]],
            ['From', `${t.AccountName} (#${t.AccountId})${t.OpenedBy ? `, ${t.OpenedBy}` : ''}`],
            ['Opened', formatDateTime(t.OpenedDate, TZ)],
            ...(t.ActionIds.length ? ([['Actions', t.ActionIds.join(', ')]] as Array<[string, string]>) : []),
            ...(t.ToPartnerId !== null ? ([['Credit to partner', String(t.ToPartnerId)]] as Array<[string, string]>) : []),
            ...(t.Currency ? ([['Currency', t.Currency]] as Array<[string, string]>) : []),
            ...(t.Outcome ? ([['Outcome', t.Outcome]] as Array<[string, string]>) : []),
          ]}
        />
      </Card>
      <Card title="Accounts it names, as they are now">
        {facts.isPending ? <Loading /> : facts.error ? <QueryError error={facts.error} /> : null}
        <div className="table-frame">
          <table className="table">
            <thead>
              <tr>
                <th>Account</th>
                <th>Status</th>
                <th className="num">Contracts in force</th>
                <th className="num">Pending actions</th>
                <th>Balances</th>
              </tr>
            </thead>
            <tbody>
              {(facts.data?.Items ?? []).map((f) => (
                <tr key={f.AccountId}>
                  <td>
                    {f.Name} <span className="muted">#{f.AccountId} · {humanize(f.Kind)}</span>
                  </td>
                  <td>{humanize(f.Status)}</td>
                  <td className="num">{f.ActiveContracts}</td>
                  <td className="num">{f.PendingActions}</td>
                  <td>{f.Balances.length ? f.Balances.map((b) => `${humanize(b.Account)} ${b.Balance} ${b.Currency}`).join('; ') : 'none'}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      </Card>
      {t.Type === 'ACCOUNT_CLOSURE' ? <ClosureReviewPanel ticket={t} timeZone={TZ} /> : null}
      {!closed ? (
        <Card title="Decide">
          <Field label="Note to the requester" hint={t.Type === 'ACCOUNT_CLOSURE' ? 'Required to reject (the final review sends its own note with the closure).' : 'Sent with a resolution; required to reject.'}>
            <textarea className="input" rows={3} value={note} onChange={(e) => setNote(e.target.value)} />
          </Field>
          {error ? <ErrorMessage>{error}</ErrorMessage> : null}
          <div className="button-row">
            {t.Type === 'ACCOUNT_CLOSURE' ? null : (
              <button type="button" className="btn btn-primary" disabled={act.isPending} onClick={() => act.mutate('resolve')}>
                Resolve: perform it
              </button>
            )}
            {t.Status === 'OPEN' ? (
              <button type="button" className="btn" disabled={act.isPending} onClick={() => act.mutate('review')}>
                Take into review
              </button>
            ) : null}
            <button type="button" className="btn btn-danger" disabled={act.isPending || note.trim() === ''} onClick={() => act.mutate('reject')}>
              Reject
            </button>
          </div>
        </Card>
      ) : null}
      <Card title="Messages">
        <TicketThread ticket={t} accountId={null} timeZone={TZ} />
        <TicketReply ticket={t} accountId={null} />
      </Card>
    </div>
  );
}
