/**
 * Partner account closure (issue 15): the record of each closure, without personal data
 * (the account id, the ticket that asked for it, the operator, when), kept for good. The
 * closure itself runs as a flow (src/flows/close-account.ts); this row is written in its
 * first step, with the account's status, and `erased_at` by its erasure step.
 */
export const accountClosures = {
  id: '0021-account-closures',
  sql: /* sql */ `
create table account_closures (
  account_id integer primary key references accounts(id),
  ticket_id bigint references tickets(id),
  closed_by_user_id integer references users(id),
  closed_at timestamptz not null,
  work_item_id bigint,
  contracts_expired integer,
  users_erased integer,
  erased_at timestamptz
);
`,
};
