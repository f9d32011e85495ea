import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { ServiceContext } from '../../core/context.js';
import { DomainError } from '../../core/errors.js';
import { turnEventLoop } from '../../core/event-loop.js';
import { requireAccountActor } from '../../modules/accounts/actor.js';
import { listConversions } from '../../modules/conversions/list-conversions.js';
import { recordConversions, type RefusedInput } from '../../modules/conversions/record-conversions.js';
import { MAX_CONVERSIONS_PER_BATCH, REJECT_REASONS, type ConversionInput } from '../../modules/conversions/types.js';
import { formatMinor } from '../../money/index.js';
import { actorOf } from '../auth.js';
import { validatorCompiler } from 'fastify-type-provider-zod';
import { errorResponses, filterDateTime, isoDate, issuesText, pageOf, pageQueryShape, rowId } from '../schemas.js';

const conversionInput = z
  .object({
    ActionTrackerId: rowId().describe('The event type id'),
    OrderId: z.string().max(64),
    EventDate: z.string().max(40).describe('ISO 8601 with offset, e.g. 2026-01-15T10:30:00-05:00'),
    ClickId: z.string().max(64).optional(),
    Amount: z.string().max(30).optional().describe('Decimal sale amount in the program currency, e.g. "129.99"'),
    CurrencyCode: z.string().max(3).optional().describe("Defaults to the program's currency; any other is refused"),
    Items: z
      .array(
        z
          .object({
            Sku: z.string().max(100).optional(),
            Category: z.string().max(100).optional(),
            Quantity: z.number().int().min(0).max(1_000_000),
            Amount: z.string().max(30).describe('Line subtotal'),
          })
          .strict(),
      )
      .max(1000)
      .optional(),
  })
  .strict();

const resultDto = z.object({
  index: z.number().int(),
  status: z.enum(['ACCEPTED', 'REJECTED', 'INVALID', 'CONFLICT']),
  duplicate: z.boolean().optional(),
  conversionId: z.string().optional(),
  actionId: z.string().nullable().optional(),
  rejectReason: z.enum(REJECT_REASONS).nullable().optional(),
  message: z.string().optional(),
});

const conversionDto = z.object({
  Id: z.string(),
  CampaignId: z.number().int(),
  CampaignName: z.string(),
  ActionTrackerId: z.number().int(),
  EventTypeName: z.string(),
  OrderId: z.string(),
  EventDate: isoDate,
  ClickId: z.string().nullable(),
  MediaPartnerId: z.number().int().nullable(),
  MediaPartnerName: z.string().nullable(),
  Amount: z.string(),
  Currency: z.string(),
  Status: z.enum(['ACCEPTED', 'REJECTED']),
  RejectReason: z.string().nullable(),
  ActionId: z.string().nullable(),
  CreatedDate: isoDate,
});

const batchBody = z.object({ Conversions: z.array(conversionInput).min(1).max(MAX_CONVERSIONS_PER_BATCH) }).strict();
/**
 * What the batch endpoint validates as a whole: the envelope. Each row is then checked on
 * its own against conversionInput (the schema /docs shows), so one malformed row is that
 * row's INVALID result, not a 400 for the other 9,999.
 */
const batchEnvelope = z.object({ Conversions: z.array(z.unknown()).min(1).max(MAX_CONVERSIONS_PER_BATCH) }).strict();

export async function conversionRoutes(app: FastifyInstance, opts: { ctx: ServiceContext }): Promise<void> {
  const { ctx } = opts;
  const r = app.withTypeProvider<ZodTypeProvider>();

  r.post(
    '/api/v1/conversions',
    {
      schema: {
        tags: ['conversions'],
        summary: 'Report one conversion (brands). Attributed through ClickId; idempotent on (ActionTrackerId, OrderId).',
        description:
          '201 when recorded (ACCEPTED as a pending action, or REJECTED with its reason when it cannot be credited), 200 when the same body was already recorded, 409 when the OrderId was recorded with different details, 400 when invalid.',
        body: conversionInput,
        response: { 200: resultDto, 201: resultDto, ...errorResponses },
      },
    },
    async (request, reply) => {
      const [result] = await recordConversions(ctx, actorOf(request), [request.body]);
      if (!result) throw new Error('no result');
      if (result.status === 'INVALID') throw new DomainError('validation', result.message);
      if (result.status === 'CONFLICT') throw new DomainError('conflict', result.message);
      return reply.status('duplicate' in result && result.duplicate ? 200 : 201).send(result);
    },
  );

  r.post(
    '/api/v1/conversions/batch',
    {
      bodyLimit: 16 * 1024 * 1024,
      schema: {
        tags: ['conversions'],
        summary: `Report up to ${MAX_CONVERSIONS_PER_BATCH.toLocaleString('en-US')} conversions at once (brands), each with its own result`,
        description:
          'Each conversion is checked on its own: a malformed one is that row\'s INVALID result with what is wrong, and the others are recorded. The batch is written in chunks, each its own transaction; a retry answers the conversions already written as duplicates.',
        body: batchBody,
        response: {
          200: z.object({
            accepted: z.number().int(),
            rejected: z.number().int(),
            invalid: z.number().int(),
            conflicts: z.number().int(),
            duplicates: z.number().int(),
            results: z.array(resultDto),
          }),
          ...errorResponses,
        },
      },
      validatorCompiler: (route) => validatorCompiler({ ...route, schema: route.httpPart === 'body' ? batchEnvelope : (route.schema as unknown as z.ZodType) }),
      // The answer is built here from the service's typed results: checking 10,000 of them
      // against the response schema again would hold the thread (and every click waiting
      // on it) for tens of milliseconds. The schema still documents the answer.
      serializerCompiler: () => (data) => JSON.stringify(data),
    },
    async (request) => {
      const rows: Array<ConversionInput | RefusedInput> = [];
      for (const [index, row] of (request.body.Conversions as unknown[]).entries()) {
        // Other requests (clicks) get their turn while a big batch is checked.
        if (index > 0 && index % 1_000 === 0) await turnEventLoop();
        const parsed = conversionInput.safeParse(row);
        rows.push(parsed.success ? parsed.data : { refused: issuesText(parsed.error, `Conversions[${index}]`) });
      }
      const results = await recordConversions(ctx, actorOf(request), rows);
      const count = (status: string) => results.filter((r) => r.status === status).length;
      return {
        accepted: count('ACCEPTED'),
        rejected: count('REJECTED'),
        invalid: count('INVALID'),
        conflicts: count('CONFLICT'),
        duplicates: results.filter((r) => 'duplicate' in r && r.duplicate).length,
        results,
      };
    },
  );

  r.get(
    '/api/v1/conversions',
    {
      schema: {
        tags: ['conversions'],
        summary: "The brand's recorded conversions, e.g. status=REJECTED for those that could not be credited",
        querystring: z
          .object({
            ...pageQueryShape,
            status: z.enum(['ACCEPTED', 'REJECTED']).optional(),
            rejectReason: z.enum(REJECT_REASONS).optional(),
            orderId: z.string().max(64).optional(),
            from: filterDateTime().optional().describe('Event date from (inclusive)'),
            to: filterDateTime().optional().describe('Event date to (exclusive)'),
          })
          .strict(),
        response: { 200: pageOf(conversionDto), ...errorResponses },
      },
    },
    async (request) => {
      const brand = requireAccountActor(actorOf(request), 'BRAND');
      const { from, to, ...rest } = request.query;
      const page = await listConversions(ctx.db, brand.accountId, {
        ...rest,
        ...(from ? { from: new Date(from) } : {}),
        ...(to ? { to: new Date(to) } : {}),
      });
      return {
        ...page,
        items: page.items.map((c) => ({
          Id: c.id.toString(),
          CampaignId: c.programId,
          CampaignName: c.programName,
          ActionTrackerId: c.eventTypeId,
          EventTypeName: c.eventTypeName,
          OrderId: c.orderId,
          EventDate: c.eventAt.toISOString(),
          ClickId: c.clickId,
          MediaPartnerId: c.partnerAccountId,
          MediaPartnerName: c.partnerName,
          Amount: formatMinor(c.amountMinor, c.currency),
          Currency: c.currency,
          Status: c.status,
          RejectReason: c.rejectReason,
          ActionId: c.actionId?.toString() ?? null,
          CreatedDate: c.createdAt.toISOString(),
        })),
      };
    },
  );
}
