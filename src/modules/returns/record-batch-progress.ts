import type { Sql } from '../../db/types.js';
import type { ReturnsCell, ReturnsOutcome } from './types.js';

/**
 * The batch's record as the worker applies it: each row's outcome, written in the
 * transaction of the row's change (the caller's), with the batch's running counts, so the
 * outcomes, the changes and the counts commit together or not at all.
 */

export interface RowOutcome {
  rowNumber: number;
  outcome: ReturnsOutcome;
  actionId: string | null;
  message: string | null;
  cells: readonly ReturnsCell[];
}

/** The file was read through once: its columns and row count are known, the rows are about to be applied. */
export async function startBatch(tx: Sql, batchId: bigint, input: { format: string | null; columns: readonly string[]; rowsTotal: number; now: Date }): Promise<void> {
  await tx.query(
    `update returns_batches set status = 'RUNNING', format = coalesce($2, format), columns = $3::jsonb, rows_total = $4,
            started_at = coalesce(started_at, $5)
      where id = $1 and status in ('RECEIVED', 'RUNNING')`,
    [batchId.toString(), input.format, JSON.stringify(input.columns), input.rowsTotal, input.now],
  );
}

/**
 * Writes the outcomes of a chunk of rows and adds them to the batch's counts. A row's
 * outcome is keyed (batch, row number): written twice, the transaction fails, so no row
 * can be reported (or applied) twice.
 */
export async function recordRowOutcomes(tx: Sql, batchId: bigint, rows: readonly RowOutcome[]): Promise<void> {
  if (rows.length === 0) return;
  await tx.query(
    `insert into returns_batch_rows (batch_id, row_number, outcome, action_id, message, cells)
     select $1, u.row_number, u.outcome, u.action_id, u.message, u.cells
       from unnest($2::int[], $3::text[], $4::bigint[], $5::text[], $6::text[]) as u(row_number, outcome, action_id, message, cells)`,
    [
      batchId.toString(),
      rows.map((r) => r.rowNumber),
      rows.map((r) => r.outcome),
      rows.map((r) => r.actionId),
      rows.map((r) => r.message),
      rows.map((r) => JSON.stringify(r.cells)),
    ],
  );
  const added: Partial<Record<ReturnsOutcome, number>> = {};
  for (const row of rows) added[row.outcome] = (added[row.outcome] ?? 0) + 1;
  await tx.query(
    `update returns_batches b
        set rows_done = b.rows_done + $2,
            counts = (select coalesce(jsonb_object_agg(k, coalesce((b.counts ->> k)::int, 0) + coalesce((($3::jsonb) ->> k)::int, 0)), '{}'::jsonb)
                        from (select jsonb_object_keys(b.counts || $3::jsonb) as k) keys)
      where b.id = $1`,
    [batchId.toString(), rows.length, JSON.stringify(added)],
  );
}

export async function completeBatch(tx: Sql, batchId: bigint, now: Date): Promise<void> {
  await tx.query(`update returns_batches set status = 'DONE', completed_at = $2 where id = $1 and status = 'RUNNING'`, [batchId.toString(), now]);
}

/** A file that could not be read: nothing of it was applied, and the error says why. */
export async function failBatch(tx: Sql, batchId: bigint, error: string, now: Date): Promise<void> {
  await tx.query(
    `update returns_batches set status = 'FAILED', error = $2, started_at = coalesce(started_at, $3), completed_at = $3
      where id = $1 and status in ('RECEIVED', 'RUNNING')`,
    [batchId.toString(), error.slice(0, 2000), now],
  );
}
