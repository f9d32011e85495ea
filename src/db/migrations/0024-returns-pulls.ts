/**
 * Pulls from the brand's own SFTP / FTPS / FTP server (issue 14 item 2), owned by the pull
 * channel (src/channels/pull). The settings themselves (host, folder, pattern, interval)
 * stay on the event type (0014); what is secret or changes with every pull lives here.
 *
 * - `returns_pull_connections`: one row per event type that has pull credentials or has
 *   been pulled: the credentials encrypted with the key of the bank details (never sent
 *   back by the API), the server's key recorded on first connect (trust on first use; for
 *   `host`:`port` only, so pointing the pull at another server records that one's), and
 *   the last pull's time, outcome and error, which the UI shows with the connection.
 * - `returns_pull_runs`: each pull (scheduled or "Pull now"): when, what it found, what it
 *   pulled, and its error.
 * - `returns_pulled_files`: every file pulled, with its name, size, modification time and
 *   content hash, so a file left on the server is not applied again (same name, size and
 *   time, or same bytes); the batch it became; whether it was deleted on the server; and
 *   whether its result was uploaded to the result folder.
 */
export const returnsPulls = {
  id: '0024-returns-pulls',
  sql: /* sql */ `
create table returns_pull_connections (
  event_type_id integer primary key references event_types (id),
  brand_account_id integer not null references accounts (id),
  credentials_encrypted text,
  credentials_kind text check (credentials_kind in ('PASSWORD', 'PRIVATE_KEY')),
  credentials_saved_at timestamptz,
  credentials_saved_by_user_id integer references users (id),
  server_key_for text,
  server_key text,
  server_key_recorded_at timestamptz,
  last_pull_at timestamptz,
  last_pull_status text check (last_pull_status in ('OK', 'ERROR')),
  last_pull_error text,
  last_success_at timestamptz
);
create index returns_pull_connections_brand on returns_pull_connections (brand_account_id);

create table returns_pull_runs (
  id bigserial primary key,
  event_type_id integer not null references event_types (id),
  brand_account_id integer not null references accounts (id),
  trigger text not null check (trigger in ('SCHEDULE', 'MANUAL')),
  work_item_id bigint,
  started_at timestamptz not null,
  finished_at timestamptz,
  status text not null check (status in ('RUNNING', 'OK', 'ERROR')),
  files_matched integer not null default 0,
  files_pulled integer not null default 0,
  files_skipped integer not null default 0,
  error text
);
create index returns_pull_runs_event_type on returns_pull_runs (event_type_id, id desc);

create table returns_pulled_files (
  id bigserial primary key,
  event_type_id integer not null references event_types (id),
  brand_account_id integer not null references accounts (id),
  run_id bigint references returns_pull_runs (id) on delete set null,
  file_name text not null,
  size bigint not null,
  modified_at timestamptz,
  content_hash text not null,
  batch_id bigint not null references returns_batches (id),
  pulled_at timestamptz not null,
  deleted_at timestamptz,
  result_uploaded_at timestamptz,
  result_error text
);
create index returns_pulled_files_identity on returns_pulled_files (event_type_id, file_name, size);
create index returns_pulled_files_hash on returns_pulled_files (event_type_id, content_hash);
create index returns_pulled_files_batch on returns_pulled_files (batch_id);
`,
};
