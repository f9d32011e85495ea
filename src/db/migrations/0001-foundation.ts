export const foundation = {
  id: '0001-foundation',
  sql: /* sql */ `
create table accounts (
  id integer generated always as identity primary key,
  kind text not null check (kind in ('BRAND', 'PARTNER')),
  name text not null,
  time_zone text not null,
  currency text not null,
  sid text not null unique,
  status text not null default 'ACTIVE' check (status in ('ACTIVE', 'CLOSED')),
  closed_at timestamptz,
  created_at timestamptz not null default now()
);

create table users (
  id integer generated always as identity primary key,
  email text not null,
  name text not null,
  password_hash text,
  is_operator boolean not null default false,
  created_at timestamptz not null default now(),
  disabled_at timestamptz
);
create unique index users_email_key on users (lower(email));

create table memberships (
  account_id integer not null references accounts (id),
  user_id integer not null references users (id),
  role text not null check (role in ('ADMIN', 'USER')),
  created_at timestamptz not null default now(),
  primary key (account_id, user_id)
);
create index memberships_user_idx on memberships (user_id);

create table invitations (
  id integer generated always as identity primary key,
  account_id integer not null references accounts (id),
  email text not null,
  role text not null check (role in ('ADMIN', 'USER')),
  token_hash text not null unique,
  invited_by integer not null references users (id),
  created_at timestamptz not null default now(),
  expires_at timestamptz not null,
  accepted_at timestamptz,
  revoked_at timestamptz
);
create index invitations_account_idx on invitations (account_id);

create table sessions (
  id_hash text primary key,
  user_id integer not null references users (id),
  created_at timestamptz not null default now(),
  expires_at timestamptz not null
);
create index sessions_user_idx on sessions (user_id);

create table api_tokens (
  id integer generated always as identity primary key,
  account_id integer not null references accounts (id),
  created_by integer not null references users (id),
  label text not null default '',
  token_hash text not null unique,
  token_hint text not null,
  created_at timestamptz not null default now(),
  last_used_at timestamptz,
  revoked_at timestamptz
);
create index api_tokens_account_idx on api_tokens (account_id);

create table programs (
  id integer generated always as identity primary key,
  brand_account_id integer not null references accounts (id),
  name text not null,
  currency text not null,
  time_zone text not null,
  status text not null default 'ACTIVE' check (status in ('ACTIVE', 'INACTIVE')),
  created_at timestamptz not null default now()
);
create index programs_brand_idx on programs (brand_account_id);

create table event_types (
  id integer generated always as identity primary key,
  program_id integer not null references programs (id),
  name text not null,
  kind text not null check (kind in ('SALE', 'LEAD', 'CLICK', 'OTHER')),
  returns_processing text not null default 'API'
    check (returns_processing in ('API', 'SFTP_UPLOAD', 'SFTP_PULL', 'EMAIL', 'SALESFORCE')),
  created_at timestamptz not null default now()
);
create unique index event_types_name_key on event_types (program_id, lower(name));
-- Cost per click is paid once per click, so a program has at most one CLICK event type.
create unique index event_types_one_click_key on event_types (program_id) where kind = 'CLICK';

create table template_terms (
  id integer generated always as identity primary key,
  program_id integer not null references programs (id),
  name text not null,
  terms jsonb not null,
  status text not null default 'ACTIVE' check (status in ('ACTIVE', 'ARCHIVED')),
  created_at timestamptz not null default now()
);
create index template_terms_program_idx on template_terms (program_id);

create table contracts (
  id integer generated always as identity primary key,
  program_id integer not null references programs (id),
  brand_account_id integer not null references accounts (id),
  partner_account_id integer not null references accounts (id),
  template_terms_id integer not null references template_terms (id),
  terms jsonb not null,
  start_at timestamptz not null,
  end_at timestamptz,
  termination_reason text not null default 'STILL_ACTIVE'
    check (termination_reason in ('STILL_ACTIVE', 'EXPIRED_BY_PARTNER', 'EXPIRED_BY_BRAND', 'REPLACED', 'ACCOUNT_CLOSED')),
  ended_by_user_id integer references users (id),
  created_at timestamptz not null default now()
);
create index contracts_partner_idx on contracts (partner_account_id, program_id, start_at);
create index contracts_brand_idx on contracts (brand_account_id, program_id);
-- A partner holds at most one open-ended contract per program; accepting new terms
-- replaces the old contract in the same transaction.
create unique index contracts_one_open_key on contracts (program_id, partner_account_id) where end_at is null;

create table audit_events (
  id bigint generated always as identity primary key,
  at timestamptz not null,
  actor_user_id integer references users (id),
  account_id integer references accounts (id),
  action text not null,
  subject text not null,
  detail jsonb not null default '{}'
);
create index audit_events_account_idx on audit_events (account_id, at);
`,
};
