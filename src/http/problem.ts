import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { hasZodFastifySchemaValidationErrors } from 'fastify-type-provider-zod';
import type { z } from 'zod';
import { DomainError } from '../core/errors.js';
import { MoneyError } from '../money/index.js';
import { TermsError } from '../modules/programs/terms/index.js';

export type Problem = {
  type: string;
  title: string;
  status: number;
  detail: string;
} & Record<string, unknown>;

/** A zod error as one line: each issue with where it is, e.g. `Conversions[3].ActionTrackerId: Too big …`. */
export function issuesText(error: z.ZodError, prefix: string): string {
  return error.issues
    .map((issue) => {
      const where = issue.path.reduce<string>(
        (path, key) => (typeof key === 'number' ? `${path}[${key}]` : `${path}.${String(key)}`),
        prefix,
      );
      const message =
        issue.code === 'unrecognized_keys' ? `unknown field(s): ${issue.keys.join(', ')}; remove them` : issue.message;
      return `${where}: ${message}`;
    })
    .join('; ');
}

const TYPE_BASE = 'https://lockstep.dev/problems/';

export function sendProblem(reply: FastifyReply, request: FastifyRequest, problem: Problem): FastifyReply {
  return reply
    .status(problem.status)
    .type('application/problem+json; charset=utf-8')
    .send({ ...problem, instance: request.url });
}

function problem(status: number, slug: string, title: string, detail: string, extra: Record<string, unknown> = {}) {
  return { type: TYPE_BASE + slug, title, status, detail, ...extra };
}

function fieldError(context: string, path: readonly PropertyKey[], code: string, message: string, keys: unknown) {
  const where = path.length ? `${context}.${path.map(String).join('.')}` : context;
  return {
    field: where,
    message:
      code === 'unrecognized_keys' && Array.isArray(keys)
        ? `unknown field(s): ${keys.join(', ')}; remove them (see /docs for the fields this endpoint takes)`
        : message,
  };
}

/**
 * Fastify validates a request's parts in this order and stops at the first that fails, so
 * the parts after it were never checked. They are checked here against the route's own
 * schemas, so that one answer lists every invalid field of the request, not only those of
 * its first invalid part.
 */
const VALIDATED_PARTS = [
  ['params', 'params'],
  ['body', 'body'],
  ['querystring', 'query'],
] as const;

function uncheckedPartErrors(request: FastifyRequest, failed: string) {
  const at = VALIDATED_PARTS.findIndex(([context]) => context === failed);
  if (at < 0) return [];
  const schemas = (request.routeOptions.schema ?? {}) as Record<string, unknown>;
  return VALIDATED_PARTS.slice(at + 1).flatMap(([context, field]) => {
    const schema = schemas[context] as z.ZodType | undefined;
    if (!schema || typeof schema.safeParse !== 'function') return [];
    const value = request[field];
    // A body the route takes but the request left out is fastify's to refuse (its own message).
    if (context === 'body' && value === undefined) return [];
    const parsed = schema.safeParse(value);
    if (parsed.success) return [];
    return parsed.error.issues.map((issue) =>
      fieldError(context, issue.path, issue.code, issue.message, (issue as { keys?: unknown }).keys),
    );
  });
}

/**
 * Every error leaves as RFC 9457 problem JSON. Known failures keep their status and a
 * message saying what to fix; anything unexpected is a 500 whose details go to the log,
 * not to the caller.
 */
export function toProblem(error: unknown, request: FastifyRequest): Problem {
  if (error instanceof DomainError) {
    return problem(error.status, error.code, error.title, error.message, error.extra);
  }
  if (error instanceof MoneyError || error instanceof TermsError) {
    return problem(400, 'validation', 'Invalid request', error.message);
  }
  const fastifyError = error as FastifyError & { code?: string };
  if (hasZodFastifySchemaValidationErrors(fastifyError)) {
    const context = fastifyError.validationContext ?? 'request';
    const errors = fastifyError.validation.map((issue) => {
      const keys = (issue.params as { keys?: unknown }).keys;
      return fieldError(context, issue.instancePath.split('/').filter(Boolean), issue.keyword, issue.message ?? 'invalid', keys);
    });
    errors.push(...uncheckedPartErrors(request, context));
    return problem(400, 'validation', 'Invalid request', errors.map((e) => `${e.field}: ${e.message}`).join('; '), { errors });
  }
  switch (fastifyError.code) {
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return problem(413, 'payload-too-large', 'Payload too large', 'The request body is larger than this endpoint accepts.');
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
      return problem(415, 'unsupported-media-type', 'Unsupported media type', 'Send the request body as application/json.');
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
      return problem(400, 'validation', 'Invalid request', 'The request body is empty; send a JSON object.');
    case 'FST_ERR_MAX_PARAM_LENGTH':
      return problem(414, 'uri-too-long', 'URI too long', 'A segment of the path is longer than any id or token this API uses (100 characters); check the URL.');
    case 'FST_ERR_CTP_INVALID_JSON_BODY':
      return problem(400, 'validation', 'Invalid request', `The request body is not valid JSON: ${fastifyError.message}`);
  }
  const pgCode = (error as { code?: string }).code;
  if (pgCode === '23505') {
    return problem(409, 'conflict', 'Conflict', 'This conflicts with data that already exists (a duplicate); nothing was changed.');
  }
  if (typeof fastifyError.statusCode === 'number' && fastifyError.statusCode >= 400 && fastifyError.statusCode < 500) {
    if (fastifyError.statusCode === 429) {
      return problem(429, 'rate-limited', 'Too many requests', fastifyError.message);
    }
    return problem(fastifyError.statusCode, 'client-error', 'Bad request', fastifyError.message);
  }
  request.log.error({ err: error }, 'unhandled error');
  return problem(500, 'internal', 'Internal server error', 'Something went wrong on our side; it has been logged.');
}
