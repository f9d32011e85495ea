import type { FastifyReply, FastifyRequest } from 'fastify';
import type { ServiceContext } from '../core/context.js';
import { forbidden, invalid, unauthorized } from '../core/errors.js';
import { isStorableText } from '../core/text.js';
import type { Actor } from '../modules/accounts/actor.js';
import { actorForApiToken, actorForSession, resolveSession, type SessionUser } from '../modules/accounts/resolve-credentials.js';
import { withRetryAfter } from './retry-after.js';

export const SESSION_COOKIE = 'lockstep_session';
export const ACCOUNT_HEADER = 'lockstep-account';

/**
 * What a route requires: nothing, a logged-in user (any account or none), an actor, or
 * the server's admin secret (routes/admin.ts checks it; no user credential counts there).
 */
export type AuthLevel = 'public' | 'user' | 'actor' | 'admin';

declare module 'fastify' {
  interface FastifyRequest {
    sessionUser?: SessionUser;
    actor?: Actor;
  }
  interface FastifyContextConfig {
    auth?: AuthLevel;
  }
}

function parseBasic(header: string): { sid: string; token: string } | undefined {
  const match = /^Basic\s+([A-Za-z0-9+/=]+)$/i.exec(header.trim());
  if (!match) return undefined;
  const decoded = Buffer.from(match[1]!, 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  // Credentials the database could not even look up (a NUL) are simply not valid ones.
  if (colon <= 0 || !isStorableText(decoded)) return undefined;
  return { sid: decoded.slice(0, colon), token: decoded.slice(colon + 1) };
}

function accountIdFromHeader(request: FastifyRequest): number | undefined {
  const raw = request.headers[ACCOUNT_HEADER];
  if (raw === undefined) return undefined;
  const value = Array.isArray(raw) ? raw[0] : raw;
  if (!value || !/^\d{1,9}$/.test(value)) throw invalid('The Lockstep-Account header must be an account id.');
  return Number(value);
}

/**
 * Resolves who is calling: HTTP Basic (Account SID + Auth Token) for integrations, the
 * session cookie for the web UI. Runs on every /api route that is not public.
 */
export function authHook(ctx: ServiceContext) {
  return async (request: FastifyRequest, reply: FastifyReply): Promise<void> => {
    // An unknown route is a 404 for everyone: asking for credentials first would be wrong.
    if (request.is404) return;
    const level = request.routeOptions.config?.auth ?? 'actor';
    if (level === 'public' || level === 'admin' || !request.url.startsWith('/api/')) return;
    const authorization = request.headers.authorization;
    if (authorization) {
      const basic = parseBasic(authorization);
      const actor = basic && (await withRetryAfter(reply, () => actorForApiToken(ctx, basic.sid, basic.token)));
      if (!actor) {
        reply.header('WWW-Authenticate', 'Basic realm="lockstep"');
        throw unauthorized('The Account SID and Auth Token are not valid, or the token was revoked.');
      }
      if (level === 'user') throw forbidden('This endpoint is for logged-in users of the web application.');
      request.actor = actor;
      return;
    }
    const cookie = request.cookies[SESSION_COOKIE];
    const user = cookie ? await resolveSession(ctx, cookie) : undefined;
    if (!user) throw unauthorized('Log in first, or send the Account SID and Auth Token as HTTP Basic credentials.');
    request.sessionUser = user;
    if (level === 'actor') request.actor = await actorForSession(ctx, user, accountIdFromHeader(request));
  };
}

export function actorOf(request: FastifyRequest): Actor {
  if (!request.actor) throw unauthorized('Authentication required.');
  return request.actor;
}

export function sessionUserOf(request: FastifyRequest): SessionUser {
  if (!request.sessionUser) throw unauthorized('Log in first.');
  return request.sessionUser;
}
