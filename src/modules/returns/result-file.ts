/**
 * The platform's two replies to a returns file, as every channel hands them back (the API's
 * download, the SFTP folder, the result e-mail, the pull's result folder):
 *
 * - `receipt_<name>.txt`: the file was stored (name, bytes, SHA-256, when, the batch), and,
 *   once applied, its counts by outcome, or why it could not be read;
 * - `result_<name>.csv`: every input column as the file named them, then Outcome, ActionId
 *   and Message, one line per row, streamed a page of outcomes at a time (once DONE).
 *
 * Files named so are never applied (impact.com's rule, src/modules/returns/receive-batch.ts).
 */
import { Readable } from 'node:stream';
import { stringify } from 'csv-stringify';
import { guardSpreadsheetFormula } from '../../core/text.js';
import type { Sql } from '../../db/types.js';
import { streamBatchRows, type BatchRow } from './queries.js';

function baseName(fileName: string): string {
  return fileName.replace(/^.*[\\/]/, '').replace(/\.(csv|xml|txt)$/i, '');
}

/** `result_<name>.csv`. */
export function resultFileName(fileName: string): string {
  return `result_${baseName(fileName)}.csv`;
}

/** `receipt_<name>.txt`. */
export function receiptFileName(fileName: string): string {
  return `receipt_${baseName(fileName)}.txt`;
}

/** The receipt's text: what was stored and, as far as it has gone, what became of it. */
export function receiptText(batch: BatchRow): string {
  const lines = [
    `File: ${batch.fileName}`,
    `Batch: ${batch.id}`,
    `Program: ${batch.programName} (${batch.programId})`,
    `Event type: ${batch.eventTypeName} (${batch.eventTypeId})`,
    `Channel: ${batch.channel}`,
    `Received: ${batch.receivedAt.toISOString()}`,
    `Bytes: ${batch.bytes}`,
    `SHA-256: ${batch.contentHash}`,
    `Status: ${batch.status}`,
  ];
  if (batch.rowsTotal !== null) lines.push(`Rows: ${batch.rowsDone} of ${batch.rowsTotal} applied`);
  for (const [outcome, count] of Object.entries(batch.counts).sort(([a], [b]) => a.localeCompare(b))) lines.push(`  ${outcome}: ${count}`);
  if (batch.completedAt) lines.push(`Completed: ${batch.completedAt.toISOString()}`);
  if (batch.error) lines.push(`Error: ${batch.error}`);
  if (batch.status === 'DONE') lines.push(`Result: ${resultFileName(batch.fileName)}`);
  return `${lines.join('\n')}\n`;
}

/**
 * The result file, streamed: the batch's columns as the file named them, then Outcome,
 * ActionId, Message. A cell a spreadsheet would run as a formula gets a leading apostrophe.
 */
export function resultCsv(sql: Sql, batch: BatchRow): Readable {
  const columns = batch.columns ?? [];
  async function* records() {
    for await (const row of streamBatchRows(sql, batch.id)) {
      const byPosition = row.cells.length === columns.length && row.cells.every(([column], i) => column === columns[i]);
      const values = columns.map((column, i) => (byPosition ? row.cells[i]![1] : (row.cells.find(([name]) => name === column)?.[1] ?? '')));
      yield [...values, row.outcome, row.actionId ?? '', row.message ?? ''].map((value) => guardSpreadsheetFormula(value));
    }
  }
  return Readable.from(records()).pipe(stringify({ header: true, columns: [...columns, 'Outcome', 'ActionId', 'Message'] }));
}
