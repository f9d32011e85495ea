/**
 * Returns files by e-mail (issue 14, item 3): what each event type's address received.
 *
 * - `returns_email_messages`: one row a message (or a refusal) per event type it was sent
 *   to: the Message-ID, the envelope sender, the From header, the subject, when, what
 *   became of it (ACCEPTED, REFUSED, DUPLICATE, or RECEIVING while its files are stored),
 *   the SMTP answer given, and each attachment with its batch. Kept so the brand's
 *   Settings show the last messages and errors; the newest 200 per event type are kept.
 *   An accepted Message-ID is unique per event type: the same message again is answered
 *   as received and applies nothing.
 * - `returns_email_batches`: the batches a message created, with where their result goes
 *   (the return address or the sender) and whether it was mailed. Written in the batch's
 *   own transaction, so a batch applied moments after its commit finds it.
 */
export const returnsEmailMessages = {
  id: '0023-returns-email-messages',
  sql: /* sql */ `
create table returns_email_messages (
  id bigint generated always as identity primary key,
  brand_account_id integer not null references accounts(id),
  event_type_id integer not null references event_types(id),
  message_id text,
  sender text,
  header_from text,
  subject text,
  received_at timestamptz not null,
  status text not null check (status in ('RECEIVING', 'ACCEPTED', 'REFUSED', 'DUPLICATE')),
  reply text not null,
  attachments jsonb not null default '[]'::jsonb,
  completed_at timestamptz
);
create index returns_email_messages_event_type on returns_email_messages (event_type_id, id desc);
create unique index returns_email_messages_accepted_key on returns_email_messages (event_type_id, message_id)
  where status = 'ACCEPTED' and message_id is not null;

create table returns_email_batches (
  batch_id bigint primary key references returns_batches(id),
  email_message_id bigint not null references returns_email_messages(id),
  result_to text,
  result_emailed_at timestamptz,
  result_note text
);
create index returns_email_batches_message on returns_email_batches (email_message_id);
`,
};
