import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import type { ServiceContext } from '../../core/context.js';
import { changeOwnPassword } from '../../modules/accounts/change-own-password.js';
import { changeOwnName } from '../../modules/accounts/change-own-profile.js';
import { SESSION_COOKIE, sessionUserOf } from '../auth.js';
import { errorResponses, throttledResponses } from '../contract/common.js';
import { changePasswordBody, changeProfileBody, passwordChangedDto, profileDto } from '../contract/profile.js';
import { withRetryAfter } from '../retry-after.js';

/** The logged-in user's own profile and password (the user menu), for people in the web UI only. */
export async function profileRoutes(app: FastifyInstance, opts: { ctx: ServiceContext }): Promise<void> {
  const { ctx } = opts;
  const r = app.withTypeProvider<ZodTypeProvider>();

  r.patch(
    '/api/v1/me',
    {
      config: { auth: 'user' },
      schema: { tags: ['session'], summary: 'Change your own name (Profile)', body: changeProfileBody, response: { 200: profileDto, ...errorResponses } },
    },
    async (request) => {
      const user = await changeOwnName(ctx, sessionUserOf(request).userId, request.body.Name);
      return { Id: user.id, Email: user.email, Name: user.name };
    },
  );

  r.post(
    '/api/v1/me/password',
    {
      config: { auth: 'user' },
      schema: {
        tags: ['session'],
        summary:
          'Change your password, giving the current one (counted against your e-mail like a log-in); your other sessions are logged out, this one stays',
        body: changePasswordBody,
        response: { 200: passwordChangedDto, ...throttledResponses, ...errorResponses },
      },
    },
    async (request, reply) => {
      const result = await withRetryAfter(reply, () =>
        changeOwnPassword(ctx, {
          userId: sessionUserOf(request).userId,
          currentPassword: request.body.CurrentPassword,
          newPassword: request.body.NewPassword,
          keepSessionSecret: request.cookies[SESSION_COOKIE],
        }),
      );
      return { EndedSessions: result.endedSessions };
    },
  );
}
