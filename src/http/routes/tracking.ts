import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { Config } from '../../core/config.js';
import type { ServiceContext } from '../../core/context.js';
import { createLink, MAX_LINK_LABEL_LENGTH } from '../../modules/tracking/create-link.js';
import { disableLink } from '../../modules/tracking/disable-link.js';
import { getLink, listLinks } from '../../modules/tracking/list-links.js';
import type { LinkRow } from '../../modules/tracking/queries.js';
import { actorOf } from '../auth.js';
import { firstHeader, type ClickAnswer, type ClickPath } from '../click-path.js';
import { errorResponses, idParams, isoDate, pageOf, pageQueryShape, rowId, rowIdText } from '../schemas.js';

export const linkDto = z.object({
  id: z.number().int(),
  code: z.string(),
  trackingUrl: z.string().describe('The URL to share: each visit is recorded, then redirected to landingUrl with lsclickid appended'),
  programId: z.number().int(),
  programName: z.string(),
  partnerAccountId: z.number().int(),
  partnerName: z.string(),
  landingUrl: z.string(),
  label: z.string(),
  status: z.enum(['ACTIVE', 'DISABLED']),
  clickCount: z.number().int(),
  landingAllowed: z
    .boolean()
    .describe("False when the landing URL's host is outside the program's allowed landing domains: visits get the not-found page and are not counted"),
  createdAt: isoDate,
  disabledAt: isoDate.nullable(),
});

function toLinkDto(row: LinkRow, publicUrl: string): z.infer<typeof linkDto> {
  return {
    id: row.id,
    code: row.code,
    trackingUrl: `${publicUrl}/c/${row.code}`,
    programId: row.programId,
    programName: row.programName,
    partnerAccountId: row.partnerAccountId,
    partnerName: row.partnerName,
    landingUrl: row.landingUrl,
    label: row.label,
    status: row.status,
    clickCount: row.clickCount,
    landingAllowed: row.landingAllowed,
    createdAt: row.createdAt.toISOString(),
    disabledAt: row.disabledAt ? row.disabledAt.toISOString() : null,
  };
}

export interface TrackingRoutesOptions {
  ctx: ServiceContext;
  config: Config;
  /** The app's one click path (its tracker holds the link cache and the group-commit buffer). */
  clickPath: ClickPath;
}

export async function trackingRoutes(app: FastifyInstance, opts: TrackingRoutesOptions): Promise<void> {
  const { ctx, config } = opts;
  const r = app.withTypeProvider<ZodTypeProvider>();

  const { tracker } = opts.clickPath;

  r.get(
    '/api/v1/links',
    {
      schema: {
        tags: ['tracking'],
        summary: "A partner's own tracking links, or (brands, read-only) the links to the brand's programs, with click counts",
        querystring: z
          .object({
            ...pageQueryShape,
            programId: rowIdText().optional(),
            status: z.enum(['ACTIVE', 'DISABLED']).optional(),
          })
          .strict(),
        response: { 200: pageOf(linkDto), ...errorResponses },
      },
    },
    async (request) => {
      const result = await listLinks(ctx, actorOf(request), request.query);
      return { ...result, items: result.items.map((row) => toLinkDto(row, config.publicUrl)) };
    },
  );

  r.post(
    '/api/v1/links',
    {
      schema: {
        tags: ['tracking'],
        summary: "Create a tracking link (partners, for a program with an active contract, to a landing URL on one of the program's landingDomains)",
        body: z
          .object({
            programId: rowId(),
            // The service gives the precise message for a URL that is too long; this only bounds the input.
            landingUrl: z.string().max(10_000).describe('Absolute http(s) URL, at most 2,000 characters'),
            label: z.string().max(MAX_LINK_LABEL_LENGTH).optional(),
          })
          .strict(),
        response: { 201: linkDto, ...errorResponses },
      },
    },
    async (request, reply) => reply.status(201).send(toLinkDto(await createLink(ctx, actorOf(request), request.body), config.publicUrl)),
  );

  r.get(
    '/api/v1/links/:id',
    { schema: { tags: ['tracking'], summary: 'One tracking link', params: idParams, response: { 200: linkDto, ...errorResponses } } },
    async (request) => toLinkDto(await getLink(ctx, actorOf(request), request.params.id), config.publicUrl),
  );

  r.post(
    '/api/v1/links/:id/disable',
    {
      schema: {
        tags: ['tracking'],
        summary: 'Disable a tracking link (partners): its visits answer 404 and record nothing. Final.',
        params: idParams,
        response: { 200: linkDto, ...errorResponses },
      },
    },
    async (request) => {
      const link = await disableLink(ctx, actorOf(request), request.params.id);
      tracker.forgetLink(link.code);
      return toLinkDto(link, config.publicUrl);
    },
  );

  // The click path is public, real traffic: no auth, no API rate limit, no schema
  // validation (a bad code must get the HTML page, never problem JSON), and no helmet
  // (@fastify/helmet rebuilds its middleware on every request; ClickPath sends its own
  // fixed headers). Most clicks never get here: the server answers GET /c/<code> with a
  // plain code before Fastify (app.ts); these routes serve the rest (HEAD, encoded or
  // malformed paths, and app.inject) with the same answers.
  // Per-request logs are off here: clicks are the bulk of all traffic, and a request log
  // line would store the visitor's raw IP address, which the click row deliberately does not.
  const clickRoute = {
    schema: { hide: true },
    helmet: false as const,
    logLevel: 'warn' as const,
    config: { auth: 'public' as const, rateLimit: false as const },
  };
  const send = (reply: FastifyReply, answer: ClickAnswer) => reply.status(answer.status).headers(answer.headers).send(answer.body);

  app.get<{ Params: { code: string } }>('/c/:code', { ...clickRoute, exposeHeadRoute: false }, async (request, reply) =>
    send(
      reply,
      await opts.clickPath.click({
        code: request.params.code,
        ip: request.ip,
        userAgent: firstHeader(request.headers['user-agent']),
        referrer: firstHeader(request.headers.referer),
      }),
    ),
  );

  // Link checkers and previews send HEAD: answer like a click would, but record nothing.
  app.head<{ Params: { code: string } }>('/c/:code', clickRoute, async (request, reply) =>
    send(reply, await opts.clickPath.preview(request.params.code)),
  );

  const malformed = async (_request: FastifyRequest, reply: FastifyReply) => send(reply, opts.clickPath.malformed());
  app.get('/c', clickRoute, malformed);
  app.get('/c/*', clickRoute, malformed);
}
