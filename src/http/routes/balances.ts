import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import type { ServiceContext } from '../../core/context.js';
import { requireAccountActor } from '../../modules/accounts/actor.js';
import { actionTotals } from '../../modules/actions/action-totals.js';
import { getLedgerBalances } from '../../modules/ledger/balances.js';
import { actorOf } from '../auth.js';
import { errorResponses } from '../contract/common.js';
import { balancesDto } from '../contract/ledger.js';
import { toBalancesDto } from '../contract-mapping/actions.js';

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
}
