import { scrubColumn } from '../../db/scrub.js';
import type { Sql } from '../../db/types.js';

/**
 * Erasure in a closed partner account's actions: their modification records' details (a
 * re-attribution names the partners, a note may quote a name) no longer hold its
 * personal values. Amounts, states, dates and reasons stay: the brand keeps its records.
 */
export async function scrubActionModifications(tx: Sql, input: { partnerAccountId: number; values: readonly string[] }): Promise<number> {
  return scrubColumn(tx, {
    table: 'action_modifications',
    column: 'detail',
    jsonb: true,
    where: 'detail is not null and action_id in (select id from actions where partner_account_id = $3)',
    params: [input.partnerAccountId],
    values: input.values,
  });
}
