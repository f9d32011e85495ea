/**
 * The outbox: every state change of an action or a contract writes one row here, in the
 * same transaction as the change (src/outbox/record-events.ts). Side effects (webhooks,
 * e-mails) will leave from these rows after commit, never from inside a transaction.
 */
export const outbox = {
  id: '0008-outbox',
  sql: /* sql */ `
create table outbox_events (
  id bigint generated always as identity primary key,
  type text not null,
  subject text not null,
  account_ids integer[] not null,
  payload jsonb not null,
  occurred_at timestamptz not null,
  recorded_at timestamptz not null default clock_timestamp()
);
-- An account's own events (webhooks per account), newest last.
create index outbox_events_accounts_idx on outbox_events using gin (account_ids);
create index outbox_events_subject_idx on outbox_events (subject, id);
`,
};
