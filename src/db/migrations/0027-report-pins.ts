/**
 * Pinned reports (issue 16 item 2): a report with its filters pinned by a user to the Home
 * of one account, shown as a compact table or a chart, in the user's own order.
 *
 * - `report_pins`: whose pin it is (the user, and the account it acts for), which report
 *   (the catalog's handle) with which filters (as the report's export takes them), its
 *   title, how Home shows it, the page it was pinned from, and its place on Home.
 */
export const reportPins = {
  id: '0027-report-pins',
  sql: /* sql */ `
create table report_pins (
  id integer generated always as identity primary key,
  account_id integer not null references accounts(id),
  user_id integer not null references users(id) on delete cascade,
  report text not null,
  title text not null,
  filters jsonb not null default '{}',
  display text not null check (display in ('TABLE', 'CHART')),
  link text,
  position integer not null,
  created_at timestamptz not null
);
create index report_pins_owner_idx on report_pins (user_id, account_id, position, id);
`,
};
