import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { ServiceContext } from '../../core/context.js';
import { requireAccountActor } from '../../modules/accounts/actor.js';
import { issueApiToken, listApiTokens, revokeApiToken, rotateApiToken } from '../../modules/accounts/api-tokens.js';
import { changeMemberRole, inviteUser, listInvitations, removeMember, revokeInvitation } from '../../modules/accounts/members.js';
import { findAccount, listMembersOfAccount } from '../../modules/accounts/queries.js';
import { actorOf } from '../auth.js';
import { errorResponses, noContentResponses, idParams, isoDate } from '../schemas.js';

const role = z.enum(['ADMIN', 'USER']);

const accountDto = z.object({
  id: z.number().int(),
  kind: z.enum(['BRAND', 'PARTNER']),
  name: z.string(),
  timeZone: z.string(),
  currency: z.string(),
  sid: z.string().describe('Account SID: the user name of HTTP Basic API credentials'),
  status: z.enum(['ACTIVE', 'CLOSED']),
  createdAt: isoDate,
});

const memberDto = z.object({ userId: z.number().int(), email: z.string(), name: z.string(), role, joinedAt: isoDate });
const invitationDto = z.object({ id: z.number().int(), email: z.string(), role, createdAt: isoDate, expiresAt: isoDate });
const issuedTokenDto = z.object({
  id: z.number().int(),
  accountSid: z.string(),
  authToken: z.string().describe('Shown once; only a hash is stored'),
});

export async function accountRoutes(app: FastifyInstance, opts: { ctx: ServiceContext; publicUrl: string }): Promise<void> {
  const { ctx } = opts;
  const r = app.withTypeProvider<ZodTypeProvider>();

  r.get(
    '/api/v1/account',
    { schema: { tags: ['accounts'], summary: 'The current account', response: { 200: accountDto, ...errorResponses } } },
    async (request) => {
      const actor = requireAccountActor(actorOf(request));
      const account = (await findAccount(ctx.db, actor.accountId))!;
      return { ...account, createdAt: account.createdAt.toISOString() };
    },
  );

  r.get(
    '/api/v1/users',
    { schema: { tags: ['users'], summary: "The account's users and their roles", response: { 200: z.array(memberDto), ...errorResponses } } },
    async (request) => {
      const actor = requireAccountActor(actorOf(request));
      return (await listMembersOfAccount(ctx.db, actor.accountId)).map((m) => ({ ...m, joinedAt: m.joinedAt.toISOString() }));
    },
  );

  r.post(
    '/api/v1/users/invitations',
    {
      schema: {
        tags: ['users'],
        summary:
          'Invite a user (admins). Everyone gets an invitation link to accept, whether the e-mail has a Lockstep login or not; ' +
          'a login also sees it among its pending invitations. 409 when the e-mail is already a member or has a pending invitation.',
        body: z.object({ email: z.string().max(254), role }).strict(),
        response: {
          201: z.object({
            status: z.literal('INVITED'),
            invitationId: z.number().int(),
            acceptUrl: z.string().describe('Shown once: send it to the invitee'),
          }),
          ...errorResponses,
        },
      },
    },
    async (request, reply) => {
      const { acceptToken, ...rest } = await inviteUser(ctx, actorOf(request), request.body);
      return reply.status(201).send({ ...rest, acceptUrl: `${opts.publicUrl}/accept-invitation?token=${encodeURIComponent(acceptToken)}` });
    },
  );

  r.get(
    '/api/v1/users/invitations',
    { schema: { tags: ['users'], summary: 'Pending invitations (admins)', response: { 200: z.array(invitationDto), ...errorResponses } } },
    async (request) =>
      (await listInvitations(ctx, actorOf(request))).map((i) => ({
        ...i,
        createdAt: i.createdAt.toISOString(),
        expiresAt: i.expiresAt.toISOString(),
      })),
  );

  r.delete(
    '/api/v1/users/invitations/:id',
    { schema: { tags: ['users'], summary: 'Revoke a pending invitation (admins)', params: idParams, response: noContentResponses } },
    async (request, reply) => {
      await revokeInvitation(ctx, actorOf(request), request.params.id);
      return reply.status(204).send(null);
    },
  );

  r.patch(
    '/api/v1/users/:id',
    {
      schema: {
        tags: ['users'],
        summary: "Change a user's role (admins); the last admin cannot be demoted",
        params: idParams,
        body: z.object({ role }).strict(),
        response: noContentResponses,
      },
    },
    async (request, reply) => {
      await changeMemberRole(ctx, actorOf(request), { userId: request.params.id, role: request.body.role });
      return reply.status(204).send(null);
    },
  );

  r.delete(
    '/api/v1/users/:id',
    {
      schema: {
        tags: ['users'],
        summary: 'Remove a user from the account (admins); access ends at once, the last admin cannot be removed',
        params: idParams,
        response: noContentResponses,
      },
    },
    async (request, reply) => {
      await removeMember(ctx, actorOf(request), request.params.id);
      return reply.status(204).send(null);
    },
  );

  r.get(
    '/api/v1/credentials',
    {
      schema: {
        tags: ['credentials'],
        summary: 'The Account SID and the active Auth Tokens (admins; tokens by hint only)',
        response: {
          200: z.object({
            accountSid: z.string(),
            tokens: z.array(
              z.object({
                id: z.number().int(),
                label: z.string(),
                hint: z.string(),
                createdBy: z.number().int(),
                createdByName: z.string(),
                createdAt: isoDate,
                lastUsedAt: isoDate.nullable(),
              }),
            ),
          }),
          ...errorResponses,
        },
      },
    },
    async (request) => {
      const result = await listApiTokens(ctx, actorOf(request));
      return {
        accountSid: result.accountSid,
        tokens: result.tokens.map((t) => ({
          ...t,
          createdAt: t.createdAt.toISOString(),
          lastUsedAt: t.lastUsedAt ? t.lastUsedAt.toISOString() : null,
        })),
      };
    },
  );

  r.post(
    '/api/v1/credentials',
    {
      schema: {
        tags: ['credentials'],
        summary: 'Issue an Auth Token (admins); the token is shown once',
        body: z.object({ label: z.string().max(100).optional() }).strict(),
        response: { 201: issuedTokenDto, ...errorResponses },
      },
    },
    async (request, reply) => reply.status(201).send(await issueApiToken(ctx, actorOf(request), request.body)),
  );

  r.post(
    '/api/v1/credentials/:id/rotate',
    {
      schema: {
        tags: ['credentials'],
        summary: 'Rotate an Auth Token: the old one stops working, a new one is shown once',
        params: idParams,
        response: { 201: issuedTokenDto, ...errorResponses },
      },
    },
    async (request, reply) => reply.status(201).send(await rotateApiToken(ctx, actorOf(request), request.params.id)),
  );

  r.delete(
    '/api/v1/credentials/:id',
    { schema: { tags: ['credentials'], summary: 'Revoke an Auth Token', params: idParams, response: noContentResponses } },
    async (request, reply) => {
      await revokeApiToken(ctx, actorOf(request), request.params.id);
      return reply.status(204).send(null);
    },
  );
}
