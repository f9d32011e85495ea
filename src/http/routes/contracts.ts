import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { ServiceContext } from '../../core/context.js';
import { acceptTerms } from '../../modules/contracts/accept-terms.js';
import { expireContract } from '../../modules/contracts/expire-contract.js';
import { CHANGE_REASON_CODES, type ChangeReasonCode } from '../../modules/actions/types.js';
import { getContractOrThrow, listContractHistory, TERMINATION_REASONS } from '../../modules/contracts/queries.js';
import { actorOf } from '../auth.js';
import { contractDto, toContractDto } from '../dto.js';
import { errorResponses, idParams, pageOf, pageQueryShape } from '../schemas.js';

export async function contractRoutes(app: FastifyInstance, opts: { ctx: ServiceContext }): Promise<void> {
  const { ctx } = opts;
  const r = app.withTypeProvider<ZodTypeProvider>();

  r.get(
    '/api/v1/contracts',
    {
      schema: {
        tags: ['contracts'],
        summary: 'Contract History: filter by Program, Contract Status and Termination Reason',
        querystring: z
          .object({
            ...pageQueryShape,
            programId: z.coerce.number().int().positive().optional(),
            partnerAccountId: z.coerce.number().int().positive().optional(),
            status: z.enum(['ALL', 'ACTIVE', 'EXPIRED']).default('ALL').describe('ACTIVE = current active contracts only'),
            terminationReason: z.enum(TERMINATION_REASONS).optional(),
          })
          .strict(),
        response: { 200: pageOf(contractDto), ...errorResponses },
      },
    },
    async (request) => {
      const page = await listContractHistory(ctx.db, actorOf(request), request.query, ctx.clock.now());
      return { ...page, items: page.items.map(toContractDto) };
    },
  );

  r.post(
    '/api/v1/contracts',
    {
      schema: {
        tags: ['contracts'],
        summary: "Accept a program's template terms (partners): creates an ACTIVE contract",
        body: z.object({ templateTermsId: z.number().int().positive() }).strict(),
        response: { 201: contractDto, ...errorResponses },
      },
    },
    async (request, reply) => reply.status(201).send(toContractDto(await acceptTerms(ctx, actorOf(request), request.body.templateTermsId))),
  );

  r.get(
    '/api/v1/contracts/:id',
    { schema: { tags: ['contracts'], summary: 'One contract', params: idParams, response: { 200: contractDto, ...errorResponses } } },
    async (request) => toContractDto(await getContractOrThrow(ctx.db, actorOf(request), request.params.id, ctx.clock.now())),
  );

  r.post(
    '/api/v1/contracts/:id/expire',
    {
      schema: {
        tags: ['contracts'],
        summary: 'Expire a contract now, or on a date (ends 23:59:59 that day in the account time zone)',
        params: idParams,
        body: z
          .object({
            on: z.string().max(10).optional().describe('YYYY-MM-DD; omit to expire now'),
            reversePendingActions: z.boolean().optional().describe('Brands: also reverse all existing pending actions'),
            reversalReason: z.enum(CHANGE_REASON_CODES as [string, ...string[]]).optional(),
          })
          .strict()
          .default({}),
        response: {
          200: contractDto.extend({ reversedActions: z.number().int(), unreversedActions: z.number().int() }),
          ...errorResponses,
        },
      },
    },
    async (request) => {
      const { reversalReason, ...rest } = request.body;
      const expired = await expireContract(ctx, actorOf(request), request.params.id, {
        ...rest,
        ...(reversalReason ? { reversalReason: reversalReason as ChangeReasonCode } : {}),
      });
      return { ...toContractDto(expired), reversedActions: expired.reversedActions, unreversedActions: expired.unreversedActions };
    },
  );
}
