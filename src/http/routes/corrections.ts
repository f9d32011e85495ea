import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import type { ServiceContext } from '../../core/context.js';
import { requireOperator } from '../../modules/accounts/actor.js';
import { getActionDetailOrThrow } from '../../modules/actions/list-actions.js';
import { correctLockedAction } from '../../modules/billing/correct-action.js';
import { correctionsOfAction } from '../../modules/billing/corrections.js';
import { actorOf } from '../auth.js';
import { actionIdParams } from '../contract/actions.js';
import { errorResponses } from '../contract/common.js';
import { correctionBody, correctionDto, correctionListDto } from '../contract/corrections.js';
import { toCorrectionDto } from '../contract-mapping/corrections.js';

/** Post-lock corrections: an operator corrects a locked action's payout; its brand and partner read them with the action. */
export async function correctionRoutes(app: FastifyInstance, opts: { ctx: ServiceContext }): Promise<void> {
  const { ctx } = opts;
  const r = app.withTypeProvider<ZodTypeProvider>();

  r.get(
    '/api/v1/actions/:id/corrections',
    {
      schema: {
        tags: ['actions'],
        summary: "A locked action's post-lock corrections, oldest first: amount, reason, and the statement that billed each",
        params: actionIdParams,
        response: { 200: correctionListDto, ...errorResponses },
      },
    },
    async (request) => {
      const id = BigInt(request.params.id);
      // Who may see the action may see its corrections (another account's action is a 404).
      await getActionDetailOrThrow(ctx.db, actorOf(request), id, ctx.clock.now());
      return { Items: (await correctionsOfAction(ctx.db, id)).map(toCorrectionDto) };
    },
  );

  r.post(
    '/api/v1/operator/actions/:id/corrections',
    {
      schema: {
        tags: ['operator'],
        summary: "Correct a locked action's payout by a signed amount (operators): billed on the brand's next statement, cleared with it",
        params: actionIdParams,
        body: correctionBody,
        response: { 201: correctionDto, ...errorResponses },
      },
    },
    async (request, reply) => {
      const operator = requireOperator(actorOf(request));
      const { Amount, Currency, Reason, Note } = request.body;
      const correction = await correctLockedAction(ctx, operator, BigInt(request.params.id), {
        amount: Amount,
        reason: Reason,
        ...(Currency !== undefined ? { currency: Currency } : {}),
        ...(Note !== undefined ? { note: Note } : {}),
      });
      return reply.code(201).send(toCorrectionDto(correction));
    },
  );
}
