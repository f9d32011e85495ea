import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import type { ServiceContext } from '../../core/context.js';
import { requireAccountActor } from '../../modules/accounts/actor.js';
import { issueApiToken, listApiTokens, revokeApiToken, rotateApiToken } from '../../modules/accounts/api-tokens.js';
import { changeMemberRole, inviteUser, listInvitations, removeMember, revokeInvitation } from '../../modules/accounts/members.js';
import { findAccount, listMembersOfAccount } from '../../modules/accounts/queries.js';
import { actorOf } from '../auth.js';
import { accountDto } from '../contract/accounts.js';
import { errorResponses, idParams, noContentResponses } from '../contract/common.js';
import { credentialsDto, issuedTokenDto, issueTokenBody } from '../contract/credentials.js';
import { changeRoleBody, invitationDto, inviteBody, inviteResultDto, memberDto } from '../contract/users.js';
import { toAccountDto, toApiTokenDto, toInvitationDto, toMemberDto } from '../contract-mapping/accounts.js';
import type { IssuedApiToken } from '../../modules/accounts/api-tokens.js';

const toIssuedTokenDto = (t: IssuedApiToken) => ({ Id: t.id, AccountSid: t.accountSid, AuthToken: t.authToken });

export async function accountRoutes(app: FastifyInstance, opts: { ctx: ServiceContext; publicUrl: string }): Promise<void> {
  const { ctx } = opts;
  const r = app.withTypeProvider<ZodTypeProvider>();

  r.get(
    '/api/v1/account',
    { schema: { tags: ['accounts'], summary: 'The current account', response: { 200: accountDto, ...errorResponses } } },
    async (request) => {
      const actor = requireAccountActor(actorOf(request));
      return toAccountDto((await findAccount(ctx.db, actor.accountId))!);
    },
  );

  r.get(
    '/api/v1/users',
    { schema: { tags: ['users'], summary: "The account's users and their roles", response: { 200: memberDto.array(), ...errorResponses } } },
    async (request) => {
      const actor = requireAccountActor(actorOf(request));
      return (await listMembersOfAccount(ctx.db, actor.accountId)).map(toMemberDto);
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
        body: inviteBody,
        response: { 201: inviteResultDto, ...errorResponses },
      },
    },
    async (request, reply) => {
      const invited = await inviteUser(ctx, actorOf(request), { email: request.body.Email, role: request.body.Role });
      return reply.status(201).send({
        Status: invited.status,
        InvitationId: invited.invitationId,
        AcceptUrl: `${opts.publicUrl}/accept-invitation?token=${encodeURIComponent(invited.acceptToken)}`,
      });
    },
  );

  r.get(
    '/api/v1/users/invitations',
    { schema: { tags: ['users'], summary: 'Pending invitations (admins)', response: { 200: invitationDto.array(), ...errorResponses } } },
    async (request) => (await listInvitations(ctx, actorOf(request))).map(toInvitationDto),
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
        body: changeRoleBody,
        response: noContentResponses,
      },
    },
    async (request, reply) => {
      await changeMemberRole(ctx, actorOf(request), { userId: request.params.id, role: request.body.Role });
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
        response: { 200: credentialsDto, ...errorResponses },
      },
    },
    async (request) => {
      const result = await listApiTokens(ctx, actorOf(request));
      return { AccountSid: result.accountSid, Tokens: result.tokens.map(toApiTokenDto) };
    },
  );

  r.post(
    '/api/v1/credentials',
    {
      schema: {
        tags: ['credentials'],
        summary: 'Issue an Auth Token (admins); the token is shown once',
        body: issueTokenBody,
        response: { 201: issuedTokenDto, ...errorResponses },
      },
    },
    async (request, reply) => {
      const { Label } = request.body;
      return reply.status(201).send(toIssuedTokenDto(await issueApiToken(ctx, actorOf(request), Label === undefined ? {} : { label: Label })));
    },
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
    async (request, reply) => reply.status(201).send(toIssuedTokenDto(await rotateApiToken(ctx, actorOf(request), request.params.id))),
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
