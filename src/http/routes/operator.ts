import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import type { ServiceContext } from '../../core/context.js';
import { requireOperator } from '../../modules/accounts/actor.js';
import { createAccount } from '../../modules/accounts/create-account.js';
import { listAccounts } from '../../modules/accounts/list-accounts.js';
import { actorOf } from '../auth.js';
import { errorResponses, pageOf } from '../contract/common.js';
import { createAccountBody, createdAccountDto, operatorAccountDto, operatorAccountsQuery } from '../contract/operator.js';
import { toPage } from '../contract-mapping/common.js';
import { ACCOUNT_SORT_KEYS, toOperatorAccountDto } from '../contract-mapping/accounts.js';

export async function operatorRoutes(app: FastifyInstance, opts: { ctx: ServiceContext }): Promise<void> {
  const { ctx } = opts;
  const r = app.withTypeProvider<ZodTypeProvider>();

  r.get(
    '/api/v1/operator/accounts',
    {
      schema: {
        tags: ['operator'],
        summary: 'All brand and partner accounts (operators)',
        querystring: operatorAccountsQuery,
        response: { 200: pageOf(operatorAccountDto), ...errorResponses },
      },
    },
    async (request) => {
      requireOperator(actorOf(request));
      const { sort, ...filter } = request.query;
      const page = await listAccounts(ctx.db, { ...filter, ...(sort ? { sort: ACCOUNT_SORT_KEYS[sort] } : {}) });
      return toPage(page, toOperatorAccountDto);
    },
  );

  r.post(
    '/api/v1/operator/accounts',
    {
      schema: {
        tags: ['operator'],
        summary: 'Open a brand or partner account with its first admin (operators)',
        body: createAccountBody,
        response: { 201: createdAccountDto, ...errorResponses },
      },
    },
    async (request, reply) => {
      const operator = requireOperator(actorOf(request));
      const { Kind, Name, TimeZone, Currency, Admin } = request.body;
      const created = await createAccount(ctx, operator.userId, {
        kind: Kind,
        name: Name,
        timeZone: TimeZone,
        currency: Currency,
        admin: { email: Admin.Email, name: Admin.Name, ...(Admin.Password !== undefined ? { password: Admin.Password } : {}) },
      });
      return reply.status(201).send({ Id: created.id, AccountSid: created.sid, AdminUserId: created.adminUserId });
    },
  );
}
