import type { Clock } from '../core/clock.js';
import type { Db, Sql } from '../db/types.js';
import type { ClaimedItem } from './claim.js';
import { LeaseLostError, WorkerStoppingError } from './errors.js';
import type { WorkKind } from './registry.js';
import type { WorkContext, WorkItemRef } from './types.js';

const SILENT: WorkContext['log'] = { debug: () => undefined, info: () => undefined, warn: () => undefined, error: () => undefined } as unknown as WorkContext['log'];

/** Progress is a cursor (the last id done, a chunk number), not data. */
export const MAX_PROGRESS_BYTES = 64 * 1024;

export function progressJson(itemId: bigint, progress: unknown): string {
  let json: string | undefined;
  try {
    json = JSON.stringify(progress);
  } catch (error) {
    throw new Error(`The progress of work item ${itemId} is not JSON (${(error as Error).message}); keep ids as strings or numbers.`);
  }
  if (json === undefined) throw new Error(`The progress of work item ${itemId} is not JSON; return an object.`);
  const bytes = Buffer.byteLength(json);
  if (bytes > MAX_PROGRESS_BYTES) {
    throw new Error(`The progress of work item ${itemId} is ${bytes} bytes, over ${MAX_PROGRESS_BYTES}; keep a cursor (the last id done), not the data.`);
  }
  return json;
}

/**
 * The context of one claim of one item (see WorkContext). It remembers when its lease
 * was lost or the worker asked it to stop, so that the worker knows how the run ended
 * even if a handler catches the error and returns anyway.
 */
export class ItemRun<P = unknown, G = unknown> implements WorkContext<P, G> {
  readonly item: WorkItemRef<P>;
  private current: G | null;
  leaseLost = false;
  stopped = false;
  /** The moment the last claim, step or checkpoint renewed the lease (for the logs). */
  renewedAt = Date.now();

  constructor(
    readonly db: Db,
    readonly clock: Clock,
    readonly claimed: ClaimedItem,
    private readonly kind: WorkKind<P, G>,
    readonly signal: AbortSignal,
    readonly log: WorkContext['log'] = SILENT,
  ) {
    this.item = {
      id: claimed.id,
      kind: claimed.kind,
      payload: claimed.payload as P,
      attempt: claimed.attempts,
      maxAttempts: claimed.maxAttempts,
      dedupeKey: claimed.dedupeKey,
      createdAt: claimed.createdAt,
    };
    this.current = (claimed.progress ?? null) as G | null;
  }

  get payload(): P {
    return this.item.payload;
  }

  get progress(): G | null {
    return this.current;
  }

  step(fn: (tx: Sql, progress: G | null) => Promise<G>): Promise<G> {
    return this.commit(fn, true);
  }

  async checkpoint(progress: G): Promise<void> {
    await this.commit(async () => progress, false);
  }

  private throwIfGone(): void {
    if (this.leaseLost) throw new LeaseLostError(this.item.id, this.claimed.leaseOwner);
  }

  private throwIfStopping(): void {
    if (this.signal.aborted) {
      this.stopped = true;
      throw new WorkerStoppingError(this.item.id);
    }
  }

  private async commit(fn: (tx: Sql, progress: G | null) => Promise<G>, refuseWhenStopping: boolean): Promise<G> {
    this.throwIfGone();
    if (refuseWhenStopping) this.throwIfStopping();
    const { id, leaseOwner } = this.claimed;
    let json: string;
    try {
      json = await this.db.transaction(async (tx) => {
        // The lease first, locking the item's row: a worker that lost the item writes
        // nothing, and while this transaction runs no other worker can take the item
        // back (expireLeases skips a locked row), however long the step takes.
        const { rows } = await tx.query<{ progress: unknown }>(
          `select progress from work_items where id = $1 and lease_owner = $2 and state = 'RUNNING' for update`,
          [id.toString(), leaseOwner],
        );
        if (!rows[0]) throw new LeaseLostError(id, leaseOwner);
        const next = await fn(tx, (rows[0].progress ?? null) as G | null);
        const text = progressJson(id, next);
        await tx.query(
          `update work_items
              set progress = $3::jsonb, lease_expires_at = clock_timestamp() + $4::int * interval '1 millisecond', updated_at = clock_timestamp()
            where id = $1 and lease_owner = $2`,
          [id.toString(), leaseOwner, text, this.kind.leaseMs],
        );
        return text;
      });
    } catch (error) {
      if (error instanceof LeaseLostError) this.leaseLost = true;
      throw error;
    }
    this.renewedAt = Date.now();
    // What a resumed run would read back: the same JSON, not the object the step returned.
    this.current = JSON.parse(json) as G;
    this.throwIfStopping();
    return this.current as G;
  }
}
