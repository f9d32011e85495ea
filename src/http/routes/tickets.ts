import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import type { ServiceContext } from '../../core/context.js';
import { closureEligibility } from '../../flows/closure-eligibility.js';
import { resolveTicket } from '../../flows/resolve-ticket.js';
import { requireAccountActor, requireOperator } from '../../modules/accounts/actor.js';
import { findUser, listMembershipsOfUser } from '../../modules/accounts/queries.js';
import { conflict, forbidden, notFound } from '../../core/errors.js';
import { closureEligibilityListDto, closureEligibilityQuery, closureReviewDto } from '../contract/closure.js';
import { toClosureEligibilityDto } from '../contract-mapping/closure.js';
import { idParams } from '../contract/common.js';
import { openTicket } from '../../modules/tickets/open-ticket.js';
import { accountFacts, getTicketAttachmentOrThrow, getTicketOrThrow, listTicketMessages, listTickets } from '../../modules/tickets/queries.js';
import { addTicketMessage, setTicketStatus } from '../../modules/tickets/ticket-messages.js';
import type { AttachmentInput } from '../../modules/tickets/types.js';
import { formatMinor } from '../../money/index.js';
import { actorOf } from '../auth.js';
import { errorResponses } from '../contract/common.js';
import {
  openTicketBody,
  resolveTicketBody,
  ticketAccountFactsListDto,
  ticketAttachmentParams,
  ticketDetailDto,
  ticketDto,
  ticketListQuery,
  ticketMessageBody,
  ticketPageDto,
  ticketParams,
  ticketStatusBody,
  type TicketListQuery,
} from '../contract/tickets.js';
import { toTicketDto, toTicketMessageDto } from '../contract-mapping/tickets.js';

/** JSON bodies carry attachments as base64: up to five files of 2 MiB. */
const TICKET_BODY_LIMIT = 16 * 1024 * 1024;

function attachmentsOf(body: { Attachments?: Array<{ FileName: string; ContentType: string; ContentBase64: string }> | undefined }): AttachmentInput[] {
  return (body.Attachments ?? []).map((file) => ({ fileName: file.FileName, contentType: file.ContentType, bytes: Buffer.from(file.ContentBase64, 'base64') }));
}

function filterOf(q: TicketListQuery) {
  return {
    page: q.page,
    pageSize: q.pageSize,
    ...(q.order ? { order: q.order } : {}),
    ...(q.status ? { status: q.status } : {}),
    ...(q.type ? { type: q.type } : {}),
    ...(q.olderThanDays !== undefined ? { olderThanDays: q.olderThanDays } : {}),
  };
}


/** Support tickets: any account user opens and follows their account's; operators work the queue. */
export async function ticketRoutes(app: FastifyInstance, opts: { ctx: ServiceContext }): Promise<void> {
  const { ctx } = opts;
  const r = app.withTypeProvider<ZodTypeProvider>();

  const detail = async (actor: ReturnType<typeof actorOf>, id: bigint) => ({
    ...toTicketDto(await getTicketOrThrow(ctx.db, actor, id)),
    Thread: (await listTicketMessages(ctx.db, id)).map(toTicketMessageDto),
  });

  r.post(
    '/api/v1/tickets',
    {
      bodyLimit: TICKET_BODY_LIMIT,
      schema: {
        tags: ['tickets'],
        summary: 'Open a ticket for the current account: subject, type, message, and the accounts and actions it concerns',
        body: openTicketBody,
        response: { 201: ticketDetailDto, ...errorResponses },
      },
    },
    async (request, reply) => {
      const actor = actorOf(request);
      const b = request.body;
      const ticket = await openTicket(ctx, actor, {
        type: b.Type,
        subject: b.Subject,
        message: b.Message,
        attachments: attachmentsOf(b),
        ...(b.AccountIds ? { accountIds: b.AccountIds } : {}),
        ...(b.ActionIds ? { actionIds: b.ActionIds } : {}),
        request: {
          ...(b.Currency ? { currency: b.Currency } : {}),
          ...(b.ToPartnerId !== undefined ? { toPartnerAccountId: b.ToPartnerId } : {}),
          ...(b.Reason ? { reason: b.Reason } : {}),
          ...(b.DeleteMemberAccount ? { deleteMemberAccount: true } : {}),
        },
      });
      return reply.code(201).send(await detail(actor, ticket.id));
    },
  );

  r.get(
    '/api/v1/tickets',
    {
      schema: {
        tags: ['tickets'],
        summary: "The current account's tickets (opened for it or naming it), newest first; operators: every ticket",
        querystring: ticketListQuery,
        response: { 200: ticketPageDto, ...errorResponses },
      },
    },
    async (request) => {
      const page = await listTickets(ctx.db, actorOf(request), filterOf(request.query), ctx.clock.now());
      return { Items: page.items.map(toTicketDto), Page: page.page, PageSize: page.pageSize, Total: page.total };
    },
  );

  r.get(
    '/api/v1/tickets/:id',
    { schema: { tags: ['tickets'], summary: 'A ticket and its thread', params: ticketParams, response: { 200: ticketDetailDto, ...errorResponses } } },
    async (request) => detail(actorOf(request), BigInt(request.params.id)),
  );

  r.post(
    '/api/v1/tickets/:id/messages',
    {
      bodyLimit: TICKET_BODY_LIMIT,
      schema: {
        tags: ['tickets'],
        summary: "A message on a ticket, from one of its account's users or an operator, with attachments",
        params: ticketParams,
        body: ticketMessageBody,
        response: { 201: ticketDetailDto, ...errorResponses },
      },
    },
    async (request, reply) => {
      const actor = actorOf(request);
      const id = BigInt(request.params.id);
      await addTicketMessage(ctx, actor, id, { message: request.body.Message, attachments: attachmentsOf(request.body) });
      return reply.code(201).send(await detail(actor, id));
    },
  );

  r.get(
    '/api/v1/tickets/:id/attachments/:attachmentId',
    { schema: { tags: ['tickets'], summary: "A message's attachment, as it was sent", params: ticketAttachmentParams } },
    async (request, reply) => {
      const file = await getTicketAttachmentOrThrow(ctx.db, actorOf(request), BigInt(request.params.id), BigInt(request.params.attachmentId));
      const name = file.fileName.replace(/[^\w.\- ]+/g, '_');
      return reply
        .header('content-type', 'application/octet-stream')
        .header('x-content-type-options', 'nosniff')
        .header('content-disposition', `attachment; filename="${name}"; filename*=UTF-8''${encodeURIComponent(file.fileName)}`)
        .send(file.bytes);
    },
  );

  r.get(
    '/api/v1/operator/tickets/:id/facts',
    {
      schema: {
        tags: ['operator'],
        summary: 'Operators: the live facts of each account a ticket names (contracts in force, pending actions, ledger balances)',
        params: ticketParams,
        response: { 200: ticketAccountFactsListDto, ...errorResponses },
      },
    },
    async (request) => {
      const operator = requireOperator(actorOf(request));
      const ticket = await getTicketOrThrow(ctx.db, operator, BigInt(request.params.id));
      const facts = await accountFacts(ctx.db, ticket.accountIds, ctx.clock.now());
      return {
        Items: facts.map((f) => ({
          AccountId: f.accountId,
          Name: f.name,
          Kind: f.kind,
          Status: f.status,
          ActiveContracts: f.activeContracts,
          PendingActions: f.pendingActions,
          Balances: f.balances.map((b) => ({ Account: b.code, Currency: b.currency, Balance: formatMinor(b.balanceMinor, b.currency) })),
        })),
      };
    },
  );

  r.post(
    '/api/v1/operator/tickets/:id/status',
    {
      schema: {
        tags: ['operator'],
        summary: 'Operators: take a ticket into review, or reject it with a message saying why',
        params: ticketParams,
        body: ticketStatusBody,
        response: { 200: ticketDto, ...errorResponses },
      },
    },
    async (request) => {
      const operator = requireOperator(actorOf(request));
      const { Status, Message } = request.body;
      return toTicketDto(await setTicketStatus(ctx, operator, BigInt(request.params.id), { status: Status, ...(Message ? { message: Message } : {}) }));
    },
  );

  r.post(
    '/api/v1/operator/tickets/:id/resolve',
    {
      schema: {
        tags: ['operator'],
        summary: 'Operators: resolve a ticket by performing what it asks (manual paystub, forfeit, re-attribution, CPC reversal, closing the accounts of a closure ticket); a refusal says why',
        params: ticketParams,
        body: resolveTicketBody,
        response: { 200: ticketDto, ...errorResponses },
      },
    },
    async (request) => {
      const operator = requireOperator(actorOf(request));
      return toTicketDto(await resolveTicket(ctx, operator, BigInt(request.params.id), request.body.Message ? { message: request.body.Message } : {}));
    },
  );

  r.get(
    '/api/v1/closure-eligibility',
    {
      schema: {
        tags: ['tickets'],
        summary: 'Partner admins: whether each of their partner accounts may be closed now (no contract in force, no funds, no pending action that would earn), and what blocks it',
        querystring: closureEligibilityQuery,
        response: { 200: closureEligibilityListDto, ...errorResponses },
      },
    },
    async (request) => {
      const user = requireAccountActor(actorOf(request));
      const ids = request.query.accountIds ? [...new Set(request.query.accountIds.split(',').map(Number))] : [user.accountId];
      const memberships = new Map((await listMembershipsOfUser(ctx.db, user.userId)).map((m) => [m.accountId, m]));
      for (const id of ids) {
        const m = memberships.get(id);
        if (!m) throw forbidden(`You can check only accounts you belong to; account ${id} is not one of them.`);
        if (m.accountKind !== 'PARTNER' || m.role !== 'ADMIN') throw forbidden(`Only an admin of a partner account can close it; you cannot close ${m.accountName}.`);
      }
      return { Items: (await closureEligibility(ctx.db, ids, ctx.clock.now())).map(toClosureEligibilityDto) };
    },
  );

  r.get(
    '/api/v1/operator/tickets/:id/closure-review',
    {
      schema: {
        tags: ['operator'],
        summary: "Operators: a closure ticket's final review: each account it names re-checked now, and the login it asks to delete",
        params: ticketParams,
        response: { 200: closureReviewDto, ...errorResponses },
      },
    },
    async (request) => {
      const operator = requireOperator(actorOf(request));
      const ticket = await getTicketOrThrow(ctx.db, operator, BigInt(request.params.id));
      if (ticket.type !== 'ACCOUNT_CLOSURE') throw conflict(`Ticket ${ticket.id} is a ${ticket.type} ticket: only an ACCOUNT_CLOSURE ticket has a final review.`);
      const userId = ticket.request.deleteMemberUserId;
      const user = userId === undefined ? undefined : await findUser(ctx.db, userId);
      return {
        TicketId: ticket.id.toString(),
        Items: (await closureEligibility(ctx.db, ticket.accountIds, ctx.clock.now())).map(toClosureEligibilityDto),
        DeleteMemberAccount: user ? { UserId: user.id, Name: user.name } : null,
      };
    },
  );

  r.get(
    '/api/v1/operator/accounts/:id/closure-eligibility',
    {
      schema: {
        tags: ['operator'],
        summary: "Operators: an account's closure eligibility, re-checked now (the final review)",
        params: idParams,
        response: { 200: closureEligibilityListDto, ...errorResponses },
      },
    },
    async (request) => {
      requireOperator(actorOf(request));
      const items = await closureEligibility(ctx.db, [request.params.id], ctx.clock.now());
      if (items.length === 0) throw notFound(`Account ${request.params.id} does not exist.`);
      return { Items: items.map(toClosureEligibilityDto) };
    },
  );
}
