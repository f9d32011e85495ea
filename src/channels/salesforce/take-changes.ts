/**
 * Record changes from Salesforce (an Outbound Message's notifications, or a poll's
 * records) taken into the returns engine: the ones not taken before (by notification id,
 * per event type) are mapped; those that map to a change become the rows of one returns
 * file (CSV in the engine's columns) stored as one batch (channel SALESFORCE) with its
 * work item, the message's record, every notification (skipped ones with why) and, for a
 * poll, the cursor, all in one transaction, before anyone is told they were received.
 * Two deliveries of the same notification at once: the second's insert of the
 * notification conflicts, it rolls back and reads again, and takes nothing twice.
 */
import type { ServiceContext } from '../../core/context.js';
import type { Sql } from '../../db/types.js';
import { returnsBatchKind } from '../../flows/apply-returns-batch.js';
import type { AccountActor } from '../../modules/accounts/actor.js';
import type { SalesforceSettings } from '../../modules/programs/returns-settings.js';
import { receiveReturnsBatch } from '../../modules/returns/receive-batch.js';
import { enqueue, wake } from '../../worker/index.js';
import { mapChange, returnsCsv, type RecordChange } from './mapping.js';
import { recordMessage, recordNotifications, seenNotificationIds, type NotificationInput } from './store.js';

export interface SalesforceTarget {
  eventTypeId: number;
  brandAccountId: number;
  programId: number;
  settings: SalesforceSettings;
}

export interface Taken {
  notifications: number;
  newNotifications: number;
  duplicates: number;
  skipped: number;
  batchId: bigint | null;
}

class TakenMeanwhile extends Error {}

/**
 * Who the changes are made by: the member who saved the poll credentials (or asked for this
 * poll), else the brand's first admin; each only while an active member of the brand.
 */
export async function salesforceActor(sql: Sql, brandAccountId: number, preferredUserId: number | null): Promise<AccountActor | null> {
  const { rows } = await sql.query<{ userId: number; timeZone: string; role: 'ADMIN' | 'USER' }>(
    `select m.user_id as "userId", a.time_zone as "timeZone", m.role
       from memberships m join accounts a on a.id = m.account_id join users u on u.id = m.user_id
      where m.account_id = $1 and a.status = 'ACTIVE' and u.disabled_at is null and (m.role = 'ADMIN' or m.user_id = $2)
      order by (m.user_id = $2) desc nulls last, m.user_id limit 1`,
    [brandAccountId, preferredUserId],
  );
  const row = rows[0];
  return row ? { type: 'account', userId: row.userId, accountId: brandAccountId, accountKind: 'BRAND', accountTimeZone: row.timeZone, role: row.role, via: 'session' } : null;
}

export async function takeChanges(
  ctx: ServiceContext,
  target: SalesforceTarget,
  actor: AccountActor,
  input: {
    source: 'OUTBOUND' | 'POLL';
    organizationId: string | null;
    changes: readonly RecordChange[];
    fileName: string;
    /** More to commit with the batch (the poll's cursor). */
    alsoInTx?: (tx: Sql) => Promise<void>;
  },
): Promise<Taken> {
  // One notification id once per message: the first of its copies counts.
  const unique = [...new Map(input.changes.map((c) => [c.notificationId, c] as const)).values()];
  for (let attempt = 1; ; attempt++) {
    const seen = await seenNotificationIds(ctx.db, target.eventTypeId, unique.map((c) => c.notificationId));
    const fresh = unique.filter((c) => !seen.has(c.notificationId));
    const mapped = fresh.map((change) => ({ change, result: mapChange(target.settings, target.eventTypeId, change) }));
    const rows = mapped.flatMap(({ result }) => (result.mapped ? [result.row] : []));
    const notes: NotificationInput[] = mapped.map(({ change, result }) => ({
      notificationId: change.notificationId,
      recordId: change.recordId,
      statusValue: result.statusValue,
      change: result.mapped ? result.change : null,
      outcome: result.mapped ? 'QUEUED' : 'SKIPPED',
      message: result.mapped ? null : result.message,
    }));
    const counts = {
      notifications: input.changes.length,
      newNotifications: fresh.length,
      duplicates: input.changes.length - fresh.length,
      skipped: notes.filter((n) => n.outcome === 'SKIPPED').length,
    };
    const now = ctx.clock.now();
    const record = async (tx: Sql, batchId: bigint | null) => {
      const messageId = await recordMessage(tx, {
        eventTypeId: target.eventTypeId,
        brandAccountId: target.brandAccountId,
        source: input.source,
        organizationId: input.organizationId,
        ...counts,
        batchId,
        error: null,
        now,
      });
      const taken = await recordNotifications(tx, { eventTypeId: target.eventTypeId, brandAccountId: target.brandAccountId, messageId, batchId, now, notifications: notes });
      if (taken.length > 0) throw new TakenMeanwhile();
      await input.alsoInTx?.(tx);
    };
    try {
      if (rows.length === 0) {
        await ctx.db.transaction((tx) => record(tx, null));
        return { ...counts, batchId: null };
      }
      const received = await receiveReturnsBatch(
        ctx.db,
        { brandAccountId: target.brandAccountId, programId: target.programId, eventTypeId: target.eventTypeId, userId: null, now },
        { fileName: input.fileName, contentType: 'text/csv', channel: 'SALESFORCE', format: 'CSV', content: returnsCsv(rows) },
        async (tx, batchId) => {
          const item = await enqueue(tx, returnsBatchKind, { batchId: batchId.toString(), actor });
          await record(tx, batchId);
          return item.id;
        },
      );
      if (received.ignored) throw new Error(`A Salesforce batch was ignored: ${received.message}`);
      if (received.created) {
        wake();
        return { ...counts, batchId: received.batch.id };
      }
      // The same rows were stored before (a delivery that committed meanwhile): read again.
    } catch (error) {
      if (!(error instanceof TakenMeanwhile)) throw error;
    }
    if (attempt >= 5) throw new Error('The notifications kept being taken by another delivery at the same time; Salesforce delivers again.');
  }
}
