import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { ServiceContext } from '../../core/context.js';
import { recordPaymentAndClear } from '../../flows/clear-statement.js';
import { requireAccountActor, requireOperator } from '../../modules/accounts/actor.js';
import { exportStatementLines, getStatementOrThrow, listPayments, listStatementLines, listStatements, statementGroups } from '../../modules/billing/queries.js';
import { correctionsOfStatement } from '../../modules/billing/corrections.js';
import { actorOf } from '../auth.js';
import { toCorrectionDto } from '../contract-mapping/corrections.js';
import { errorResponses, idParams } from '../contract/common.js';
import {
  paymentAnswerDto,
  paymentBody,
  statementDetailDto,
  statementLinePageDto,
  statementLinesQuery,
  statementListQuery,
  statementPageDto,
} from '../contract/statements.js';
import {
  statementFilterOf,
  statementLineColumns,
  toPaymentAnswerDto,
  toPaymentDto,
  toStatementDto,
  toStatementGroupDto,
  toStatementLineDto,
} from '../contract-mapping/statements.js';
import { EXPORT_FORMAT_NAMES, EXPORT_FORMATS, sendExport } from '../table-export.js';

/** Statements: a brand's own (Finance → Statements), every brand's for operators, and the payments recorded against them. */
export async function statementRoutes(app: FastifyInstance, opts: { ctx: ServiceContext }): Promise<void> {
  const { ctx } = opts;
  const r = app.withTypeProvider<ZodTypeProvider>();

  r.get(
    '/api/v1/statements',
    {
      schema: {
        tags: ['finance'],
        summary: "Statements: a brand's own; operators see every brand's (filter brandId)",
        querystring: statementListQuery,
        response: { 200: statementPageDto, ...errorResponses },
      },
    },
    async (request) => {
      const q = request.query;
      const actor = actorOf(request);
      if (q.brandId !== undefined) requireOperator(actor);
      const page = await listStatements(ctx.db, actor, { page: q.page, pageSize: q.pageSize, ...statementFilterOf(q) }, ctx.clock.now());
      return { Items: page.items.map(toStatementDto), Page: page.page, PageSize: page.pageSize, Total: page.total };
    },
  );

  r.get(
    '/api/v1/statements/:id',
    {
      schema: {
        tags: ['finance'],
        summary: 'One statement: its totals by partner and event type, its post-lock corrections, and the payments recorded against it',
        params: idParams,
        response: { 200: statementDetailDto, ...errorResponses },
      },
    },
    async (request) => {
      const statement = await getStatementOrThrow(ctx.db, actorOf(request), request.params.id, ctx.clock.now());
      const [groups, corrections, payments] = [
        await statementGroups(ctx.db, statement.id),
        await correctionsOfStatement(ctx.db, statement.id),
        await listPayments(ctx.db, statement.id),
      ];
      return {
        ...toStatementDto(statement),
        Groups: groups.map((g) => toStatementGroupDto(g, statement.currency)),
        CorrectionLines: corrections.map(toCorrectionDto),
        Payments: payments.map(toPaymentDto),
      };
    },
  );

  r.get(
    '/api/v1/statements/:id/lines',
    {
      schema: {
        tags: ['finance'],
        summary: "A statement's action listing: every action billed, by partner",
        params: idParams,
        querystring: statementLinesQuery,
        response: { 200: statementLinePageDto, ...errorResponses },
      },
    },
    async (request) => {
      const statement = await getStatementOrThrow(ctx.db, actorOf(request), request.params.id, ctx.clock.now());
      const q = request.query;
      const page = await listStatementLines(ctx.db, statement.id, {
        page: q.page,
        pageSize: q.pageSize,
        ...(q.partnerId ? { partnerAccountId: q.partnerId } : {}),
      });
      return { Items: page.items.map((l) => toStatementLineDto(l, statement.currency)), Page: page.page, PageSize: page.pageSize, Total: page.total };
    },
  );

  for (const format of EXPORT_FORMAT_NAMES) {
    r.get(
      `/api/v1/statements/:id/lines/export.${format}`,
      {
        schema: {
          tags: ['finance'],
          summary: `Download a statement's action listing as ${EXPORT_FORMATS[format].label}`,
          params: idParams,
          querystring: z.object({}).strict(),
          produces: [EXPORT_FORMATS[format].mediaType],
        },
      },
      async (request, reply) => {
        const now = ctx.clock.now();
        const statement = await getStatementOrThrow(ctx.db, actorOf(request), request.params.id, now);
        return sendExport(reply, {
          format,
          fileName: `statement-${statement.number}`,
          title: `Statement ${statement.number}: ${statement.programName}, ${statement.periodStart} to ${statement.periodEnd}`,
          query: { statement: statement.number },
          now,
          columns: statementLineColumns(statement.currency),
          rows: exportStatementLines(ctx.db, statement.id),
        });
      },
    );
  }

  r.post(
    '/api/v1/statements/:id/payments',
    {
      schema: {
        tags: ['finance'],
        summary: "A brand records its own payment of a statement; the Reference is the payment's idempotency key",
        params: idParams,
        body: paymentBody,
        response: { 200: paymentAnswerDto, 201: paymentAnswerDto, ...errorResponses },
      },
    },
    async (request, reply) => {
      const actor = requireAccountActor(actorOf(request), 'BRAND');
      const { Amount, ReceivedDate, Reference } = request.body;
      const answer = await recordPaymentAndClear(ctx, actor, request.params.id, { amount: Amount, receivedOn: ReceivedDate, reference: Reference }, 'BRAND');
      return reply.code(answer.repeated ? 200 : 201).send(toPaymentAnswerDto(answer));
    },
  );

  r.post(
    '/api/v1/operator/statements/:id/payments',
    {
      schema: {
        tags: ['operator'],
        summary: "Record a payment received from a brand against its statement (operators); paid in full, the statement's actions clear",
        params: idParams,
        body: paymentBody,
        response: { 200: paymentAnswerDto, 201: paymentAnswerDto, ...errorResponses },
      },
    },
    async (request, reply) => {
      const actor = requireOperator(actorOf(request));
      const { Amount, ReceivedDate, Reference } = request.body;
      const answer = await recordPaymentAndClear(ctx, actor, request.params.id, { amount: Amount, receivedOn: ReceivedDate, reference: Reference }, 'OPERATOR');
      return reply.code(answer.repeated ? 200 : 201).send(toPaymentAnswerDto(answer));
    },
  );
}
