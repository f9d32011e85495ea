import { scrubColumn } from '../../db/scrub.js';
import type { Sql } from '../../db/types.js';

/**
 * Erasure in the audit trail (a closed account's personal data): the values in the rows
 * of the account and of the erased users, and the e-mails (distinctive enough to look for
 * anywhere) in every row. Who did what, and when, stays.
 */
export async function scrubAuditEvents(
  tx: Sql,
  input: { accountId: number; userIds: readonly number[]; values: readonly string[]; emails: readonly string[] },
): Promise<number> {
  let changed = 0;
  for (const column of ['detail', 'subject'] as const) {
    const jsonb = column === 'detail';
    changed += await scrubColumn(tx, {
      table: 'audit_events',
      column,
      jsonb,
      where: 'account_id = $3 or actor_user_id = any($4::int[])',
      params: [input.accountId, input.userIds],
      values: input.values,
    });
    changed += await scrubColumn(tx, { table: 'audit_events', column, jsonb, where: 'true', values: input.emails });
  }
  return changed;
}
