/**
 * Help → Tickets: the account's tickets (opened for it or naming it), a new ticket, and one
 * ticket's thread. Money types (manual paystub, forfeit, closure) are for partner admins,
 * re-attribution and CPC reversal for brands; the server says why when a choice is not
 * open to the user.
 */
import { keepPreviousData, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useEffect, useMemo, useState } from 'react';
import { Link, useNavigate, useParams, useSearchParams } from 'react-router';
import type { Page } from '@contract/common';
import { TICKET_LIMITS, TICKET_STATUSES, TICKET_TYPES, type TicketType } from '@contract/enums';
import { errorDetail } from '../../api/client';
import { useAccount, useSession } from '../../api/session';
import { attachmentOf, ticketKeys, ticketsHttp, type Ticket, type TicketDetail } from '../../api/tickets';
import { columnsFor, DataTable, type ServerTableState } from '../../components/DataTable';
import { Dialog } from '../../components/Dialog';
import { ErrorMessage, Loading, QueryError } from '../../components/Feedback';
import { Badge, Card, Details, Field, PageHeader } from '../../components/Form';
import '../../styles/tickets.css';
import { formatDateTime } from '../../lib/format';
import { label, TICKET_TYPE_LABELS } from '../../lib/labels';
import { TICKETS_PATH, ticketPrefillOf, type TicketPrefill } from './newTicketLink';
import { AttachmentPicker, TicketReply, TicketThread } from './TicketThread';

export { TICKETS_PATH };
const col = columnsFor<Ticket>();
const NO_TICKETS: Ticket[] = [];

export { TICKET_TYPE_LABELS };

export const STATUS_TONE = { OPEN: 'blue', IN_REVIEW: 'amber', RESOLVED: 'green', REJECTED: 'red' } as const;

export function StatusBadge({ status }: { status: Ticket['Status'] }) {
  return <Badge tone={STATUS_TONE[status]}>{label.ticketStatus(status)}</Badge>;
}

function typesFor(kind: string, role: string): TicketType[] {
  return TICKET_TYPES.filter((type) => {
    if (type === 'REATTRIBUTION' || type === 'CPC_REVERSAL') return kind === 'BRAND';
    if (type === 'MANUAL_PAYSTUB' || type === 'FORFEIT_BALANCE' || type === 'ACCOUNT_CLOSURE') return kind === 'PARTNER' && role === 'ADMIN';
    return true;
  });
}

function NewTicketDialog({ onClose, prefill }: { onClose: () => void; prefill: TicketPrefill }) {
  const account = useAccount();
  const navigate = useNavigate();
  const queryClient = useQueryClient();
  const types = typesFor(account.Kind, account.Role);
  const [type, setType] = useState<TicketType>(prefill.type && types.includes(prefill.type) ? prefill.type : 'GENERAL');
  const [subject, setSubject] = useState(prefill.subject ?? '');
  const [message, setMessage] = useState(prefill.message ?? '');
  const [actionIds, setActionIds] = useState(prefill.actionIds ?? '');
  const [toPartner, setToPartner] = useState('');
  const [currency, setCurrency] = useState('');
  const [files, setFiles] = useState<File[]>([]);
  const [error, setError] = useState<string | null>(null);
  const open = useMutation({
    mutationFn: async () => {
      const ids = actionIds.split(/[\s,;]+/).filter(Boolean);
      return ticketsHttp(account.Id).post<TicketDetail>('/api/v1/tickets', {
        Type: type,
        Subject: subject,
        Message: message,
        ...(ids.length ? { ActionIds: ids } : {}),
        ...(type === 'REATTRIBUTION' && toPartner ? { ToPartnerId: Number(toPartner) } : {}),
        ...((type === 'MANUAL_PAYSTUB' || type === 'FORFEIT_BALANCE') && currency ? { Currency: currency.toUpperCase() } : {}),
        ...(files.length ? { Attachments: await Promise.all(files.map(attachmentOf)) } : {}),
      });
    },
    onSuccess: async (ticket) => {
      await queryClient.invalidateQueries({ queryKey: ticketKeys.all(account.Id) });
      navigate(`${TICKETS_PATH}/${ticket.Id}`);
    },
    onError: (e) => setError(errorDetail(e)),
  });
  const needsActions = type === 'REATTRIBUTION' || type === 'CPC_REVERSAL';
  return (
    <Dialog
      title="New ticket"
      testId="new-ticket-dialog"
      size="lg"
      onClose={onClose}
      onSubmit={() => open.mutate()}
      footer={
        <>
          <button type="button" className="btn" onClick={onClose} disabled={open.isPending}>
            Cancel
          </button>
          <button type="submit" className="btn btn-primary" disabled={open.isPending}>
            {open.isPending ? 'Sending…' : 'Open ticket'}
          </button>
        </>
      }
    >
      <Field label="Type">
        <select className="select" value={type} onChange={(e) => setType(e.target.value as TicketType)}>
          {types.map((t) => (
            <option key={t} value={t}>
              {TICKET_TYPE_LABELS[t]}
            </option>
          ))}
        </select>
      </Field>
      <Field label="Subject" hint={`At most ${TICKET_LIMITS.subjectChars} characters.`}>
        <input className="input" value={subject} maxLength={TICKET_LIMITS.subjectChars} onChange={(e) => setSubject(e.target.value)} required />
      </Field>
      {needsActions ? (
        <Field label="Action ids" hint="The actions it is about, separated by commas or spaces.">
          <input className="input mono" value={actionIds} onChange={(e) => setActionIds(e.target.value)} required />
        </Field>
      ) : null}
      {type === 'REATTRIBUTION' ? (
        <Field label="Partner id to credit">
          <input className="input mono" inputMode="numeric" value={toPartner} onChange={(e) => setToPartner(e.target.value)} required />
        </Field>
      ) : null}
      {type === 'MANUAL_PAYSTUB' || type === 'FORFEIT_BALANCE' ? (
        <Field label="Currency" hint={`Your account's (${account.Currency}) when left empty.`}>
          <input className="input mono" value={currency} maxLength={3} onChange={(e) => setCurrency(e.target.value)} />
        </Field>
      ) : null}
      <Field label="Message">
        <textarea className="input" rows={5} value={message} maxLength={TICKET_LIMITS.messageChars} onChange={(e) => setMessage(e.target.value)} required />
      </Field>
      <AttachmentPicker files={files} onChange={setFiles} />
      {error ? <ErrorMessage>{error}</ErrorMessage> : null}
    </Dialog>
  );
}

export function TicketsPage() {
  const account = useAccount();
  const { me, switchAccount } = useSession();
  const [params, setParams] = useSearchParams();
  const [state, setState] = useState<ServerTableState>({ pageIndex: 0, pageSize: 25, sorting: [], search: '' });
  const [status, setStatus] = useState('');
  const creating = params.get('new') !== null;
  const query = { page: state.pageIndex + 1, pageSize: state.pageSize, ...(status ? { status } : {}) };
  const tickets = useQuery({
    queryKey: ticketKeys.list(account.Id, query),
    queryFn: () => ticketsHttp(account.Id).get<Page<Ticket>>('/api/v1/tickets', query),
    placeholderData: keepPreviousData,
  });
  const columns = useMemo(
    () => [
      col.accessor('Id', {
        header: 'Ticket',
        enableSorting: false,
        cell: (info) => (
          <Link to={`${TICKETS_PATH}/${info.getValue()}`} className="strong-link mono">
            #{info.getValue()}
          </Link>
        ),
        meta: { width: 90 },
      }),
      col.accessor('Subject', { header: 'Subject', enableSorting: false }),
      col.accessor('Type', { header: 'Type', enableSorting: false, cell: (info) => TICKET_TYPE_LABELS[info.getValue()] }),
      col.accessor('Status', { header: 'Status', enableSorting: false, cell: (info) => <StatusBadge status={info.getValue()} />, meta: { width: 110 } }),
      col.accessor('UpdatedDate', { header: 'Last update', enableSorting: false, cell: (info) => formatDateTime(info.getValue(), account.TimeZone), meta: { className: 'nowrap' } }),
    ],
    [account.TimeZone],
  );
  const prefill = ticketPrefillOf(params);
  // A prefilled link names the account it is about: open the form in that account.
  useEffect(() => {
    if (prefill.accountId && prefill.accountId !== account.Id && me.Accounts.some((a) => a.Id === prefill.accountId)) switchAccount(prefill.accountId);
  }, [prefill.accountId, account.Id, me.Accounts, switchAccount]);
  return (
    <div className="page">
      <PageHeader
        title="Tickets"
        subtitle={`Questions and requests to Lockstep's support team for ${account.Name}: a manual paystub, a forfeit, closing accounts, a re-attribution, a CPC reversal, or anything else.`}
        actions={
          <button type="button" className="btn btn-primary" onClick={() => setParams({ new: '' })}>
            New ticket
          </button>
        }
      />
      <div className="card">
        <DataTable
          label="Tickets"
          testId="tickets"
          columns={columns}
          data={tickets.data?.Items ?? NO_TICKETS}
          getRowId={(ticket) => ticket.Id}
          itemName={['ticket', 'tickets']}
          loading={tickets.isPending}
          refreshing={tickets.isFetching && !tickets.isPending}
          error={tickets.error}
          onRetry={() => void tickets.refetch()}
          emptyMessage="No tickets yet. Open one when you need the support team."
          toolbar={
            <label className="filter">
              <span className="filter-label">Status</span>
              <select className="select" value={status} onChange={(e) => setStatus(e.target.value)}>
                <option value="">All</option>
                {TICKET_STATUSES.map((s) => (
                  <option key={s} value={s}>
                    {label.ticketStatus(s)}
                  </option>
                ))}
              </select>
            </label>
          }
          server={{ rowCount: tickets.data?.Total ?? 0, state, onStateChange: setState }}
        />
      </div>
      {creating ? <NewTicketDialog prefill={prefill} onClose={() => setParams({})} /> : null}
    </div>
  );
}

export function TicketDetailPage() {
  const account = useAccount();
  const { ticketId = '' } = useParams();
  const ticket = useQuery({
    queryKey: ticketKeys.one(account.Id, ticketId),
    queryFn: () => ticketsHttp(account.Id).get<TicketDetail>(`/api/v1/tickets/${ticketId}`),
  });
  if (ticket.isPending) return <Loading />;
  if (ticket.error) return <QueryError error={ticket.error} onRetry={() => void ticket.refetch()} />;
  const t = ticket.data;
  return (
    <div className="page">
      <PageHeader title={`Ticket #${t.Id}: ${t.Subject}`} subtitle={<Link to={TICKETS_PATH}>All tickets</Link>} actions={<StatusBadge status={t.Status} />} />
      <Card>
        <Details
          items={[
            ['Type', TICKET_TYPE_LABELS[t.Type]],
            ['Opened', `${formatDateTime(t.OpenedDate, account.TimeZone)}${t.OpenedBy ? ` by ${t.OpenedBy}` : ''}`],
            ['Accounts', t.AccountIds.join(', ')],
            ...(t.ActionIds.length ? ([['Actions', t.ActionIds.join(', ')]] as Array<[string, string]>) : []),
            ...(t.Outcome ? ([['Outcome', t.Outcome]] as Array<[string, string]>) : []),
          ]}
        />
      </Card>
      <Card title="Messages">
        <TicketThread ticket={t} accountId={account.Id} timeZone={account.TimeZone} />
        <TicketReply ticket={t} accountId={account.Id} />
      </Card>
    </div>
  );
}
