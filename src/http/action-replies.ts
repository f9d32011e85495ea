import type { FastifyRequest } from 'fastify';
import type { ServiceContext } from '../core/context.js';
import { getActionDetailOrThrow } from '../modules/actions/list-actions.js';
import { performerOf } from '../modules/actions/transitions.js';
import { actorOf } from './auth.js';
import type { ActionDetail } from './contract/actions.js';
import { toActionDetailDto } from './contract-mapping/actions.js';

/**
 * The action with its modification history, for the caller (with the operations it allows
 * them): what `GET /api/v1/actions/:id` and every operation on one action answer.
 */
export async function actionDetailReply(ctx: ServiceContext, request: FastifyRequest, actionId: string): Promise<ActionDetail> {
  const actor = actorOf(request);
  const now = ctx.clock.now();
  const { action, modifications } = await getActionDetailOrThrow(ctx.db, actor, BigInt(actionId), now);
  return toActionDetailDto(action, modifications, { performer: performerOf(actor), now });
}
