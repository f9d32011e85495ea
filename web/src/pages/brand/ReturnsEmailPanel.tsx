import { useQuery } from '@tanstack/react-query';
import { Link } from 'react-router';
import type { BrandEventType } from '@contract/event-types';
import type { ReturnsEmail, ReturnsEmailMessage } from '@contract/returns-email';
import { useAccount, useAccountApi, useAccountKey } from '../../api/session';
import { Loading, Notice, QueryError } from '../../components/Feedback';
import { Badge, CopyField, Field } from '../../components/Form';
import { formatDateTime } from '../../lib/format';

/** The e-mail channel of an event type, as the Returns Processing dialog shows it (issue 14, item 3). */
function useReturnsEmail(eventTypeId: number, enabled: boolean) {
  const http = useAccountApi();
  const key = useAccountKey();
  return useQuery({
    queryKey: key('event-types', 'returns-email', eventTypeId),
    queryFn: () => http.get<ReturnsEmail>(`/api/v1/event-types/${eventTypeId}/returns-email`),
    enabled,
    refetchInterval: 15_000,
  });
}

const megabytes = (bytes: number) => `${Math.round(bytes / 1024 / 1024)} MB`;

/**
 * The address with a copy button, and the choice of a new one (applied when the dialog is
 * saved: the old address stops taking files); once saved with E-mail, also where to send
 * from a script.
 */
export function ReturnsEmailAddress({
  eventType,
  regenerate,
  onRegenerateChange,
}: {
  eventType: BrandEventType;
  regenerate: boolean;
  onRegenerateChange: (regenerate: boolean) => void;
}) {
  const rp = eventType.ReturnsProcessing;
  const saved = rp.Method === 'EMAIL' && rp.Email?.Address ? rp.Email.Address : null;
  const channel = useReturnsEmail(eventType.Id, saved !== null);
  if (!saved) {
    return (
      <Field label="Address" hint="Every event type gets its own address, which only you know.">
        <span className="mono" data-testid="returns-email-address">
          Generated when you save
        </span>
      </Field>
    );
  }
  const server = channel.data?.Server;
  return (
    <div className="stack" data-testid="returns-email-panel">
      <CopyField label="Address" value={saved} testId="returns-email-address" />
      {server ? (
        <p className="muted small" data-testid="returns-email-how">
          Mail each returns file as an attachment (at most {megabytes(channel.data!.MaxMessageBytes)} a message, {channel.data!.MaxAttachments} files) to this
          address; from a script: <span className="mono">swaks --to {saved} --server {server.Host}:{server.Port}{server.StartTls ? ' --tls' : ''} --attach @returns.csv</span>
        </p>
      ) : channel.data ? (
        <Notice kind="warning">This installation runs no e-mail listener (SMTP_PORT=0): mail sent to the address is not received until it does.</Notice>
      ) : null}
      <label className="checkbox">
        <input type="checkbox" checked={regenerate} onChange={(e) => onRegenerateChange(e.target.checked)} />
        <span>Generate a new address when I save (the old one stops taking files at once)</span>
      </label>
    </div>
  );
}

const STATUS_TONE: Record<ReturnsEmailMessage['Status'], 'green' | 'red' | 'gray' | 'blue'> = {
  ACCEPTED: 'green',
  REFUSED: 'red',
  DUPLICATE: 'gray',
  RECEIVING: 'blue',
};

const OUTCOME_TEXT: Record<ReturnsEmailMessage['Attachments'][number]['Outcome'], string> = {
  BATCH: 'batch',
  SAME_FILE: 'received before as batch',
  NOT_MATCHING: 'not taken',
  IGNORED: 'ignored',
  REFUSED: 'refused',
};

/** The last messages the address received, newest first: each attachment's batch and result mail, or why the message was refused. */
export function ReturnsEmailMessages({ eventType }: { eventType: BrandEventType }) {
  const account = useAccount();
  const rp = eventType.ReturnsProcessing;
  const channel = useReturnsEmail(eventType.Id, rp.Method === 'EMAIL' && Boolean(rp.Email?.Address));
  if (rp.Method !== 'EMAIL' || !rp.Email?.Address) return null;
  if (channel.isPending) return <Loading label="Loading the messages received…" />;
  if (channel.isError) return <QueryError error={channel.error} onRetry={() => void channel.refetch()} />;
  const { Messages: messages, ResultsMailed: resultsMailed } = channel.data;
  return (
    <div className="stack" data-testid="returns-email-messages">
      <h3 className="small">Last messages received</h3>
      {!resultsMailed ? (
        <p className="muted small">Results are not mailed back from this installation (no outgoing mail server is configured): open each batch for its result file.</p>
      ) : null}
      {messages.length === 0 ? (
        <p className="muted small">None yet.</p>
      ) : (
        <table className="mini-table">
          <thead>
            <tr>
              <th scope="col">Received</th>
              <th scope="col">From</th>
              <th scope="col">Status</th>
              <th scope="col">Files</th>
            </tr>
          </thead>
          <tbody>
            {messages.map((m) => (
              <tr key={m.Id} data-testid={`returns-email-message-${m.Id}`}>
                <td className="nowrap">{formatDateTime(m.ReceivedDate, account.TimeZone)}</td>
                <td>
                  {m.Sender ?? m.From ?? <span className="muted">no sender</span>}
                  {m.Subject ? <div className="muted small">{m.Subject}</div> : null}
                </td>
                <td>
                  <Badge tone={STATUS_TONE[m.Status]}>{m.Status.toLowerCase()}</Badge>
                  {m.Status === 'REFUSED' ? (
                    <div className="field-error small" role="note">
                      {m.Reply}
                    </div>
                  ) : null}
                </td>
                <td>
                  <ul className="plain-list">
                    {m.Attachments.map((a) => (
                      <li key={`${a.FileName}:${a.Outcome}:${a.BatchId ?? ''}:${a.Bytes}`}>
                        <span className="mono">{a.FileName}</span>: {OUTCOME_TEXT[a.Outcome]}{' '}
                        {a.BatchId ? (
                          <Link to={`/transactions/returns-batches/${a.BatchId}`} className="mono">
                            {a.BatchId}
                          </Link>
                        ) : null}
                        {a.BatchStatus ? <span className="muted small"> ({a.BatchStatus.toLowerCase()})</span> : null}
                        {a.Outcome !== 'BATCH' && a.Message ? <div className="muted small">{a.Message}</div> : null}
                        {a.ResultNote ? <div className="muted small">{a.ResultNote}</div> : null}
                      </li>
                    ))}
                  </ul>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </div>
  );
}
