import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import type { Config } from '../../core/config.js';
import type { ServiceContext } from '../../core/context.js';
import { createLink } from '../../modules/tracking/create-link.js';
import { disableLink } from '../../modules/tracking/disable-link.js';
import { getLink, listLinks } from '../../modules/tracking/list-links.js';
import { actorOf } from '../auth.js';
import { firstHeader, type ClickAnswer, type ClickPath } from '../click-path.js';
import { errorResponses, idParams, pageOf } from '../contract/common.js';
import { createLinkBody, linkDto, linksQuery } from '../contract/tracking.js';
import { toPage } from '../contract-mapping/common.js';
import { LINK_SORT_KEYS, toLinkDto } from '../contract-mapping/tracking.js';

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
        querystring: linksQuery,
        response: { 200: pageOf(linkDto), ...errorResponses },
      },
    },
    async (request) => {
      const { sort, ...filter } = request.query;
      const result = await listLinks(ctx, actorOf(request), { ...filter, ...(sort ? { sort: LINK_SORT_KEYS[sort] } : {}) });
      return toPage(result, (row) => toLinkDto(row, config.publicUrl));
    },
  );

  r.post(
    '/api/v1/links',
    {
      schema: {
        tags: ['tracking'],
        summary: "Create a tracking link (partners, for a program with an active contract, to a landing URL on one of the program's LandingDomains)",
        body: createLinkBody,
        response: { 201: linkDto, ...errorResponses },
      },
    },
    async (request, reply) => {
      const { CampaignId, LandingUrl, Label } = request.body;
      const link = await createLink(ctx, actorOf(request), { programId: CampaignId, landingUrl: LandingUrl, ...(Label !== undefined ? { label: Label } : {}) });
      return reply.status(201).send(toLinkDto(link, config.publicUrl));
    },
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
