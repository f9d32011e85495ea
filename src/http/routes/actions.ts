import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import type { ServiceContext } from '../../core/context.js';
import { exportActions, exportSortOf, listActions, matchingActionIds, totalActions } from '../../modules/actions/list-actions.js';
import { MAX_BULK_ACTIONS } from '../../modules/actions/types.js';
import { formatMinor } from '../../money/index.js';
import { performerOf } from '../../modules/actions/transitions.js';
import { actionDetailReply } from '../action-replies.js';
import { actorOf } from '../auth.js';
import { actionDetailDto, actionExportQuery, actionIdParams, actionIdsDto, actionListQuery, actionPageDto, actionTotalsDto } from '../contract/actions.js';
import { errorResponses } from '../contract/common.js';
import { ACTION_EXPORT_COLUMNS, actionFilterOf, toActionDto } from '../contract-mapping/actions.js';
import { EXPORT_FORMAT_NAMES, EXPORT_FORMATS, PDF_MAX_ROWS, sendExport } from '../table-export.js';

/** Reading actions: the list (Pending Payouts, a partner's actions), its downloads, one action. Operations: action-operations.ts. */
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
      const viewer = { performer: performerOf(actor), now };
      return {
        Items: page.items.map((a) => toActionDto(a, viewer)),
        Page: page.page,
        PageSize: page.pageSize,
        Total: page.total,
        TotalCapped: page.totalCapped,
      };
    },
  );

  r.get(
    '/api/v1/actions/totals',
    {
      schema: {
        tags: ['actions'],
        summary: 'Totals per currency (count, sale amount, payout) of every action the filters match, the same filters as the list',
        querystring: actionExportQuery,
        response: { 200: actionTotalsDto, ...errorResponses },
      },
    },
    async (request) => {
      const totals = await totalActions(ctx.db, actorOf(request), actionFilterOf(request.query), ctx.clock.now());
      return {
        Totals: totals.map((t) => ({
          Currency: t.currency,
          Count: t.count,
          Amount: formatMinor(t.amountMinor, t.currency),
          Payout: formatMinor(t.payoutMinor, t.currency),
        })),
      };
    },
  );

  r.get(
    '/api/v1/actions/ids',
    {
      schema: {
        tags: ['actions'],
        summary: `The ids of the actions the filters match, at most ${MAX_BULK_ACTIONS.toLocaleString('en-US')} (the bulk limit): "select all matching" for POST /actions/bulk`,
        querystring: actionExportQuery,
        response: { 200: actionIdsDto, ...errorResponses },
      },
    },
    async (request) => {
      const { sort: _sort, order: _order, ...filter } = actionFilterOf(request.query);
      const { ids, more } = await matchingActionIds(ctx.db, actorOf(request), filter, ctx.clock.now(), MAX_BULK_ACTIONS);
      return { Ids: ids.map(String), Limit: MAX_BULK_ACTIONS, More: more };
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
          sortedBy: exportSortOf(actionFilterOf(request.query)),
          now,
          columns: ACTION_EXPORT_COLUMNS,
          rows: exportActions(ctx.db, actorOf(request), actionFilterOf(request.query), now),
        });
      },
    );
  }

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
    async (request) => actionDetailReply(ctx, request, request.params.id),
  );
}
