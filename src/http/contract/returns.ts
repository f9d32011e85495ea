/**
 * Returns batches (issue 13): files of modifications and reversals for an event type, their
 * status, counts and rows' outcomes. The file itself is the request body (multipart or raw),
 * so only the answers and the query strings are schemas here.
 */
import { z } from 'zod';
import { BATCH_STATUSES, RETURNS_CHANNELS, RETURNS_OUTCOMES } from '../../modules/returns/types.js';
import { isoDate, pageOf, pageQueryShape, rowIdText, sortQuery } from './common.js';

export const batchIdParams = z.object({ batchId: z.string().regex(/^[1-9]\d{0,17}$/, 'a returns batch id (digits)') }).strict();
export const eventTypeIdParams = z.object({ eventTypeId: rowIdText() }).strict();

export const uploadQuery = z
  .object({ fileName: z.string().min(1).max(255).optional().describe('The file name of a raw body (a multipart upload names its file itself)') })
  .strict();

const countsDto = z.object(Object.fromEntries(RETURNS_OUTCOMES.map((o) => [o, z.number().int()])) as Record<(typeof RETURNS_OUTCOMES)[number], z.ZodNumber>);

export const returnsBatchDto = z
  .object({
    Id: z.string(),
    FileName: z.string(),
    Channel: z.enum(RETURNS_CHANNELS),
    EventTypeId: z.number().int(),
    EventTypeName: z.string(),
    ProgramId: z.number().int(),
    ProgramName: z.string(),
    Format: z.string().nullable().describe('CSV, XML, or IMPACT_API (a submission of the impact-compatible API); null until read'),
    ContentHash: z.string().describe('SHA-256 of the bytes as received, hex'),
    Bytes: z.number().int(),
    ReceivedAt: isoDate,
    StartedAt: isoDate.nullable(),
    CompletedAt: isoDate.nullable(),
    Status: z.enum(BATCH_STATUSES),
    RowsDone: z.number().int(),
    RowsTotal: z.number().int().nullable().describe('Null until the file has been read through once'),
    Counts: countsDto.describe('Rows by outcome so far'),
    Error: z.string().nullable().describe('Why the file could not be read (FAILED); nothing of it was applied'),
    ReceiptUrl: z.string(),
    ResultUrl: z.string().describe('result_<name>.csv: every input column plus Outcome, ActionId, Message'),
    SummaryUrl: z.string(),
    OriginalUrl: z.string(),
  })
  .meta({ id: 'ReturnsBatch' });
export type ReturnsBatch = z.infer<typeof returnsBatchDto>;

export const uploadAnswerDto = returnsBatchDto.extend({
  Duplicate: z.boolean().describe('True when these bytes were already received for this event type: this is the first batch, and nothing more will be applied'),
});
export type ReturnsUploadAnswer = z.infer<typeof uploadAnswerDto>;

export const ignoredAnswerDto = z.object({
  Status: z.literal('IGNORED'),
  FileName: z.string(),
  Message: z.string(),
});
export type ReturnsIgnoredAnswer = z.infer<typeof ignoredAnswerDto>;

export const RETURNS_BATCH_SORTS = ['ReceivedDate', 'FileName', 'Status'] as const;

export const batchListQuery = z
  .object({
    ...pageQueryShape,
    sort: sortQuery(RETURNS_BATCH_SORTS),
    eventTypeId: rowIdText().optional(),
    status: z.enum(BATCH_STATUSES).optional(),
  })
  .strict();

export const batchPageDto = pageOf(returnsBatchDto);

export const batchRowDto = z.object({
  RowNumber: z.number().int().describe('From 1: the first row after the header (CSV) or the first record (XML)'),
  Outcome: z.enum(RETURNS_OUTCOMES),
  ActionId: z.string().nullable(),
  Message: z.string().nullable(),
  Cells: z.array(z.object({ Column: z.string(), Value: z.string() })).describe('The row as the file had it'),
});
export type ReturnsBatchRow = z.infer<typeof batchRowDto>;

export const batchRowsQuery = z.object({ ...pageQueryShape, outcome: z.enum(RETURNS_OUTCOMES).optional() }).strict();
export const batchRowPageDto = pageOf(batchRowDto);

export const batchSummaryDto = z.object({
  BatchId: z.string(),
  FileName: z.string(),
  EventTypeId: z.number().int(),
  Status: z.enum(BATCH_STATUSES),
  RowsTotal: z.number().int().nullable(),
  RowsDone: z.number().int(),
  Counts: countsDto,
  ReceivedAt: isoDate,
  StartedAt: isoDate.nullable(),
  CompletedAt: isoDate.nullable(),
  DurationMs: z.number().int().nullable().describe('From the start of applying to completion'),
  Error: z.string().nullable(),
});
