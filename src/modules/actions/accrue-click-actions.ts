import type { Sql } from '../../db/types.js';
import { recordActionEvents } from './action-events.js';

/** The clicks of one contract and day that a credit run adds to that day's cost-per-click action. */
export interface ClickAccrual {
  programId: number;
  brandAccountId: number;
  eventTypeId: number;
  partnerAccountId: number;
  contractId: number;
  currency: string;
  /** The clicks' day in the program's time zone, `YYYY-MM-DD`. */
  day: string;
  clicks: number;
  /** What these clicks pay: `clicks` × the contract's per-click payout. */
  payoutMinor: bigint;
  /** A new action's event date: the first of these clicks. */
  firstClickAt: Date;
  /** A new action's locking and payment dates (from firstClickAt and the contract's terms). */
  lockingAt: Date;
  paymentDueAt: Date;
}

export interface AccrualOutcome {
  created: number;
  accrued: number;
}

/**
 * Cost per click, one action per contract and day (migration 0015): each accrual adds its
 * clicks and payout to the contract's pending action of that day, while it is pending and
 * before its locking date (so a locked action is never edited), or creates that action
 * (with its CREATE record) when there is none. The added payout is part of what the
 * action was created for, so it goes into the intended payout too (a brand's later
 * modification keeps its delta). Each action touched gets its event in the same
 * statement's transaction: `action.created` or `action.accrued`. Runs in the caller's
 * transaction (the credit job's chunk, which also moves its cursor past these clicks), so
 * the clicks are counted in an action exactly when the cursor has passed them. Callers
 * hold the credit job's advisory lock: one accrual at a time, so two never create the
 * same day's action.
 */
export async function accrueClickActions(tx: Sql, accruals: readonly ClickAccrual[], now: Date): Promise<AccrualOutcome> {
  if (accruals.length === 0) return { created: 0, accrued: 0 };
  const { rows } = await tx.query<{ id: string; created: boolean }>(
    `with u as (
       select * from unnest($2::int[], $3::int[], $4::int[], $5::int[], $6::int[], $7::text[], $8::date[], $9::int[], $10::bigint[],
                            $11::timestamptz[], $12::timestamptz[], $13::timestamptz[])
         as u(program_id, brand, event_type_id, partner, contract_id, currency, day, clicks, payout, first_at, locking_at, payment_due_at)
     ), target as (
       select u.contract_id, u.day,
              (select a.id from actions a
                where a.contract_id = u.contract_id and a.click_day = u.day and a.click_day is not null and a.state = 'PENDING'
                  and a.locking_at > $1 and a.event_type_id = u.event_type_id
                order by a.id desc limit 1) as id
         from u
     ), accrued as (
       update actions a
          set payout_minor = a.payout_minor + u.payout, original_payout_minor = a.original_payout_minor + u.payout,
              click_count = a.click_count + u.clicks, updated_at = $1
         from u join target t on t.contract_id = u.contract_id and t.day = u.day
        where a.id = t.id and a.state = 'PENDING' and a.locking_at > $1
       returning a.id
     ), ins as (
       insert into actions (program_id, brand_account_id, event_type_id, event_kind, partner_account_id, contract_id, state, order_id,
                            currency, amount_minor, payout_minor, original_amount_minor, original_payout_minor, event_at, referring_at,
                            locking_at, payment_due_at, click_day, click_count, modification_count, created_at, updated_at)
       select u.program_id, u.brand, u.event_type_id, 'CLICK', u.partner, u.contract_id, 'PENDING', 'CLICKS-' || to_char(u.day, 'YYYY-MM-DD'),
              u.currency, 0, u.payout, 0, u.payout, u.first_at, u.first_at, u.locking_at, u.payment_due_at, u.day, u.clicks, 1, $1, $1
         from u join target t on t.contract_id = u.contract_id and t.day = u.day
        where t.id is null
       returning id, payout_minor
     ), created as (
       insert into action_modifications
         (action_id, seq, at, actor_kind, actor_user_id, operation, state_after, amount_after_minor, payout_after_minor, detail)
       select id, 1, $1, 'SYSTEM', null, 'CREATE', 'PENDING', 0, payout_minor, '{"source":"CLICK"}'::jsonb from ins
     )
     select id::text, true as created from ins
     union all
     select id::text, false from accrued`,
    [
      now,
      accruals.map((a) => a.programId),
      accruals.map((a) => a.brandAccountId),
      accruals.map((a) => a.eventTypeId),
      accruals.map((a) => a.partnerAccountId),
      accruals.map((a) => a.contractId),
      accruals.map((a) => a.currency),
      accruals.map((a) => a.day),
      accruals.map((a) => a.clicks),
      accruals.map((a) => a.payoutMinor.toString()),
      accruals.map((a) => a.firstClickAt.toISOString()),
      accruals.map((a) => a.lockingAt.toISOString()),
      accruals.map((a) => a.paymentDueAt.toISOString()),
    ],
  );
  if (rows.length !== accruals.length) {
    // An action changed state between the lookup and the update (locked or reversed under us): nothing is kept; the next run retries.
    throw new Error(`${accruals.length} cost-per-click accrual(s) were to be written but ${rows.length} were; nothing was kept.`);
  }
  await recordActionEvents(
    tx,
    rows.map((row) => ({ id: row.id, type: row.created ? ('action.created' as const) : ('action.accrued' as const) })),
    accruals.map((a) => a.currency),
    now,
  );
  const created = rows.filter((row) => row.created).length;
  return { created, accrued: rows.length - created };
}
