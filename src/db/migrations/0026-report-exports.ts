/**
 * Report exports (issue 16 item 4): a report with its filters, written to a file by the
 * worker and kept for 7 days, for scripts that ask for a file and fetch it later.
 *
 * - `report_exports`: one job: who asked (account and user), which report in which format
 *   with which filters (`filters_key` is their canonical form, so that an identical
 *   request within 10 minutes finds the job it already made), its state, the file's name,
 *   size and row count once written, and when it expires.
 * - `report_export_chunks`: the file, a chunk at a time (any instance streams it back).
 */
export const reportExports = {
  id: '0026-report-exports',
  sql: /* sql */ `
create table report_exports (
  id bigint generated always as identity primary key,
  account_id integer references accounts(id),
  user_id integer references users(id) on delete set null,
  -- Operators export too; their exports name no account.
  operator_user_id integer references users(id) on delete set null,
  report text not null,
  format text not null check (format in ('csv', 'xlsx', 'pdf')),
  filters jsonb not null default '{}',
  filters_key text not null,
  status text not null default 'QUEUED' check (status in ('QUEUED', 'RUNNING', 'COMPLETED', 'FAILED', 'CANCELLED')),
  file_name text,
  content_type text,
  rows_written bigint not null default 0,
  bytes bigint not null default 0,
  error text,
  work_item_id bigint,
  created_at timestamptz not null,
  started_at timestamptz,
  completed_at timestamptz,
  expires_at timestamptz not null
);
create index report_exports_account_idx on report_exports (account_id, created_at desc, id desc);
create index report_exports_same_idx on report_exports (report, format, filters_key, created_at desc);
create index report_exports_expiry_idx on report_exports (expires_at);
create table report_export_chunks (
  export_id bigint not null references report_exports(id) on delete cascade,
  seq integer not null,
  content bytea not null,
  primary key (export_id, seq)
);
`,
};
