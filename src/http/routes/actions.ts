import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import type { z } from 'zod';
import type { ServiceContext } from '../../core/context.js';
import { DomainError, invalid } from '../../core/errors.js';
import { requireAccountActor, requireOperator } from '../../modules/accounts/actor.js';
import { applyActionOperation, applyActionOperationSequence, type ActionOutcome } from '../../modules/actions/apply-action-operation.js';
import { exportActions, getActionDetailOrThrow, listActions, type ActionFilter, type ActionView } from '../../modules/actions/list-actions.js';
import { pendingEstimates } from '../../modules/actions/pending-estimates.js';
import { performerOf, type OperationRequest, type Refusal } from '../../modules/actions/transitions.js';
import { MAX_BULK_ACTIONS } from '../../modules/actions/types.js';
import { getLedgerBalances } from '../../modules/ledger/balances.js';
import { MoneyError, parseAmountMinorOrThrow } from '../../money/index.js';
import { actorOf } from '../auth.js';
import {
  actionDetailDto,
  actionExportQuery,
  actionIdParams,
  actionListQuery,
  actionPageDto,
  bulkBody,
  bulkResultDto,
  modifyBody,
  modifyItemsBody,
  rejectItemBody,
  reverseBody,
} from '../contract/actions.js';
import { emptyBody, errorResponses } from '../contract/common.js';
import { balancesDto } from '../contract/ledger.js';
import { reattributeBody, reverseCpcBody } from '../contract/operator.js';
import { ACTION_SORT_KEYS, toActionDetailDto, toActionDto, toBalanceDto, toBulkOutcomeDto, type Viewer } from '../contract-mapping/actions.js';
import { EXPORT_FORMAT_NAMES, EXPORT_FORMATS, PDF_MAX_ROWS, sendExport, type ExportColumn } from '../table-export.js';

function actionFilterOf(q: z.infer<typeof actionExportQuery>): Omit<ActionFilter, 'page' | 'pageSize'> {
  return {
    ...(q.sort ? { sort: ACTION_SORT_KEYS[q.sort] } : {}),
    ...(q.order ? { order: q.order } : {}),
    ...(q.state ? { state: q.state } : {}),
    ...(q.statusDetail ? { statusDetail: q.statusDetail } : {}),
    ...(q.programId ? { programId: q.programId } : {}),
    ...(q.partnerId ? { partnerAccountId: q.partnerId } : {}),
    ...(q.actionTrackerId ? { eventTypeId: q.actionTrackerId } : {}),
    ...(q.orderId ? { orderId: q.orderId } : {}),
    ...(q.actionId ? { actionId: BigInt(q.actionId) } : {}),
    ...(q.from ? { from: new Date(q.from) } : {}),
    ...(q.to ? { to: new Date(q.to) } : {}),
  };
}

/** The columns of the downloads, named as in the API (and as impact.com names them). */
const ACTION_EXPORT_COLUMNS: Array<ExportColumn<ActionView>> = (() => {
  const money = (minor: (a: ActionView) => bigint) => (a: ActionView) => ({ minor: minor(a), currency: a.currency });
  return [
    { header: 'Id', value: (a) => a.id.toString(), width: 12, pdf: true },
    { header: 'CampaignId', value: (a) => a.programId, width: 11 },
    { header: 'CampaignName', value: (a) => a.programName, width: 24, pdf: true },
    { header: 'ActionTrackerId', value: (a) => a.eventTypeId, width: 11 },
    { header: 'EventTypeName', value: (a) => a.eventTypeName, width: 18, pdf: true },
    { header: 'MediaPartnerId', value: (a) => a.partnerAccountId, width: 11 },
    { header: 'MediaPartnerName', value: (a) => a.partnerName, width: 22, pdf: true },
    { header: 'State', value: (a) => a.state, width: 10 },
    { header: 'StatusDetail', value: (a) => a.statusDetail, width: 22, pdf: true },
    { header: 'Amount', value: money((a) => a.amountMinor), width: 12, pdf: true, alignRight: true },
    { header: 'Payout', value: money((a) => a.payoutMinor), width: 11, pdf: true, alignRight: true },
    { header: 'DeltaAmount', value: money((a) => a.amountMinor - a.originalAmountMinor), width: 12 },
    { header: 'DeltaPayout', value: money((a) => a.payoutMinor - a.originalPayoutMinor), width: 12 },
    { header: 'IntendedAmount', value: money((a) => a.originalAmountMinor), width: 14 },
    { header: 'IntendedPayout', value: money((a) => a.originalPayoutMinor), width: 14 },
    { header: 'Currency', value: (a) => a.currency, width: 10, pdf: true },
    { header: 'OrderId', value: (a) => a.orderId, width: 16, pdf: true },
    { header: 'ReferringDate', value: (a) => a.referringAt, width: 19 },
    { header: 'EventDate', value: (a) => a.eventAt, width: 19, pdf: true },
    { header: 'LockingDate', value: (a) => a.lockingAt, width: 19, pdf: true },
    { header: 'LockedDate', value: (a) => a.lockedAt, width: 19 },
    { header: 'PaymentDate', value: (a) => a.paymentDueAt, width: 19 },
    { header: 'ClearedDate', value: (a) => a.clearedAt, width: 19 },
  ];
})();

const REFUSAL_STATUS: Record<Refusal, ConstructorParameters<typeof DomainError>[0]> = {
  not_found: 'not-found',
  forbidden: 'forbidden',
  cpc_needs_operator: 'forbidden',
  locked: 'conflict',
  wrong_state: 'conflict',
  modification_limit: 'conflict',
  not_cpc: 'conflict',
  no_contract: 'conflict',
  invalid: 'validation',
};

function parseMoney(text: string, currency: string, field: string): bigint {
  try {
    return parseAmountMinorOrThrow(text, currency);
  } catch (error) {
    if (error instanceof MoneyError) throw invalid(`${field}: ${error.message}`);
    throw error;
  }
}

export async function actionRoutes(app: FastifyInstance, opts: { ctx: ServiceContext }): Promise<void> {
  const { ctx } = opts;
  const r = app.withTypeProvider<ZodTypeProvider>();

  r.get(
    '/api/v1/actions',
    {
      schema: {
        tags: ['actions'],
        summary: "Actions: a brand's Pending Payouts list (filter state=PENDING), a partner's own actions",
        querystring: actionListQuery,
        response: { 200: actionPageDto, ...errorResponses },
      },
    },
    async (request) => {
      const q = request.query;
      const actor = actorOf(request);
      const now = ctx.clock.now();
      const page = await listActions(ctx.db, actor, { page: q.page, pageSize: q.pageSize, ...actionFilterOf(q) }, now);
      const viewer: Viewer = { performer: performerOf(actor), now };
      return {
        Items: page.items.map((a) => toActionDto(a, viewer)),
        Page: page.page,
        PageSize: page.pageSize,
        Total: page.total,
        TotalCapped: page.totalCapped,
      };
    },
  );

  for (const format of EXPORT_FORMAT_NAMES) {
    r.get(
      `/api/v1/actions/export.${format}`,
      {
        schema: {
          tags: ['actions'],
          summary:
            `Download the actions matching the same filters as the list, as ${EXPORT_FORMATS[format].label} ` +
            (format === 'pdf' ? `(newest first, the first ${PDF_MAX_ROWS.toLocaleString('en-US')} rows)` : '(newest first, up to 1,000,000 rows)'),
          querystring: actionExportQuery,
          produces: [EXPORT_FORMATS[format].mediaType],
        },
      },
      async (request, reply) => {
        const now = ctx.clock.now();
        return sendExport(reply, {
          format,
          fileName: 'actions',
          title: 'Actions',
          query: request.query,
          now,
          columns: ACTION_EXPORT_COLUMNS,
          rows: exportActions(ctx.db, actorOf(request), actionFilterOf(request.query), now),
        });
      },
    );
  }

  type ActionRequest = { params: { id: string } } & Parameters<typeof actorOf>[0];
  /** The action after a change, with its modification history: what every operation answers. */
  const detailOf = async (request: ActionRequest) => {
    const actor = actorOf(request);
    const now = ctx.clock.now();
    const { action, modifications } = await getActionDetailOrThrow(ctx.db, actor, BigInt(request.params.id), now);
    return toActionDetailDto(action, modifications, { performer: performerOf(actor), now });
  };
  const refused = (outcome: ActionOutcome, where = '') =>
    new DomainError(REFUSAL_STATUS[outcome.refusal!], `${outcome.message!}${where}`, { refusal: outcome.refusal });

  r.get(
    '/api/v1/actions/:id',
    {
      schema: {
        tags: ['actions'],
        summary: 'One action with its items and modification history',
        params: actionIdParams,
        response: { 200: actionDetailDto, ...errorResponses },
      },
    },
    async (request) => detailOf(request),
  );

  /** One operation on one action: a refusal becomes the matching 4xx problem. */
  const single = async (request: ActionRequest, op: OperationRequest) => {
    const [outcome] = await applyActionOperation(ctx, actorOf(request), [request.params.id], op);
    if (!outcome) throw new Error('no outcome');
    if (!outcome.ok) throw refused(outcome);
    return detailOf(request);
  };
  const detailResponse = { 200: actionDetailDto, ...errorResponses };

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
    async (request) => single(request, { op: 'APPROVE' }),
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
    async (request) => single(request, { op: 'REVERSE', reason: request.body.Reason }),
  );

  r.post(
    '/api/v1/actions/:id/modify',
    {
      schema: {
        tags: ['actions'],
        summary: 'Modify the sale amount (brands): of the order, or of items; the payout is recomputed from the contract; Amount 0 reverses',
        params: actionIdParams,
        body: modifyBody,
        response: detailResponse,
      },
    },
    async (request) => {
      const { action } = await getActionDetailOrThrow(ctx.db, actorOf(request), BigInt(request.params.id), ctx.clock.now());
      const body = request.body;
      if ((body.Amount === undefined) === (body.Items === undefined || body.Items.length === 0)) {
        throw invalid('Give either Amount (the new order amount) or Items (new amounts for items), not both and not neither.');
      }
      return single(request, {
        op: 'MODIFY_AMOUNT',
        reason: body.Reason,
        ...(body.Amount !== undefined ? { amountMinor: parseMoney(body.Amount, action.currency, 'Amount') } : {}),
        ...(body.Items?.length
          ? { itemAmounts: body.Items.map((i, n) => ({ index: i.Index, amountMinor: parseMoney(i.Amount, action.currency, `Items[${n}].Amount`) })) }
          : {}),
      });
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
    async (request) => single(request, { op: 'REJECT_ITEM', itemIndex: request.body.ItemIndex, reason: request.body.Reason }),
  );

  r.post(
    '/api/v1/actions/:id/modify-items',
    {
      schema: {
        tags: ['actions'],
        summary:
          'Modify Item Details (brands): reject some items and give others new amounts, with one reason, all or nothing. ' +
          'Rejections are applied first, then the new amounts, each recorded as its own modification; rejecting every item left reverses the action.',
        params: actionIdParams,
        body: modifyItemsBody,
        response: detailResponse,
      },
    },
    async (request) => {
      const { action } = await getActionDetailOrThrow(ctx.db, actorOf(request), BigInt(request.params.id), ctx.clock.now());
      const { Reason, Items } = request.body;
      const seen = new Set<number>();
      for (const [n, item] of Items.entries()) {
        if ((item.Amount === undefined) === (item.Reject === undefined)) {
          throw invalid(`Items[${n}]: give either Amount (a new amount) or Reject: true, not both and not neither.`);
        }
        if (seen.has(item.Index)) throw invalid(`Items[${n}]: item ${item.Index} is listed twice.`);
        seen.add(item.Index);
      }
      const steps: OperationRequest[] = Items.filter((item) => item.Reject).map((item) => ({ op: 'REJECT_ITEM', itemIndex: item.Index, reason: Reason }));
      const itemAmounts = Items.flatMap((item, n) =>
        item.Amount === undefined ? [] : [{ index: item.Index, amountMinor: parseMoney(item.Amount, action.currency, `Items[${n}].Amount`) }],
      );
      if (itemAmounts.length) steps.push({ op: 'MODIFY_AMOUNT', reason: Reason, itemAmounts });
      const outcome = await applyActionOperationSequence(ctx, actorOf(request), BigInt(request.params.id), steps);
      if (!outcome.ok) {
        throw refused(outcome, steps.length > 1 ? ` (change ${outcome.step! + 1} of ${steps.length}; none of the changes was saved)` : '');
      }
      return detailOf(request);
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
    async (request) => single(request, { op: 'RESTORE' }),
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
    async (request) => single(request, { op: 'RESET' }),
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
      if (Operation === 'REVERSE' && !Reason) throw invalid('Reason is required to reverse actions.');
      if (Operation !== 'REVERSE' && Reason) throw invalid(`Reason applies to REVERSE only, not to ${Operation}.`);
      const op: OperationRequest = Operation === 'REVERSE' ? { op: 'REVERSE', reason: Reason! } : { op: Operation };
      const outcomes: ActionOutcome[] = await applyActionOperation(ctx, actorOf(request), ActionIds, op);
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
      return single(request, { op: 'REATTRIBUTE', partnerAccountId: request.body.MediaPartnerId, reason: request.body.Reason });
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
      return single(request, { op: 'REVERSE_CPC', reason: request.body.Reason });
    },
  );

  r.get(
    '/api/v1/balances',
    {
      schema: {
        tags: ['ledger'],
        summary: "The account's balances per currency: pending (estimated, from pending actions) and the ledger's posted balances",
        response: { 200: balancesDto, ...errorResponses },
      },
    },
    async (request) => {
      const actor = requireAccountActor(actorOf(request));
      const ledger = await getLedgerBalances(ctx.db, actor.accountId);
      const pending = await pendingEstimates(ctx.db, actor);
      const currencies = [...new Set([...ledger.map((b) => b.currency), ...pending.keys()])].sort();
      return {
        Balances: currencies.map((currency) => {
          const of = (code: string) => ledger.find((b) => b.currency === currency && b.code === code)?.balanceMinor ?? 0n;
          return toBalanceDto({
            currency,
            pendingMinor: pending.get(currency) ?? 0n,
            paymentPendingMinor: of('PARTNER_PAYMENT_PENDING'),
            payableMinor: -of('BRAND_PAYABLE'),
          });
        }),
      };
    },
  );
}
