import type { Sql } from '../../db/types.js';
import { currencyExponent } from '../../money/index.js';
import type { EventType } from '../../outbox/events.js';
import { recordEventsSelected } from '../../outbox/record-events.js';
import { STATUS_DETAIL_SQL } from './list-actions.js';

/**
 * The outbox events of actions, each with the action as the API returns it after the
 * change (`GET /api/v1/actions/:id`, without the caller-dependent AllowedOperations), built
 * by the database in the statement that writes the events. Actions change by the
 * thousand (the lock job, a batch of conversions), and building each payload in SQL from
 * the rows the transaction already holds costs half of reading them out, mapping them
 * and sending them back (measured: 135 ms against 295 ms for 5,000). The API's mapping
 * (src/http/contract-mapping/actions.ts) is the reference: test/outbox/action-events.test.ts
 * holds this one to it, field by field, for actions in every state.
 */

/** A SQL decimal string of a minor-unit amount `x`, with the scale (10^exponent) and exponent of its currency in `cur`. */
function money(x: string): string {
  return `(case when cur.exponent = 0 then (${x})::text
    else (case when (${x}) < 0 then '-' else '' end) || (abs(${x}) / cur.scale)::text || '.' || lpad((abs(${x}) % cur.scale)::text, cur.exponent, '0') end)`;
}

/** A timestamp as JavaScript's toISOString writes it (UTC, milliseconds, Z). */
function iso(x: string): string {
  return `to_char((${x}) at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')`;
}

// Items are numbered from 1 (ordinality counts from 1), as the API numbers them.
const ITEMS = `coalesce((
  select jsonb_agg(jsonb_build_object(
           'Index', i.n,
           'Sku', i.item ->> 'sku',
           'Category', i.item ->> 'category',
           'Quantity', (i.item ->> 'quantity')::int,
           'Amount', ${money(`(i.item ->> 'amountMinor')::bigint`)},
           'OriginalQuantity', (o.item ->> 'quantity')::int,
           'OriginalAmount', case when o.item is null then null else ${money(`(o.item ->> 'amountMinor')::bigint`)} end,
           'Rejected', (i.item ->> 'quantity')::int = 0) order by i.n)
    from jsonb_array_elements(a.items) with ordinality as i(item, n)
    left join jsonb_array_elements(a.original_items) with ordinality as o(item, n) on o.n = i.n), '[]'::jsonb)`;

const PAYLOAD = `jsonb_build_object(
  'Id', a.id::text,
  'CampaignId', a.program_id,
  'CampaignName', p.name,
  'ProgramTimeZone', p.time_zone,
  'ActionTrackerId', a.event_type_id,
  'EventTypeName', et.name,
  'EventKind', a.event_kind,
  'MediaPartnerId', a.partner_account_id,
  'MediaPartnerName', pa.name,
  'ContractId', a.contract_id,
  'State', a.state,
  'StatusDetail', ${STATUS_DETAIL_SQL.replaceAll('$1', '$3')},
  'ReversalReason', a.reversal_reason,
  'Amount', ${money('a.amount_minor')},
  'Payout', ${money('a.payout_minor')},
  'DeltaAmount', ${money('a.amount_minor - a.original_amount_minor')},
  'DeltaPayout', ${money('a.payout_minor - a.original_payout_minor')},
  'IntendedAmount', ${money('a.original_amount_minor')},
  'IntendedPayout', ${money('a.original_payout_minor')},
  'Currency', a.currency,
  'OrderId', a.order_id,
  'ClickId', coalesce(a.click_id, (select cv.click_id from conversions cv where cv.id = a.conversion_id)),
  'ReferringDate', ${iso('a.referring_at')},
  'EventDate', ${iso('a.event_at')},
  'LockingDate', ${iso('a.locking_at')},
  'LockedDate', ${iso('a.locked_at')},
  'PaymentDate', ${iso('a.payment_due_at')},
  'ClearedDate', ${iso('a.cleared_at')},
  'PaystubId', a.paystub_id::text,
  'ModificationCount', a.modification_count,
  'Items', ${ITEMS},
  'CreatedDate', ${iso('a.created_at')},
  'UpdatedDate', ${iso('a.updated_at')},
  'AllowedOperations', '[]'::jsonb)`;

/** The events' columns, in the order the outbox inserts them (EVENT_COLUMNS). */
const SELECT_EVENTS = `select c.type, 'action:' || a.id, array[a.brand_account_id, a.partner_account_id], ${PAYLOAD}, $3, false
  from actions a
  join unnest($1::bigint[], $2::text[]) with ordinality as c(id, type, n) on c.id = a.id
  join programs p on p.id = a.program_id
  join event_types et on et.id = a.event_type_id
  join accounts pa on pa.id = a.partner_account_id
  join unnest($4::text[], $5::int[], $6::bigint[]) as cur(code, exponent, scale) on cur.code = a.currency
 where a.id = any($1::bigint[])
 order by c.n`;

/**
 * The lock job's events are written just before its chunk's lock statement, in the same
 * transaction, for actions the chunk holds (claimed FOR UPDATE). Each holds only what the
 * lock changes (`changes_only`), set to its value after the lock (what lockChunk's
 * statement sets: state APPROVED, locked at its locking date, one more modification,
 * updated now; still uncleared and unpaid, so Approved/Payment Pending or, past its
 * payment date, Approved/Overdue), and the names read afresh, as a rename writes no action
 * event. The rest is the action's previous event: every change of an action writes its
 * event, so the previous one holds the rest as it is, and readers put the two together
 * (src/outbox/complete-payloads.ts). Building the whole 800-byte payload for each of
 * thousands of actions cost as much as locking them; these dozen fields cost a fraction.
 * An action recorded before the outbox existed has no earlier event: below the outbox's
 * coverage ($6) the event is built whole. Written before the lock, the events are not
 * written while the chunk holds the ledger accounts (the lock statement takes them at its
 * end), so the two lock workers do not wait for each other's events.
 * test/outbox/action-events.test.ts holds both to the API's answer after the lock.
 */
const LOCK_CHANGES = `jsonb_build_object(
  'CampaignName', p.name,
  'EventTypeName', et.name,
  'MediaPartnerName', pa.name,
  'StatusDetail', case when a.payment_due_at is not null and a.payment_due_at < $2 then 'Approved/Overdue' else 'Approved/Payment Pending' end,
  'LockedDate', ${iso('a.locking_at')},
  'ModificationCount', a.modification_count + 1) || $7::jsonb`;

/** What every lock sets alike ($7 of SELECT_LOCK_EVENTS). */
function lockConstants(now: Date): string {
  return JSON.stringify({ State: 'APPROVED', ClearedDate: null, PaystubId: null, UpdatedDate: now.toISOString() });
}

const SELECT_LOCK_EVENTS = `select 'action.locked', 'action:' || a.id, array[a.brand_account_id, a.partner_account_id],
       case when a.id >= $6 then ${LOCK_CHANGES}
            else ${PAYLOAD.replaceAll('$3', '$2')} || ${LOCK_CHANGES} end,
       $2,
       a.id >= $6
  from actions a
  join programs p on p.id = a.program_id
  join event_types et on et.id = a.event_type_id
  join accounts pa on pa.id = a.partner_account_id
  join unnest($3::text[], $4::int[], $5::bigint[]) as cur(code, exponent, scale) on cur.code = a.currency
 where a.id = any($1::bigint[]) and a.state = 'PENDING'
 order by a.id`;

/**
 * A payout run's events (action.paid), written after its chunk marked the actions paid:
 * like the lock's, each holds only what the payment changed (PaystubId, UpdatedDate) and
 * the names read afresh, the rest being the action's previous event (its action.cleared);
 * below the outbox's coverage ($6) the event is built whole. A run marks thousands of
 * actions a second, and the whole payload cost as much as the rest of paying them.
 */
const PAID_CHANGES = `jsonb_build_object(
  'CampaignName', p.name,
  'EventTypeName', et.name,
  'MediaPartnerName', pa.name,
  'PaystubId', a.paystub_id::text,
  'UpdatedDate', ${iso('a.updated_at')})`;

const SELECT_PAID_EVENTS = `select 'action.paid', 'action:' || a.id, array[a.brand_account_id, a.partner_account_id],
       case when a.id >= $6 then ${PAID_CHANGES} else ${PAYLOAD.replaceAll('$3', '$2')} end,
       $2,
       a.id >= $6
  from actions a
  join programs p on p.id = a.program_id
  join event_types et on et.id = a.event_type_id
  join accounts pa on pa.id = a.partner_account_id
  join unnest($3::text[], $4::int[], $5::bigint[]) as cur(code, exponent, scale) on cur.code = a.currency
 where a.id = any($1::bigint[])
 order by a.id`;

export interface ActionChange {
  id: bigint | string;
  type: EventType;
}

/**
 * Records one event per change in the caller's transaction, after the change (the
 * statement reads the actions as the transaction left them), in one statement however
 * many there are. `currencies` are those of the changed actions. The actions are found by
 * their primary key (`a.id = any(…)`), never by a hash of the whole table.
 */
export async function recordActionEvents(tx: Sql, changes: readonly ActionChange[], currencies: Iterable<string>, now: Date): Promise<void> {
  if (changes.length === 0) return;
  await withoutJit(tx);
  const written = await recordEventsSelected(
    tx,
    SELECT_EVENTS,
    [changes.map((change) => change.id.toString()), changes.map((change) => change.type), now, ...currencyParams(currencies)],
  );
  expectWritten(changes.length, written);
}

/** The lock job's events (action.locked), one per pending action about to be locked in the caller's transaction; see LOCK_CHANGES. */
export async function recordLockEvents(
  tx: Sql,
  actionIds: readonly (bigint | string)[],
  currencies: Iterable<string>,
  now: Date,
  /** The first action id sure to have its events since its creation (eventCoverageFrom). */
  coveredFrom: bigint,
): Promise<void> {
  if (actionIds.length === 0) return;
  await withoutJit(tx);
  const written = await recordEventsSelected(
    tx,
    SELECT_LOCK_EVENTS,
    [actionIds.map((id) => id.toString()), now, ...currencyParams(currencies), coveredFrom.toString(), lockConstants(now)],
  );
  expectWritten(actionIds.length, written);
}

/** The action.paid events of actions a payout run has just marked paid, in the caller's transaction; see PAID_CHANGES. */
export async function recordPaidActionEvents(
  tx: Sql,
  actionIds: readonly (bigint | string)[],
  currencies: Iterable<string>,
  now: Date,
  /** The first action id sure to have its events since its creation (eventCoverageFrom). */
  coveredFrom: bigint,
): Promise<void> {
  if (actionIds.length === 0) return;
  await withoutJit(tx);
  const written = await recordEventsSelected(tx, SELECT_PAID_EVENTS, [actionIds.map((id) => id.toString()), now, ...currencyParams(currencies), coveredFrom.toString()]);
  expectWritten(actionIds.length, written);
}

/** The currencies of the changed actions as the statements take them: codes, exponents, scales (10^exponent). */
function currencyParams(currencies: Iterable<string>): [string[], number[], string[]] {
  const codes = [...new Set(currencies)];
  const exponents = codes.map(currencyExponent);
  return [codes, exponents, exponents.map((exponent) => (10n ** BigInt(exponent)).toString())];
}

/*
 * Neither statement is kept prepared: a prepared statement gets a generic plan after five
 * runs, and without the array's length the generic plan joined thousands of ids to the
 * whole actions table row by row (a 20,000-event chunk took over 40 s instead of 1 s).
 * Planned each time, they find the actions by their key.
 */

/**
 * The statements' estimated cost (subqueries per row) crosses PostgreSQL's JIT threshold,
 * and compiling them took a quarter of their time (60 of 240 ms for 5,000): for the rest
 * of the transaction, which is the change's own, run without JIT.
 */
async function withoutJit(tx: Sql): Promise<void> {
  await tx.query('set local jit = off');
}

function expectWritten(expected: number, written: number): void {
  if (written !== expected) {
    throw new Error(`${expected} action event(s) were to be written but ${written} were (an action or its currency was not found); nothing was kept.`);
  }
}
