/** A ticket's thread and the reply box, shared by the account's ticket page and the operator console's. */
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { TICKET_LIMITS } from '@contract/enums';
import { attachmentOf, downloadAttachment, ticketKeys, ticketsHttp, type TicketDetail } from '../../api/tickets';
import { errorDetail } from '../../api/client';
import { ErrorMessage } from '../../components/Feedback';
import { Field } from '../../components/Form';
import { useToast } from '../../components/Toast';
import { formatDateTime } from '../../lib/format';

const AUTHOR: Record<TicketDetail['Thread'][number]['Author'], string> = { ACCOUNT: 'You', OPERATOR: 'Support', SYSTEM: 'Lockstep' };

export function TicketThread({ ticket, accountId, timeZone }: { ticket: TicketDetail; accountId: number | null; timeZone: string }) {
  const toast = useToast();
  return (
    <ol className="ticket-thread" aria-label="Messages">
      {ticket.Thread.map((message) => (
        <li key={message.Id} className={`ticket-message ticket-message-${message.Author.toLowerCase()}`} data-testid={`ticket-message-${message.Id}`}>
          <div className="ticket-message-head">
            <strong>{accountId === null && message.Author === 'ACCOUNT' ? (message.AuthorName ?? ticket.AccountName) : message.Author === 'ACCOUNT' ? (message.AuthorName ?? AUTHOR.ACCOUNT) : AUTHOR[message.Author]}</strong>
            <span className="muted"> · {formatDateTime(message.Date, timeZone)}</span>
          </div>
          <p className="ticket-message-body">{message.Body}</p>
          {message.Attachments.length ? (
            <ul className="ticket-attachments">
              {message.Attachments.map((file) => (
                <li key={file.Id}>
                  <button
                    type="button"
                    className="btn btn-link"
                    onClick={() => void downloadAttachment(accountId, ticket.Id, file.Id, file.FileName).catch((error) => toast.error(errorDetail(error)))}
                  >
                    {file.FileName}
                  </button>
                  <span className="muted"> ({Math.ceil(file.Size / 1024).toLocaleString('en-US')} KB)</span>
                </li>
              ))}
            </ul>
          ) : null}
        </li>
      ))}
    </ol>
  );
}

export function TicketReply({ ticket, accountId }: { ticket: TicketDetail; accountId: number | null }) {
  const queryClient = useQueryClient();
  const [message, setMessage] = useState('');
  const [files, setFiles] = useState<File[]>([]);
  const [error, setError] = useState<string | null>(null);
  const send = useMutation({
    mutationFn: async () =>
      ticketsHttp(accountId).post<TicketDetail>(`/api/v1/tickets/${ticket.Id}/messages`, {
        Message: message,
        ...(files.length ? { Attachments: await Promise.all(files.map(attachmentOf)) } : {}),
      }),
    onSuccess: async () => {
      setMessage('');
      setFiles([]);
      setError(null);
      await queryClient.invalidateQueries({ queryKey: ticketKeys.all(accountId) });
    },
    onError: (e) => setError(errorDetail(e)),
  });
  if (ticket.Status === 'RESOLVED' || ticket.Status === 'REJECTED') {
    return <p className="muted">This ticket is {ticket.Status === 'RESOLVED' ? 'resolved' : 'rejected'}; open a new one to ask for more.</p>;
  }
  return (
    <form
      className="ticket-reply"
      onSubmit={(event) => {
        event.preventDefault();
        send.mutate();
      }}
    >
      <Field label="Reply">
        <textarea className="input" rows={4} value={message} maxLength={TICKET_LIMITS.messageChars} onChange={(e) => setMessage(e.target.value)} required />
      </Field>
      <AttachmentPicker files={files} onChange={setFiles} />
      {error ? <ErrorMessage>{error}</ErrorMessage> : null}
      <button type="submit" className="btn btn-primary" disabled={send.isPending || message.trim() === ''}>
        {send.isPending ? 'Sending…' : 'Send'}
      </button>
    </form>
  );
}

export function AttachmentPicker({ files, onChange }: { files: File[]; onChange: (files: File[]) => void }) {
  const tooBig = files.filter((file) => file.size > TICKET_LIMITS.attachmentBytes);
  return (
    <>
      <Field label="Attachments" hint={`Up to ${TICKET_LIMITS.attachmentsPerMessage} files of at most ${TICKET_LIMITS.attachmentBytes / 1024 / 1024} MB each.`}>
        <input type="file" multiple onChange={(e) => onChange(Array.from(e.target.files ?? []).slice(0, TICKET_LIMITS.attachmentsPerMessage))} />
      </Field>
      {tooBig.length ? <ErrorMessage>{tooBig.map((file) => file.name).join(', ')}: larger than the limit.</ErrorMessage> : null}
    </>
  );
}
