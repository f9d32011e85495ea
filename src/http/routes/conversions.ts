import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import type { z } from 'zod';
import type { ServiceContext } from '../../core/context.js';
import { DomainError } from '../../core/errors.js';
import { turnEventLoop } from '../../core/event-loop.js';
import { requireAccountActor } from '../../modules/accounts/actor.js';
import { listConversions } from '../../modules/conversions/list-conversions.js';
import { recordConversions, type RefusedInput } from '../../modules/conversions/record-conversions.js';
import { MAX_CONVERSIONS_PER_BATCH, type ConversionInput } from '../../modules/conversions/types.js';
import { actorOf } from '../auth.js';
import { validatorCompiler } from 'fastify-type-provider-zod';
import { errorResponses, pageOf } from '../contract/common.js';
import {
  conversionBatchBody,
  conversionBatchEnvelope,
  conversionBatchResultDto,
  conversionBody,
  conversionDto,
  conversionResultDto,
  conversionsQuery,
} from '../contract/conversions.js';
import { toPage } from '../contract-mapping/common.js';
import { toConversionDto, toConversionResultDto } from '../contract-mapping/conversions.js';
import { issuesText } from '../problem.js';

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
        body: conversionBody,
        response: { 200: conversionResultDto, 201: conversionResultDto, ...errorResponses },
      },
    },
    async (request, reply) => {
      const [result] = await recordConversions(ctx, actorOf(request), [request.body]);
      if (!result) throw new Error('no result');
      if (result.status === 'INVALID') {
        // The service names fields as a batch row does (`Items[0].Amount`); a problem's
        // errors name them as the schema's do (`body.Items.0.Amount`).
        const errors = result.errors?.map((e) => ({ field: `body.${e.field.replace(/\[(\d+)\]/g, '.$1')}`, message: e.message }));
        throw new DomainError('validation', result.message, errors ? { errors } : {});
      }
      if (result.status === 'CONFLICT') throw new DomainError('conflict', result.message);
      return reply.status('duplicate' in result && result.duplicate ? 200 : 201).send(toConversionResultDto(result));
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
        body: conversionBatchBody,
        response: { 200: conversionBatchResultDto, ...errorResponses },
      },
      validatorCompiler: (route) => validatorCompiler({ ...route, schema: route.httpPart === 'body' ? conversionBatchEnvelope : (route.schema as unknown as z.ZodType) }),
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
        const parsed = conversionBody.safeParse(row);
        rows.push(parsed.success ? parsed.data : { refused: issuesText(parsed.error, `Conversions[${index}]`) });
      }
      const results = await recordConversions(ctx, actorOf(request), rows);
      const count = (status: string) => results.filter((r) => r.status === status).length;
      return {
        Accepted: count('ACCEPTED'),
        Rejected: count('REJECTED'),
        Invalid: count('INVALID'),
        Conflicts: count('CONFLICT'),
        Duplicates: results.filter((r) => 'duplicate' in r && r.duplicate).length,
        Results: results.map(toConversionResultDto),
      };
    },
  );

  r.get(
    '/api/v1/conversions',
    {
      schema: {
        tags: ['conversions'],
        summary: "The brand's recorded conversions, e.g. status=REJECTED for those that could not be credited",
        querystring: conversionsQuery,
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
      return toPage(page, toConversionDto);
    },
  );
}
