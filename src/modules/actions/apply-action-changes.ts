import type { Sql } from '../../db/types.js';
import { formatMinor } from '../../money/index.js';
import { credentialIdOf, type AccountActor } from '../accounts/actor.js';
import { postTransfers, type TransferInput } from '../ledger/post-transfers.js';
import { computePaymentDate, isOpenEndedLocking, termsFromJson, type TermsJson } from '../programs/terms/index.js';
import { recordActionEvents } from './action-events.js';
import { EVENT_OF_OPERATION, lockTransfer } from './apply-action-operation.js';
import { payoutRuleFor } from './queries.js';
import type { ModificationRecord } from './record-modifications.js';
import { recordModifications } from './record-modifications.js';
import { differsFromOriginal, planOperation, type ActionSnapshot, type OperationRequest, type Plan, type Refusal } from './transitions.js';
import { itemsFromJson, itemsToJson, type ActionItem, type ActionItemJson } from './types.js';

/**
 * Many changes, each to one action, applied set-based in the caller's transaction: the
 * returns engine's hot path (src/flows/apply-returns-batch.ts). It does what
 * applyActionOperation does for the UI, through the same planner (planOperation), but for a
 * chunk of thousands of rows with a handful of statements: the chunk's actions are found
 * and row-locked with one query (in id order, as every operation locks), each row is planned
 * in memory against the action as the rows before it left it, and the chunk's updates,
 * modification records, postings and events are written together. Rows are applied in the
 * order given; a row that comes back to an action an earlier row of the chunk changed first
 * writes what is pending, so every event carries the action as it stood after its change.
 */

/** Which action a change is for: by id, or the newest action of an order id (of the chunk's event type). */
export type ChangeTarget = { actionId: bigint } | { orderId: string };

/** What a change needs to know of its action to say which operations it is. */
export interface ChangeTargetView {
  id: bigint;
  state: ActionSnapshot['state'];
  eventKind: ActionSnapshot['eventKind'];
  currency: string;
  items: readonly ActionItem[] | null;
  amountMinor: bigint;
  /** As tracked: a new sale amount of 0 reverses the action unless this was 0 too. */
  originalAmountMinor: bigint;
  /** Its contract's terms give its event type open-ended locking (terms/dates.ts). */
  openEndedLocking: boolean;
}

/** The operations a change is, in order (all or nothing), or why it cannot be one. */
export type ChangeBuild =
  | {
      requests: OperationRequest[];
      /** New quantities of items (0-based index) whose amounts the requests change: set on the items with the amounts. */
      quantities?: ReadonlyArray<{ index: number; quantity: number }>;
      note?: string;
    } | { problem: 'invalid' | 'ambiguous'; column: string | null; message: string };

export interface ActionChange {
  key: number;
  target: ChangeTarget;
  /** Called once the action is found and locked, with the action as the rows before left it. */
  build(action: ChangeTargetView): ChangeBuild;
}

export type ChangeResult =
  | { key: number; actionId: string; result: 'APPLIED'; message: string }
  | { key: number; actionId: string; result: 'UNCHANGED'; message: string }
  | { key: number; actionId: string | null; result: 'REFUSED'; refusal: Refusal | 'ambiguous'; column: string | null; message: string };

interface Loaded extends ActionSnapshot {
  brandAccountId: number;
  partnerAccountId: number;
  eventTypeId: number;
  contractId: number;
  currency: string;
  programTimeZone: string;
  lockedAt: Date | null;
}

type LoadedRow = Omit<Loaded, 'items' | 'originalItems'> & { items: ActionItemJson[] | null; originalItems: ActionItemJson[] | null };

/** What a flush writes for one action: its state before (the compare-and-set) and after. */
interface Pending {
  before: Loaded;
  after: Loaded;
  paymentDueAt: Date | null;
  modifications: ModificationRecord[];
}

export interface ApplyChangesScope {
  actor: AccountActor;
  brandAccountId: number;
  eventTypeId: number;
  eventTypeName: string;
  now: Date;
}

/**
 * Applies `changes` in order; one result per change, in the same order. Only actions of
 * the scope's brand and event type are found: another brand's action is not found, with
 * nothing said about it.
 */
export async function applyActionChanges(tx: Sql, scope: ApplyChangesScope, changes: readonly ActionChange[]): Promise<ChangeResult[]> {
  if (changes.length === 0) return [];
  await tx.query('set local jit = off');
  const byOrder = await newestByOrderId(
    tx,
    scope,
    changes.flatMap((c) => ('orderId' in c.target ? [c.target.orderId] : [])),
  );
  const ids = new Set<bigint>(byOrder.values());
  for (const change of changes) if ('actionId' in change.target) ids.add(change.target.actionId);
  const actions = await lockActionsOfBrand(tx, scope.brandAccountId, [...ids]);
  const terms = await loadTerms(tx, [...new Set([...actions.values()].map((a) => a.contractId))]);

  const results: ChangeResult[] = [];
  let pending = new Map<bigint, Pending>();
  const flush = async () => {
    if (pending.size === 0) return;
    await writePending(tx, scope.now, [...pending.values()]);
    pending = new Map();
  };

  for (const change of changes) {
    const id = 'actionId' in change.target ? change.target.actionId : byOrder.get(change.target.orderId);
    const action = id === undefined ? undefined : actions.get(id);
    if (!action) {
      results.push(notFound(change, scope));
      continue;
    }
    if (action.eventTypeId !== scope.eventTypeId) {
      results.push({
        key: change.key,
        actionId: action.id.toString(),
        result: 'REFUSED',
        refusal: 'not_found',
        column: 'ActionId',
        message: `Action ${action.id} is not an action of event type ${scope.eventTypeId} (${scope.eventTypeName}), which this batch is for.`,
      });
      continue;
    }
    if (pending.has(action.id)) await flush();
    const built = change.build({ ...action, openEndedLocking: isOpenEndedLocking(terms.get(action.contractId)!, action.eventTypeId) });
    if ('problem' in built) {
      results.push({
        key: change.key,
        actionId: action.id.toString(),
        result: 'REFUSED',
        refusal: built.problem === 'ambiguous' ? 'ambiguous' : 'invalid',
        column: built.column,
        message: built.message,
      });
      continue;
    }
    const outcome = planChange(action, built.requests, built.quantities ?? [], terms, scope);
    if (!outcome.ok) {
      results.push({ key: change.key, actionId: action.id.toString(), ...outcome.result });
      continue;
    }
    if (outcome.unchanged) {
      results.push({ key: change.key, actionId: action.id.toString(), result: 'UNCHANGED', message: outcome.message });
      continue;
    }
    pending.set(action.id, { before: action, after: outcome.after, paymentDueAt: outcome.paymentDueAt, modifications: outcome.modifications });
    actions.set(action.id, outcome.after);
    results.push({
      key: change.key,
      actionId: action.id.toString(),
      result: 'APPLIED',
      message: [describeChange(action, outcome.after), built.note].filter(Boolean).join(' '),
    });
  }
  await flush();
  return results;
}

function notFound(change: ActionChange, scope: ApplyChangesScope): ChangeResult {
  const message =
    'actionId' in change.target
      ? `Action ${change.target.actionId} does not exist or is not visible to this account.`
      : `No action of event type ${scope.eventTypeId} (${scope.eventTypeName}) has the order id ${JSON.stringify(change.target.orderId)}.`;
  return { key: change.key, actionId: null, result: 'REFUSED', refusal: 'not_found', column: 'actionId' in change.target ? 'ActionId' : 'Oid', message };
}

type Planned =
  | { ok: true; unchanged: true; message: string }
  | { ok: true; unchanged: false; after: Loaded; paymentDueAt: Date | null; modifications: ModificationRecord[] }
  | { ok: false; result: { result: 'REFUSED'; refusal: Refusal; column: string | null; message: string } };

/** The row's operations planned one after the other on the action, all or nothing. */
function planChange(
  action: Loaded,
  requests: readonly OperationRequest[],
  quantities: ReadonlyArray<{ index: number; quantity: number }>,
  terms: Map<number, ReturnType<typeof termsFromJson>>, scope: ApplyChangesScope): Planned {
  const contractTerms = terms.get(action.contractId)!;
  const rule = payoutRuleFor(contractTerms, action.eventTypeId);
  let current = action;
  let paymentDueAt: Date | null = null;
  const modifications: ModificationRecord[] = [];
  for (const request of requests) {
    if (request.op === 'RESET' && !differsFromOriginal(current)) {
      if (modifications.length === 0) return { ok: true, unchanged: true, message: `Action ${action.id} already has its original values.` };
      continue;
    }
    const plan = planOperation(current, request, { now: scope.now, performer: 'BRAND', rule });
    if (!plan.ok) {
      if (plan.refusal === 'wrong_state' && current.state === 'REVERSED' && reverses(request, current)) {
        return { ok: true, unchanged: true, message: `Action ${action.id} is already reversed (${current.reversalReason ?? 'no reason'}).` };
      }
      return { ok: false, result: { result: 'REFUSED', refusal: plan.refusal, column: null, message: refusalMessage(current, plan.refusal, plan.message) } };
    }
    const next = nextOf(current, plan, scope.now);
    if (request.op === 'MODIFY_AMOUNT' && next.items && quantities.length > 0) {
      next.items = next.items.map((item, index) => {
        const quantity = quantities.find((q) => q.index === index)?.quantity;
        return quantity !== undefined && item.quantity > 0 ? { ...item, quantity } : item;
      });
    }
    if (plan.locks) paymentDueAt = computePaymentDate(next.lockedAt!, current.programTimeZone, contractTerms.payment).at;
    if (sameValues(current, next)) continue;
    modifications.push({
      actionId: action.id,
      seq: current.modificationCount + 1,
      at: scope.now,
      actorKind: 'BRAND',
      actorUserId: scope.actor.userId,
      actorCredentialId: credentialIdOf(scope.actor),
      operation: request.op,
      reason: plan.reason,
      stateBefore: current.state,
      stateAfter: plan.stateAfter,
      amountBeforeMinor: current.amountMinor,
      amountAfterMinor: next.amountMinor,
      payoutBeforeMinor: current.payoutMinor,
      payoutAfterMinor: next.payoutMinor,
      detail: plan.detail ?? null,
    });
    current = { ...next, modificationCount: current.modificationCount + 1 };
  }
  if (modifications.length === 0) return { ok: true, unchanged: true, message: `The row asks for what action ${action.id} already is.` };
  return { ok: true, unchanged: false, after: current, paymentDueAt, modifications };
}

/** Whether a request would reverse the action (a reversal of a reversed action changes nothing). */
function reverses(request: OperationRequest, action: Loaded): boolean {
  if (request.op === 'REVERSE') return true;
  return request.op === 'MODIFY_AMOUNT' && request.amountMinor === 0n && action.originalAmountMinor !== 0n;
}

function refusalMessage(action: Loaded, refusal: Refusal, message: string): string {
  if (refusal !== 'locked') return message;
  const on = (action.state === 'APPROVED' && action.lockedAt ? action.lockedAt : action.lockingAt).toISOString();
  return action.state === 'APPROVED'
    ? `Action ${action.id} locked on ${on}; a locked action cannot be changed (a correction after the lock is a separate adjustment).`
    : `${message}`;
}

function nextOf(current: Loaded, plan: Plan, now: Date): Loaded {
  const lockedAt = plan.locks ? (now.getTime() < current.lockingAt.getTime() ? now : current.lockingAt) : current.lockedAt;
  return {
    ...current,
    state: plan.stateAfter,
    amountMinor: plan.amountMinor,
    payoutMinor: plan.payoutMinor,
    items: plan.items,
    reversalReason: plan.reversalReason,
    lockedAt,
  };
}

function sameValues(a: Loaded, b: Loaded): boolean {
  return (
    a.state === b.state &&
    a.amountMinor === b.amountMinor &&
    a.payoutMinor === b.payoutMinor &&
    a.reversalReason === b.reversalReason &&
    JSON.stringify(itemsToJson(a.items)) === JSON.stringify(itemsToJson(b.items))
  );
}

function describeChange(before: Loaded, after: Loaded): string {
  const money = (minor: bigint) => formatMinor(minor, before.currency);
  if (after.state === 'REVERSED' && before.state !== 'REVERSED') return `Reversed (${after.reversalReason}).`;
  if (after.state === 'APPROVED') return `Approved (locked); payout ${money(after.payoutMinor)} ${before.currency}.`;
  const parts = [`${before.state === after.state ? '' : `${before.state} → ${after.state}; `}amount ${money(before.amountMinor)} → ${money(after.amountMinor)}`];
  parts.push(`payout ${money(before.payoutMinor)} → ${money(after.payoutMinor)} ${before.currency}`);
  return `${parts.join(', ')}.`;
}

/** The newest action of each order id, among the brand's actions of the event type. */
async function newestByOrderId(tx: Sql, scope: ApplyChangesScope, orderIds: string[]): Promise<Map<string, bigint>> {
  if (orderIds.length === 0) return new Map();
  const { rows } = await tx.query<{ orderId: string; id: string }>(
    `select distinct on (order_id) order_id as "orderId", id::text as id
       from actions
      where event_type_id = $1 and order_id = any($2::text[]) and brand_account_id = $3
      order by order_id, id desc`,
    [scope.eventTypeId, [...new Set(orderIds)], scope.brandAccountId],
  );
  return new Map(rows.map((row) => [row.orderId, BigInt(row.id)]));
}

/** The brand's actions among `ids`, row-locked in id order (the order every operation locks in). */
async function lockActionsOfBrand(tx: Sql, brandAccountId: number, ids: bigint[]): Promise<Map<bigint, Loaded>> {
  if (ids.length === 0) return new Map();
  const { rows } = await tx.query<LoadedRow>(
    `select a.id, a.state, a.event_kind as "eventKind", a.amount_minor as "amountMinor", a.payout_minor as "payoutMinor",
            a.original_amount_minor as "originalAmountMinor", a.original_payout_minor as "originalPayoutMinor",
            a.items, a.original_items as "originalItems", a.locking_at as "lockingAt", a.locked_at as "lockedAt",
            a.modification_count as "modificationCount", a.reversal_reason as "reversalReason",
            a.brand_account_id as "brandAccountId", a.partner_account_id as "partnerAccountId", a.event_type_id as "eventTypeId",
            a.contract_id as "contractId", a.currency, p.time_zone as "programTimeZone"
       from actions a
       join programs p on p.id = a.program_id
      where a.id = any($1::bigint[]) and a.brand_account_id = $2
      order by a.id
        for update of a`,
    [ids.map(String), brandAccountId],
  );
  return new Map(
    rows.map((row) => {
      const id = BigInt(row.id);
      return [
        id,
        {
          ...row,
          id,
          amountMinor: BigInt(row.amountMinor),
          payoutMinor: BigInt(row.payoutMinor),
          originalAmountMinor: BigInt(row.originalAmountMinor),
          originalPayoutMinor: BigInt(row.originalPayoutMinor),
          items: itemsFromJson(row.items),
          originalItems: itemsFromJson(row.originalItems),
        },
      ];
    }),
  );
}

/** Each contract's terms, parsed once for the chunk (a chunk's actions share a few contracts). */
async function loadTerms(tx: Sql, contractIds: number[]): Promise<Map<number, ReturnType<typeof termsFromJson>>> {
  if (contractIds.length === 0) return new Map();
  const { rows } = await tx.query<{ id: number; terms: TermsJson }>('select id, terms from contracts where id = any($1::int[])', [contractIds]);
  return new Map(rows.map((row) => [row.id, termsFromJson(row.terms)]));
}

/**
 * Writes a flush: one compare-and-set update of every changed action (each row locked since
 * the chunk began, so each matches), their modification records, the postings of those
 * approved, and one event per modification, each after its action's update.
 */
async function writePending(tx: Sql, now: Date, pending: readonly Pending[]): Promise<void> {
  const { rowCount } = await tx.query(
    `update actions a
        set state = u.state, amount_minor = u.amount, payout_minor = u.payout, items = u.items, reversal_reason = u.reversal_reason,
            locked_at = coalesce(u.locked_at, a.locked_at), payment_due_at = coalesce(u.payment_due_at, a.payment_due_at),
            modification_count = a.modification_count + u.changes, updated_at = $1
       from unnest($2::bigint[], $3::text[], $4::text[], $5::bigint[], $6::bigint[], $7::jsonb[], $8::text[], $9::timestamptz[],
                   $10::timestamptz[], $11::int[])
            as u(id, state_before, state, amount, payout, items, reversal_reason, locked_at, payment_due_at, changes)
      where a.id = u.id and a.state = u.state_before`,
    [
      now,
      pending.map((p) => p.before.id.toString()),
      pending.map((p) => p.before.state),
      pending.map((p) => p.after.state),
      pending.map((p) => p.after.amountMinor.toString()),
      pending.map((p) => p.after.payoutMinor.toString()),
      pending.map((p) => (p.after.items ? JSON.stringify(itemsToJson(p.after.items)) : null)),
      pending.map((p) => p.after.reversalReason),
      pending.map((p) => (p.after.state === 'APPROVED' && p.before.state !== 'APPROVED' ? p.after.lockedAt!.toISOString() : null)),
      pending.map((p) => p.paymentDueAt?.toISOString() ?? null),
      pending.map((p) => p.modifications.length),
    ],
  );
  if (rowCount !== pending.length) {
    // Unreachable while the rows are locked; kept so a future change cannot turn a lost race into a silent success.
    throw new Error(`${pending.length} action(s) were to change but ${rowCount} did; nothing of this chunk was kept.`);
  }
  const modifications = pending.flatMap((p) => p.modifications);
  await recordModifications(tx, modifications);
  const transfers: TransferInput[] = pending
    .filter((p) => p.after.state === 'APPROVED' && p.before.state !== 'APPROVED' && p.after.payoutMinor > 0n)
    .map((p) => lockTransfer(p.after, p.after.payoutMinor, now));
  await postTransfers(tx, transfers);
  await recordActionEvents(
    tx,
    modifications.map((m) => ({ id: m.actionId, type: EVENT_OF_OPERATION[m.operation as OperationRequest['op']] })),
    pending.map((p) => p.after.currency),
    now,
  );
}
