import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import type { ServiceContext } from '../../core/context.js';
import { requireOperator } from '../../modules/accounts/actor.js';
import { listWorkItems } from '../../worker/list-work-items.js';
import { retryWorkItem } from '../../worker/retry-work-item.js';
import { NEEDS_ATTENTION_STATES, type WorkItemState } from '../../worker/states.js';
import { actorOf } from '../auth.js';
import { emptyBody, errorResponses, pageOf } from '../contract/common.js';
import { workItemDto, workItemParams, workItemsQuery } from '../contract/work-items.js';
import { toPage } from '../contract-mapping/common.js';
import { toWorkItemDto } from '../contract-mapping/work-items.js';

/** The operator console's view of the worker (src/worker). Operators only. */
export async function operatorWorkItemRoutes(app: FastifyInstance, opts: { ctx: ServiceContext }): Promise<void> {
  const { ctx } = opts;
  const r = app.withTypeProvider<ZodTypeProvider>();

  r.get(
    '/api/v1/operator/work-items',
    {
      schema: {
        tags: ['operator'],
        summary: 'Work items of the background worker, oldest first; by default the FAILED and DEAD ones (operators)',
        querystring: workItemsQuery,
        response: { 200: pageOf(workItemDto), ...errorResponses },
      },
    },
    async (request) => {
      requireOperator(actorOf(request));
      const { state, kind, page, pageSize } = request.query;
      const states = state ? ([...new Set(state.split(','))] as WorkItemState[]) : NEEDS_ATTENTION_STATES;
      return toPage(await listWorkItems(ctx.db, { states, ...(kind ? { kind } : {}), page, pageSize }), toWorkItemDto);
    },
  );

  r.post(
    '/api/v1/operator/work-items/:id/retry',
    {
      schema: {
        tags: ['operator'],
        summary: 'Send a FAILED or DEAD work item back to the queue, due now, with its attempts reset and its progress kept (operators)',
        params: workItemParams,
        body: emptyBody,
        response: { 200: workItemDto, ...errorResponses },
      },
    },
    async (request) => {
      const operator = requireOperator(actorOf(request));
      return toWorkItemDto(await retryWorkItem(ctx, operator.userId, BigInt(request.params.id)));
    },
  );
}
