import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { ServiceContext } from '../../core/context.js';
import { requireOperator } from '../../modules/accounts/actor.js';
import { applyActionOperation } from '../../modules/actions/apply-action-operation.js';
import {
  actionCurrencyOrThrow,
  applyOneOrThrow,
  applySequenceOrThrow,
  bulkRequestOf,
  itemChangeRequestsOf,
  modifyAmountRequestOf,
  previewSequenceOrThrow,
  rejectItemRequestOf,
} from '../../modules/actions/request-operations.js';
import type { OperationRequest } from '../../modules/actions/transitions.js';
import { MAX_BULK_ACTIONS } from '../../modules/actions/types.js';
import { actionDetailReply } from '../action-replies.js';
import { actorOf } from '../auth.js';
import {
  actionDetailDto,
  actionIdParams,
  actionPreviewDto,
  dryRunQuery,
  bulkBody,
  bulkResultDto,
  modifyBody,
  modifyItemsBody,
  rejectItemBody,
  reverseBody,
} from '../contract/actions.js';
import { emptyBody, errorResponses } from '../contract/common.js';
import { reattributeBody, reverseCpcBody } from '../contract/operator.js';
import { toActionPreviewDto, toBulkOutcomeDto } from '../contract-mapping/actions.js';

/**
 * The operations on actions: a brand's on one action and in bulk, an operator's
 * re-attribution and cost-per-click reversal. Each turns the request into operation
 * requests (src/modules/actions/request-operations.ts), applies them, and answers the
 * action afterwards; a refusal is its 4xx problem.
 */
export async function actionOperationRoutes(app: FastifyInstance, opts: { ctx: ServiceContext }): Promise<void> {
  const { ctx } = opts;
  const r = app.withTypeProvider<ZodTypeProvider>();

  type ActionRequest = Parameters<typeof actorOf>[0] & { params: { id: string } };
  const apply = async (request: ActionRequest, op: OperationRequest) => {
    await applyOneOrThrow(ctx, actorOf(request), request.params.id, op);
    return actionDetailReply(ctx, request, request.params.id);
  };
  const currencyOf = (request: ActionRequest) => actionCurrencyOrThrow(ctx.db, actorOf(request), BigInt(request.params.id), ctx.clock.now());
  const detailResponse = { 200: actionDetailDto, ...errorResponses };
  /** Modify and Modify Item Details answer a dry run (`?dryRun=true`) with the preview instead. */
  const detailOrPreviewResponse = { 200: z.union([actionDetailDto, actionPreviewDto]), ...errorResponses };
  /**
   * The changes asked for, applied; or with `?dryRun=true` planned the same way and
   * answered as a preview with nothing saved (the UI shows the new payout before saving).
   */
  const applyOrPreview = async (request: ActionRequest & { query: { dryRun?: 'true' | 'false' | undefined } }, steps: readonly OperationRequest[]) => {
    const id = BigInt(request.params.id);
    if (request.query.dryRun === 'true') return toActionPreviewDto(await previewSequenceOrThrow(ctx, actorOf(request), id, steps));
    await applySequenceOrThrow(ctx, actorOf(request), id, steps);
    return actionDetailReply(ctx, request, request.params.id);
  };

  r.post(
    '/api/v1/actions/:id/approve',
    {
      schema: {
        tags: ['actions'],
        summary: 'Approve (brands): "approved for locking", the action locks now',
        params: actionIdParams,
        body: emptyBody,
        response: detailResponse,
      },
    },
    async (request) => apply(request, { op: 'APPROVE' }),
  );

  r.post(
    '/api/v1/actions/:id/reverse',
    {
      schema: {
        tags: ['actions'],
        summary: 'Reverse (brands) with a reason; cost-per-click actions need an operator',
        params: actionIdParams,
        body: reverseBody,
        response: detailResponse,
      },
    },
    async (request) => apply(request, { op: 'REVERSE', reason: request.body.Reason }),
  );

  r.post(
    '/api/v1/actions/:id/modify',
    {
      schema: {
        tags: ['actions'],
        summary:
          'Modify the sale amount (brands): of the order, or of items (Index 1 is the first item); the payout is recomputed from the contract; Amount 0 reverses. ' +
          'With dryRun=true: the new amount and payout, nothing saved',
        params: actionIdParams,
        querystring: dryRunQuery,
        body: modifyBody,
        response: detailOrPreviewResponse,
      },
    },
    async (request) => {
      const { Reason, Amount, Items } = request.body;
      const change = { reason: Reason, ...(Amount !== undefined ? { amount: Amount } : {}), ...(Items ? { items: Items.map((i) => ({ index: i.Index, amount: i.Amount })) } : {}) };
      return applyOrPreview(request, [modifyAmountRequestOf(change, await currencyOf(request))]);
    },
  );

  r.post(
    '/api/v1/actions/:id/reject-item',
    {
      schema: {
        tags: ['actions'],
        summary: 'Reject one item (brands): its quantity becomes 0; rejecting the last item reverses the action',
        params: actionIdParams,
        body: rejectItemBody,
        response: detailResponse,
      },
    },
    async (request) => apply(request, rejectItemRequestOf(request.body.Reason, request.body.ItemIndex)),
  );

  r.post(
    '/api/v1/actions/:id/modify-items',
    {
      schema: {
        tags: ['actions'],
        summary:
          'Modify Item Details (brands): reject some items and give others new amounts, with one reason, all or nothing. ' +
          'Rejections are applied first, then the new amounts, each recorded as its own modification; rejecting every item left reverses the action. ' +
          'Items are numbered from 1 (Index 1 is the first item). With dryRun=true: the new amount and payout, nothing saved',
        params: actionIdParams,
        querystring: dryRunQuery,
        body: modifyItemsBody,
        response: detailOrPreviewResponse,
      },
    },
    async (request) => {
      const { Reason, Items } = request.body;
      const changes = Items.map((item) => ({
        index: item.Index,
        ...(item.Amount !== undefined ? { amount: item.Amount } : {}),
        ...(item.Reject !== undefined ? { reject: item.Reject } : {}),
      }));
      return applyOrPreview(request, itemChangeRequestsOf(Reason, changes, await currencyOf(request)));
    },
  );

  r.post(
    '/api/v1/actions/:id/restore',
    {
      schema: {
        tags: ['actions'],
        summary: 'Restore a reversed action (brands): back to PENDING, it then locks per the contract terms',
        params: actionIdParams,
        body: emptyBody,
        response: detailResponse,
      },
    },
    async (request) => apply(request, { op: 'RESTORE' }),
  );

  r.post(
    '/api/v1/actions/:id/reset',
    {
      schema: {
        tags: ['actions'],
        summary: 'Reset (brands): back to PENDING with the original amount, payout and items',
        params: actionIdParams,
        body: emptyBody,
        response: detailResponse,
      },
    },
    async (request) => apply(request, { op: 'RESET' }),
  );

  r.post(
    '/api/v1/actions/bulk',
    {
      bodyLimit: 4 * 1024 * 1024,
      schema: {
        tags: ['actions'],
        summary: `One operation on up to ${MAX_BULK_ACTIONS.toLocaleString('en-US')} actions (brands), with an outcome per action`,
        body: bulkBody,
        response: { 200: bulkResultDto, ...errorResponses },
      },
    },
    async (request) => {
      const { Operation, ActionIds, Reason } = request.body;
      const outcomes = await applyActionOperation(ctx, actorOf(request), ActionIds, bulkRequestOf(Operation, Reason));
      return {
        Succeeded: outcomes.filter((o) => o.ok).length,
        Failed: outcomes.filter((o) => !o.ok).length,
        Outcomes: outcomes.map(toBulkOutcomeDto),
      };
    },
  );

  r.post(
    '/api/v1/operator/actions/:id/reattribute',
    {
      schema: {
        tags: ['operator'],
        summary: 'Re-attribute a pending action to another partner (operators), under that partner’s contract in force at the event date',
        params: actionIdParams,
        body: reattributeBody,
        response: detailResponse,
      },
    },
    async (request) => {
      requireOperator(actorOf(request));
      return apply(request, { op: 'REATTRIBUTE', partnerAccountId: request.body.MediaPartnerId, reason: request.body.Reason });
    },
  );

  r.post(
    '/api/v1/operator/actions/:id/reverse-cpc',
    {
      schema: {
        tags: ['operator'],
        summary: 'Reverse a pending cost-per-click action (operators)',
        params: actionIdParams,
        body: reverseCpcBody,
        response: detailResponse,
      },
    },
    async (request) => {
      requireOperator(actorOf(request));
      return apply(request, { op: 'REVERSE_CPC', reason: request.body.Reason });
    },
  );
}
