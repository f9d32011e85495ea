import type { ServiceContext } from '../../core/context.js';
import { conflict, forbidden, invalid } from '../../core/errors.js';
import { applyActionOperation } from '../actions/apply-action-operation.js';
import type { ChangeReasonCode } from '../actions/types.js';
import { requireAccountActor, type Actor } from '../accounts/actor.js';
import { recordAuditEvent } from '../audit/record-audit-event.js';
import { endOfLocalDate, localDateOf } from '../programs/terms/index.js';
import { getContractOrThrow, type ContractRow } from './queries.js';

/** How far ahead an expiry may be scheduled: beyond it a date is a typo, not a plan. */
export const MAX_EXPIRY_YEARS_AHEAD = 100;

export interface ExpireContractInput {
  /** A local date (YYYY-MM-DD) in the acting account's time zone; the contract ends at 23:59:59 that day. Absent: now. */
  on?: string;
  /** Brands only: also reverse every pending action of the contract, with this reason. */
  reversePendingActions?: boolean;
  reversalReason?: ChangeReasonCode;
}

export interface ExpiredContract extends ContractRow {
  /** Pending actions reversed with the expiry (brands that asked for it). */
  reversedActions: number;
  /** Pending actions that could not be reversed (e.g. cost-per-click actions, which need an operator). */
  unreversedActions: number;
}

/**
 * Expires a contract now or on a date. The end date is the one field of a contract that
 * may change; an expired contract cannot be expired again. The update is a
 * compare-and-set on "not yet ended", so two expiries at once cannot both win.
 */
export async function expireContract(
  ctx: ServiceContext,
  actor: Actor,
  contractId: number,
  input: ExpireContractInput,
): Promise<ExpiredContract> {
  const account = requireAccountActor(actor);
  if (input.reversePendingActions && account.accountKind !== 'BRAND') {
    throw forbidden('Only the brand can reverse pending actions when expiring a contract.');
  }
  const now = ctx.clock.now();
  let endAt = now;
  if (input.on !== undefined) {
    if (!/^\d{4}-\d{2}-\d{2}$/.test(input.on)) throw invalid(`"${input.on}" is not a date in the form YYYY-MM-DD.`);
    const today = localDateOf(now, account.accountTimeZone);
    if (input.on < today) {
      throw invalid(`The expiry date ${input.on} is in the past; choose today (${today}) or a later date.`);
    }
    const latest = `${String(Number(today.slice(0, 4)) + MAX_EXPIRY_YEARS_AHEAD).padStart(4, '0')}${today.slice(4)}`;
    if (input.on > latest) {
      throw invalid(`The expiry date ${input.on} is more than ${MAX_EXPIRY_YEARS_AHEAD} years ahead; choose a date up to ${latest}.`);
    }
    try {
      endAt = endOfLocalDate(input.on, account.accountTimeZone);
    } catch {
      throw invalid(`"${input.on}" is not a valid calendar date.`);
    }
  }
  const reason = account.accountKind === 'PARTNER' ? 'EXPIRED_BY_PARTNER' : 'EXPIRED_BY_BRAND';
  const expired = await ctx.db.transaction(async (tx) => {
    const contract = await getContractOrThrow(tx, account, contractId, now);
    // An end date, once set, can be brought forward but never pushed back: a partner
    // cannot undo a brand's scheduled termination (or the reverse) by naming a later day.
    if (contract.status === 'ACTIVE' && contract.endAt && endAt.getTime() >= contract.endAt.getTime()) {
      throw conflict(
        `Contract ${contractId} already ends on ${contract.endAt.toISOString()} (${contract.terminationReason}); an expiry can only bring that date forward.`,
      );
    }
    if (contract.status === 'EXPIRED') {
      throw conflict(
        `Contract ${contractId} expired on ${contract.endAt?.toISOString()} (${contract.terminationReason}); it cannot be expired again.`,
      );
    }
    const { rowCount } = await tx.query(
      `update contracts set end_at = $2, termination_reason = $3, ended_by_user_id = $4
        where id = $1 and (end_at is null or end_at > $5)`,
      [contractId, endAt, reason, account.userId, now],
    );
    if (!rowCount) throw conflict(`Contract ${contractId} was expired by someone else a moment ago.`);
    await recordAuditEvent(tx, {
      at: now,
      actorUserId: account.userId,
      accountId: account.accountId,
      action: 'contract.expired',
      subject: `contract:${contractId}`,
      detail: { endAt, reason, previousEndAt: contract.endAt },
    });
    return getContractOrThrow(tx, account, contractId, now);
  });
  let reversedActions = 0;
  let unreversedActions = 0;
  if (input.reversePendingActions) {
    // After the expiry has committed: the reversal goes through the action state machine
    // like any other, so each action gets its own modification record and outcome.
    const { rows } = await ctx.db.query<{ id: bigint }>(
      `select id from actions where contract_id = $1 and state = 'PENDING' order by id`,
      [contractId],
    );
    if (rows.length) {
      const outcomes = await applyActionOperation(
        ctx,
        account,
        rows.map((row) => row.id),
        { op: 'REVERSE', reason: input.reversalReason ?? 'NOT_COMPLIANCE_TERMS' },
      );
      reversedActions = outcomes.filter((o) => o.ok).length;
      unreversedActions = outcomes.length - reversedActions;
    }
  }
  return { ...expired, reversedActions, unreversedActions };
}
