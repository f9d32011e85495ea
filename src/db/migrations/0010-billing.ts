/**
 * Money after the lock, the brand's side: each month's locked payouts are billed on a
 * statement per brand, program, currency and due date (src/modules/billing); the brand's
 * payments are recorded against it; paid in full, its actions clear. The ledger gains
 * the accounts the rest of the money's path needs: BRAND_PAID (what a brand has paid in),
 * PARTNER_FORFEITED (what a partner gave up) next to the partner's available and paid
 * funds and the fees; each transfer can name what it belongs to (`statement:12`,
 * `paystub:7`). Actions get the paystub that paid them.
 */
export const billing = {
  id: '0010-billing',
  sql: /* sql */ `
alter table ledger_accounts drop constraint ledger_accounts_code_check;
alter table ledger_accounts add constraint ledger_accounts_code_check check (code in (
  'BRAND_PAYABLE', 'BRAND_PAID', 'PARTNER_PAYMENT_PENDING', 'PARTNER_AVAILABLE', 'PARTNER_PAID', 'PARTNER_FORFEITED', 'PLATFORM_FEES'));
alter table ledger_transfers add column reference text;
create index ledger_transfers_reference_idx on ledger_transfers (reference) where reference is not null;

alter table actions add column paystub_id bigint;

create table statements (
  id integer generated always as identity primary key,
  number text not null unique,
  brand_account_id integer not null references accounts (id),
  program_id integer not null references programs (id),
  currency text not null,
  -- The month billed, in the program's time zone.
  period_start date not null,
  period_end date not null,
  -- The payment date of the contracts' schedule that its actions share.
  due_at timestamptz not null,
  due_on date not null,
  issued_at timestamptz not null,
  line_count integer not null check (line_count > 0),
  total_minor bigint not null check (total_minor >= 0),
  paid_minor bigint not null default 0,
  paid_at timestamptz,
  cleared_at timestamptz,
  check (paid_minor >= 0 and paid_minor <= total_minor),
  -- A month may have more than one statement: actions that locked late in a month already billed go on a further one.
  check (period_end >= period_start)
);
create index statements_brand_idx on statements (brand_account_id, issued_at desc, id desc);
create index statements_program_period_idx on statements (program_id, period_start);

-- One line per action billed: an action is billed once (the primary key). No foreign key
-- to actions: statements are written by the hundred thousand, as the lock job writes.
create table statement_lines (
  action_id bigint primary key,
  statement_id integer not null references statements (id),
  partner_account_id integer not null,
  event_type_id integer not null,
  amount_minor bigint not null,
  payout_minor bigint not null,
  locked_at timestamptz not null
);
create index statement_lines_statement_idx on statement_lines (statement_id, partner_account_id, action_id);

create table brand_payments (
  id integer generated always as identity primary key,
  statement_id integer not null references statements (id),
  brand_account_id integer not null references accounts (id),
  amount_minor bigint not null check (amount_minor > 0),
  currency text not null,
  received_on date not null,
  reference text not null,
  source text not null check (source in ('OPERATOR', 'BRAND')),
  recorded_by_user_id integer,
  recorded_at timestamptz not null,
  unique (brand_account_id, reference)
);
create index brand_payments_statement_idx on brand_payments (statement_id, id);
`,
};
