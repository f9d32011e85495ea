/**
 * Post-lock corrections (issue 12): a locked action is never edited; a correction of its
 * payout after the lock is a row of its own (who, when, why, the signed amount), posted to
 * the ledger at once (brand payable against the partner's payment pending), billed on the
 * brand's next statement beside the actions, cleared with that statement, and paid (or
 * forfeited) with the partner's balance like the actions. A statement's total is now its
 * actions' payouts plus its corrections: it may be zero or below (a clawback larger than
 * what the month billed), and is then issued paid. The partner's available balance gets
 * indexes on its movements (the Balance screen), leaving out the lock transfers, which
 * never touch it and are written by the hundred thousand. Statement lines lose their
 * foreign key to statements (a trigger per line billed).
 */
export const corrections = {
  id: '0012-corrections',
  sql: /* sql */ `
create table action_corrections (
  id bigint generated always as identity primary key,
  action_id bigint not null,
  brand_account_id integer not null references accounts (id),
  partner_account_id integer not null references accounts (id),
  program_id integer not null references programs (id),
  currency text not null,
  amount_minor bigint not null check (amount_minor <> 0),
  reason text not null,
  note text,
  created_by_user_id integer,
  created_at timestamptz not null,
  -- The payment date of the action's schedule, applied to the month the correction was made.
  due_at timestamptz not null,
  statement_id integer references statements (id),
  cleared_at timestamptz,
  paystub_id bigint,
  forfeit_id integer,
  check (cleared_at is null or statement_id is not null),
  check (paystub_id is null or forfeit_id is null)
);
create index action_corrections_action_idx on action_corrections (action_id, id);
create index action_corrections_unbilled_idx on action_corrections (program_id, created_at) where statement_id is null;
create index action_corrections_statement_idx on action_corrections (statement_id, partner_account_id, id) where statement_id is not null;
create index action_corrections_unsettled_idx on action_corrections (partner_account_id, currency)
  where cleared_at is not null and paystub_id is null and forfeit_id is null;
create index action_corrections_paystub_idx on action_corrections (paystub_id) where paystub_id is not null;

alter table statements add column correction_count integer not null default 0;
alter table statements drop constraint statements_total_minor_check;
alter table statements drop constraint statements_check;
alter table statements drop constraint statements_line_count_check;
alter table statements add constraint statements_lines_check check (line_count >= 0 and correction_count >= 0 and line_count + correction_count > 0);
alter table statements add constraint statements_paid_check check (paid_minor >= 0 and paid_minor <= greatest(total_minor, 0));

-- Statement lines are written by the hundred thousand, in the transaction that writes their
-- statements: a foreign key would check each with a trigger (a quarter of the time of
-- billing a month), as migration 0003 found for the ledger's transfers. The reference holds
-- by construction; the reconciliation reports a line whose statement does not exist.
alter table statement_lines drop constraint statement_lines_statement_id_fkey;

create index ledger_transfers_credit_movements_idx on ledger_transfers (credit_account_id, id) where kind <> 'ACTION_LOCKED';
create index ledger_transfers_debit_movements_idx on ledger_transfers (debit_account_id, id) where kind <> 'ACTION_LOCKED';
`,
};
