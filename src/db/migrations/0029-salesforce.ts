/**
 * The Salesforce returns channel (issue 14 item 4), owned by src/channels/salesforce. The
 * mapping itself (object, match field, status values) stays on the event type (0014);
 * what is secret, what arrived and where the poller stands live here.
 *
 * - `salesforce_connections`: one row per event type with an Outbound Message URL or poll
 *   credentials: the URL's secret token (128 random bits, unique, replaced on regenerate),
 *   the poll credentials encrypted with the key of the bank details (never sent back), the
 *   poll interval, the poll cursor (the newest SystemModstamp taken, advanced in the
 *   transaction that stores the poll's batch), and the last poll's outcome and error.
 * - `salesforce_messages`: each Outbound Message (or poll) received: when, how many
 *   notifications, how many were new, seen before or skipped, the batch it became, and
 *   the error of a message refused. The newest 200 per event type are kept.
 * - `salesforce_notifications`: every notification (or polled record change) taken, unique
 *   per event type by its notification id, so a redelivered notification applies nothing;
 *   with the record, what it mapped to, and why it was skipped when it mapped to nothing.
 *   Kept 30 days (Salesforce redelivers for 24 hours).
 */
export const salesforce = {
  id: '0029-salesforce',
  sql: /* sql */ `
create table salesforce_connections (
  event_type_id integer primary key references event_types (id),
  brand_account_id integer not null references accounts (id),
  outbound_token text unique,
  outbound_token_created_at timestamptz,
  credentials_encrypted text,
  credentials_kind text check (credentials_kind in ('REFRESH_TOKEN', 'PASSWORD')),
  credentials_saved_at timestamptz,
  credentials_saved_by_user_id integer references users (id),
  poll_interval_minutes integer not null default 15,
  poll_cursor timestamptz,
  last_poll_at timestamptz,
  last_poll_status text check (last_poll_status in ('OK', 'ERROR')),
  last_poll_error text
);
create index salesforce_connections_brand on salesforce_connections (brand_account_id);

create table salesforce_messages (
  id bigserial primary key,
  event_type_id integer not null references event_types (id),
  brand_account_id integer not null references accounts (id),
  source text not null check (source in ('OUTBOUND', 'POLL')),
  received_at timestamptz not null,
  organization_id text,
  notifications integer not null default 0,
  new_notifications integer not null default 0,
  duplicates integer not null default 0,
  skipped integer not null default 0,
  batch_id bigint references returns_batches (id),
  status text not null check (status in ('OK', 'ERROR')),
  error text
);
create index salesforce_messages_event_type on salesforce_messages (event_type_id, id desc);

create table salesforce_notifications (
  id bigserial primary key,
  event_type_id integer not null references event_types (id),
  brand_account_id integer not null references accounts (id),
  message_id bigint references salesforce_messages (id) on delete set null,
  notification_id text not null,
  record_id text not null,
  status_value text,
  change text,
  outcome text not null check (outcome in ('QUEUED', 'SKIPPED')),
  message text,
  batch_id bigint references returns_batches (id),
  received_at timestamptz not null,
  unique (event_type_id, notification_id)
);
create index salesforce_notifications_event_type on salesforce_notifications (event_type_id, id desc);
create index salesforce_notifications_age on salesforce_notifications (event_type_id, received_at);
`,
};
