/**
 * Returns batches (issue 13): files of modifications and reversals, and the impact-compatible
 * API's submissions, applied by the worker (src/flows/apply-returns-batch.ts).
 *
 * - `returns_batches`: one per file (or API submission) received: who sent it for which event
 *   type, through which channel, its SHA-256, its status and counts. A file is stored before it
 *   is acknowledged; the same hash for the same event type is one batch (the unique index).
 * - `returns_batch_content`: the bytes as received, in chunks of up to 1 MiB, so any instance
 *   can stream them to the worker and to a download and none holds a file whole.
 * - `returns_batch_rows`: each row's outcome, written in the transaction of the row's change,
 *   keyed (batch, row number), which makes "each row applies exactly once" hold across a crash:
 *   the worker resumes after the last row whose outcome committed. No foreign key (the hot path
 *   writes a million of them; they are written with their batch's work, in its transaction).
 *
 * Actions get an index by (event type, order id), which a row that names its action by
 * `Oid` + `ActionTrackerId` is found by.
 */
export const returnsBatches = {
  id: '0013-returns-batches',
  sql: /* sql */ `
create table returns_batches (
  id bigint generated always as identity primary key,
  brand_account_id integer not null references accounts (id),
  program_id integer not null references programs (id),
  event_type_id integer not null references event_types (id),
  channel text not null check (channel in ('API', 'UPLOAD', 'CLI', 'SFTP', 'PULL', 'EMAIL', 'SALESFORCE', 'IMPACT_API')),
  file_name text not null,
  content_type text,
  format text check (format in ('CSV', 'XML', 'IMPACT_API')),
  content_hash text not null,
  bytes bigint not null,
  status text not null check (status in ('RECEIVED', 'RUNNING', 'DONE', 'FAILED')),
  rows_done integer not null default 0,
  rows_total integer,
  counts jsonb not null default '{}'::jsonb,
  columns jsonb,
  error text,
  submission_id uuid unique,
  submission_type text check (submission_type in ('Modification', 'Reversal')),
  uploaded_by_user_id integer references users (id),
  work_item_id bigint,
  received_at timestamptz not null,
  started_at timestamptz,
  completed_at timestamptz,
  check ((channel = 'IMPACT_API') = (submission_id is not null))
);
-- The same file for the same event type is one batch; API submissions are each their own.
create unique index returns_batches_hash_key on returns_batches (event_type_id, content_hash) where channel <> 'IMPACT_API';
create index returns_batches_brand_idx on returns_batches (brand_account_id, received_at desc, id desc);

create table returns_batch_content (
  batch_id bigint not null references returns_batches (id),
  seq integer not null,
  content bytea not null,
  primary key (batch_id, seq)
);

create table returns_batch_rows (
  batch_id bigint not null,
  row_number integer not null,
  outcome text not null check (outcome in ('APPLIED', 'UNCHANGED', 'LOCKED', 'NOT_FOUND', 'AMBIGUOUS', 'INVALID', 'CPC_NEEDS_SUPPORT', 'LIMIT_REACHED')),
  action_id bigint,
  message text,
  cells text not null,
  primary key (batch_id, row_number)
);
-- Filtering a batch's rows by outcome: the rare outcomes through this index, APPLIED through the key.
create index returns_batch_rows_outcome_idx on returns_batch_rows (batch_id, outcome, row_number) where outcome <> 'APPLIED';

create index actions_order_idx on actions (event_type_id, order_id, id) where order_id is not null;
`,
};
