import type { Sql } from '../../db/types.js';
import type { EventTypePayout, TermsJson } from '../programs/terms/index.js';
import { termsFromJson } from '../programs/terms/index.js';
import type { ActionSnapshot } from './transitions.js';
import { itemsFromJson, type ActionItemJson } from './types.js';

/** An action with what the state machine needs: its contract's terms and its program's time zone. */
export interface LoadedAction extends ActionSnapshot {
  brandAccountId: number;
  partnerAccountId: number;
  programId: number;
  eventTypeId: number;
  contractId: number;
  eventAt: Date;
  currency: string;
  programTimeZone: string;
  terms: ReturnType<typeof termsFromJson>;
}

/** As read from the database: items and terms still in their JSON form. */
type LoadedRow = Omit<LoadedAction, 'items' | 'originalItems' | 'terms'> & {
  items: ActionItemJson[] | null;
  originalItems: ActionItemJson[] | null;
  terms: TermsJson;
};

/**
 * Loads and row-locks actions, in id order so that overlapping bulk operations lock in
 * the same order and cannot deadlock. A brand sees only its own actions.
 */
export function lockActions(tx: Sql, ids: readonly bigint[], brandAccountId: number | null): Promise<Map<bigint, LoadedAction>> {
  return loadActions(tx, ids, brandAccountId, true);
}

/**
 * Loads actions as lockActions does; unlocked (`lock` false) for what only plans a change
 * and writes nothing (a dry run), so that it never waits behind, or holds up, a change.
 */
export async function loadActions(sql: Sql, ids: readonly bigint[], brandAccountId: number | null, lock = false): Promise<Map<bigint, LoadedAction>> {
  const { rows } = await sql.query<LoadedRow>(
    `select a.id, a.state, a.event_kind as "eventKind", a.amount_minor as "amountMinor", a.payout_minor as "payoutMinor",
            a.original_amount_minor as "originalAmountMinor", a.original_payout_minor as "originalPayoutMinor",
            a.items, a.original_items as "originalItems", a.locking_at as "lockingAt", a.modification_count as "modificationCount",
            a.reversal_reason as "reversalReason", a.brand_account_id as "brandAccountId", a.partner_account_id as "partnerAccountId",
            a.program_id as "programId", a.event_type_id as "eventTypeId", a.contract_id as "contractId", a.event_at as "eventAt",
            a.currency, p.time_zone as "programTimeZone", c.terms
       from actions a
       join contracts c on c.id = a.contract_id
       join programs p on p.id = a.program_id
      where a.id = any($1::bigint[]) and ($2::int is null or a.brand_account_id = $2)
      order by a.id
        ${lock ? 'for update of a' : ''}`,
    [ids.map(String), brandAccountId],
  );
  return new Map(
    rows.map((row) => [
      row.id,
      { ...row, items: itemsFromJson(row.items), originalItems: itemsFromJson(row.originalItems), terms: termsFromJson(row.terms) },
    ]),
  );
}

export function payoutRuleFor(terms: LoadedAction['terms'], eventTypeId: number): EventTypePayout {
  return (
    terms.payouts.find((payout) => payout.eventTypeId === eventTypeId) ?? {
      eventTypeId,
      payout: { kind: 'FIXED', amountMinor: 0n },
      groups: [],
    }
  );
}
