import type { ServiceContext } from '../../core/context.js';
import { forbidden, invalid } from '../../core/errors.js';
import type { Sql } from '../../db/types.js';
import { credentialIdOf, type Actor } from '../accounts/actor.js';
import { loadContractSpans, pickContractInForce } from '../contracts/queries.js';
import { postTransfers, type TransferInput } from '../ledger/post-transfers.js';
import type { EventType } from '../../outbox/events.js';
import { recordActionEvents } from './action-events.js';
import { computeLockingDate, computePaymentDate, lockingRuleFor } from '../programs/terms/index.js';
import { lockActions, payoutRuleFor, type LoadedAction } from './queries.js';
import { recordModifications, type ModificationRecord } from './record-modifications.js';
import { payoutFor, planOperation, type OperationRequest, type Performer, type Plan, type Refusal } from './transitions.js';
import { itemsToJson, MAX_BULK_ACTIONS, type ActionState, type ChangeReasonCode } from './types.js';

export interface ActionOutcome {
  actionId: string;
  ok: boolean;
  state?: ActionState;
  refusal?: Refusal;
  message?: string;
}

const CHUNK = 500;

function performerOf(actor: Actor): { performer: Performer; brandAccountId: number | null } {
  if (actor.type === 'operator') return { performer: 'OPERATOR', brandAccountId: null };
  if (actor.accountKind === 'BRAND') return { performer: 'BRAND', brandAccountId: actor.accountId };
  throw forbidden('Partners cannot change actions; the brand approves, reverses and modifies them. Dispute through support.');
}

/**
 * Applies one operation to up to 10,000 actions, each with its own outcome. Actions are
 * processed in chunks, each chunk one transaction that locks its rows in id order; a
 * lost race shows up as an honest refusal (e.g. "locked"), never as a silent success.
 */
export async function applyActionOperation(
  ctx: ServiceContext,
  actor: Actor,
  actionIds: readonly (bigint | string | number)[],
  request: OperationRequest,
): Promise<ActionOutcome[]> {
  const { performer, brandAccountId } = performerOf(actor);
  if (actionIds.length === 0) throw invalid('Give at least one action id.');
  if (actionIds.length > MAX_BULK_ACTIONS) throw invalid(`At most ${MAX_BULK_ACTIONS} actions per request; got ${actionIds.length}.`);
  const ids = [...new Set(actionIds.map((id) => BigInt(id)))].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  const outcomes = new Map<bigint, ActionOutcome>();
  for (let start = 0; start < ids.length; start += CHUNK) {
    const chunk = ids.slice(start, start + CHUNK);
    const results = await ctx.db.transaction((tx) => applyToChunk(ctx, tx, actor, performer, brandAccountId, chunk, request));
    for (const result of results) outcomes.set(BigInt(result.actionId), result);
  }
  const seen = new Set<bigint>();
  const ordered: ActionOutcome[] = [];
  for (const raw of actionIds) {
    const id = BigInt(raw);
    if (seen.has(id)) continue;
    seen.add(id);
    ordered.push(outcomes.get(id)!);
  }
  return ordered;
}

/** A step of a sequence was refused: thrown to roll the steps before it back. */
class StepRefused extends Error {
  constructor(
    readonly step: number,
    readonly outcome: ActionOutcome,
  ) {
    super(outcome.message);
  }
}

/**
 * Several operations on one action as one change ("Modify Item Details": reject some items,
 * re-price others): applied in order in one transaction, all or nothing. Each step is
 * checked and recorded exactly as on its own (its modification record, its posting); the
 * first refusal undoes the steps before it and comes back with its position (0-based).
 */
export async function applyActionOperationSequence(
  ctx: ServiceContext,
  actor: Actor,
  actionId: bigint,
  requests: readonly OperationRequest[],
): Promise<ActionOutcome & { step?: number }> {
  const { performer, brandAccountId } = performerOf(actor);
  if (requests.length === 0) throw invalid('Give at least one change.');
  try {
    return await ctx.db.transaction(async (tx) => {
      let last: ActionOutcome | undefined;
      for (const [step, request] of requests.entries()) {
        const [outcome] = await applyToChunk(ctx, tx, actor, performer, brandAccountId, [actionId], request);
        if (!outcome!.ok) throw new StepRefused(step, outcome!);
        last = outcome;
      }
      return last!;
    });
  } catch (error) {
    if (error instanceof StepRefused) return { ...error.outcome, step: error.step };
    throw error;
  }
}

/**
 * Reverses the next pending actions of a contract, after `afterId`, at most `limit`, in
 * the caller's transaction (a step of a flow): each through the state machine, with its
 * own modification record and outcome. Returns the last id looked at (the cursor for the
 * next chunk), and whether none are left.
 */
export async function reversePendingActionsOfContractChunk(
  ctx: Pick<ServiceContext, 'clock'>,
  tx: Sql,
  actor: Actor,
  contractId: number,
  afterId: bigint,
  limit: number,
  reason: ChangeReasonCode,
): Promise<{ lastId: bigint; reversed: number; refused: number; done: boolean }> {
  const { performer, brandAccountId } = performerOf(actor);
  const { rows } = await tx.query<{ id: bigint }>(
    `select id from actions where contract_id = $1 and state = 'PENDING' and id > $2 order by id limit $3`,
    [contractId, afterId.toString(), limit],
  );
  if (rows.length === 0) return { lastId: afterId, reversed: 0, refused: 0, done: true };
  const ids = rows.map((row) => BigInt(row.id));
  const outcomes = await applyToChunk(ctx, tx, actor, performer, brandAccountId, ids, { op: 'REVERSE', reason });
  const reversed = outcomes.filter((o) => o.ok).length;
  return { lastId: ids[ids.length - 1]!, reversed, refused: outcomes.length - reversed, done: rows.length < limit };
}

async function applyToChunk(
  ctx: Pick<ServiceContext, 'clock'>,
  tx: Sql,
  actor: Actor,
  performer: Performer,
  brandAccountId: number | null,
  ids: readonly bigint[],
  request: OperationRequest,
): Promise<ActionOutcome[]> {
  const now = ctx.clock.now();
  const loaded = await lockActions(tx, ids, brandAccountId);
  const outcomes: ActionOutcome[] = [];
  const modifications: ModificationRecord[] = [];
  const transfers: TransferInput[] = [];
  for (const id of ids) {
    const action = loaded.get(id);
    if (!action) {
      outcomes.push({ actionId: id.toString(), ok: false, refusal: 'not_found', message: `Action ${id} does not exist or is not visible to this account.` });
      continue;
    }
    // Approve applies to pending actions only. "Approve" on a reversed action in the UI's
    // Reversed list is the explicit restore operation: a bulk approve must never undo a
    // reversal someone made a moment earlier.
    const plan = planOperation(action, request, { now, performer, rule: payoutRuleFor(action.terms, action.eventTypeId) });
    if (!plan.ok) {
      outcomes.push({ actionId: id.toString(), ok: false, refusal: plan.refusal, message: plan.message });
      continue;
    }
    const applied = await applyPlan(tx, action, plan, request, now);
    if (!applied.ok) {
      outcomes.push({ actionId: id.toString(), ok: false, refusal: applied.refusal, message: applied.message });
      continue;
    }
    modifications.push({
      actionId: id,
      seq: action.modificationCount + 1,
      at: now,
      actorKind: performer === 'OPERATOR' ? 'OPERATOR' : 'BRAND',
      actorUserId: actor.userId,
      actorCredentialId: credentialIdOf(actor),
      operation: request.op,
      reason: plan.reason,
      stateBefore: action.state,
      stateAfter: plan.stateAfter,
      amountBeforeMinor: action.amountMinor,
      amountAfterMinor: applied.amountMinor,
      payoutBeforeMinor: action.payoutMinor,
      payoutAfterMinor: applied.payoutMinor,
      detail: { ...(plan.detail ?? {}), ...(applied.detail ?? {}) },
    });
    if (plan.locks && applied.payoutMinor > 0n) {
      transfers.push(lockTransfer(action, applied.payoutMinor, now));
    }
    outcomes.push({ actionId: id.toString(), ok: true, state: plan.stateAfter });
  }
  await recordModifications(tx, modifications);
  await postTransfers(tx, transfers);
  const type = EVENT_OF_OPERATION[request.op];
  await recordActionEvents(tx, modifications.map((m) => ({ id: m.actionId, type })), [...loaded.values()].map((a) => a.currency), now);
  return outcomes;
}

/** The outbox event each operation writes for each action it changed. */
export const EVENT_OF_OPERATION: Record<OperationRequest['op'], EventType> = {
  APPROVE: 'action.approved',
  REVERSE: 'action.reversed',
  REVERSE_CPC: 'action.reversed',
  MODIFY_AMOUNT: 'action.modified',
  REJECT_ITEM: 'action.item_rejected',
  RESTORE: 'action.restored',
  RESET: 'action.reset',
  REATTRIBUTE: 'action.reattributed',
  LOCK: 'action.locked',
};

/** Locking moves the payout from the brand's payable to the partner's payment-pending balance. */
export function lockTransfer(
  action: { id: bigint; brandAccountId: number; partnerAccountId: number; currency: string },
  payoutMinor: bigint,
  at: Date,
): TransferInput {
  return {
    debit: { code: 'BRAND_PAYABLE', ownerAccountId: action.brandAccountId },
    credit: { code: 'PARTNER_PAYMENT_PENDING', ownerAccountId: action.partnerAccountId },
    amountMinor: payoutMinor,
    currency: action.currency,
    kind: 'ACTION_LOCKED',
    actionId: action.id,
    at,
  };
}

type Applied =
  | { ok: true; amountMinor: bigint; payoutMinor: bigint; detail?: Record<string, unknown> }
  | { ok: false; refusal: Refusal; message: string };

async function applyPlan(tx: Sql, action: LoadedAction, plan: Plan, request: OperationRequest, now: Date): Promise<Applied> {
  let { amountMinor, payoutMinor } = plan;
  let contractId = action.contractId;
  let partnerAccountId = action.partnerAccountId;
  let lockingAt = action.lockingAt;
  let lockedAt: Date | null = null;
  let paymentDueAt: Date | null = null;
  let detail: Record<string, unknown> | undefined;

  if (request.op === 'REATTRIBUTE') {
    if (request.partnerAccountId === action.partnerAccountId) {
      return { ok: false, refusal: 'invalid', message: `Action ${action.id} is already attributed to partner ${request.partnerAccountId}.` };
    }
    const partner = await tx.query<{ status: string; kind: string }>('select status, kind from accounts where id = $1', [request.partnerAccountId]);
    if (partner.rows[0]?.kind !== 'PARTNER') {
      return { ok: false, refusal: 'invalid', message: `Account ${request.partnerAccountId} is not a partner account.` };
    }
    if (partner.rows[0].status !== 'ACTIVE') {
      return { ok: false, refusal: 'no_contract', message: `Partner ${request.partnerAccountId} is closed; actions cannot be attributed to it.` };
    }
    const spans = await loadContractSpans(tx, [{ programId: action.programId, partnerAccountId: request.partnerAccountId }]);
    const found = pickContractInForce(spans.get(`${action.programId}|${request.partnerAccountId}`) ?? [], action.eventAt);
    if ('missing' in found) {
      return {
        ok: false,
        refusal: 'no_contract',
        message: `Partner ${request.partnerAccountId} had no contract with program ${action.programId} in force on ${action.eventAt.toISOString()}.`,
      };
    }
    const contract = found.contract;
    const rule = payoutRuleFor(contract.terms, action.eventTypeId);
    contractId = contract.id;
    partnerAccountId = request.partnerAccountId;
    payoutMinor = payoutFor(rule, amountMinor, plan.items);
    lockingAt = computeLockingDate(action.eventAt, action.programTimeZone, lockingRuleFor(contract.terms, action.eventTypeId));
    paymentDueAt = computePaymentDate(lockingAt, action.programTimeZone, contract.terms.payment).at;
    detail = { fromPartnerAccountId: action.partnerAccountId, toPartnerAccountId: partnerAccountId, fromContractId: action.contractId, toContractId: contractId };
  }
  if (plan.locks) {
    // Approved before its locking date, the action locks now and is paid on the schedule
    // of this month; approved after it (before the lock job got there), it locked at its
    // locking date, exactly as the job would have locked it.
    lockedAt = now.getTime() < action.lockingAt.getTime() ? now : action.lockingAt;
    paymentDueAt = computePaymentDate(lockedAt, action.programTimeZone, action.terms.payment).at;
  }

  const { rowCount } = await tx.query(
    `update actions set state = $3, amount_minor = $4, payout_minor = $5, items = $6, reversal_reason = $7,
            contract_id = $8, partner_account_id = $9, locking_at = $10,
            locked_at = coalesce($11, locked_at), payment_due_at = coalesce($12, payment_due_at),
            modification_count = modification_count + 1, updated_at = $13
      where id = $1 and state = $2`,
    [
      action.id.toString(),
      action.state,
      plan.stateAfter,
      amountMinor.toString(),
      payoutMinor.toString(),
      plan.items ? JSON.stringify(itemsToJson(plan.items)) : null,
      plan.reversalReason,
      contractId,
      partnerAccountId,
      lockingAt,
      lockedAt,
      paymentDueAt,
      now,
    ],
  );
  if (rowCount !== 1) {
    // Unreachable while the row is locked; kept so a future change cannot turn a lost race into a silent success.
    return { ok: false, refusal: 'wrong_state', message: `Action ${action.id} changed while this operation ran; try again.` };
  }
  return { ok: true, amountMinor, payoutMinor, ...(detail ? { detail } : {}) };
}
