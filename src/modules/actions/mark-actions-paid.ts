import type { Sql } from '../../db/types.js';
import { eventCoverageFrom } from '../../outbox/record-events.js';
import { recordActionEvents, recordPaidActionEvents } from './action-events.js';

export interface SettledActions {
  /** How many actions the paystub (or forfeit) now settles. */
  count: number;
  /** The sum of their payouts, in minor units of the currency. */
  payoutMinor: bigint;
}

/** A paystub about to be made: whose cleared, unsettled actions in which currency it pays. */
export interface PaystubToMark {
  paystubId: bigint;
  partnerAccountId: number;
  currency: string;
}

export interface MarkedActions extends SettledActions {
  /** The actions now carrying the paystub's id. */
  actionIds: string[];
}

/**
 * Marks the cleared, unsettled actions of many partners (each in one currency) as paid by
 * their paystubs, in one statement: their payouts are what each paystub withdraws (the
 * available balance is these payouts), and each carries its paystub's id from now on
 * (`PaystubId`). In the caller's transaction, which holds the partners' funds accounts;
 * no event yet: the caller compares each paystub's sum with the balance it withdraws,
 * keeps the ones that agree (recordPaidEvents) and rolls the rest back. Answers per
 * paystub id (decimal text) what it marked; a paystub with no action is left out.
 */
export async function markActionsPaid(tx: Sql, paystubs: readonly PaystubToMark[], now: Date): Promise<Map<string, MarkedActions>> {
  const marked = new Map<string, MarkedActions>();
  if (paystubs.length === 0) return marked;
  const { rows } = await tx.query<{ id: string; payout: bigint; paystub: string }>(
    `update actions a set paystub_id = m.paystub_id, updated_at = $4
       from unnest($1::int[], $2::text[], $3::bigint[]) as m(partner_account_id, currency, paystub_id)
      where a.partner_account_id = m.partner_account_id and a.currency = m.currency
        and a.cleared_at is not null and a.paystub_id is null and a.forfeit_id is null
      returning a.id::text as id, a.payout_minor as payout, m.paystub_id::text as paystub`,
    [paystubs.map((p) => p.partnerAccountId), paystubs.map((p) => p.currency), paystubs.map((p) => p.paystubId.toString()), now],
  );
  for (const row of rows) {
    const entry = marked.get(row.paystub) ?? { count: 0, payoutMinor: 0n, actionIds: [] };
    entry.count += 1;
    entry.payoutMinor += BigInt(row.payout);
    entry.actionIds.push(row.id);
    marked.set(row.paystub, entry);
  }
  return marked;
}

/** The action.paid events of actions markActionsPaid marked and the caller kept, in one statement (changes only, see recordPaidActionEvents). */
export async function recordPaidEvents(tx: Sql, actionIds: readonly string[], currencies: Iterable<string>, now: Date): Promise<void> {
  if (actionIds.length === 0) return;
  await recordPaidActionEvents(tx, actionIds, currencies, now, await eventCoverageFrom(tx, 'action'));
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
