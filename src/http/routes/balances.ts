import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import type { ServiceContext } from '../../core/context.js';
import { requireAccountActor } from '../../modules/accounts/actor.js';
import { actionTotals } from '../../modules/actions/action-totals.js';
import { getLedgerBalances } from '../../modules/ledger/balances.js';
import { actorOf } from '../auth.js';
import { errorResponses } from '../contract/common.js';
import { exportBalanceMovements, listBalanceMovements } from '../../modules/ledger/balance-movements.js';
import { balanceMovementExportQuery, balanceMovementPageDto, balanceMovementsQuery, balancesDto } from '../contract/ledger.js';
import { toBalancesDto } from '../contract-mapping/actions.js';
import { balanceMovementColumns, movementFilterOf, toBalanceMovementDto } from '../contract-mapping/ledger.js';
import { EXPORT_FORMAT_NAMES, EXPORT_FORMATS, sendExport } from '../table-export.js';


export async function balanceRoutes(app: FastifyInstance, opts: { ctx: ServiceContext }): Promise<void> {
  const { ctx } = opts;
  const r = app.withTypeProvider<ZodTypeProvider>();

  r.get(
    '/api/v1/balances',
    {
      schema: {
        tags: ['ledger'],
        summary: "The account's balances per currency: pending (estimated, from pending actions), payment pending and its overdue part, available (partners), payable (brands)",
        response: { 200: balancesDto, ...errorResponses },
      },
    },
    async (request) => {
      const actor = requireAccountActor(actorOf(request));
      return toBalancesDto(await getLedgerBalances(ctx.db, actor.accountId), await actionTotals(ctx.db, actor, ctx.clock.now()));
    },
  );

  r.get(
    '/api/v1/balance/movements',
    {
      schema: {
        tags: ['ledger'],
        summary:
          "Partners: every movement of the available balance (payments received, corrections, withdrawals, fees, returned paystubs, forfeits) with the running balance; newest first (order=asc for oldest)",
        querystring: balanceMovementsQuery,
        response: { 200: balanceMovementPageDto, ...errorResponses },
      },
    },
    async (request) => {
      const actor = requireAccountActor(actorOf(request), 'PARTNER');
      const q = request.query;
      const page = await listBalanceMovements(ctx.db, actor.accountId, { ...movementFilterOf(q), page: q.page, pageSize: q.pageSize });
      return { Items: page.items.map(toBalanceMovementDto), Page: page.page, PageSize: page.pageSize, Total: page.total };
    },
  );

  for (const format of EXPORT_FORMAT_NAMES) {
    r.get(
      `/api/v1/balance/movements/export.${format}`,
      {
        schema: {
          tags: ['ledger'],
          summary: `Download the available balance's movements as ${EXPORT_FORMATS[format].label} (the list's filters)`,
          querystring: balanceMovementExportQuery,
          produces: [EXPORT_FORMATS[format].mediaType],
        },
      },
      async (request, reply) => {
        const actor = requireAccountActor(actorOf(request), 'PARTNER');
        const q = request.query;
        const filter = movementFilterOf(q);
        return sendExport(reply, {
          format,
          fileName: 'balance-movements',
          title: 'Balance movements',
          query: { ...q },
          now: ctx.clock.now(),
          columns: balanceMovementColumns,
          rows: exportBalanceMovements(ctx.db, actor.accountId, filter),
        });
      },
    );
  }
}
