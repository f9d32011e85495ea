import type { BatchRow, BatchRowOutcome } from '../../modules/returns/queries.js';
import type { ReturnsBatch, ReturnsBatchRow } from '../contract/returns.js';
import { isoOrNull } from './common.js';

export function batchUrl(batch: { id: bigint }): string {
  return `/api/v1/returns-batches/${batch.id}`;
}

export function toReturnsBatchDto(batch: BatchRow): ReturnsBatch {
  const url = batchUrl(batch);
  return {
    Id: batch.id.toString(),
    FileName: batch.fileName,
    Channel: batch.channel,
    EventTypeId: batch.eventTypeId,
    EventTypeName: batch.eventTypeName,
    ProgramId: batch.programId,
    ProgramName: batch.programName,
    Format: batch.format,
    ContentHash: batch.contentHash,
    Bytes: batch.bytes,
    ReceivedAt: batch.receivedAt.toISOString(),
    StartedAt: isoOrNull(batch.startedAt),
    CompletedAt: isoOrNull(batch.completedAt),
    Status: batch.status,
    RowsDone: batch.rowsDone,
    RowsTotal: batch.rowsTotal,
    Counts: batch.counts,
    Error: batch.error,
    ReceiptUrl: url,
    ResultUrl: `${url}/result.csv`,
    SummaryUrl: `${url}/summary.json`,
    OriginalUrl: `${url}/original`,
  };
}

export function toReturnsBatchRowDto(row: BatchRowOutcome): ReturnsBatchRow {
  return {
    RowNumber: row.rowNumber,
    Outcome: row.outcome,
    ActionId: row.actionId,
    Message: row.message,
    Cells: row.cells.map(([Column, Value]) => ({ Column, Value })),
  };
}
