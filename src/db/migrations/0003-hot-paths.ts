/**
 * Faster hot paths: the lock job, which rewrites every action once, and clicks.
 *
 * 1. The money-sort indexes of the brand's lists leave out approved (locked) actions.
 *    Locking an action changes its state, so the row gets a new entry in every index
 *    whose key or predicate involves the state; these two put the entry at a random
 *    place (ordered by amount), the costliest of the lock job's writes at scale. The
 *    lists that change and are sorted by money (Pending Payouts, Reversed) keep their
 *    index; a money sort of approved actions sorts them instead.
 * 2. The three highest-volume writes (clicks, the lock job's LOCK records and its ledger
 * transfers) drop their foreign keys. PostgreSQL checks a foreign key with one trigger
 * and one locking lookup per inserted row; on these tables that was a third of the lock
 * job's time and most of a click batch's. The references still hold, by construction and
 * by check:
 * - clicks.link_id is the id of the link the click path has just read; links are never
 *   deleted (only disabled).
 * - action_modifications.action_id and ledger_transfers.action_id are written in the
 *   same statement or transaction as the action they describe; actions are never deleted.
 * - ledger_transfers' debit and credit accounts are created (or found) and locked in the
 *   posting's transaction; ledger accounts are never deleted.
 * `lockstep check-ledger` (checkLedger) verifies the ledger's and the modifications'
 * references: a transfer or modification whose action or account is missing is reported
 * like an unbalanced posting. A click's link is not re-checked: clicks are a log, and a
 * link row is never removed.
 */
export const hotPaths = {
  id: '0003-hot-paths',
  sql: /* sql */ `
drop index actions_brand_payout_idx;
drop index actions_brand_amount_idx;
create index actions_brand_payout_idx on actions (brand_account_id, state, currency, payout_minor, id) where state <> 'APPROVED';
create index actions_brand_amount_idx on actions (brand_account_id, state, currency, amount_minor, id) where state <> 'APPROVED';

alter table clicks drop constraint clicks_link_id_fkey;
alter table action_modifications drop constraint action_modifications_action_id_fkey;
alter table ledger_transfers
  drop constraint ledger_transfers_debit_account_id_fkey,
  drop constraint ledger_transfers_credit_account_id_fkey,
  drop constraint ledger_transfers_action_id_fkey;
`,
};
