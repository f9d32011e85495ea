import type { Sql } from '../../db/types.js';
import type { ModificationRecord } from './record-modifications.js';
import { itemsToJson, type ActionItem, type EventKind } from './types.js';
import { recordActionEvents } from './action-events.js';

/** A new pending action: what it was created from, who earns what, and its dates. */
export interface NewAction {
  /** The conversion it was created from, or null for a cost-per-click action (then clickId). */
  conversionId: bigint | null;
  /** The click a cost-per-click action pays for (one action per click), or null for a conversion's action. */
  clickId: string | null;
  programId: number;
  brandAccountId: number;
  eventTypeId: number;
  eventKind: EventKind;
  partnerAccountId: number;
  contractId: number;
  orderId: string;
  currency: string;
  amountMinor: bigint;
  payoutMinor: bigint;
  items: readonly ActionItem[] | null;
  eventAt: Date;
  referringAt: Date | null;
  lockingAt: Date;
  paymentDueAt: Date;
}

/** Who created the actions of one call, and when: their CREATE modification records say so. */
export interface ActionCreation {
  at: Date;
  actorKind: ModificationRecord['actorKind'];
  actorUserId: number | null;
  /** The API credential that made them (a conversion posted with an Auth Token); null otherwise. */
  actorCredentialId?: number | null;
  detail?: Record<string, unknown> | null;
}

export interface InsertedAction {
  id: bigint;
  conversionId: bigint | null;
  clickId: string | null;
}

/**
 * The one way actions come to exist: writes pending actions and their first history
 * record (CREATE, seq 1) in one statement, in the caller's transaction, so an action never
 * exists without its record and the caller's own row (a conversion, a credited click)
 * commits with its action or not at all. Returns one row per action (not in input
 * order: find them by conversionId or clickId); throws, rolling the caller's transaction
 * back, if the database wrote a different number of actions than asked.
 */
export async function insertActions(tx: Sql, actions: readonly NewAction[], creation: ActionCreation): Promise<InsertedAction[]> {
  if (actions.length === 0) return [];
  const { rows } = await tx.query<InsertedAction>(
    `with ins as (
       insert into actions (conversion_id, click_id, program_id, brand_account_id, event_type_id, event_kind, partner_account_id,
                            contract_id, state, order_id, currency, amount_minor, payout_minor, original_amount_minor,
                            original_payout_minor, items, original_items, event_at, referring_at, locking_at, payment_due_at,
                            modification_count, created_at, updated_at)
       select u.conversion_id, u.click_id, u.program_id, u.brand, u.event_type_id, u.event_kind, u.partner, u.contract_id, 'PENDING',
              u.order_id, u.currency, u.amount, u.payout, u.amount, u.payout, u.items, u.items, u.event_at, u.referring_at,
              u.locking_at, u.payment_due_at, 1, $1::timestamptz, $1::timestamptz
         from unnest($5::bigint[], $6::text[], $7::int[], $8::int[], $9::int[], $10::text[], $11::int[], $12::int[], $13::text[],
                     $14::text[], $15::bigint[], $16::bigint[], $17::jsonb[], $18::timestamptz[], $19::timestamptz[],
                     $20::timestamptz[], $21::timestamptz[])
              as u(conversion_id, click_id, program_id, brand, event_type_id, event_kind, partner, contract_id, order_id, currency,
                   amount, payout, items, event_at, referring_at, locking_at, payment_due_at)
       returning id, conversion_id, click_id, amount_minor, payout_minor
     ), created as (
       insert into action_modifications
         (action_id, seq, at, actor_kind, actor_user_id, operation, state_after, amount_after_minor, payout_after_minor, detail,
          actor_credential_id)
       select id, 1, $1::timestamptz, $2::text, $3::int, 'CREATE', 'PENDING', amount_minor, payout_minor, $4::jsonb, $22::int from ins
     )
     select id, conversion_id as "conversionId", click_id as "clickId" from ins`,
    [
      creation.at,
      creation.actorKind,
      creation.actorUserId,
      creation.detail ? JSON.stringify(creation.detail) : null,
      actions.map((a) => (a.conversionId === null ? null : a.conversionId.toString())),
      actions.map((a) => a.clickId),
      actions.map((a) => a.programId),
      actions.map((a) => a.brandAccountId),
      actions.map((a) => a.eventTypeId),
      actions.map((a) => a.eventKind),
      actions.map((a) => a.partnerAccountId),
      actions.map((a) => a.contractId),
      actions.map((a) => a.orderId),
      actions.map((a) => a.currency),
      actions.map((a) => a.amountMinor.toString()),
      actions.map((a) => a.payoutMinor.toString()),
      actions.map((a) => (a.items ? JSON.stringify(itemsToJson(a.items)) : null)),
      actions.map((a) => a.eventAt.toISOString()),
      actions.map((a) => a.referringAt?.toISOString() ?? null),
      actions.map((a) => a.lockingAt.toISOString()),
      actions.map((a) => a.paymentDueAt.toISOString()),
      creation.actorCredentialId ?? null,
    ],
  );
  if (rows.length !== actions.length) {
    throw new Error(`${actions.length} action(s) were to be written but ${rows.length} were; nothing was kept.`);
  }
  await recordActionEvents(tx, rows.map((row) => ({ id: row.id, type: 'action.created' as const })), actions.map((a) => a.currency), creation.at);
  return rows;
}
