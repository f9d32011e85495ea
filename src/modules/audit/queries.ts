import type { Sql } from '../../db/types.js';

export interface AuditEventRow {
  id: string;
  at: Date;
  action: string;
  subject: string;
  actorUserId: number | null;
  /** The member's name as the account's users list shows it; null for the system or a user since removed. */
  actorName: string | null;
  detail: Record<string, unknown>;
}

/** An account's audit events about one subject (`event_type:12`), newest first; at most `limit`. */
export async function listAuditEventsOfSubject(
  sql: Sql,
  accountId: number,
  subject: string,
  options: { actions?: string[]; limit?: number } = {},
): Promise<AuditEventRow[]> {
  const { rows } = await sql.query<AuditEventRow>(
    `select e.id::text as id, e.at, e.action, e.subject, e.actor_user_id as "actorUserId",
            case when m.user_id is not null then u.name end as "actorName", e.detail
       from audit_events e
       left join users u on u.id = e.actor_user_id
       left join memberships m on m.user_id = e.actor_user_id and m.account_id = e.account_id
      where e.account_id = $1 and e.subject = $2 and ($3::text[] is null or e.action = any($3))
      order by e.at desc, e.id desc limit $4`,
    [accountId, subject, options.actions ?? null, options.limit ?? 100],
  );
  return rows;
}
