import type { Sql } from '../../db/types.js';
import type { LedgerAccountCode } from './post-transfers.js';

export interface LedgerBalance {
  code: LedgerAccountCode;
  currency: string;
  debitsMinor: bigint;
  creditsMinor: bigint;
  /** credits − debits: what the account holds (a partner's funds) or, negative, owes (a brand's payable). */
  balanceMinor: bigint;
}

export async function getLedgerBalances(sql: Sql, ownerAccountId: number): Promise<LedgerBalance[]> {
  const { rows } = await sql.query<{ code: LedgerAccountCode; currency: string; debits: bigint; credits: bigint }>(
    `select code, currency, debits_posted_minor as debits, credits_posted_minor as credits
       from ledger_accounts where owner_account_id = $1 order by code, currency`,
    [ownerAccountId],
  );
  return rows.map((row) => ({
    code: row.code,
    currency: row.currency,
    debitsMinor: row.debits,
    creditsMinor: row.credits,
    balanceMinor: row.credits - row.debits,
  }));
}
