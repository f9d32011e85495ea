import { Readable } from 'node:stream';
import multipart from '@fastify/multipart';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import type { ServiceContext } from '../../core/context.js';
import { conflict, invalid } from '../../core/errors.js';
import { submitReturnsBatch } from '../../flows/apply-returns-batch.js';
import { requireAccountActor } from '../../modules/accounts/actor.js';
import { getBatchOrThrow, listBatchRows, listBatches, readBatchContent } from '../../modules/returns/queries.js';
import { MAX_RETURNS_FILE_BYTES } from '../../modules/returns/receive-batch.js';
import { resultCsv, resultFileName } from '../../modules/returns/result-file.js';
import { actorOf } from '../auth.js';
import { errorResponses } from '../contract/common.js';
import {
  batchIdParams,
  batchListQuery,
  batchPageDto,
  batchRowPageDto,
  batchRowsQuery,
  batchSummaryDto,
  eventTypeIdParams,
  ignoredAnswerDto,
  uploadAnswerDto,
  uploadQuery,
} from '../contract/returns.js';
import { toReturnsBatchDto, toReturnsBatchRowDto } from '../contract-mapping/returns.js';
import { toPage } from '../contract-mapping/common.js';
import { sendProblem } from '../problem.js';

/** The media types a file may be sent as the raw body in (besides multipart/form-data). */
export const RAW_FILE_TYPES = ['text/csv', 'application/csv', 'application/xml', 'text/xml', 'application/octet-stream'];

declare module 'fastify' {
  interface FastifyRequest {
    /** A raw file body, left unread for the route to stream (RAW_FILE_TYPES). */
    fileStream?: NodeJS.ReadableStream;
  }
}

/** Content-Disposition's filename, ASCII-safe, with the UTF-8 form beside it. */
function attachment(fileName: string): string {
  const ascii = fileName.replace(/[^\x20-\x7e]|["\\]/g, '_');
  return `attachment; filename="${ascii}"; filename*=UTF-8''${encodeURIComponent(fileName)}`;
}

/**
 * Returns batches: a brand's users send a file of modifications and reversals for one of
 * its event types and follow it (status, counts, each row's outcome), then download its
 * result. The worker applies it (src/flows/apply-returns-batch.ts); the upload answers as
 * soon as the file is stored.
 */
export async function returnsBatchRoutes(app: FastifyInstance, opts: { ctx: ServiceContext }): Promise<void> {
  const { ctx } = opts;
  await app.register(multipart, { limits: { fileSize: MAX_RETURNS_FILE_BYTES, files: 1, fields: 10, parts: 11 } });
  // A raw file body is streamed by the route, not parsed (nor buffered) by Fastify.
  app.addContentTypeParser(RAW_FILE_TYPES, { bodyLimit: MAX_RETURNS_FILE_BYTES }, (request, payload, done) => {
    request.fileStream = payload;
    done(null, undefined);
  });
  const r = app.withTypeProvider<ZodTypeProvider>();

  r.post(
    '/api/v1/event-types/:eventTypeId/returns-batches',
    {
      bodyLimit: MAX_RETURNS_FILE_BYTES,
      schema: {
        tags: ['returns'],
        summary:
          'Send a returns file (CSV or XML, order level, item level or reset) for an event type (brands): multipart/form-data with the field `file`, or the raw body with its content type and ?fileName=. ' +
          'Stored before the answer (202, the receipt); the same file again for the event type answers 200 with the first batch and applies nothing; files named receipt_* or result_* are ignored.',
        params: eventTypeIdParams,
        querystring: uploadQuery,
        consumes: ['multipart/form-data', ...RAW_FILE_TYPES],
        response: { 200: uploadAnswerDto.or(ignoredAnswerDto), 202: uploadAnswerDto, ...errorResponses },
      },
    },
    async (request, reply) => {
      const actor = requireAccountActor(actorOf(request), 'BRAND');
      const file = await fileOf(request, request.query.fileName);
      if (!file) {
        return sendProblem(reply, request, {
          type: 'https://lockstep.dev/problems/unsupported-media-type',
          title: 'Unsupported media type',
          status: 415,
          detail: `Send the file as multipart/form-data (the field "file") or as the raw body with its content type (${RAW_FILE_TYPES.join(', ')}) and ?fileName=.`,
        });
      }
      const received = await submitReturnsBatch(ctx, actor, request.params.eventTypeId, {
        fileName: file.fileName,
        contentType: file.contentType,
        channel: actor.via === 'session' ? 'UPLOAD' : 'API',
        content: file.content,
      });
      if (received.ignored) return reply.status(200).send({ Status: 'IGNORED' as const, FileName: file.fileName, Message: received.message });
      return reply.status(received.created ? 202 : 200).send({ ...toReturnsBatchDto(received.batch), Duplicate: !received.created });
    },
  );

  r.get(
    '/api/v1/returns-batches',
    {
      schema: {
        tags: ['returns'],
        summary: "The brand's returns batches, newest first: file, channel, event type, status, counts",
        querystring: batchListQuery,
        response: { 200: batchPageDto, ...errorResponses },
      },
    },
    async (request) => {
      const q = request.query;
      const page = await listBatches(ctx.db, actorOf(request), {
        page: q.page,
        pageSize: q.pageSize,
        ...(q.sort ? { sort: q.sort } : {}),
        ...(q.order ? { order: q.order } : {}),
        ...(q.eventTypeId !== undefined ? { eventTypeId: q.eventTypeId } : {}),
        ...(q.status ? { status: q.status } : {}),
      });
      return toPage(page, toReturnsBatchDto);
    },
  );

  r.get(
    '/api/v1/returns-batches/:batchId',
    {
      schema: {
        tags: ['returns'],
        summary: 'One returns batch: status, rows done of the total, counts by outcome, why it failed',
        params: batchIdParams,
        response: { 200: uploadAnswerDto.omit({ Duplicate: true }), ...errorResponses },
      },
    },
    async (request) => toReturnsBatchDto(await getBatchOrThrow(ctx.db, actorOf(request), request.params.batchId)),
  );

  r.get(
    '/api/v1/returns-batches/:batchId/rows',
    {
      schema: {
        tags: ['returns'],
        summary: "A batch's rows with their outcomes, in file order (filter by outcome)",
        params: batchIdParams,
        querystring: batchRowsQuery,
        response: { 200: batchRowPageDto, ...errorResponses },
      },
    },
    async (request) => {
      const batch = await getBatchOrThrow(ctx.db, actorOf(request), request.params.batchId);
      const q = request.query;
      const page = await listBatchRows(ctx.db, batch.id, { page: q.page, pageSize: q.pageSize, ...(q.outcome ? { outcome: q.outcome } : {}) });
      return toPage(page, toReturnsBatchRowDto);
    },
  );

  r.get(
    '/api/v1/returns-batches/:batchId/summary.json',
    {
      schema: {
        tags: ['returns'],
        summary: "A batch's summary: counts by outcome and times",
        params: batchIdParams,
        response: { 200: batchSummaryDto, ...errorResponses },
      },
    },
    async (request) => {
      const batch = await getBatchOrThrow(ctx.db, actorOf(request), request.params.batchId);
      return {
        BatchId: batch.id.toString(),
        FileName: batch.fileName,
        EventTypeId: batch.eventTypeId,
        Status: batch.status,
        RowsTotal: batch.rowsTotal,
        RowsDone: batch.rowsDone,
        Counts: batch.counts,
        ReceivedAt: batch.receivedAt.toISOString(),
        StartedAt: batch.startedAt?.toISOString() ?? null,
        CompletedAt: batch.completedAt?.toISOString() ?? null,
        DurationMs: batch.startedAt && batch.completedAt ? batch.completedAt.getTime() - batch.startedAt.getTime() : null,
        Error: batch.error,
      };
    },
  );

  r.get(
    '/api/v1/returns-batches/:batchId/result.csv',
    {
      schema: {
        tags: ['returns'],
        summary: 'The result file, result_<name>.csv: every input column plus Outcome, ActionId and Message, one line per row (once the batch is DONE)',
        params: batchIdParams,
        produces: ['text/csv'],
      },
    },
    async (request, reply) => {
      const batch = await getBatchOrThrow(ctx.db, actorOf(request), request.params.batchId);
      if (batch.status !== 'DONE') {
        throw conflict(
          batch.status === 'FAILED'
            ? `Batch ${batch.id} failed, so it has no result file: ${batch.error}`
            : `Batch ${batch.id} is ${batch.status} (${batch.rowsDone} of ${batch.rowsTotal ?? '?'} rows); its result file is ready when it is DONE.`,
        );
      }
      reply.header('content-disposition', attachment(resultFileName(batch.fileName)));
      reply.type('text/csv; charset=utf-8');
      return reply.send(resultCsv(ctx.db, batch));
    },
  );

  r.get(
    '/api/v1/returns-batches/:batchId/original',
    {
      schema: {
        tags: ['returns'],
        summary: 'The file as it was received, byte for byte',
        params: batchIdParams,
        produces: ['application/octet-stream'],
      },
    },
    async (request, reply) => {
      const batch = await getBatchOrThrow(ctx.db, actorOf(request), request.params.batchId);
      reply.header('content-disposition', attachment(batch.fileName));
      reply.header('content-length', String(batch.bytes));
      reply.header('x-content-sha256', batch.contentHash);
      reply.type(batch.format === 'IMPACT_API' ? 'application/json' : 'application/octet-stream');
      return reply.send(Readable.from(readBatchContent(ctx.db, batch.id)));
    },
  );
}

/** The file part of a multipart upload, or the raw body; null for a body of another type (JSON). */
async function fileOf(
  request: FastifyRequest,
  fileName: string | undefined,
): Promise<{ fileName: string; contentType: string | null; content: AsyncIterable<Uint8Array> } | null> {
  if (request.isMultipart()) {
    const part = await request.file();
    if (part?.fieldname !== 'file') throw invalid('Send the file in the multipart field "file".');
    return { fileName: fileName ?? part.filename, contentType: part.mimetype || null, content: part.file };
  }
  if (!request.fileStream) return null;
  if (!fileName) throw invalid('fileName: give the name of the file sent as the raw body (?fileName=returns_2026_12_03.csv).');
  const contentType = request.headers['content-type']?.split(';')[0]?.trim() ?? null;
  return { fileName, contentType, content: request.fileStream as AsyncIterable<Uint8Array> };
}
