import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import type { ServiceContext } from '../../core/context.js';
import { acceptTerms } from '../../modules/contracts/accept-terms.js';
import { expireContractAndReversePendingActions } from '../../flows/expire-contract.js';
import { expireContract } from '../../modules/contracts/expire-contract.js';
import type { WorkItemState } from '../../worker/states.js';
import { getContractOrThrow, listContractHistory, listPartnersOfBrand } from '../../modules/contracts/queries.js';
import { requireAccountActor } from '../../modules/accounts/actor.js';
import { actorOf } from '../auth.js';
import { errorResponses, idParams, pageOf } from '../contract/common.js';
import {
  acceptTermsBody,
  brandPartnerDto,
  contractDto,
  contractExportQuery,
  contractHistoryQuery,
  expireContractBody,
  expiredContractDto,
} from '../contract/contracts.js';
import { toPage } from '../contract-mapping/common.js';
import { CONTRACT_EXPORT_COLUMNS, historyFilterOf, toBrandPartnerDto, toContractDto } from '../contract-mapping/contracts.js';
import { EXPORT_FORMAT_NAMES, EXPORT_FORMATS, sendExport } from '../table-export.js';

export async function contractRoutes(app: FastifyInstance, opts: { ctx: ServiceContext }): Promise<void> {
  const { ctx } = opts;
  const r = app.withTypeProvider<ZodTypeProvider>();
  // A flow run by a request stops between chunks when the server shuts down; a worker resumes it.
  const closing = new AbortController();
  app.addHook('preClose', (done) => {
    closing.abort();
    done();
  });

  r.get(
    '/api/v1/contracts',
    {
      schema: {
        tags: ['contracts'],
        summary: 'Contract History: filter by Program, Contract Status and Termination Reason',
        querystring: contractHistoryQuery,
        response: { 200: pageOf(contractDto), ...errorResponses },
      },
    },
    async (request) => toPage(await listContractHistory(ctx.db, actorOf(request), historyFilterOf(request.query), ctx.clock.now()), toContractDto),
  );

  for (const format of EXPORT_FORMAT_NAMES) {
    r.get(
      `/api/v1/contracts/export.${format}`,
      {
        schema: {
          tags: ['contracts'],
          summary: `Download Contract History with the same filters, as ${EXPORT_FORMATS[format].label}`,
          querystring: contractExportQuery,
          produces: [EXPORT_FORMATS[format].mediaType],
        },
      },
      async (request, reply) => {
        const actor = actorOf(request);
        const now = ctx.clock.now();
        const pageSize = 500;
        async function* pages() {
          for (let n = 1; ; n++) {
            const page = await listContractHistory(ctx.db, actor, { ...historyFilterOf(request.query), page: n, pageSize }, now);
            yield page.items;
            if (n * pageSize >= page.total) return;
          }
        }
        return sendExport(reply, {
          format,
          fileName: 'contract-history',
          title: 'Contract History',
          query: request.query,
          now,
          columns: CONTRACT_EXPORT_COLUMNS,
          rows: pages(),
        });
      },
    );
  }

  r.get(
    '/api/v1/partners',
    {
      schema: {
        tags: ['contracts'],
        summary: 'The partners the brand works or has worked with (brands), with their contract counts',
        response: { 200: brandPartnerDto.array(), ...errorResponses },
      },
    },
    async (request) => {
      const brand = requireAccountActor(actorOf(request), 'BRAND');
      return (await listPartnersOfBrand(ctx.db, brand.accountId, ctx.clock.now())).map(toBrandPartnerDto);
    },
  );

  r.post(
    '/api/v1/contracts',
    {
      schema: {
        tags: ['contracts'],
        summary: "Accept a program's template terms (partners): creates an ACTIVE contract",
        body: acceptTermsBody,
        response: { 201: contractDto, ...errorResponses },
      },
    },
    async (request, reply) => reply.status(201).send(toContractDto(await acceptTerms(ctx, actorOf(request), request.body.TemplateTermsId))),
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
        body: expireContractBody,
        response: { 200: expiredContractDto, ...errorResponses },
      },
    },
    async (request) => {
      const { On, ReversePendingActions, ReversalReason } = request.body ?? {};
      const on = On !== undefined ? { on: On } : {};
      if (!ReversePendingActions) {
        return { ...toContractDto(await expireContract(ctx, actorOf(request), request.params.id, on)), ReversedActions: 0, UnreversedActions: 0 };
      }
      // Two modules: the flow expires the contract in this request and reverses its pending actions.
      const expired = await expireContractAndReversePendingActions(
        ctx,
        actorOf(request),
        request.params.id,
        { ...on, reason: ReversalReason ?? 'NOT_COMPLIANCE_TERMS' },
        { signal: closing.signal },
      );
      return {
        ...toContractDto(expired),
        ReversedActions: expired.reversedActions,
        UnreversedActions: expired.unreversedActions,
        ReversalState: expired.reversalState as WorkItemState,
        ReversalWorkItemId: expired.reversalWorkItemId,
      };
    },
  );
}
