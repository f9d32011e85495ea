import type { ServiceContext } from '../core/context.js';
import { conflict, notFound } from '../core/errors.js';
import { recordAuditEvent } from '../modules/audit/record-audit-event.js';
import { findWorkItem, type WorkItemView } from './list-work-items.js';
import { TRANSITIONS, type WorkItemState } from './states.js';
import { wake } from './wake.js';

/**
 * An operator sends a FAILED or DEAD item back to the queue, due now. Its attempts start
 * again from 0: an operator retries once the cause is fixed (a server back up, a bad
 * setting corrected), and the item then deserves its full retry budget with backoff
 * rather than one more try that dies on the first transient error. The count it had
 * reached, its state and its last error are kept in the audit log
 * (`work_item.retried`); its progress is kept, so it resumes where it stopped.
 */
export async function retryWorkItem(ctx: ServiceContext, operatorUserId: number, id: bigint): Promise<WorkItemView> {
  const from = TRANSITIONS.RETRY.from;
  const retried = await ctx.db.transaction(async (tx) => {
    const { rows } = await tx.query<{ kind: string; state: WorkItemState; attempts: number; lastError: string | null }>(
      `with before as (
         select id, kind, state, attempts, last_error from work_items where id = $1 for update
       )
       update work_items w
          set state = 'QUEUED', attempts = 0, run_after = statement_timestamp(), finished_at = null, updated_at = statement_timestamp()
         from before
        where w.id = before.id and before.state = any($2::text[])
    returning before.kind, before.state, before.attempts, before.last_error as "lastError"`,
      [id.toString(), from],
    );
    const before = rows[0];
    if (!before) {
      const existing = await findWorkItem(tx, id);
      if (!existing) throw notFound(`There is no work item ${id}.`);
      throw conflict(
        `Work item ${id} is ${existing.state}; only a FAILED or DEAD item can be retried ` +
          '(a QUEUED item is waiting for a worker, a RUNNING one ends on its own, a DONE one is finished).',
        { state: existing.state },
      );
    }
    await recordAuditEvent(tx, {
      at: ctx.clock.now(),
      actorUserId: operatorUserId,
      accountId: null,
      action: 'work_item.retried',
      subject: `work_item:${id}`,
      detail: { kind: before.kind, stateBefore: before.state, attemptsBefore: before.attempts, lastError: before.lastError },
    });
    return (await findWorkItem(tx, id))!;
  });
  wake();
  return retried;
}
