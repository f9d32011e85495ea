import { Readable } from 'node:stream';
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { ServiceContext } from '../../core/context.js';
import { forbidden, invalid } from '../../core/errors.js';
import { formatMinor } from '../../money/index.js';
import { changeWithdrawalSettings } from '../../flows/change-withdrawal-settings.js';
import { failPaystub } from '../../flows/fail-paystub.js';
import { forfeitBalance } from '../../flows/forfeit-balance.js';
import { grantManualPaystub } from '../../flows/grant-manual-paystub.js';
import { nextPayouts } from '../../flows/next-payout.js';
import { nextPayoutListDto } from '../contract/payouts.js';
import { requireAccountActor, requireOperator, type Actor } from '../../modules/accounts/actor.js';
import { markRunSentInTx, payoutFileContent } from '../../modules/payouts/payout-runs.js';
import {
  exportPaystubActions,
  getPaystubOrThrow,
  getPayoutFileOrThrow,
  getPayoutRunOrThrow,
  listPaystubActions,
  listPaystubs,
  listPayoutFiles,
  listPayoutRuns,
  listRunHolds,
} from '../../modules/payouts/queries.js';
import { getWithdrawalSettings, type WithdrawalSettingsChange } from '../../modules/payouts/withdrawal-settings.js';
import { actorOf } from '../auth.js';
import { errorResponses, idParams, rowIdText } from '../contract/common.js';
import {
  failPaystubBody,
  forfeitBody,
  forfeitDto,
  manualPaystubAnswerDto,
  manualPaystubBody,
  paystubActionPageDto,
  paystubActionsQuery,
  paystubDto,
  paystubIdParams,
  paystubListQuery,
  paystubPageDto,
  payoutRunDetailDto,
  payoutRunDto,
  payoutRunListQuery,
  payoutRunPageDto,
  runPaystubsQuery,
  withdrawalSettingsAnswerDto,
  withdrawalSettingsBody,
  withdrawalSettingsDto,
  type WithdrawalSettingsBody,
} from '../contract/payouts.js';
import { toPage } from '../contract-mapping/common.js';
import {
  paystubActionColumns,
  toForfeitDto,
  toPaystubActionDto,
  toPaystubDto,
  toPayoutRunDetailDto,
  toPayoutRunDto,
  toWithdrawalSettingsDto,
} from '../contract-mapping/payouts.js';
import { EXPORT_FORMAT_NAMES, EXPORT_FORMATS, sendExport } from '../table-export.js';

const DESTINATION_FIELDS = ['BankCountry', 'BeneficiaryAccountName', 'BankAccountNumber', 'BankAccountType', 'SwiftCode', 'RoutingCode', 'PaypalEmailAddress'] as const;

/** The body as the service takes it: the destination fields only with a PaymentMethod. */
function settingsChangeOf(body: WithdrawalSettingsBody): WithdrawalSettingsChange & { password?: string } {
  const named = DESTINATION_FIELDS.filter((field) => body[field] !== undefined);
  if (!body.PaymentMethod && named.length > 0) {
    const message = `PaymentMethod is required with ${named.join(', ')}: a new destination names its method (BANK_TRANSFER or PAYPAL).`;
    throw invalid(message, { errors: [{ field: 'body.PaymentMethod', message }] });
  }
  return {
    ...(body.PaymentMethod
      ? {
          destination: {
            PaymentMethod: body.PaymentMethod,
            ...Object.fromEntries(named.map((field) => [field, body[field]])),
          },
        }
      : {}),
    schedule: body.PaymentSchedulingType,
    ...(body.PaymentThreshold !== undefined ? { threshold: body.PaymentThreshold } : {}),
    ...(body.PaymentDay !== undefined ? { paymentDay: body.PaymentDay } : {}),
    ...(body.Password !== undefined ? { password: body.Password } : {}),
  };
}

/** Paystubs are a partner's (its own) and the operators' (everyone's); a brand has none to read. */
function paystubReader(actor: Actor): Actor {
  if (actor.type === 'account' && actor.accountKind !== 'PARTNER') throw forbidden('Paystubs belong to partner accounts; the current account is a brand.');
  return actor;
}

const fileParams = z.object({ id: rowIdText(), fileId: rowIdText() }).strict();

/** Payouts: a partner's withdrawal settings and paystubs; the operator's payout runs, their files, failures, manual paystubs and forfeits. */
export async function payoutRoutes(app: FastifyInstance, opts: { ctx: ServiceContext }): Promise<void> {
  const { ctx } = opts;
  const r = app.withTypeProvider<ZodTypeProvider>();

  r.get(
    '/api/v1/withdrawal-settings',
    {
      schema: {
        tags: ['payouts'],
        summary: "The partner's withdrawal settings: where withdrawals go (masked) and the autopay schedule",
        response: { 200: withdrawalSettingsDto, ...errorResponses },
      },
    },
    async (request) => toWithdrawalSettingsDto(await getWithdrawalSettings(ctx.db, actorOf(request), ctx.clock.now())),
  );

  r.put(
    '/api/v1/withdrawal-settings',
    {
      schema: {
        tags: ['payouts'],
        summary:
          'Set the withdrawal settings (partner admins). A destination (PaymentMethod with its fields) asks for the Password again, and a change of it holds withdrawals for 48 hours; ' +
          'the schedule alone can change without either',
        body: withdrawalSettingsBody,
        response: { 200: withdrawalSettingsAnswerDto, ...errorResponses, 429: errorResponses[400] },
      },
    },
    async (request) => {
      const saved = await changeWithdrawalSettings(ctx, actorOf(request), settingsChangeOf(request.body));
      return { ...toWithdrawalSettingsDto(saved.settings), BankDetailsChanged: saved.destinationChanged };
    },
  );

  r.get(
    '/api/v1/payouts/next',
    {
      schema: {
        tags: ['payouts'],
        summary: "Partners: the next expected payout per currency with an available balance (date and amount, or what blocks it)",
        response: { 200: nextPayoutListDto, ...errorResponses },
      },
    },
    async (request) => {
      const partner = requireAccountActor(actorOf(request), 'PARTNER');
      const items = await nextPayouts(ctx.db, partner.accountId, ctx.clock.now());
      return {
        Items: items.map((p) => ({
          Currency: p.currency,
          Available: formatMinor(p.availableMinor, p.currency),
          PayOn: p.payOn,
          Gross: p.grossMinor === null ? null : formatMinor(p.grossMinor, p.currency),
          Fee: p.feeMinor === null ? null : formatMinor(p.feeMinor, p.currency),
          Net: p.netMinor === null ? null : formatMinor(p.netMinor, p.currency),
          Blocker: p.blocker,
          HoldEndsDate: p.holdUntil ? p.holdUntil.toISOString() : null,
          Message: p.message,
        })),
      };
    },
  );

  r.get(
    '/api/v1/paystubs',
    {
      schema: {
        tags: ['payouts'],
        summary: "Withdrawals: the partner's paystubs, newest first",
        querystring: paystubListQuery,
        response: { 200: paystubPageDto, ...errorResponses },
      },
    },
    async (request) => {
      const { page, pageSize, sort, order, status, currency } = request.query;
      const result = await listPaystubs(ctx.db, requireAccountActor(actorOf(request), 'PARTNER'), {
        page,
        pageSize,
        ...(sort ? { sort } : {}),
        ...(order ? { order } : {}),
        ...(status ? { status } : {}),
        ...(currency ? { currency } : {}),
      });
      return toPage(result, toPaystubDto);
    },
  );

  r.get(
    '/api/v1/paystubs/:id',
    {
      schema: { tags: ['payouts'], summary: 'One paystub', params: paystubIdParams, response: { 200: paystubDto, ...errorResponses } },
    },
    async (request) => toPaystubDto(await getPaystubOrThrow(ctx.db, paystubReader(actorOf(request)), BigInt(request.params.id))),
  );

  r.get(
    '/api/v1/paystubs/:id/actions',
    {
      schema: {
        tags: ['payouts'],
        summary: "A paystub's action listing: the actions it pays",
        params: paystubIdParams,
        querystring: paystubActionsQuery,
        response: { 200: paystubActionPageDto, ...errorResponses },
      },
    },
    async (request) => {
      const paystub = await getPaystubOrThrow(ctx.db, paystubReader(actorOf(request)), BigInt(request.params.id));
      return toPage(await listPaystubActions(ctx.db, paystub.id, request.query), toPaystubActionDto);
    },
  );

  for (const format of EXPORT_FORMAT_NAMES) {
    r.get(
      `/api/v1/paystubs/:id/actions/export.${format}`,
      {
        schema: {
          tags: ['payouts'],
          summary: `Download a paystub's action listing as ${EXPORT_FORMATS[format].label}`,
          params: paystubIdParams,
          querystring: z.object({}).strict(),
          produces: [EXPORT_FORMATS[format].mediaType],
        },
      },
      async (request, reply) => {
        const now = ctx.clock.now();
        const paystub = await getPaystubOrThrow(ctx.db, paystubReader(actorOf(request)), BigInt(request.params.id));
        return sendExport(reply, {
          format,
          fileName: `paystub-${paystub.id}`,
          title: `Paystub ${paystub.id}: ${paystub.actionCount} action(s), gross ${formatMinor(paystub.grossMinor, paystub.currency)} ${paystub.currency}`,
          query: { paystub: paystub.id.toString() },
          now,
          columns: paystubActionColumns(),
          rows: exportPaystubActions(ctx.db, paystub.id),
        });
      },
    );
  }

  // --- Operators --------------------------------------------------------------------------

  r.get(
    '/api/v1/operator/payout-runs',
    {
      schema: {
        tags: ['operator'],
        summary: 'Payout runs, newest first (operators)',
        querystring: payoutRunListQuery,
        response: { 200: payoutRunPageDto, ...errorResponses },
      },
    },
    async (request) => {
      requireOperator(actorOf(request));
      const { page, pageSize, status } = request.query;
      return toPage(await listPayoutRuns(ctx.db, { page, pageSize, ...(status ? { status } : {}) }), toPayoutRunDto);
    },
  );

  r.get(
    '/api/v1/operator/payout-runs/:id',
    {
      schema: {
        tags: ['operator'],
        summary: 'A payout run: its totals per currency, its bank files and the partners it held',
        params: idParams,
        response: { 200: payoutRunDetailDto, ...errorResponses },
      },
    },
    async (request) => {
      requireOperator(actorOf(request));
      const run = await getPayoutRunOrThrow(ctx.db, request.params.id);
      return toPayoutRunDetailDto(run, await listPayoutFiles(ctx.db, run.id), await listRunHolds(ctx.db, run.id));
    },
  );

  r.get(
    '/api/v1/operator/payout-runs/:id/paystubs',
    {
      schema: {
        tags: ['operator'],
        summary: "A payout run's paystubs",
        params: idParams,
        querystring: runPaystubsQuery,
        response: { 200: paystubPageDto, ...errorResponses },
      },
    },
    async (request) => {
      const actor = requireOperator(actorOf(request));
      const run = await getPayoutRunOrThrow(ctx.db, request.params.id);
      const { page, pageSize, order, status } = request.query;
      return toPage(
        await listPaystubs(ctx.db, actor, { page, pageSize, runId: run.id, ...(order ? { order } : { order: 'asc' }), ...(status ? { status } : {}) }),
        toPaystubDto,
      );
    },
  );

  r.get(
    '/api/v1/operator/payout-runs/:id/files/:fileId',
    {
      schema: {
        tags: ['operator'],
        summary: "Download one of a run's bank files (pain.001 XML or PayPal Payouts CSV), streamed as stored",
        params: fileParams,
        produces: ['application/xml', 'text/csv'],
      },
    },
    async (request, reply) => {
      requireOperator(actorOf(request));
      const file = await getPayoutFileOrThrow(ctx.db, request.params.id, request.params.fileId);
      reply.header('content-disposition', `attachment; filename="${file.fileName}"`);
      reply.header('content-length', String(file.bytes));
      reply.header('x-content-sha256', file.sha256);
      reply.type(`${file.mediaType}; charset=utf-8`);
      return reply.send(Readable.from(payoutFileContent(ctx.db, file.id)));
    },
  );

  r.post(
    '/api/v1/operator/payout-runs/:id/mark-sent',
    {
      schema: {
        tags: ['operator'],
        summary: "Mark a READY run sent: its files went to the bank and PayPal; its paystubs become SENT",
        params: idParams,
        response: { 200: payoutRunDto, ...errorResponses },
      },
    },
    async (request) => {
      const operator = requireOperator(actorOf(request));
      await ctx.db.transaction((tx) => markRunSentInTx(tx, request.params.id, operator.userId, ctx.clock.now()));
      return toPayoutRunDto(await getPayoutRunOrThrow(ctx.db, request.params.id));
    },
  );

  r.post(
    '/api/v1/operator/paystubs/:id/fail',
    {
      schema: {
        tags: ['operator'],
        summary: 'Mark a sent paystub failed (returned by the bank, with a reason): its net and fee go back to available, its actions are unpaid again',
        params: paystubIdParams,
        body: failPaystubBody,
        response: { 200: paystubDto, ...errorResponses },
      },
    },
    async (request) => toPaystubDto(await failPaystub(ctx, actorOf(request), BigInt(request.params.id), request.body.Reason)),
  );

  r.post(
    '/api/v1/operator/manual-paystubs',
    {
      schema: {
        tags: ['operator'],
        summary: "Grant a manual paystub: the partner's whole available balance, whatever the threshold, if it covers the method's fee and leaves a remainder",
        body: manualPaystubBody,
        response: { 201: manualPaystubAnswerDto, ...errorResponses },
      },
    },
    async (request, reply) => {
      const made = await grantManualPaystub(ctx, actorOf(request), {
        partnerAccountId: request.body.MediaPartnerId,
        ...(request.body.Currency ? { currency: request.body.Currency } : {}),
      });
      return reply.code(201).send({ Paystub: toPaystubDto(made.paystub), Run: toPayoutRunDto(made.run) });
    },
  );

  r.post(
    '/api/v1/operator/forfeits',
    {
      schema: {
        tags: ['operator'],
        summary: "Forfeit a partner's whole available balance (recorded with who, when and why)",
        body: forfeitBody,
        response: { 201: forfeitDto, ...errorResponses },
      },
    },
    async (request, reply) => {
      const forfeit = await forfeitBalance(ctx, actorOf(request), {
        partnerAccountId: request.body.MediaPartnerId,
        reason: request.body.Reason,
        ...(request.body.Currency ? { currency: request.body.Currency } : {}),
      });
      return reply.code(201).send(toForfeitDto(forfeit));
    },
  );
}
