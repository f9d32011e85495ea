import type { Sql } from '../../db/types.js';
import { addToBalances, ensureLedgerAccounts, type LedgerAccountCode } from './post-transfers.js';

const CODES: ReadonlySet<string> = new Set<LedgerAccountCode>([
  'BRAND_PAYABLE',
  'BRAND_PAID',
  'PARTNER_PAYMENT_PENDING',
  'PARTNER_AVAILABLE',
  'PARTNER_PAID',
  'PARTNER_FORFEITED',
  'PLATFORM_FEES',
]);

/**
 * Where a set-based posting's transfers come from: rows the module that owns them
 * produces in the same statement, so that none of them travels to the application and
 * back. The statement is `with <with>, xfers as (insert into ledger_transfers … from
 * <rows>) …`: `with` may hold data-modifying expressions of the caller's own tables (the
 * lock job's `update actions … returning` and its LOCK records), since PostgreSQL allows
 * those only at the top of a statement.
 */
export interface PostingSource {
  /** Common table expressions, `name as (…)` separated by commas, or '' for none. Their parameters are `params`, $1 to $n. */
  with: string;
  /**
   * A relation in the statement (a name from `with`, or a parenthesised query) with one
   * row per transfer and the columns `action_id` (bigint or null), `amount_minor`
   * (bigint: rows of 0 post nothing, a negative one fails the statement), `currency`,
   * `debit_owner` and `credit_owner` (the accounts' owner account ids); with
   * `withReference`, also `reference` (text: what each transfer belongs to, `paystub:7`).
   */
  rows: string;
  withReference?: boolean;
  params: unknown[];
}

export interface SetBasedPosting {
  /** ledger_transfers.kind of every transfer: ACTION_LOCKED, … */
  kind: string;
  /** The account every transfer debits, at its row's debit_owner in its currency. */
  debit: LedgerAccountCode;
  /** The account every transfer credits, at its row's credit_owner in its currency. */
  credit: LedgerAccountCode;
  at: Date;
  /**
   * Every owner and currency the source's rows may name (repeats are fine). Their
   * accounts are created before the statement, which only finds them: rows inserted by
   * the statement itself would not be visible to its own joins.
   */
  owners: ReadonlyArray<{ debitOwner: number; creditOwner: number; currency: string }>;
  source: PostingSource;
  /** True when the caller has created (and locked) every account of `owners` already in this transaction: they are not looked for again. */
  accountsLocked?: boolean;
}

/**
 * Posts many transfers of one kind between one pair of account codes in one statement,
 * in the caller's transaction: the set-based counterpart of postTransfers, for the jobs
 * that move money for thousands of actions at a time (locking: BRAND_PAYABLE →
 * PARTNER_PAYMENT_PENDING; a payout run's paystubs: PARTNER_AVAILABLE → PARTNER_PAID and
 * PLATFORM_FEES). Every transfer moves
 * one positive amount between two accounts of its currency, so the posting balances by
 * construction. The statement returns what each account gains; the accounts are then
 * locked in id order, the one order every posting uses, and their balances updated,
 * at the end of the caller's transaction, so concurrent postings (two lock workers)
 * hold the account rows only for that last step and never deadlock.
 *
 * A row whose account does not exist (an owner left out of `owners`), a negative amount
 * or a transfer from an account to itself fails the statement (the table's constraints)
 * rather than being left out. Returns how many transfers were written.
 */
export async function postTransfersSetBased(tx: Sql, posting: SetBasedPosting): Promise<{ transfers: number }> {
  return postTransferSetsSetBased(tx, [posting]);
}

/**
 * Several set-based postings in the caller's transaction, each its own statement, with
 * their accounts' balances updated together at the end (one update however many
 * postings): a paystub's net and fee, two kinds of transfer from the same available
 * accounts, update each of those accounts once.
 */
export async function postTransferSetsSetBased(tx: Sql, postings: readonly SetBasedPosting[]): Promise<{ transfers: number }> {
  const totals = new Map<number, { id: number; d: bigint; c: bigint }>();
  let transfers = 0;
  for (const posting of postings) {
    for (const row of await insertSetBased(tx, posting)) {
      const total = totals.get(row.id) ?? { id: row.id, d: 0n, c: 0n };
      total.d += BigInt(row.d);
      total.c += BigInt(row.c);
      totals.set(row.id, total);
      transfers += row.n;
    }
  }
  const sums = [...totals.values()].map((t) => ({ id: t.id, d: t.d.toString(), c: t.c.toString() }));
  await addToBalances(tx, sums, { lock: !postings.every((p) => p.accountsLocked) });
  return { transfers };
}

/** One posting's transfers, inserted; answers what each account gains, for the balances' update. */
async function insertSetBased(tx: Sql, posting: SetBasedPosting): Promise<Array<{ id: number; d: string; c: string; n: number }>> {
  // The codes go into the statement as literals, as a hand-written posting would have them
  // (the planner sees the same statement every time); they are checked against the
  // ledger's closed list first.
  for (const code of [posting.debit, posting.credit]) {
    if (!CODES.has(code)) throw new Error(`${code} is not a ledger account code.`);
  }
  const refs = new Map<string, { code: string; owner: number; currency: string }>();
  for (const { debitOwner, creditOwner, currency } of posting.owners) {
    refs.set(`${posting.debit}|${debitOwner}|${currency}`, { code: posting.debit, owner: debitOwner, currency });
    refs.set(`${posting.credit}|${creditOwner}|${currency}`, { code: posting.credit, owner: creditOwner, currency });
  }
  if (!posting.accountsLocked) await ensureLedgerAccounts(tx, [...refs.values()]);

  const { source } = posting;
  const kindParam = `$${source.params.length + 1}::text`;
  const atParam = `$${source.params.length + 2}::timestamptz`;
  // Left joins: a missing account gives a null account id, which the table refuses
  // (not null), so the whole posting fails instead of quietly posting less.
  const { rows: sums } = await tx.query<{ id: number; d: string; c: string; n: number }>(
    `with ${source.with ? `${source.with},` : ''}
     xfers as (
       insert into ledger_transfers (debit_account_id, credit_account_id, amount_minor, currency, kind, action_id, at, reference)
       select d.id, cr.id, u.amount_minor, u.currency, ${kindParam}, u.action_id, ${atParam}, ${source.withReference ? 'u.reference' : 'null::text'}
         from ${source.rows} u
         left join ledger_accounts d
           on d.code = '${posting.debit}' and d.owner_account_id = u.debit_owner and d.currency = u.currency
         left join ledger_accounts cr
           on cr.code = '${posting.credit}' and cr.owner_account_id = u.credit_owner and cr.currency = u.currency
        where u.amount_minor <> 0
    returning debit_account_id, credit_account_id, amount_minor
     )
     select id, sum(d)::text as d, sum(c)::text as c, sum(n)::int as n from (
       select debit_account_id as id, amount_minor as d, 0::bigint as c, 1 as n from xfers
       union all
       select credit_account_id, 0, amount_minor, 0 from xfers
     ) t group by id order by id`,
    [...source.params, posting.kind, posting.at],
  );
  return sums;
}
