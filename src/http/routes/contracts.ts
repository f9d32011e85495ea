import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { ServiceContext } from '../../core/context.js';
import { expireContractAndReversePendingActions } from '../../flows/expire-contract.js';
import { acceptTerms } from '../../modules/contracts/accept-terms.js';
import { expireContract, MAX_EXPIRY_YEARS_AHEAD } from '../../modules/contracts/expire-contract.js';
import { CHANGE_REASON_CODES, type ChangeReasonCode } from '../../modules/actions/types.js';
import { getContractOrThrow, listContractHistory, listPartnersOfBrand, TERMINATION_REASONS, type ContractRow } from '../../modules/contracts/queries.js';
import { requireAccountActor } from '../../modules/accounts/actor.js';
import { actorOf } from '../auth.js';
import { contractDto, toContractDto } from '../dto.js';
import { errorResponses, idParams, isoDate, pageOf, pageQueryShape, rowId, rowIdText } from '../schemas.js';
import { EXPORT_FORMAT_NAMES, EXPORT_FORMATS, sendExport, type ExportColumn } from '../table-export.js';

const historyFilterShape = {
  programId: rowIdText().optional(),
  partnerAccountId: rowIdText().optional(),
  status: z.enum(['ALL', 'ACTIVE', 'EXPIRED']).default('ALL').describe('ACTIVE = current active contracts only'),
  terminationReason: z.enum(TERMINATION_REASONS).optional(),
  sort: z.string().max(50).optional(),
  order: z.enum(['asc', 'desc']).optional(),
};
const historyFilter = z.object(historyFilterShape).strict();

const CONTRACT_EXPORT_COLUMNS: Array<ExportColumn<ContractRow>> = [
  { header: 'ContractId', value: (c) => c.id, width: 11, pdf: true },
  { header: 'ProgramId', value: (c) => c.programId, width: 10 },
  { header: 'Program', value: (c) => c.programName, width: 24, pdf: true },
  { header: 'Brand', value: (c) => c.brandName, width: 20, pdf: true },
  { header: 'PartnerId', value: (c) => c.partnerAccountId, width: 10 },
  { header: 'Partner', value: (c) => c.partnerName, width: 20, pdf: true },
  { header: 'TemplateTerms', value: (c) => c.templateTermsName, width: 22, pdf: true },
  { header: 'Status', value: (c) => c.status, width: 10, pdf: true },
  { header: 'StartDate', value: (c) => c.startAt, width: 19, pdf: true },
  { header: 'EndDate', value: (c) => c.endAt, width: 19, pdf: true },
  { header: 'TerminationReason', value: (c) => c.terminationReason, width: 20, pdf: true },
];

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
        querystring: z.object({ ...pageQueryShape, ...historyFilterShape }).strict(),
        response: { 200: pageOf(contractDto), ...errorResponses },
      },
    },
    async (request) => {
      const page = await listContractHistory(ctx.db, actorOf(request), request.query, ctx.clock.now());
      return { ...page, items: page.items.map(toContractDto) };
    },
  );

  for (const format of EXPORT_FORMAT_NAMES) {
    r.get(
      `/api/v1/contracts/export.${format}`,
      {
        schema: {
          tags: ['contracts'],
          summary: `Download Contract History with the same filters, as ${EXPORT_FORMATS[format].label}`,
          querystring: historyFilter,
          produces: [EXPORT_FORMATS[format].mediaType],
        },
      },
      async (request, reply) => {
        const actor = actorOf(request);
        const now = ctx.clock.now();
        const pageSize = 500;
        async function* pages() {
          for (let n = 1; ; n++) {
            const page = await listContractHistory(ctx.db, actor, { ...request.query, page: n, pageSize }, now);
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
        response: {
          200: z.array(
            z.object({
              partnerAccountId: z.number().int(),
              partnerName: z.string(),
              activeContracts: z.number().int(),
              contracts: z.number().int(),
              firstContractAt: isoDate,
            }),
          ),
          ...errorResponses,
        },
      },
    },
    async (request) => {
      const brand = requireAccountActor(actorOf(request), 'BRAND');
      const rows = await listPartnersOfBrand(ctx.db, brand.accountId, ctx.clock.now());
      return rows.map((row) => ({ ...row, firstContractAt: row.firstContractAt.toISOString() }));
    },
  );

  r.post(
    '/api/v1/contracts',
    {
      schema: {
        tags: ['contracts'],
        summary: "Accept a program's template terms (partners): creates an ACTIVE contract",
        body: z.object({ templateTermsId: rowId() }).strict(),
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
            on: z.string().max(10).optional().describe(`YYYY-MM-DD, today or later (at most ${MAX_EXPIRY_YEARS_AHEAD} years ahead); omit to expire now`),
            reversePendingActions: z.boolean().optional().describe('Brands: also reverse all existing pending actions'),
            reversalReason: z.enum(CHANGE_REASON_CODES).optional(),
          })
          .strict()
          .nullish()
          .describe('Optional; an empty body expires now'),
        response: {
          200: contractDto.extend({ reversedActions: z.number().int(), unreversedActions: z.number().int() }),
          ...errorResponses,
        },
      },
    },
    async (request) => {
      const { reversalReason, reversePendingActions, on } = request.body ?? {};
      const date = on !== undefined ? { on } : {};
      if (!reversePendingActions) {
        return { ...toContractDto(await expireContract(ctx, actorOf(request), request.params.id, date)), reversedActions: 0, unreversedActions: 0 };
      }
      // Two modules: the flow expires the contract in this request and reverses its pending actions.
      const expired = await expireContractAndReversePendingActions(
        ctx,
        actorOf(request),
        request.params.id,
        { ...date, reason: (reversalReason as ChangeReasonCode | undefined) ?? 'NOT_COMPLIANCE_TERMS' },
        { signal: closing.signal },
      );
      return { ...toContractDto(expired), reversedActions: expired.reversedActions, unreversedActions: expired.unreversedActions };
    },
  );
}
