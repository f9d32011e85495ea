import type { ServiceContext } from '../../core/context.js';
import type { Sql } from '../../db/types.js';
import { postTransfersSetBased } from '../ledger/post-transfers-set-based.js';
import { eventCoverageFrom } from '../../outbox/record-events.js';
import { recordLockEvents } from './action-events.js';

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
 *
 * On PostgreSQL two workers claim chunks side by side (SKIP LOCKED keeps their chunks
 * apart), so the database's second core is used. They meet only at the ledger
 * accounts, which each chunk locks (in id order, the one order every posting uses) just
 * before adding its transfers to their balances, at the end of its transaction.
 */
export async function lockDueActions(
  ctx: ServiceContext,
  options: {
    chunkSize?: number;
    onProgress?: (lockedSoFar: number) => void;
    /** Stops the run between chunks (a server shutting down); what is locked stays locked. */
    signal?: AbortSignal;
  } = {},
): Promise<LockRunResult> {
  const release = await ctx.db.tryAdvisoryLock(LOCK_DUE_ACTIONS_LOCK_KEY);
  if (!release) return { locked: 0, chunks: 0, ran: false };
  try {
    const chunkSize = options.chunkSize ?? 5000;
    // PGlite is one session: a second worker would only wait for the first.
    const workers = ctx.db.kind === 'postgres' ? 2 : 1;
    const now = ctx.clock.now();
    const coveredFrom = await eventCoverageFrom(ctx.db, 'action');
    let locked = 0;
    let chunks = 0;
    const worker = async () => {
      for (;;) {
        if (options.signal?.aborted) return;
        const count = await ctx.db.transaction((tx) => lockChunk(tx, now, chunkSize, coveredFrom));
        locked += count;
        if (count > 0) chunks += 1;
        options.onProgress?.(locked);
        // A short chunk took every due row not held by someone else: this worker is done.
        if (count < chunkSize) return;
      }
    };
    await Promise.all(Array.from({ length: workers }, worker));
    return { locked, chunks, ran: true };
  } finally {
    await release();
  }
}

/** One chunk, in the caller's transaction: returns how many actions it locked. */
async function lockChunk(tx: Sql, now: Date, chunkSize: number, coveredFrom: bigint): Promise<number> {
  // The chunk's statements are short OLTP work over thousands of rows: PostgreSQL's JIT
  // would compile any of them whose estimated cost passes its threshold, for no gain.
  await tx.query('set local jit = off');
  const { rows: claimed } = await tx.query<{ id: bigint; brand: number; partner: number; currency: string }>(
    `select id, brand_account_id as brand, partner_account_id as partner, currency from actions
      where state = 'PENDING' and locking_at <= $1
      order by locking_at, id
      limit $2
        for update skip locked`,
    [now, chunkSize],
  );
  if (claimed.length === 0) return 0;
  // Their action.locked events first (their state after the lock: see LOCK_CHANGES),
  // so that they are not written while this chunk holds the ledger accounts.
  await recordLockEvents(tx, claimed.map((row) => row.id), claimed.map((row) => row.currency), now, coveredFrom);
  // What the statement below sets (state, locked_at, modification_count, updated_at) is
  // what LOCK_CHANGES wrote into those events: the two change together.
  // The hot path: one statement locks the chunk, writes each action's LOCK record and
  // posts its payout, so no action row travels to the application and back. The actions
  // module writes its own rows (the update and the LOCK records, what recordModifications
  // does for single operations); the ledger composes them with its transfers and then
  // updates the balances (what postTransfers does for single operations).
  await postTransfersSetBased(tx, {
    kind: 'ACTION_LOCKED',
    debit: 'BRAND_PAYABLE',
    credit: 'PARTNER_PAYMENT_PENDING',
    at: now,
    owners: claimed.map((row) => ({ debitOwner: row.brand, creditOwner: row.partner, currency: row.currency })),
    source: {
      with: `upd as (
         update actions a
            set state = 'APPROVED', locked_at = a.locking_at, modification_count = a.modification_count + 1, updated_at = $2
          where a.id = any($1::bigint[])
      returning a.id, a.modification_count, a.amount_minor, a.payout_minor, a.currency, a.brand_account_id, a.partner_account_id
       ), mods as (
         insert into action_modifications
           (action_id, seq, at, actor_kind, operation, state_before, state_after,
            amount_before_minor, amount_after_minor, payout_before_minor, payout_after_minor)
         select id, modification_count, $2, 'SYSTEM', 'LOCK', 'PENDING', 'APPROVED', amount_minor, amount_minor, payout_minor, payout_minor
           from upd
       )`,
      rows: `(select id as action_id, payout_minor as amount_minor, currency, brand_account_id as debit_owner,
                     partner_account_id as credit_owner from upd)`,
      params: [claimed.map((row) => row.id.toString()), now],
    },
  });
  return claimed.length;
}
