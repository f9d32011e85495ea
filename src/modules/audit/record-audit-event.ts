import type { Sql } from '../../db/types.js';

/** Who did what, when: written in the same transaction as the change it describes. */
export async function recordAuditEvent(
  tx: Sql,
  event: { at: Date; actorUserId: number | null; accountId: number | null; action: string; subject: string; detail?: unknown },
): Promise<void> {
  await tx.query(
    `insert into audit_events (at, actor_user_id, account_id, action, subject, detail) values ($1, $2, $3, $4, $5, $6)`,
    [event.at, event.actorUserId, event.accountId, event.action, event.subject, JSON.stringify(event.detail ?? {})],
  );
}
