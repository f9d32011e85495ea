import type { FastifyReply } from 'fastify';
import { DomainError } from '../core/errors.js';

/**
 * A throttled attempt (modules/accounts/auth-throttle.ts) is a DomainError 'rate-limited'
 * carrying retryAfterSeconds in its problem. The caller also gets it as the Retry-After
 * header, as for the per-address rate limit's 429s; the header is set on the reply before
 * the error goes on to the error handler, which keeps the headers already set.
 */
export async function withRetryAfter<T>(reply: FastifyReply, work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    if (error instanceof DomainError && error.code === 'rate-limited' && typeof error.extra.retryAfterSeconds === 'number') {
      reply.header('Retry-After', String(error.extra.retryAfterSeconds));
    }
    throw error;
  }
}
