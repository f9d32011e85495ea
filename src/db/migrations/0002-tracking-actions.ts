export const trackingActions = {
  id: '0002-tracking-actions',
  sql: /* sql */ `
create table instance_settings (
  key text primary key,
  value text not null
);
-- The key that hashes visitors' IP addresses: random per installation, so a stored hash
-- cannot be reversed by hashing every IPv4 address with a public key.
insert into instance_settings (key, value) values ('ip_hash_key', md5(random()::text || clock_timestamp()::text));

create table tracking_links (
  id integer generated always as identity primary key,
  code text not null unique,
  partner_account_id integer not null references accounts (id),
  program_id integer not null references programs (id),
  landing_url text not null,
  label text not null default '',
  created_at timestamptz not null,
  disabled_at timestamptz
);
create index tracking_links_partner_idx on tracking_links (partner_account_id, program_id);

create table clicks (
  click_id text primary key,
  link_id integer not null references tracking_links (id),
  program_id integer not null,
  partner_account_id integer not null,
  at timestamptz not null,
  ip_hash text,
  user_agent text,
  referrer text,
  -- Cost-per-click crediting: null until the credit job has looked at the click.
  credit_status text check (credit_status in ('CREDITED', 'NOT_CREDITED')),
  credit_note text
);
create index clicks_link_idx on clicks (link_id, at);
create index clicks_uncredited_idx on clicks (at) where credit_status is null;

create table conversions (
  id bigint generated always as identity primary key,
  brand_account_id integer not null references accounts (id),
  program_id integer not null references programs (id),
  event_type_id integer not null references event_types (id),
  order_id text not null,
  request_hash text not null,
  event_at timestamptz not null,
  click_id text,
  partner_account_id integer,
  currency text not null,
  amount_minor bigint not null,
  items jsonb,
  status text not null check (status in ('ACCEPTED', 'REJECTED')),
  reject_reason text,
  created_at timestamptz not null
);
-- Idempotency key: the same (event type, OrderId) is one conversion, however often it is posted.
create unique index conversions_order_key on conversions (event_type_id, order_id);
create index conversions_brand_idx on conversions (brand_account_id, status, created_at);
-- The Pending Payouts "Order Id" filter goes through here, so the actions table (rewritten
-- on every lock) carries no order-id index of its own.
create index conversions_order_idx on conversions (order_id);

create table actions (
  id bigint generated always as identity primary key,
  conversion_id bigint unique references conversions (id),
  click_id text references clicks (click_id),
  program_id integer not null references programs (id),
  brand_account_id integer not null references accounts (id),
  event_type_id integer not null references event_types (id),
  event_kind text not null check (event_kind in ('SALE', 'LEAD', 'CLICK', 'OTHER')),
  partner_account_id integer not null references accounts (id),
  contract_id integer not null references contracts (id),
  state text not null check (state in ('PENDING', 'APPROVED', 'REVERSED')),
  order_id text,
  currency text not null,
  amount_minor bigint not null,
  payout_minor bigint not null,
  original_amount_minor bigint not null,
  original_payout_minor bigint not null,
  items jsonb,
  original_items jsonb,
  event_at timestamptz not null,
  referring_at timestamptz,
  locking_at timestamptz not null,
  locked_at timestamptz,
  payment_due_at timestamptz,
  cleared_at timestamptz,
  reversal_reason text,
  modification_count integer not null default 0,
  created_at timestamptz not null,
  updated_at timestamptz not null,
  check (conversion_id is not null or click_id is not null),
  check (state <> 'APPROVED' or locked_at is not null)
);
create index actions_brand_list_idx on actions (brand_account_id, state, event_at desc, id desc);
create index actions_partner_list_idx on actions (partner_account_id, state, event_at desc, id desc);
-- Money sorts of the brand's lists (within each currency) read these in order.
create index actions_brand_payout_idx on actions (brand_account_id, state, currency, payout_minor, id);
create index actions_brand_amount_idx on actions (brand_account_id, state, currency, amount_minor, id);
create index actions_due_idx on actions (locking_at, id) where state = 'PENDING';
-- Cost-per-click actions: one per click. Partial, so sale actions carry no entry for it.
create unique index actions_click_key on actions (click_id) where click_id is not null;
create index actions_contract_idx on actions (contract_id) where state = 'PENDING';

-- Keyed by (action, seq): an action's history reads in order from the key, and the lock
-- job writes one index entry per record rather than two.
create table action_modifications (
  action_id bigint not null references actions (id),
  seq integer not null,
  at timestamptz not null,
  actor_kind text not null check (actor_kind in ('BRAND', 'PARTNER', 'OPERATOR', 'SYSTEM')),
  actor_user_id integer references users (id),
  operation text not null,
  reason text,
  state_before text,
  state_after text not null,
  amount_before_minor bigint,
  amount_after_minor bigint not null,
  payout_before_minor bigint,
  payout_after_minor bigint not null,
  detail jsonb,
  primary key (action_id, seq)
);

-- Double-entry ledger, after TigerBeetle: every transfer moves one positive amount from a
-- debit account to a credit account of the same currency, so each posting balances by
-- construction; account balances are kept in the same transaction and can be re-derived.
create table ledger_accounts (
  id integer generated always as identity primary key,
  code text not null check (code in ('BRAND_PAYABLE', 'PARTNER_PAYMENT_PENDING', 'PARTNER_AVAILABLE', 'PARTNER_PAID', 'PLATFORM_FEES')),
  owner_account_id integer not null references accounts (id),
  currency text not null,
  debits_posted_minor bigint not null default 0,
  credits_posted_minor bigint not null default 0,
  unique (code, owner_account_id, currency)
);

create table ledger_transfers (
  id bigint generated always as identity primary key,
  debit_account_id integer not null references ledger_accounts (id),
  credit_account_id integer not null references ledger_accounts (id),
  amount_minor bigint not null check (amount_minor > 0),
  currency text not null,
  kind text not null,
  action_id bigint references actions (id),
  corrects_transfer_id bigint references ledger_transfers (id),
  at timestamptz not null,
  check (debit_account_id <> credit_account_id)
);
create index ledger_transfers_action_idx on ledger_transfers (action_id);
`,
};
