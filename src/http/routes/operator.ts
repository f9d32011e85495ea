import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { ServiceContext } from '../../core/context.js';
import { requireOperator } from '../../modules/accounts/actor.js';
import { createAccount } from '../../modules/accounts/create-account.js';
import { listAccounts } from '../../modules/accounts/list-accounts.js';
import { actorOf } from '../auth.js';
import { errorResponses, isoDate, pageOf, pageQueryShape } from '../schemas.js';

const operatorAccountDto = z.object({
  id: z.number().int(),
  kind: z.enum(['BRAND', 'PARTNER']),
  name: z.string(),
  timeZone: z.string(),
  currency: z.string(),
  sid: z.string(),
  status: z.enum(['ACTIVE', 'CLOSED']),
  members: z.number().int(),
  createdAt: isoDate,
});

export async function operatorRoutes(app: FastifyInstance, opts: { ctx: ServiceContext }): Promise<void> {
  const { ctx } = opts;
  const r = app.withTypeProvider<ZodTypeProvider>();

  r.get(
    '/api/v1/operator/accounts',
    {
      schema: {
        tags: ['operator'],
        summary: 'All brand and partner accounts (operators)',
        querystring: z
          .object({ ...pageQueryShape, kind: z.enum(['BRAND', 'PARTNER']).optional(), q: z.string().max(200).optional() })
          .strict(),
        response: { 200: pageOf(operatorAccountDto), ...errorResponses },
      },
    },
    async (request) => {
      requireOperator(actorOf(request));
      const page = await listAccounts(ctx.db, request.query);
      return { ...page, items: page.items.map((a) => ({ ...a, createdAt: a.createdAt.toISOString() })) };
    },
  );

  r.post(
    '/api/v1/operator/accounts',
    {
      schema: {
        tags: ['operator'],
        summary: 'Open a brand or partner account with its first admin (operators)',
        body: z
          .object({
            kind: z.enum(['BRAND', 'PARTNER']),
            name: z.string().max(200),
            timeZone: z.string().max(64),
            currency: z.string().max(3),
            admin: z.object({ email: z.string().max(254), name: z.string().max(200), password: z.string().max(256).optional() }).strict(),
          })
          .strict(),
        response: { 201: z.object({ id: z.number().int(), sid: z.string(), adminUserId: z.number().int() }), ...errorResponses },
      },
    },
    async (request, reply) => {
      const operator = requireOperator(actorOf(request));
      return reply.status(201).send(await createAccount(ctx, operator.userId, request.body));
    },
  );
}
