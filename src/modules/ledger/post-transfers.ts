import type { Sql } from '../../db/types.js';

/**
 * The ledger's accounts, each per owner and currency. The money's path: a lock moves a
 * payout from the brand's BRAND_PAYABLE to the partner's PARTNER_PAYMENT_PENDING; the
 * brand's payment of its statement moves money from BRAND_PAID (what it has paid in,
 * negative) to BRAND_PAYABLE; clearing moves the partner's payouts from payment pending
 * to PARTNER_AVAILABLE; a paystub moves them to PARTNER_PAID (the net sent) and
 * PLATFORM_FEES (the method's fee); a forfeit to PARTNER_FORFEITED. Every account's
 * balance is its credits less its debits, and all of them sum to zero.
 */
export type LedgerAccountCode =
  | 'BRAND_PAYABLE'
  | 'BRAND_PAID'
  | 'PARTNER_PAYMENT_PENDING'
  | 'PARTNER_AVAILABLE'
  | 'PARTNER_PAID'
  | 'PARTNER_FORFEITED'
  | 'PLATFORM_FEES';

export interface LedgerAccountRef {
  code: LedgerAccountCode;
  ownerAccountId: number;
}

export interface TransferInput {
  debit: LedgerAccountRef;
  credit: LedgerAccountRef;
  amountMinor: bigint;
  currency: string;
  kind: string;
  actionId?: bigint | null;
  correctsTransferId?: bigint | null;
  /** What the transfer belongs to when not one action: `statement:12`, `paystub:7`. */
  reference?: string | null;
  at: Date;
}

const key = (code: string, owner: number, currency: string) => `${code}|${owner}|${currency}`;

type AccountKey = { code: string; owner: number; currency: string };

function keyColumns(refs: ReadonlyArray<AccountKey>): [string[], number[], string[]] {
  return [refs.map((r) => r.code), refs.map((r) => r.owner), refs.map((r) => r.currency)];
}

/** Creates the ledger accounts that do not exist yet; locks nothing that exists. */
export async function ensureLedgerAccounts(tx: Sql, refs: ReadonlyArray<AccountKey>): Promise<void> {
  if (refs.length === 0) return;
  await tx.query(
    `insert into ledger_accounts (code, owner_account_id, currency)
     select * from unnest($1::text[], $2::int[], $3::text[])
     on conflict (code, owner_account_id, currency) do nothing`,
    keyColumns(refs),
  );
}

/**
 * Creates the ledger accounts that do not exist yet and locks all of them in id order,
 * the one order every posting uses, so concurrent postings never deadlock. Returns
 * their ids keyed "code|owner|currency".
 */
export async function lockLedgerAccounts(tx: Sql, refs: ReadonlyArray<AccountKey>): Promise<Map<string, number>> {
  if (refs.length === 0) return new Map();
  await ensureLedgerAccounts(tx, refs);
  const columns = keyColumns(refs);
  const { rows } = await tx.query<{ id: number; code: string; owner: number; currency: string }>(
    `select id, code, owner_account_id as owner, currency from ledger_accounts
      where (code, owner_account_id, currency) in (select * from unnest($1::text[], $2::int[], $3::text[]))
      order by id for update`,
    columns,
  );
  return new Map(rows.map((row) => [key(row.code, row.owner, row.currency), row.id]));
}

/**
 * Posts transfers in the caller's transaction. Each transfer moves one positive amount
 * between two ledger accounts of its currency, so every posting balances by
 * construction. Account balances are updated in the same transaction, with the account
 * rows locked in id order so that concurrent postings never deadlock.
 */
export async function postTransfers(tx: Sql, transfers: readonly TransferInput[]): Promise<void> {
  const live = transfers.filter((t) => t.amountMinor !== 0n);
  for (const t of live) {
    if (t.amountMinor < 0n) throw new Error(`A transfer amount must be positive, got ${t.amountMinor}.`);
  }
  if (live.length === 0) return;

  const wanted = new Map<string, { code: string; owner: number; currency: string }>();
  for (const t of live) {
    for (const ref of [t.debit, t.credit]) {
      wanted.set(key(ref.code, ref.ownerAccountId, t.currency), { code: ref.code, owner: ref.ownerAccountId, currency: t.currency });
    }
  }
  const idOf = await lockLedgerAccounts(tx, [...wanted.values()]);
  const accountId = (ref: LedgerAccountRef, currency: string) => idOf.get(key(ref.code, ref.ownerAccountId, currency))!;

  await tx.query(
    `insert into ledger_transfers (debit_account_id, credit_account_id, amount_minor, currency, kind, action_id, corrects_transfer_id, at, reference)
     select * from unnest($1::int[], $2::int[], $3::bigint[], $4::text[], $5::text[], $6::bigint[], $7::bigint[], $8::timestamptz[], $9::text[])`,
    [
      live.map((t) => accountId(t.debit, t.currency)),
      live.map((t) => accountId(t.credit, t.currency)),
      live.map((t) => t.amountMinor.toString()),
      live.map((t) => t.currency),
      live.map((t) => t.kind),
      live.map((t) => (t.actionId === undefined || t.actionId === null ? null : t.actionId.toString())),
      live.map((t) => (t.correctsTransferId ? t.correctsTransferId.toString() : null)),
      live.map((t) => t.at.toISOString()),
      live.map((t) => t.reference ?? null),
    ],
  );

  const debits = new Map<number, bigint>();
  const credits = new Map<number, bigint>();
  for (const t of live) {
    const d = accountId(t.debit, t.currency);
    const c = accountId(t.credit, t.currency);
    debits.set(d, (debits.get(d) ?? 0n) + t.amountMinor);
    credits.set(c, (credits.get(c) ?? 0n) + t.amountMinor);
  }
  const ids = [...new Set([...debits.keys(), ...credits.keys()])].sort((a, b) => a - b);
  // The accounts are locked already (lockLedgerAccounts above).
  await addToBalances(
    tx,
    ids.map((id) => ({ id, d: (debits.get(id) ?? 0n).toString(), c: (credits.get(id) ?? 0n).toString() })),
    { lock: false },
  );
}

/**
 * Adds posted sums to account balances (`d` and `c`: what the account's new transfers
 * debit and credit it, in minor units as decimal text), in id order. With `lock`, first
 * locks the accounts in id order, the one order every posting uses: a set-based posting
 * locks them only here, at the end of its transaction, so two of them side by side hold
 * the account rows for as short a time as possible.
 */
export async function addToBalances(
  tx: Sql,
  sums: ReadonlyArray<{ id: number; d: string; c: string }>,
  options: { lock: boolean },
): Promise<void> {
  if (sums.length === 0) return;
  const sorted = [...sums].sort((a, b) => a.id - b.id);
  const ids = sorted.map((row) => row.id);
  if (options.lock) await tx.query('select id from ledger_accounts where id = any($1::int[]) order by id for update', [ids]);
  await tx.query(
    `update ledger_accounts la
        set debits_posted_minor = la.debits_posted_minor + s.d, credits_posted_minor = la.credits_posted_minor + s.c
       from unnest($1::int[], $2::bigint[], $3::bigint[]) as s(id, d, c)
      where la.id = s.id`,
    [ids, sorted.map((row) => row.d), sorted.map((row) => row.c)],
  );
}
