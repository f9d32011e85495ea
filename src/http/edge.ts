import http from 'node:http';
import type { Socket } from 'node:net';
import type { FastifyRequest } from 'fastify';
import { DomainError, invalid } from '../core/errors.js';
import { findUnstorableText } from '../core/text.js';
import type { ClickAnswer } from './click-path.js';
import type { Problem } from './problem.js';

/**
 * Checks every request makes at the edge, before a route sees it: things no route should
 * have to remember, so a route added later is covered without a line of its own.
 */

/**
 * Text PostgreSQL cannot store (NUL, lone surrogates) anywhere in the path parameters,
 * the query or the body is a 400 naming the field, before validation and before any
 * service runs: nothing is stored differently from what was sent, nothing fails deep
 * inside a query as a 500.
 */
export async function refuseUnstorableText(request: FastifyRequest): Promise<void> {
  // Tracking links check their own codes and answer visitors with the error page, never
  // with problem JSON; a code holding a NUL is simply not a link.
  if (request.routeOptions.url?.startsWith('/c')) return;
  const found =
    findUnstorableText(request.params, 'params') ??
    findUnstorableText(request.query, 'query') ??
    findUnstorableText(request.body, 'body');
  if (found) {
    throw invalid(`${found.field}: ${found.message}.`, { errors: [{ field: found.field, message: found.message }] });
  }
}

const STATE_CHANGING = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

/**
 * Cross-site request forgery, in depth (the session cookie is already SameSite=Strict):
 * a state-changing request that a browser marks as coming from another site is refused.
 * Browsers send `Origin` on every such request and `Sec-Fetch-Site` on all of them;
 * integrations (curl, servers) send neither and are not affected. The app's own origin is
 * PUBLIC_URL's, or the one the request itself was sent to (the Host it names), so the
 * same server reached as localhost or 127.0.0.1 works from its own pages either way.
 */
export function sameOriginGuard(publicUrl: string) {
  const publicOrigin = new URL(publicUrl).origin;
  return async (request: FastifyRequest): Promise<void> => {
    if (!STATE_CHANGING.has(request.method) || !request.url.startsWith('/api/')) return;
    const origin = request.headers.origin;
    if (origin !== undefined) {
      if (origin === publicOrigin || isOriginOfHost(origin, request.headers.host)) return;
      throw new DomainError(
        'forbidden',
        `This request comes from another site (${origin.slice(0, 100)}); changes are accepted only from Lockstep's own pages or from API clients.`,
      );
    }
    const site = request.headers['sec-fetch-site'];
    if (site !== undefined && site !== 'same-origin' && site !== 'none') {
      throw new DomainError('forbidden', "This request comes from another site; changes are accepted only from Lockstep's own pages or from API clients.");
    }
  };
}

function isOriginOfHost(origin: string, host: string | undefined): boolean {
  if (!host || origin === 'null') return false;
  try {
    return new URL(origin).host === host.toLowerCase();
  } catch {
    return false;
  }
}

/**
 * Requests Node's HTTP parser refuses before Fastify sees them (headers too large, a
 * malformed request line, a timeout) get the same answers as everything else: the click
 * error page under /c/, problem JSON elsewhere, instead of Node's or Fastify's bare text.
 */
export function clientErrorHandler(clickPage: () => ClickAnswer | undefined) {
  return (error: Error & { code?: string; rawPacket?: unknown }, socket: Socket): void => {
    if (error.code === 'ECONNRESET' || socket.destroyed) return;
    if (socket.writable) {
      const status = error.code === 'HPE_HEADER_OVERFLOW' ? 431 : error.code === 'ERR_HTTP_REQUEST_TIMEOUT' ? 408 : 400;
      const requestLine = Buffer.isBuffer(error.rawPacket) ? error.rawPacket.subarray(0, 16).toString('latin1') : '';
      const page = /^(GET|HEAD) \/c\//.test(requestLine) ? clickPage() : undefined;
      const answer = page ? { ...page, status } : problemAnswer(parserProblem(status));
      const body = requestLine.startsWith('HEAD ') ? '' : answer.body;
      const headers = { ...answer.headers, 'content-length': String(Buffer.byteLength(body)), connection: 'close' };
      socket.write(
        `HTTP/1.1 ${status} ${http.STATUS_CODES[status]}\r\n${Object.entries(headers)
          .map(([name, value]) => `${name}: ${value}\r\n`)
          .join('')}\r\n${body}`,
      );
    }
    socket.destroy();
  };
}

function parserProblem(status: number): Problem {
  const base = 'https://lockstep.dev/problems/';
  if (status === 431) {
    return {
      type: `${base}request-header-fields-too-large`,
      title: 'Request header fields too large',
      status,
      detail: 'The request headers (or the URL) are larger than this server accepts (16 KiB); send fewer or smaller headers, or a shorter URL.',
    };
  }
  if (status === 408) {
    return { type: `${base}request-timeout`, title: 'Request timeout', status, detail: 'The request was not received in time; send it again.' };
  }
  return { type: `${base}bad-request`, title: 'Bad request', status, detail: 'The request is not valid HTTP/1.1 and could not be read.' };
}

function problemAnswer(problem: Problem): ClickAnswer {
  return { status: problem.status, headers: { 'content-type': 'application/problem+json; charset=utf-8' }, body: JSON.stringify(problem) };
}
