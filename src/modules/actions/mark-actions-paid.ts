import type { Sql } from '../../db/types.js';
import { recordActionEvents } from './action-events.js';

export interface SettledActions {
  /** How many actions the paystub (or forfeit) now settles. */
  count: number;
  /** The sum of their payouts, in minor units of the currency. */
  payoutMinor: bigint;
}

/**
 * Marks a partner's cleared, unsettled actions in a currency as paid by a paystub: their
 * payouts are what the paystub withdraws (the available balance is these payouts), and
 * each carries the paystub's id from now on (`PaystubId`), with its action.paid event. In
 * the caller's transaction; the caller compares the sum with the balance it withdraws.
 */
export async function markActionsPaid(
  tx: Sql,
  input: { partnerAccountId: number; currency: string; paystubId: bigint; now: Date },
): Promise<SettledActions> {
  const { rows } = await tx.query<{ id: bigint; payout_minor: bigint }>(
    `update actions set paystub_id = $3, updated_at = $4
      where partner_account_id = $1 and currency = $2 and cleared_at is not null and paystub_id is null and forfeit_id is null
      returning id, payout_minor`,
    [input.partnerAccountId, input.currency, input.paystubId.toString(), input.now],
  );
  await recordActionEvents(tx, rows.map((row) => ({ id: row.id, type: 'action.paid' as const })), rows.length ? [input.currency] : [], input.now);
  return { count: rows.length, payoutMinor: rows.reduce((sum, row) => sum + row.payout_minor, 0n) };
}

/**
 * A paystub the bank returned: its actions are unpaid again (no PaystubId), so the next
 * paystub pays them with the money the correction made available again; each writes its
 * action.payment_returned event.
 */
export async function unmarkActionsPaid(tx: Sql, input: { paystubId: bigint; now: Date }): Promise<SettledActions> {
  const { rows } = await tx.query<{ id: bigint; payout_minor: bigint; currency: string }>(
    `update actions set paystub_id = null, updated_at = $2 where paystub_id = $1 returning id, payout_minor, currency`,
    [input.paystubId.toString(), input.now],
  );
  await recordActionEvents(tx, rows.map((row) => ({ id: row.id, type: 'action.payment_returned' as const })), new Set(rows.map((row) => row.currency)), input.now);
  return { count: rows.length, payoutMinor: rows.reduce((sum, row) => sum + row.payout_minor, 0n) };
}

/**
 * A forfeited balance: the partner's cleared, unsettled actions in the currency are
 * settled by the forfeit (never paid later). Nothing an action shows changes, so no event.
 */
export async function markActionsForfeited(
  tx: Sql,
  input: { partnerAccountId: number; currency: string; forfeitId: number; now: Date },
): Promise<SettledActions> {
  const { rows } = await tx.query<{ payout_minor: bigint }>(
    `update actions set forfeit_id = $3
      where partner_account_id = $1 and currency = $2 and cleared_at is not null and paystub_id is null and forfeit_id is null
      returning payout_minor`,
    [input.partnerAccountId, input.currency, input.forfeitId],
  );
  return { count: rows.length, payoutMinor: rows.reduce((sum, row) => sum + row.payout_minor, 0n) };
}
