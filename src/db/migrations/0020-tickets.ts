/**
 * Support tickets (issue 15): what a user asks the platform's operators for, with a
 * message thread both ways and attachments. A ticket names the accounts and actions it
 * concerns; resolving one performs what it asks (src/flows/resolve-ticket.ts).
 */
export const tickets = {
  id: '0020-tickets',
  sql: /* sql */ `
create table tickets (
  id bigint generated always as identity primary key,
  -- The account the ticket was opened for, and by whom (null once that user is erased).
  account_id integer not null references accounts(id),
  opened_by_user_id integer references users(id) on delete set null,
  type text not null check (type in ('GENERAL', 'MANUAL_PAYSTUB', 'FORFEIT_BALANCE', 'ACCOUNT_CLOSURE', 'REATTRIBUTION', 'CPC_REVERSAL')),
  subject text not null check (char_length(subject) between 1 and 140),
  status text not null default 'OPEN' check (status in ('OPEN', 'IN_REVIEW', 'RESOLVED', 'REJECTED')),
  -- What the type asks for beyond the accounts and actions (a currency, the partner to re-attribute to, a reason code).
  request jsonb not null default '{}',
  opened_at timestamptz not null,
  updated_at timestamptz not null,
  -- An operator resolving it holds it until then, so that two cannot perform it at once.
  claimed_by_user_id integer references users(id) on delete set null,
  claimed_until timestamptz,
  closed_at timestamptz,
  closed_by_user_id integer references users(id) on delete set null,
  -- What resolving it did, or why it was rejected, in words the requester reads.
  outcome text
);
create index tickets_queue_idx on tickets (status, opened_at, id);
create index tickets_account_idx on tickets (account_id, opened_at desc, id desc);

create table ticket_accounts (
  ticket_id bigint not null references tickets(id),
  account_id integer not null references accounts(id),
  primary key (ticket_id, account_id)
);
create index ticket_accounts_account_idx on ticket_accounts (account_id, ticket_id);

create table ticket_actions (
  ticket_id bigint not null references tickets(id),
  action_id bigint not null references actions(id),
  primary key (ticket_id, action_id)
);

create table ticket_messages (
  id bigint generated always as identity primary key,
  ticket_id bigint not null references tickets(id),
  author_kind text not null check (author_kind in ('ACCOUNT', 'OPERATOR', 'SYSTEM')),
  author_user_id integer references users(id) on delete set null,
  body text not null check (char_length(body) between 1 and 10000),
  at timestamptz not null
);
create index ticket_messages_ticket_idx on ticket_messages (ticket_id, id);

create table ticket_attachments (
  id bigint generated always as identity primary key,
  message_id bigint not null references ticket_messages(id),
  file_name text not null,
  content_type text not null,
  size_bytes integer not null,
  sha256 text not null,
  bytes bytea not null
);
create index ticket_attachments_message_idx on ticket_attachments (message_id);
`,
};
