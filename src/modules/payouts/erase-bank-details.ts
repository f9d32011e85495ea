/**
 * The payouts module's part of erasing a closed partner account's personal data: its
 * bank and PayPal details (withdrawal settings and every paystub's copy of them, stored
 * encrypted) and what the bank files it was paid in say of it (holder name, IBAN or
 * account number, PayPal address).
 */
import { ERASED, scrubColumn } from '../../db/scrub.js';
import type { Sql } from '../../db/types.js';
import type { WithdrawalDestination } from '../../payments/bank-details.js';
import { decryptDestination } from './destination.js';
import { payoutConfigOrThrow } from './payout-config.js';

/** The personal values of every destination the partner ever had on file (settings and paystubs), decrypted. */
export async function bankDetailValues(tx: Sql, partnerAccountId: number): Promise<string[]> {
  const { rows } = await tx.query<{ secret: string }>(
    `select destination_secret as secret from withdrawal_settings where partner_account_id = $1
     union
     select destination_secret from paystubs where partner_account_id = $1 and destination_secret <> ''`,
    [partnerAccountId],
  );
  if (rows.length === 0) return [];
  const key = payoutConfigOrThrow().secretsKey();
  const values = new Set<string>();
  for (const row of rows) for (const value of destinationValues(decryptDestination(key, row.secret))) values.add(value);
  return [...values];
}

function destinationValues(destination: WithdrawalDestination): string[] {
  if (destination.method === 'PAYPAL') return [destination.paypalEmail];
  const account = destination.account;
  if (account.kind !== 'IBAN') return [destination.holderName, account.accountNumber];
  // An IBAN is stored compact; people write it in groups of four.
  const compact = account.iban.replaceAll(' ', '');
  return [destination.holderName, compact, compact.replace(/(.{4})/g, '$1 ').trim()];
}

/**
 * Erases them, in the closure's erasure step: the bank files that paid the partner no
 * longer hold its values (`values`, from bankDetailValues and the account's names), its
 * paystubs keep their amounts but no destination, and its withdrawal settings are gone.
 */
export async function eraseBankDetails(tx: Sql, partnerAccountId: number, values: readonly string[]): Promise<void> {
  await scrubColumn(tx, {
    table: 'payout_file_chunks',
    column: 'content',
    where: 'file_id in (select distinct file_id from paystubs where partner_account_id = $3 and file_id is not null)',
    params: [partnerAccountId],
    values,
  });
  await tx.query(`update paystubs set destination_secret = '', destination_masked = $2 where partner_account_id = $1`, [partnerAccountId, ERASED]);
  await tx.query('delete from withdrawal_settings where partner_account_id = $1', [partnerAccountId]);
}
