/**
 * Scheduled reports (issue 16 item 3): a report with its filters, run daily, weekly or
 * monthly at a time of day in a time zone, its date range relative to the run ("last 7
 * days", "previous month"), written as a report export (0026) and delivered by e-mail or
 * into the account's SFTP folder.
 *
 * - `report_schedules`: the schedule, its owner (account and user), ACTIVE / PAUSED /
 *   STOPPED (its user left the account: why, in `stopped_reason`), and the next run.
 * - `report_schedule_runs`: each run: the instant it ran for, its export, and how its
 *   delivery went.
 */
export const reportSchedules = {
  id: '0028-report-schedules',
  sql: /* sql */ `
create table report_schedules (
  id bigint generated always as identity primary key,
  account_id integer not null references accounts(id),
  user_id integer references users(id) on delete set null,
  name text not null check (char_length(name) between 1 and 120),
  report text not null,
  format text not null check (format in ('csv', 'xlsx', 'pdf')),
  filters jsonb not null default '{}',
  date_range text not null default 'NONE',
  frequency text not null check (frequency in ('DAILY', 'WEEKLY', 'MONTHLY')),
  day_of_week integer check (day_of_week between 0 and 6),
  day_of_month integer check (day_of_month between 1 and 28 or day_of_month = -1),
  time_of_day text not null check (time_of_day ~ '^([01][0-9]|2[0-3]):[0-5][0-9]$'),
  time_zone text not null,
  delivery text not null check (delivery in ('EMAIL', 'SFTP')),
  status text not null default 'ACTIVE' check (status in ('ACTIVE', 'PAUSED', 'STOPPED')),
  stopped_reason text,
  next_run_at timestamptz,
  last_run_at timestamptz,
  created_at timestamptz not null,
  updated_at timestamptz not null
);
create index report_schedules_due_idx on report_schedules (next_run_at) where status = 'ACTIVE';
create index report_schedules_account_idx on report_schedules (account_id, id);
create table report_schedule_runs (
  id bigint generated always as identity primary key,
  schedule_id bigint not null references report_schedules(id) on delete cascade,
  run_for timestamptz not null,
  export_id bigint references report_exports(id) on delete set null,
  status text not null default 'RUNNING' check (status in ('RUNNING', 'DELIVERED', 'FAILED')),
  delivered_to text,
  error text,
  created_at timestamptz not null,
  finished_at timestamptz,
  unique (schedule_id, run_for)
);
`,
};
