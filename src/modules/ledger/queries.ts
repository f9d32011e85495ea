import type { Sql } from '../../db/types.js';
import { lockLedgerAccounts, type LedgerAccountCode } from './post-transfers.js';

/**
 * Locks a partner's funds accounts in one currency (available, paid, forfeited and the
 * fees charged to it), in id order as every posting locks them, and answers the available
 * balance as it is under the lock: what a paystub or a forfeit may take, with nothing able
 * to post to it until the caller's transaction ends.
 */
export async function lockPartnerFunds(tx: Sql, partnerAccountId: number, currency: string): Promise<{ availableMinor: bigint }> {
  const codes: LedgerAccountCode[] = ['PARTNER_AVAILABLE', 'PARTNER_PAID', 'PARTNER_FORFEITED', 'PLATFORM_FEES'];
  const ids = await lockLedgerAccounts(
    tx,
    codes.map((code) => ({ code, owner: partnerAccountId, currency })),
  );
  const { rows } = await tx.query<{ balance: bigint }>(
    'select credits_posted_minor - debits_posted_minor as balance from ledger_accounts where id = $1',
    [ids.get(`PARTNER_AVAILABLE|${partnerAccountId}|${currency}`)],
  );
  return { availableMinor: rows[0]!.balance };
}

/**
 * The accounts a paystub posts to, for many partners and currencies at once (a payout
 * run's chunk): available, paid and the fees, created if need be and locked together in
 * id order; the available balances under the lock are answered keyed `partner|currency`.
 * (The forfeited account is not needed: a forfeit takes the available account's lock too.)
 */
export async function lockPartnersFunds(
  tx: Sql,
  pairs: ReadonlyArray<{ partnerAccountId: number; currency: string }>,
): Promise<Map<string, bigint>> {
  const codes: LedgerAccountCode[] = ['PARTNER_AVAILABLE', 'PARTNER_PAID', 'PLATFORM_FEES'];
  const ids = await lockLedgerAccounts(
    tx,
    pairs.flatMap(({ partnerAccountId, currency }) => codes.map((code) => ({ code, owner: partnerAccountId, currency }))),
  );
  const availableIds = pairs.map(({ partnerAccountId, currency }) => ids.get(`PARTNER_AVAILABLE|${partnerAccountId}|${currency}`)!);
  const { rows } = await tx.query<{ owner: number; currency: string; balance: bigint }>(
    `select owner_account_id as owner, currency, credits_posted_minor - debits_posted_minor as balance from ledger_accounts where id = any($1::int[])`,
    [availableIds],
  );
  return new Map(rows.map((row) => [`${row.owner}|${row.currency}`, row.balance]));
}

/** An account's balance (credits − debits) without locking it; 0 when the account does not exist yet. */
export async function ledgerBalanceMinor(sql: Sql, code: LedgerAccountCode, ownerAccountId: number, currency: string): Promise<bigint> {
  const { rows } = await sql.query<{ balance: bigint }>(
    `select credits_posted_minor - debits_posted_minor as balance from ledger_accounts
      where code = $1 and owner_account_id = $2 and currency = $3`,
    [code, ownerAccountId, currency],
  );
  return rows[0]?.balance ?? 0n;
}

export interface PositiveBalance {
  ownerAccountId: number;
  currency: string;
  balanceMinor: bigint;
}

/**
 * The accounts of one code with a positive balance, in (owner, currency) order after the
 * cursor, read from the accounts' unique key (code, owner, currency): a payout run walks
 * every partner's available funds this way, a page at a time.
 */
export async function positiveBalancesAfter(
  sql: Sql,
  code: LedgerAccountCode,
  after: { ownerAccountId: number; currency: string },
  limit: number,
): Promise<PositiveBalance[]> {
  const { rows } = await sql.query<PositiveBalance>(
    `select owner_account_id as "ownerAccountId", currency, credits_posted_minor - debits_posted_minor as "balanceMinor"
       from ledger_accounts
      where code = $1 and (owner_account_id, currency) > ($2, $3) and credits_posted_minor - debits_posted_minor > 0
      order by owner_account_id, currency
      limit $4`,
    [code, after.ownerAccountId, after.currency, limit],
  );
  return rows;
}

export interface TransferRow {
  id: bigint;
  kind: string;
  debitCode: LedgerAccountCode;
  creditCode: LedgerAccountCode;
  amountMinor: bigint;
  currency: string;
  correctsTransferId: bigint | null;
  at: Date;
}

/** The transfers that belong to something (`paystub:7`), in order: what a correction reverses. */
export async function transfersOfReference(sql: Sql, reference: string): Promise<TransferRow[]> {
  const { rows } = await sql.query<TransferRow>(
    `select t.id, t.kind, d.code as "debitCode", c.code as "creditCode", t.amount_minor as "amountMinor", t.currency,
            t.corrects_transfer_id as "correctsTransferId", t.at
       from ledger_transfers t join ledger_accounts d on d.id = t.debit_account_id join ledger_accounts c on c.id = t.credit_account_id
      where t.reference = $1 order by t.id`,
    [reference],
  );
  return rows;
}
