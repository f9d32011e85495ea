import type { ServiceContext } from '../../core/context.js';
import { conflict, invalid } from '../../core/errors.js';
import { requireAccountActor, type Actor } from '../accounts/actor.js';
import { recordAuditEvent } from '../audit/record-audit-event.js';
import { endOfLocalDate, localDateOf } from '../programs/terms/index.js';
import { getContractOrThrow, type ContractRow } from './queries.js';

export interface ExpireContractInput {
  /** A local date (YYYY-MM-DD) in the acting account's time zone; the contract ends at 23:59:59 that day. Absent: now. */
  on?: string;
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
): Promise<ContractRow> {
  const account = requireAccountActor(actor);
  const now = ctx.clock.now();
  let endAt = now;
  if (input.on !== undefined) {
    if (!/^\d{4}-\d{2}-\d{2}$/.test(input.on)) throw invalid(`"${input.on}" is not a date in the form YYYY-MM-DD.`);
    const today = localDateOf(now, account.accountTimeZone);
    if (input.on < today) {
      throw invalid(`The expiry date ${input.on} is in the past; choose today (${today}) or a later date.`);
    }
    try {
      endAt = endOfLocalDate(input.on, account.accountTimeZone);
    } catch {
      throw invalid(`"${input.on}" is not a valid calendar date.`);
    }
  }
  const reason = account.accountKind === 'PARTNER' ? 'EXPIRED_BY_PARTNER' : 'EXPIRED_BY_BRAND';
  return ctx.db.transaction(async (tx) => {
    const contract = await getContractOrThrow(tx, account, contractId, now);
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
}
