import type { Sql } from '../db/types.js';
import { readReturnsFile, ReturnsFileError } from '../modules/returns/parse/index.js';
import { readBatchContent, type BatchRow } from '../modules/returns/queries.js';
import { MAX_RETURNS_FILE_BYTES } from '../modules/returns/receive-batch.js';
import type { EngineRow } from './returns-changes.js';

/** A stored file that cannot be read as a returns file: the batch fails with this message, nothing applied. */
export class ReturnsFileUnreadable extends Error {
  override name = 'ReturnsFileUnreadable';
}

/** The columns an impact-compatible submission's row shows (its parameters as sent). */
export interface StoredSubmission {
  cells: Array<[string, string]>;
  request: Extract<EngineRow, { request: unknown }>['request'];
}

/**
 * The rows of a stored batch, read from its bytes as a stream: a file through the returns
 * file reader (src/modules/returns/parse), an API submission from the one row it stored.
 */
export async function openEngineRows(sql: Sql, batch: BatchRow): Promise<{ format: string | null; columns: readonly string[]; rows: AsyncIterable<EngineRow> }> {
  if (batch.format === 'IMPACT_API') {
    const parts: Buffer[] = [];
    for await (const part of readBatchContent(sql, batch.id)) parts.push(part);
    const stored = JSON.parse(Buffer.concat(parts).toString('utf8')) as StoredSubmission;
    const rows = (async function* () {
      yield { rowNumber: 1, cells: stored.cells, request: stored.request };
    })();
    return { format: 'IMPACT_API', columns: stored.cells.map(([column]) => column), rows };
  }
  try {
    const read = await readReturnsFile(readBatchContent(sql, batch.id), {
      fileName: batch.fileName,
      contentType: batch.contentType ?? undefined,
      limits: { maxBytes: MAX_RETURNS_FILE_BYTES },
    });
    return { format: read.format, columns: read.columns, rows: unreadableAs(read.rows) };
  } catch (error) {
    if (error instanceof ReturnsFileError) throw new ReturnsFileUnreadable(error.message);
    throw error;
  }
}

async function* unreadableAs(rows: AsyncIterable<EngineRow>): AsyncGenerator<EngineRow> {
  try {
    yield* rows;
  } catch (error) {
    if (error instanceof ReturnsFileError) throw new ReturnsFileUnreadable(error.message);
    throw error;
  }
}

