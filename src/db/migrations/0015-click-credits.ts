/**
 * Cost-per-click crediting at the redirect's rate (issue 18).
 *
 * Marking each click (an UPDATE per row) or writing an action per click cannot keep up
 * with the redirect: measured on this project's machine, the bare UPDATE of the marks
 * alone ran at about 21,000 clicks/s on PostgreSQL, and an action per click (its row,
 * nine index entries, its CREATE record and an 800-byte `action.created` event) at about
 * 7,000/s, against a redirect that records 30,000/s. So:
 * - the credit job walks the clicks in the order of their time-ordered ids behind a
 *   cursor (`click_credit_cursor`, one row), committed with what each chunk credited:
 *   every click is passed once, and no click row is written again;
 * - what a chunk credits is counted per program, partner, day (in the program's time
 *   zone) and outcome in `click_credits`, the running counter of clicks credited and of
 *   those that were not, with their reason;
 * - a cost-per-click action is one per contract and day (`click_day`, `click_count`):
 *   while it is pending and before its locking date, each chunk adds its clicks and
 *   their payout to it (event `action.accrued`); after that, a later click of that day
 *   starts a further action. Legacy per-click CPC actions (click_id) stay as they are.
 * - click ids compare byte by byte (collation "C"): under a locale's collation ('0a' and
 *   '0B' swap) their order would not be their time's;
 * - clicks recorded before this migration and never looked at (credit_status null) are
 *   behind the cursor's start (''), so the job credits them; those already marked are
 *   skipped by their mark. The partial index of uncredited clicks is dropped: nothing
 *   reads it any more, and every click paid for an entry in it on the redirect path.
 */
export const clickCredits = {
  id: '0015-click-credits',
  sql: /* sql */ `
drop index clicks_uncredited_idx;
-- Click ids compare byte by byte, whatever the database's collation: their order is their
-- time's (codes.ts), which the cursor relies on, and comparing bytes is also cheaper than a
-- locale's rules on every key of the primary-key index.
alter table clicks alter column click_id type text collate "C";

create table click_credit_cursor (
  singleton boolean primary key default true check (singleton),
  last_click_id text not null,
  updated_at timestamptz not null
);
insert into click_credit_cursor (last_click_id, updated_at) values ('', now());

create table click_credits (
  program_id integer not null,
  partner_account_id integer not null,
  day date not null,
  outcome text not null check (outcome in ('CREDITED', 'NO_CPC', 'PARTNER_CLOSED', 'NO_CONTRACT', 'CONTRACT_EXPIRED', 'NOT_IN_TERMS')),
  clicks bigint not null check (clicks > 0),
  updated_at timestamptz not null,
  primary key (program_id, partner_account_id, day, outcome)
);

alter table actions add column click_day date, add column click_count integer;
alter table actions drop constraint actions_check;
alter table actions add constraint actions_source_check
  check (conversion_id is not null or click_id is not null or (click_day is not null and click_count > 0));
create index actions_click_day_idx on actions (contract_id, click_day) where click_day is not null and state = 'PENDING';
`,
};
