import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { Counter, Histogram } from 'prom-client';
import { z } from 'zod';
import type { Config } from '../../core/config.js';
import type { ServiceContext } from '../../core/context.js';
import { createLink, MAX_LINK_LABEL_LENGTH } from '../../modules/tracking/create-link.js';
import { disableLink } from '../../modules/tracking/disable-link.js';
import { getLink, listLinks } from '../../modules/tracking/list-links.js';
import type { LinkRow } from '../../modules/tracking/queries.js';
import { ClickTracker, type ClickTrackerOptions } from '../../modules/tracking/track-click.js';
import { actorOf } from '../auth.js';
import { registry } from '../metrics.js';
import { errorResponses, idParams, isoDate, pageOf, pageQueryShape } from '../schemas.js';

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
    createdAt: row.createdAt.toISOString(),
    disabledAt: row.disabledAt ? row.disabledAt.toISOString() : null,
  };
}

// Metrics live in the one process-wide registry; a second app in the same process reuses them.
function counter(name: string, help: string, labelNames: string[] = []): Counter<string> {
  return (registry.getSingleMetric(name) as Counter<string> | undefined) ?? new Counter({ name, help, labelNames, registers: [registry] });
}
const clicksAnswered = counter('lockstep_clicks_total', 'Tracking link visits by outcome', ['outcome']);
const clickFlushFailures = counter('lockstep_click_flush_failures_total', 'Group-commit writes of clicks that failed');
const clickBatchSize =
  (registry.getSingleMetric('lockstep_click_batch_size') as Histogram<string> | undefined) ??
  new Histogram({
    name: 'lockstep_click_batch_size',
    help: 'Clicks written per group-commit insert',
    buckets: [1, 2, 5, 10, 25, 50, 100, 250, 500],
    registers: [registry],
  });

/**
 * The pages a visitor may see instead of a redirect. Static text only (nothing from the
 * request is echoed) and no external assets: their own CSP (below) allows nothing but
 * the inline style.
 */
function page(title: string, message: string): string {
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="robots" content="noindex"><title>${title}</title>
<style>body{font:16px/1.5 system-ui,sans-serif;color:#222;background:#f6f6f4;margin:0;display:flex;min-height:100vh;align-items:center;justify-content:center}main{background:#fff;border:1px solid #ddd;border-radius:8px;padding:2rem 2.5rem;max-width:28rem}h1{font-size:1.3rem;margin:0 0 .5rem}p{margin:0;color:#555}</style>
</head><body><main><h1>${title}</h1><p>${message}</p></main></body></html>
`;
}

const NOT_FOUND_PAGE = page('Link not found', 'This link does not exist or is no longer active. Check the address, or ask whoever shared it for a new one.');
const EXPIRED_PAGE = page('This link has expired', 'The partner who shared this link no longer takes part in this program.');
const UNAVAILABLE_PAGE = page('Temporarily unavailable', 'We could not process this link just now. Please try again in a moment.');

/**
 * The security headers of the click path, fixed once. @fastify/helmet rebuilds its
 * middleware on every request, which costs more than the whole redirect, so the click
 * routes opt out of it and send these instead: a policy stricter than the app's (the
 * pages need nothing but their inline style), no caching (every visit must reach us to
 * be counted), no indexing, and no referrer passed on to the landing page.
 */
const CLICK_HEADERS = {
  'cache-control': 'no-store',
  'referrer-policy': 'no-referrer',
  'x-content-type-options': 'nosniff',
  'x-robots-tag': 'noindex',
};
const PAGE_HEADERS = {
  ...CLICK_HEADERS,
  'content-security-policy': "default-src 'none'; style-src 'unsafe-inline'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'",
  'x-frame-options': 'DENY',
  'content-type': 'text/html; charset=utf-8',
};

function sendPage(reply: FastifyReply, status: number, html: string): FastifyReply {
  return reply.status(status).headers(PAGE_HEADERS).send(html);
}

function sendRedirect(reply: FastifyReply, location: string): FastifyReply {
  return reply.headers(CLICK_HEADERS).redirect(location, 302);
}

function headerOf(request: FastifyRequest, name: 'user-agent' | 'referer'): string | undefined {
  const value = request.headers[name];
  return Array.isArray(value) ? value[0] : value;
}

export interface TrackingRoutesOptions {
  ctx: ServiceContext;
  config: Config;
  /** Overrides for tests and benchmarks; config.linkCacheTtlMs (LINK_CACHE_TTL_MS) otherwise. */
  tracking?: ClickTrackerOptions;
}

export async function trackingRoutes(app: FastifyInstance, opts: TrackingRoutesOptions): Promise<void> {
  const { ctx, config } = opts;
  const r = app.withTypeProvider<ZodTypeProvider>();

  // One tracker per app: its link cache and its group-commit buffer are per instance.
  const tracker = new ClickTracker(ctx, {
    linkCacheTtlMs: config.linkCacheTtlMs,
    ...opts.tracking,
    recorder: {
      onFlushError: (error, clicks) => {
        clickFlushFailures.inc();
        app.log.error({ err: error, clicks }, 'writing a batch of clicks failed; those visitors got a 503 page');
      },
      onFlush: (clicks) => clickBatchSize.observe(clicks),
      ...opts.tracking?.recorder,
    },
  });
  app.addHook('onClose', async () => tracker.close());

  r.get(
    '/api/v1/links',
    {
      schema: {
        tags: ['tracking'],
        summary: "A partner's own tracking links, or (brands, read-only) the links to the brand's programs, with click counts",
        querystring: z
          .object({
            ...pageQueryShape,
            programId: z.coerce.number().int().positive().max(2_147_483_647).optional(),
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
        summary: 'Create a tracking link (partners, for a program with an active contract)',
        body: z
          .object({
            programId: z.number().int().positive().max(2_147_483_647),
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
  // validation (a bad code must get the HTML page, never problem JSON).
  // Per-request logs are off here: clicks are the bulk of all traffic, and a request log
  // line would store the visitor's raw IP address, which the click row deliberately does not.
  const clickRoute = {
    schema: { hide: true },
    helmet: false as const,
    logLevel: 'warn' as const,
    config: { auth: 'public' as const, rateLimit: false as const },
  };

  app.get<{ Params: { code: string } }>('/c/:code', { ...clickRoute, exposeHeadRoute: false }, async (request, reply) => {
    let outcome;
    try {
      outcome = await tracker.trackClick({
        code: request.params.code,
        ip: request.ip,
        userAgent: headerOf(request, 'user-agent'),
        referrer: headerOf(request, 'referer'),
      });
    } catch (error) {
      // Never a redirect for a click that was not stored, and never a bare 500 for a visitor.
      clicksAnswered.inc({ outcome: 'unavailable' });
      request.log.error({ err: error }, 'click not recorded');
      return sendPage(reply.header('retry-after', '1'), 503, UNAVAILABLE_PAGE);
    }
    clicksAnswered.inc({ outcome: outcome.kind });
    if (outcome.kind === 'redirect') return sendRedirect(reply, outcome.location);
    return outcome.kind === 'expired' ? sendPage(reply, 410, EXPIRED_PAGE) : sendPage(reply, 404, NOT_FOUND_PAGE);
  });

  // Link checkers and previews send HEAD: answer like a click would, but record nothing.
  app.head<{ Params: { code: string } }>('/c/:code', clickRoute, async (request, reply) => {
    let outcome;
    try {
      outcome = await tracker.previewClick(request.params.code);
    } catch (error) {
      request.log.error({ err: error }, 'link lookup failed');
      return sendPage(reply, 503, '');
    }
    if (outcome.kind === 'redirect') return sendRedirect(reply, outcome.location);
    return sendPage(reply, outcome.kind === 'expired' ? 410 : 404, '');
  });

  // Anything else under /c/ (empty, several segments, "..") is a malformed link, not an API 404.
  const notFoundPage = async (_request: FastifyRequest, reply: FastifyReply) => {
    clicksAnswered.inc({ outcome: 'not-found' });
    return sendPage(reply, 404, NOT_FOUND_PAGE);
  };
  app.get('/c', clickRoute, notFoundPage);
  app.get('/c/*', clickRoute, notFoundPage);
}
