import type { ServiceContext } from '../../core/context.js';
import { postTransfers } from '../ledger/post-transfers.js';
import { lockTransfer } from './apply-action-operation.js';
import { recordModifications } from './record-modifications.js';

export const LOCK_DUE_ACTIONS_LOCK_KEY = 7_350_100;

export interface LockRunResult {
  locked: number;
  chunks: number;
  /** False when another instance was already running the job. */
  ran: boolean;
}

export async function countDueActions(ctx: ServiceContext): Promise<number> {
  const { rows } = await ctx.db.query<{ n: number }>(
    `select count(*)::int as n from actions where state = 'PENDING' and locking_at <= $1`,
    [ctx.clock.now()],
  );
  return rows[0]!.n;
}

/**
 * Locks every pending action whose locking date has passed: state APPROVED, locked at
 * its locking date, one LOCK modification, and its payout posted to the ledger. Runs in
 * bounded chunks, each its own transaction; rows a user is changing right now are
 * skipped (SKIP LOCKED) and picked up by the next chunk or run. A reversed action is
 * never touched: it stays reversed for good.
 */
export async function lockDueActions(
  ctx: ServiceContext,
  options: { chunkSize?: number; onProgress?: (lockedSoFar: number) => void } = {},
): Promise<LockRunResult> {
  const release = await ctx.db.tryAdvisoryLock(LOCK_DUE_ACTIONS_LOCK_KEY);
  if (!release) return { locked: 0, chunks: 0, ran: false };
  try {
    const chunkSize = options.chunkSize ?? 5000;
    const now = ctx.clock.now();
    let locked = 0;
    let chunks = 0;
    for (;;) {
      const count = await ctx.db.transaction(async (tx) => {
        const { rows } = await tx.query<{
          id: bigint;
          seq: number;
          amountMinor: bigint;
          payoutMinor: bigint;
          currency: string;
          brandAccountId: number;
          partnerAccountId: number;
        }>(
          `with due as (
             select id from actions
              where state = 'PENDING' and locking_at <= $1
              order by locking_at, id
              limit $2
                for update skip locked
           )
           update actions a
              set state = 'APPROVED', locked_at = a.locking_at, modification_count = a.modification_count + 1, updated_at = $1
             from due
            where a.id = due.id
        returning a.id, a.modification_count as seq, a.amount_minor as "amountMinor", a.payout_minor as "payoutMinor",
                  a.currency, a.brand_account_id as "brandAccountId", a.partner_account_id as "partnerAccountId"`,
          [now, chunkSize],
        );
        await recordModifications(
          tx,
          rows.map((row) => ({
            actionId: row.id,
            seq: row.seq,
            at: now,
            actorKind: 'SYSTEM' as const,
            actorUserId: null,
            operation: 'LOCK',
            reason: null,
            stateBefore: 'PENDING' as const,
            stateAfter: 'APPROVED' as const,
            amountBeforeMinor: row.amountMinor,
            amountAfterMinor: row.amountMinor,
            payoutBeforeMinor: row.payoutMinor,
            payoutAfterMinor: row.payoutMinor,
          })),
        );
        await postTransfers(
          tx,
          rows.filter((row) => row.payoutMinor > 0n).map((row) => lockTransfer(row, row.payoutMinor, now)),
        );
        return rows.length;
      });
      locked += count;
      if (count > 0) chunks += 1;
      options.onProgress?.(locked);
      if (count < chunkSize) break;
    }
    return { locked, chunks, ran: true };
  } finally {
    await release();
  }
}
