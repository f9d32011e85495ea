/**
 * E-mails that leave through the outbox (issue 17, item 10: invitation e-mails when
 * SMTP_RELAY_URL is set). A row is written in the transaction of what it tells about (an
 * invitation), and the `send-email` work item written beside it sends it after commit.
 * The message (recipient, subject, text with the invitation's link) is stored encrypted
 * with the secrets key, and erased once sent: the link holds the invitation's token,
 * which the database otherwise keeps only as a hash.
 */
export const outboxEmails = {
  id: '0018-outbox-emails',
  sql: /* sql */ `
create table outbox_emails (
  id bigint generated always as identity primary key,
  created_at timestamptz not null,
  purpose text not null,
  subject text not null,
  message_encrypted text,
  sent_at timestamptz
);
`,
};
