/**
 * Webhooks (issue 16 item 6), the webhooks module's tables (src/modules/webhooks):
 *
 * - `webhook_endpoints`: an account's receivers: the URL, what it is for, the event types
 *   it subscribes to, enabled or disabled (with why and when), its signing secret
 *   encrypted at rest (src/core/secrets.ts) and, for a while after a rotation, the
 *   previous one (both sign until `previous_secret_expires_at`). `failing_since` is the
 *   start of the current run of failed attempts (none since the last success): five
 *   days of it disable the endpoint.
 * - `webhook_deliveries`: one event for one endpoint (unique), its state (PENDING until
 *   delivered, DELIVERED, or FAILED when given up after three days), its attempts, when
 *   the next is due (business time, the services' clock), a lease while a worker sends
 *   it (database time, so a killed worker's deliveries go out again), and the last
 *   attempt's answer: status, time taken, a bounded excerpt of the body or the error.
 * - `webhook_attempts`: every attempt of a delivery, for the delivery log.
 * - `webhook_cursor`: the last outbox event the fan-out has turned into deliveries. It
 *   moves in the transaction that inserts them, so a crash never loses or repeats one.
 */
export const webhooks = {
  id: '0025-webhooks',
  sql: /* sql */ `
create table webhook_endpoints (
  id bigint generated always as identity primary key,
  account_id integer not null references accounts(id),
  url text not null,
  description text not null default '',
  event_types text[] not null,
  enabled boolean not null default true,
  disabled_reason text,
  disabled_at timestamptz,
  secret_encrypted text not null,
  previous_secret_encrypted text,
  previous_secret_expires_at timestamptz,
  failing_since timestamptz,
  created_at timestamptz not null,
  updated_at timestamptz not null,
  deleted_at timestamptz
);
create index webhook_endpoints_account_idx on webhook_endpoints (account_id) where deleted_at is null;

create table webhook_deliveries (
  id bigint generated always as identity primary key,
  endpoint_id bigint not null references webhook_endpoints(id),
  event_id bigint not null,
  subject text not null,
  event_type text not null,
  state text not null default 'PENDING' check (state in ('PENDING', 'DELIVERED', 'FAILED')),
  attempts integer not null default 0,
  created_at timestamptz not null,
  -- The start of the retry window: the first attempt, or the last replay.
  window_started_at timestamptz not null,
  next_attempt_at timestamptz not null,
  leased_until timestamptz,
  last_attempt_at timestamptz,
  last_status integer,
  last_duration_ms integer,
  last_error text,
  last_response text,
  delivered_at timestamptz,
  unique (endpoint_id, event_id)
);
-- The head of each endpoint's subject: a later event waits for the earlier ones.
create index webhook_deliveries_subject_idx on webhook_deliveries (endpoint_id, subject, event_id) where state = 'PENDING';
create index webhook_deliveries_due_idx on webhook_deliveries (next_attempt_at, id) where state = 'PENDING';
create index webhook_deliveries_log_idx on webhook_deliveries (endpoint_id, id desc);

create table webhook_attempts (
  id bigint generated always as identity primary key,
  delivery_id bigint not null references webhook_deliveries(id),
  attempt integer not null,
  attempted_at timestamptz not null,
  webhook_id text not null,
  status integer,
  duration_ms integer not null,
  error text,
  response text
);
create index webhook_attempts_delivery_idx on webhook_attempts (delivery_id, attempt);

create table webhook_cursor (
  id integer primary key check (id = 1),
  last_event_id bigint not null
);
-- Events from before webhooks existed are not sent: the cursor starts at the newest.
insert into webhook_cursor (id, last_event_id) select 1, coalesce(max(id), 0) from outbox_events;
`,
};
