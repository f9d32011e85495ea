import type { FastifyInstance, FastifyReply } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import type { Config } from '../../core/config.js';
import type { ServiceContext } from '../../core/context.js';
import { logIn, logOut, startSession } from '../../modules/accounts/log-in.js';
import { acceptInvitation, describeInvitation } from '../../modules/accounts/members.js';
import { acceptMyInvitation, declineMyInvitation, listMyInvitations } from '../../modules/accounts/my-invitations.js';
import { listMembershipsOfUser } from '../../modules/accounts/queries.js';
import { SESSION_COOKIE, sessionUserOf } from '../auth.js';
import { withRetryAfter } from '../retry-after.js';
import { errorResponses, idParams, noContentResponses, throttledResponses } from '../contract/common.js';
import { lastAccountIdOf, rememberLastAccount } from '../../modules/accounts/last-account.js';
import { acceptInvitationBody, invitationInfoDto, invitationTokenParams, logInBody, meAccountBody, meDto, myInvitationDto } from '../contract/session.js';
import { toMeDto, toMyInvitationDto } from '../contract-mapping/session.js';

export async function sessionRoutes(app: FastifyInstance, opts: { ctx: ServiceContext; config: Config }): Promise<void> {
  const { ctx, config } = opts;
  const r = app.withTypeProvider<ZodTypeProvider>();

  const setCookie = (reply: Pick<FastifyReply, 'setCookie'>, secret: string, expiresAt: Date) =>
    reply.setCookie(SESSION_COOKIE, secret, {
      path: '/',
      httpOnly: true,
      secure: config.cookieSecure,
      sameSite: 'strict',
      expires: expiresAt,
    });

  const me = async (userId: number, email: string, name: string, isOperator: boolean) =>
    toMeDto({ userId, email, name, isOperator }, await listMembershipsOfUser(ctx.db, userId), await lastAccountIdOf(ctx.db, userId));

  r.post(
    '/api/v1/session',
    {
      config: { auth: 'public', rateLimit: { max: config.loginRateLimitMax, timeWindow: config.rateLimitWindowMs } },
      schema: {
        tags: ['session'],
        summary:
          'Log in with e-mail and password; sets the session cookie. After 5 failures for one e-mail, each further failure ' +
          'makes it wait (1 s, doubling, at most 15 minutes): 429 with Retry-After, the password is not checked meanwhile.',
        body: logInBody,
        response: { 200: meDto, ...throttledResponses },
      },
    },
    async (request, reply) => {
      const { Email, Password } = request.body;
      const session = await withRetryAfter(reply, () => logIn(ctx, { email: Email, password: Password, ttlHours: config.sessionTtlHours }));
      setCookie(reply, session.sessionSecret, session.expiresAt);
      const { rows } = await ctx.db.query<{ email: string; name: string; isOperator: boolean }>(
        'select email, name, is_operator as "isOperator" from users where id = $1',
        [session.userId],
      );
      const user = rows[0]!;
      return me(session.userId, user.email, user.name, user.isOperator);
    },
  );

  r.delete(
    '/api/v1/session',
    { config: { auth: 'public' }, schema: { tags: ['session'], summary: 'Log out' } },
    async (request, reply) => {
      const secret = request.cookies[SESSION_COOKIE];
      if (secret) await logOut(ctx, secret);
      reply.clearCookie(SESSION_COOKIE, { path: '/' });
      return reply.status(204).send();
    },
  );

  r.get(
    '/api/v1/me',
    {
      config: { auth: 'user' },
      schema: { tags: ['session'], summary: 'The logged-in user and the accounts they can act for', response: { 200: meDto, ...errorResponses } },
    },
    async (request) => {
      const user = sessionUserOf(request);
      return me(user.userId, user.email, user.name, user.isOperator);
    },
  );

  r.put(
    '/api/v1/me/account',
    {
      config: { auth: 'user' },
      schema: {
        tags: ['session'],
        summary: 'Remember the account the user switched to: the next login opens it (DefaultAccountId), on any device',
        body: meAccountBody,
        response: { 200: meDto, ...errorResponses },
      },
    },
    async (request) => {
      const user = sessionUserOf(request);
      await rememberLastAccount(ctx, user.userId, request.body.AccountId);
      return me(user.userId, user.email, user.name, user.isOperator);
    },
  );

  r.get(
    '/api/v1/invitations/:token',
    {
      config: { auth: 'public' },
      schema: {
        tags: ['users'],
        summary: 'What an invitation link is for',
        params: invitationTokenParams,
        response: { 200: invitationInfoDto, ...errorResponses },
      },
    },
    async (request) => {
      const i = await describeInvitation(ctx, request.params.token);
      return { Id: i.id, Email: i.email, AccountName: i.accountName, Role: i.role, HasLogin: i.hasLogin };
    },
  );

  r.post(
    '/api/v1/invitations/accept',
    {
      config: { auth: 'public', rateLimit: { max: config.loginRateLimitMax, timeWindow: config.rateLimitWindowMs } },
      schema: {
        tags: ['users'],
        summary:
          'Accept an invitation through its link and log in: a new e-mail chooses a name and password; an e-mail that has a login ' +
          "gives that login's Password (Name is then ignored). Throttled per invitation token and per login e-mail (429 with Retry-After). " +
          'A logged-in user can accept from the session instead: POST /me/invitations/{id}/accept.',
        body: acceptInvitationBody,
        response: { 200: meDto, ...throttledResponses },
      },
    },
    async (request, reply) => {
      const { Token, Name, Password } = request.body;
      const { userId } = await withRetryAfter(reply, () =>
        acceptInvitation(ctx, { token: Token, ...(Name !== undefined ? { name: Name } : {}), password: Password }),
      );
      const session = await startSession(ctx, userId, config.sessionTtlHours);
      setCookie(reply, session.sessionSecret, session.expiresAt);
      const { rows } = await ctx.db.query<{ email: string; name: string; isOperator: boolean }>(
        'select email, name, is_operator as "isOperator" from users where id = $1',
        [userId],
      );
      return me(userId, rows[0]!.email, rows[0]!.name, rows[0]!.isOperator);
    },
  );

  r.get(
    '/api/v1/me/invitations',
    {
      config: { auth: 'user' },
      schema: {
        tags: ['session'],
        summary: "The logged-in user's pending invitations (addressed to their e-mail), to accept or decline",
        response: { 200: myInvitationDto.array(), ...errorResponses },
      },
    },
    async (request) => (await listMyInvitations(ctx, sessionUserOf(request))).map(toMyInvitationDto),
  );

  r.post(
    '/api/v1/me/invitations/:id/accept',
    {
      config: { auth: 'user' },
      schema: {
        tags: ['session'],
        summary: 'Accept one of your pending invitations: you become a member of the account with the invited role',
        params: idParams,
        response: { 200: meDto, ...errorResponses },
      },
    },
    async (request) => {
      const user = sessionUserOf(request);
      await acceptMyInvitation(ctx, user, request.params.id);
      return me(user.userId, user.email, user.name, user.isOperator);
    },
  );

  r.post(
    '/api/v1/me/invitations/:id/decline',
    {
      config: { auth: 'user' },
      schema: { tags: ['session'], summary: 'Decline one of your pending invitations', params: idParams, response: noContentResponses },
    },
    async (request, reply) => {
      await declineMyInvitation(ctx, sessionUserOf(request), request.params.id);
      return reply.status(204).send(null);
    },
  );
}
