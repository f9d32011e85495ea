import type { ServiceContext } from '../../core/context.js';
import { conflict, forbidden, invalid } from '../../core/errors.js';
import type { Sql } from '../../db/types.js';
import { credentialIdOf, requireAccountActor, type AccountActor, type Actor } from '../accounts/actor.js';
import { recordAuditEvent } from '../audit/record-audit-event.js';
import { endOfLocalDate, localDateOf } from '../programs/terms/index.js';
import { recordResourceEvents } from '../../outbox/resources.js';
import { getContractOrThrow, type ContractRow } from './queries.js';
import { MAX_EXPIRY_YEARS_AHEAD, type TerminationReason } from './types.js';

export { MAX_EXPIRY_YEARS_AHEAD } from './types.js';

export interface ExpireContractInput {
  /** A local date (YYYY-MM-DD) in the acting account's time zone; the contract ends at 23:59:59 that day. Absent: now. */
  on?: string;
}

/** When the contract ends and why, checked before anything is written. */
export interface ExpiryPlan {
  endAt: Date;
  reason: TerminationReason;
}

/** The end date and reason an account asks for, or a 400 saying what is wrong with the date. */
export function planExpiryOrThrow(account: AccountActor, input: ExpireContractInput, now: Date): ExpiryPlan {
  const reason = account.accountKind === 'PARTNER' ? 'EXPIRED_BY_PARTNER' : 'EXPIRED_BY_BRAND';
  if (input.on === undefined) return { endAt: now, reason };
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
    return { endAt: endOfLocalDate(input.on, account.accountTimeZone), reason };
  } catch {
    throw invalid(`"${input.on}" is not a valid calendar date.`);
  }
}

/**
 * Expires a contract in the caller's transaction. The end date is the one field of a
 * contract that may change; an expired contract cannot be expired again. The update is
 * a compare-and-set on "not yet ended", so two expiries at once cannot both win.
 */
export async function expireContractInTx(tx: Sql, account: AccountActor, contractId: number, plan: ExpiryPlan, now: Date): Promise<ContractRow> {
  const contract = await getContractOrThrow(tx, account, contractId, now);
  // An end date, once set, can be brought forward but never pushed back: a partner
  // cannot undo a brand's scheduled termination (or the reverse) by naming a later day.
  if (contract.status === 'ACTIVE' && contract.endAt && plan.endAt.getTime() >= contract.endAt.getTime()) {
    throw conflict(
      `Contract ${contractId} already ends on ${contract.endAt.toISOString()} (${contract.terminationReason}); an expiry can only bring that date forward.`,
    );
  }
  if (contract.status === 'EXPIRED') {
    throw conflict(`Contract ${contractId} expired on ${contract.endAt?.toISOString()} (${contract.terminationReason}); it cannot be expired again.`);
  }
  const { rowCount } = await tx.query(
    `update contracts set end_at = $2, termination_reason = $3, ended_by_user_id = $4
      where id = $1 and (end_at is null or end_at > $5)`,
    [contractId, plan.endAt, plan.reason, account.userId, now],
  );
  if (!rowCount) throw conflict(`Contract ${contractId} was expired by someone else a moment ago.`);
  await recordAuditEvent(tx, {
    at: now,
    actorUserId: account.userId,
    actorCredentialId: credentialIdOf(account),
    accountId: account.accountId,
    action: 'contract.expired',
    subject: `contract:${contractId}`,
    detail: { endAt: plan.endAt, reason: plan.reason, previousEndAt: contract.endAt },
  });
  // Also for an expiry on a later date: what changed now is the contract's end date.
  await recordResourceEvents(tx, 'contract', [{ id: contractId, type: 'contract.expired' }], now);
  return getContractOrThrow(tx, account, contractId, now);
}

/**
 * Expires a contract now or on a date, on its own. Expiring and reversing the contract's
 * pending actions spans two modules: that is the flow src/flows/expire-contract.ts.
 */
export async function expireContract(ctx: ServiceContext, actor: Actor, contractId: number, input: ExpireContractInput): Promise<ContractRow> {
  const account = requireAccountActor(actor);
  const now = ctx.clock.now();
  const plan = planExpiryOrThrow(account, input, now);
  return ctx.db.transaction((tx) => expireContractInTx(tx, account, contractId, plan, now));
}

/** Only the brand may reverse pending actions with an expiry. */
export function checkMayReverseOnExpiryOrThrow(account: AccountActor): void {
  if (account.accountKind !== 'BRAND') throw forbidden('Only the brand can reverse pending actions when expiring a contract.');
}

/**
 * A closing partner account's contracts still open (no end, or an end to come) expire now
 * with `ACCOUNT_CLOSED`, in the closure flow's transaction; answers how many. The operator
 * closing the account is recorded as who ended them.
 */
export async function expireContractsOfClosedAccount(tx: Sql, partnerAccountId: number, operatorUserId: number, now: Date): Promise<number> {
  const { rows } = await tx.query<{ id: number; brand: number; endAt: Date | null }>(
    `update contracts c set end_at = $2, termination_reason = 'ACCOUNT_CLOSED', ended_by_user_id = $3
       from contracts before
      where c.id = before.id and c.partner_account_id = $1 and (c.end_at is null or c.end_at > $2)
      returning c.id, c.brand_account_id as brand, before.end_at as "endAt"`,
    [partnerAccountId, now, operatorUserId],
  );
  for (const row of rows) {
    await recordAuditEvent(tx, {
      at: now,
      actorUserId: operatorUserId,
      accountId: row.brand,
      action: 'contract.expired',
      subject: `contract:${row.id}`,
      detail: { endAt: now, reason: 'ACCOUNT_CLOSED', previousEndAt: row.endAt },
    });
  }
  await recordResourceEvents(tx, 'contract', rows.map((row) => ({ id: row.id, type: 'contract.expired' as const })), now);
  return rows.length;
}
