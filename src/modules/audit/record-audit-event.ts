import type { Sql } from '../../db/types.js';

/** Who did what, when: written in the same transaction as the change it describes. */
export async function recordAuditEvent(
  tx: Sql,
  event: {
    at: Date;
    actorUserId: number | null;
    /** The API credential that made the change (credentialIdOf the actor); null for a person in a session and the platform. */
    actorCredentialId?: number | null;
    accountId: number | null;
    action: string;
    subject: string;
    detail?: unknown;
  },
): Promise<void> {
  await tx.query(
    `insert into audit_events (at, actor_user_id, actor_credential_id, account_id, action, subject, detail) values ($1, $2, $3, $4, $5, $6, $7)`,
    [event.at, event.actorUserId, event.actorCredentialId ?? null, event.accountId, event.action, event.subject, JSON.stringify(event.detail ?? {})],
  );
}
