/**
 * Payouts (src/modules/payouts): where a partner's available money goes and when.
 *
 * - `withdrawal_settings`: one row per partner account. The destination (IBAN, account
 *   and routing numbers, holder name, PayPal e-mail) is stored only encrypted
 *   (AES-256-GCM, src/core/secrets.ts; the key never lives in the database) next to its
 *   masked form (`•••• 3001`), which is all the API, the UI, the logs and the exports show.
 *   A change of destination holds withdrawals until `hold_until` (48 hours).
 * - `payout_schedule_states`: per partner and currency, when the balance was first seen
 *   at the threshold and the last day an autopay was made, so that the schedule's day is
 *   computed from the partner's calendar and a missed run catches up once.
 * - `payout_runs`, `paystubs`: a run pays partners; each paystub is one withdrawal of a
 *   partner's whole available balance in one currency, with a snapshot of the destination
 *   it was paid to (encrypted), so a change of bank details after the payment never
 *   changes where that payment goes. A run pays a partner and currency at most once
 *   (unique), and only one scheduled run is under way at a time (the partial unique index).
 * - `payout_files`, `payout_file_chunks`: the bank files a run writes (pain.001, PayPal
 *   CSV), stored in the database in chunks of about 64 KiB as they are written, so that
 *   any instance can stream them to the operator and no file is ever in memory whole.
 * - `balance_forfeits`: a partner's balance given up, with who, when and why.
 *
 * Actions get `forfeit_id` (a forfeited balance's actions are settled like paid ones) and
 * the two indexes a run and a paystub's listing read them by.
 */
export const payouts = {
  id: '0011-payouts',
  sql: /* sql */ `
create table withdrawal_settings (
  partner_account_id integer primary key references accounts (id),
  payment_method text not null check (payment_method in ('BANK_TRANSFER', 'PAYPAL')),
  bank_country text,
  destination_secret text not null,
  destination_masked text not null,
  schedule text not null check (schedule in ('BALANCE_THRESHOLD', 'FIXED_DAY')),
  -- In minor units of the account's currency.
  threshold_minor bigint check (threshold_minor > 0),
  payment_day smallint check (payment_day in (1, 15)),
  -- The local date (account time zone) the schedule was last set: a fixed day before it is not due.
  schedule_since date not null,
  destination_changed_at timestamptz not null,
  hold_until timestamptz,
  version integer not null,
  updated_at timestamptz not null,
  updated_by_user_id integer,
  check ((schedule = 'BALANCE_THRESHOLD') = (threshold_minor is not null)),
  check ((schedule = 'FIXED_DAY') = (payment_day is not null)),
  check ((payment_method = 'BANK_TRANSFER') = (bank_country is not null))
);

create table payout_schedule_states (
  partner_account_id integer not null references accounts (id),
  currency text not null,
  threshold_reached_on date,
  last_autopay_on date,
  primary key (partner_account_id, currency)
);

create table payout_runs (
  id integer generated always as identity primary key,
  kind text not null check (kind in ('SCHEDULED', 'MANUAL')),
  status text not null check (status in ('PAYING', 'WRITING_FILES', 'READY', 'SENT')),
  run_on date not null,
  execution_date date not null,
  started_at timestamptz not null,
  started_by_user_id integer,
  work_item_id bigint,
  paystub_count integer not null default 0,
  held_count integer not null default 0,
  files_ready_at timestamptz,
  sent_at timestamptz,
  sent_by_user_id integer
);
create unique index payout_runs_one_scheduled_under_way on payout_runs ((kind)) where kind = 'SCHEDULED' and status in ('PAYING', 'WRITING_FILES');
create index payout_runs_started_idx on payout_runs (started_at desc, id desc);

-- Partners with available money a run did not pay, and why (a hold, a missing wire fee, …).
create table payout_run_holds (
  run_id integer not null references payout_runs (id),
  partner_account_id integer not null references accounts (id),
  currency text not null,
  available_minor bigint not null,
  reason text not null,
  primary key (run_id, partner_account_id, currency)
);

create table payout_files (
  id integer generated always as identity primary key,
  run_id integer not null references payout_runs (id),
  format text not null check (format in ('PAIN_001_001_03', 'PAIN_001_001_09', 'PAYPAL_PAYOUTS_CSV')),
  currency text not null,
  part integer not null check (part >= 1),
  file_name text not null,
  media_type text not null,
  payments integer not null check (payments > 0),
  total_minor bigint not null check (total_minor > 0),
  bytes bigint not null,
  sha256 text not null,
  created_at timestamptz not null,
  unique (run_id, format, currency, part)
);

create table payout_file_chunks (
  file_id integer not null references payout_files (id),
  seq integer not null,
  content text not null,
  primary key (file_id, seq)
);

create table paystubs (
  id bigint generated always as identity primary key,
  run_id integer not null references payout_runs (id),
  partner_account_id integer not null references accounts (id),
  currency text not null,
  kind text not null check (kind in ('AUTOPAY', 'MANUAL')),
  method text not null check (method in ('EFT', 'WIRE', 'PAYPAL')),
  payment_method text not null check (payment_method in ('BANK_TRANSFER', 'PAYPAL')),
  file_format text not null check (file_format in ('PAIN_001_001_03', 'PAIN_001_001_09', 'PAYPAL_PAYOUTS_CSV')),
  destination_secret text not null,
  destination_masked text not null,
  gross_minor bigint not null check (gross_minor > 0),
  fee_minor bigint not null check (fee_minor >= 0),
  net_minor bigint not null check (net_minor > 0),
  action_count integer not null check (action_count >= 0),
  status text not null check (status in ('PROCESSING', 'SENT', 'FAILED')),
  created_at timestamptz not null,
  created_by_user_id integer,
  file_id integer references payout_files (id),
  sent_at timestamptz,
  failed_at timestamptz,
  failed_by_user_id integer,
  failure_reason text,
  check (gross_minor = fee_minor + net_minor),
  check ((status = 'FAILED') = (failed_at is not null and failure_reason is not null)),
  unique (run_id, partner_account_id, currency)
);
create index paystubs_partner_idx on paystubs (partner_account_id, created_at desc, id desc);
create index paystubs_run_file_idx on paystubs (run_id, file_format, currency, id);

create table balance_forfeits (
  id integer generated always as identity primary key,
  partner_account_id integer not null references accounts (id),
  currency text not null,
  amount_minor bigint not null check (amount_minor > 0),
  action_count integer not null check (action_count >= 0),
  reason text not null,
  forfeited_by_user_id integer not null,
  forfeited_at timestamptz not null
);
create index balance_forfeits_partner_idx on balance_forfeits (partner_account_id, forfeited_at desc);

alter table actions add column forfeit_id integer;
-- What a paystub pays: a partner's cleared actions in a currency, neither paid nor forfeited.
create index actions_unsettled_idx on actions (partner_account_id, currency, id)
  where cleared_at is not null and paystub_id is null and forfeit_id is null;
-- A paystub's action listing.
create index actions_paystub_idx on actions (paystub_id, id) where paystub_id is not null;
`,
};
