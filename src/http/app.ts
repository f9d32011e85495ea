import fs from 'node:fs';
import { LOG_REDACT, loggerOptions, requestForLog } from '../core/logging.js';
import http from 'node:http';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import cookie from '@fastify/cookie';
import helmet from '@fastify/helmet';
import rateLimit from '@fastify/rate-limit';
import fastifyStatic from '@fastify/static';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import Fastify, { type FastifyInstance, type FastifyReply } from 'fastify';
import { jsonSchemaTransform, jsonSchemaTransformObject, serializerCompiler, validatorCompiler } from 'fastify-type-provider-zod';
import type { Config } from '../core/config.js';
import type { ServiceContext } from '../core/context.js';
import { ClickTracker } from '../modules/tracking/track-click.js';
import { authHook } from './auth.js';
import { trustFunctionOf } from '../core/client-address.js';
import { ClickPath, clickRecorderObservers } from './click-path.js';
import { clientErrorHandler, refuseUnstorableText, sameOriginGuard } from './edge.js';
// The outbox's events carry resources in the API's shapes.
import './event-payloads.js';
import { httpErrors, httpRequestDuration, registry } from './metrics.js';
import { observeWorkQueue } from '../worker/metrics.js';
import { sendProblem, toProblem } from './problem.js';
import { accountRoutes } from './routes/accounts.js';
import { adminRoutes } from './routes/admin.js';
import { actionOperationRoutes } from './routes/action-operations.js';
import { actionRoutes } from './routes/actions.js';
import { balanceRoutes } from './routes/balances.js';
import { statementRoutes } from './routes/statements.js';
import { correctionRoutes } from './routes/corrections.js';
import { payoutRoutes } from './routes/payouts.js';
import { returnsTemplateRoutes } from './routes/returns-templates.js';
import { returnsBatchRoutes } from './routes/returns-batches.js';
import { returnsPullRoutes } from './routes/returns-pull.js';
import { salesforceRoutes } from './routes/salesforce.js';
import { impactActionRoutes } from './routes/impact-actions.js';
import { impactReportExportRoutes } from './routes/impact-report-exports.js';
import { reportRoutes } from './routes/reports.js';
import { reportScheduleRoutes } from './routes/report-schedules.js';
import { pinRoutes } from './routes/pins.js';
import { performanceRoutes } from './routes/performance.js';
import { configurePayouts } from '../modules/payouts/payout-config.js';
import { configureMail } from '../outbox/emails.js';
import { configureWebhooks } from '../modules/webhooks/transport.js';
import { observeWebhookQueue } from '../modules/webhooks/metrics.js';
import { webhookRoutes } from './routes/webhooks.js';
import { conversionRoutes } from './routes/conversions.js';
import { contractRoutes } from './routes/contracts.js';
import { operatorRoutes } from './routes/operator.js';
import { operatorWorkItemRoutes } from './routes/operator-work-items.js';
import { programRoutes } from './routes/programs.js';
import { eventTypeRoutes } from './routes/event-types.js';
import { sftpAccessRoutes } from './routes/sftp-access.js';
import { returnsEmailRoutes } from './routes/returns-email.js';
import { sessionRoutes } from './routes/session.js';
import { profileRoutes } from './routes/profile.js';
import { ticketRoutes } from './routes/tickets.js';
import { trackingRoutes } from './routes/tracking.js';

/** The product's mark and name for the top bar of /docs (the web UI's logo, white text on Swagger UI's dark bar). */
const DOCS_LOGO_SVG =
  '<svg xmlns="http://www.w3.org/2000/svg" width="160" height="32" viewBox="0 0 160 32" role="img" aria-label="Lockstep"><rect width="32" height="32" rx="7" fill="#2f5bea"/><path d="M9 8h4v13h10v4H9z" fill="#fff"/><circle cx="23" cy="11" r="3" fill="#9ec1ff"/><text x="42" y="23" font-family="system-ui,sans-serif" font-size="20" font-weight="600" fill="#fff">Lockstep</text></svg>';

export interface AppOptions {
  ctx: ServiceContext;
  config: Config;
  /** false in tests; the JSON logger otherwise. */
  logger?: boolean | object;
  version?: string;
  /** The secret the lockstep command line calls the admin routes with (routes/admin.ts); none: they refuse every call. */
  adminSecret?: string;
}

/** The built web UI: dist/web next to the compiled server, or the repo's dist/web when run from source. */
function findWebDir(): string | undefined {
  const here = path.dirname(fileURLToPath(import.meta.url));
  return [path.resolve(here, '../../dist/web'), path.resolve(here, '../../web')].find((dir) =>
    fs.existsSync(path.join(dir, 'index.html')) && fs.existsSync(path.join(dir, 'assets')),
  );
}

export async function buildApp(options: AppOptions): Promise<FastifyInstance> {
  const { ctx, config } = options;
  // Payouts run in requests and in this process's worker alike: both read the key and fees set here.
  configurePayouts(config);
  configureMail(config);
  configureWebhooks(config);
  // Clicks are most of all traffic: the server hands GET /c/<code> to the click path
  // before Fastify sees it (see ClickPath.tryHandle); everything else goes to Fastify.
  let clickPath: ClickPath | undefined;
  const trustProxy = trustFunctionOf(config.trustProxy);
  const app = Fastify({
    // Whatever logger the caller asks for redacts personal data (src/core/logging.ts).
    logger: options.logger === true ? loggerOptions('info') : options.logger ? { ...loggerOptions('info'), ...options.logger, redact: LOG_REDACT, serializers: { req: requestForLog } } : false,
    bodyLimit: config.bodyLimitBytes,
    // X-Forwarded-For is read only from the proxies TRUST_PROXY names; the click fast
    // path reads addresses with the same function (ClickPath).
    trustProxy: trustProxy ?? false,
    clientErrorHandler: clientErrorHandler(() => clickPath?.malformed()),
    serverFactory: (handler, serverOptions) => {
      const server = http.createServer((req, res) => {
        if (clickPath?.tryHandle(req, res)) return;
        handler(req, res);
      });
      // What Fastify sets on a server it creates itself (its defaults are filled in by now).
      const timeouts = serverOptions as { keepAliveTimeout?: number; requestTimeout?: number; connectionTimeout?: number };
      server.keepAliveTimeout = timeouts.keepAliveTimeout ?? 72_000;
      server.requestTimeout = timeouts.requestTimeout ?? 0;
      server.setTimeout(timeouts.connectionTimeout ?? 0);
      return server;
    },
    // A URL whose percent-encoding cannot be decoded is refused before routing: a visitor
    // on a tracking link gets the click path's "Link not found" page, like any malformed
    // code; everything else gets problem JSON, like every other error.
    frameworkErrors: (error, request, reply) => {
      if (clickPath && /^\/c(\/|$)/.test(request.url)) {
        const answer = clickPath.malformed();
        return (reply as FastifyReply).status(answer.status).headers(answer.headers).send(answer.body);
      }
      return sendProblem(reply, request, toProblem(error, request));
    },
  });
  app.setValidatorCompiler(validatorCompiler);
  app.setSerializerCompiler(serializerCompiler);
  // The API speaks JSON only: without Fastify's default text/plain parser, any other
  // content type is a 415, body or not (a form or a text/plain POST from another site
  // never reaches a route).
  app.removeContentTypeParser('text/plain');

  app.setErrorHandler((error, request, reply) => {
    const problem = toProblem(error, request);
    if (problem.status >= 500) httpErrors.inc({ route: request.routeOptions.url ?? 'unknown' });
    return sendProblem(reply, request, problem);
  });

  await app.register(helmet, {
    // The UI is our own bundle; inline styles come from React's style props.
    contentSecurityPolicy: {
      directives: {
        defaultSrc: ["'self'"],
        styleSrc: ["'self'", "'unsafe-inline'"],
        imgSrc: ["'self'", 'data:'],
        scriptSrc: ["'self'"],
      },
    },
  });
  await app.register(cookie);
  await app.register(rateLimit, {
    max: config.rateLimitMax,
    timeWindow: config.rateLimitWindowMs,
    allowList: (request) => request.url === '/health' || request.url === '/metrics',
    errorResponseBuilder: (_request, context) => ({
      statusCode: 429,
      message: `Rate limit of ${context.max} requests per ${context.after} exceeded; retry after ${context.after}.`,
    }),
  });

  await app.register(swagger, {
    openapi: {
      openapi: '3.1.0',
      info: {
        title: 'Lockstep API',
        version: options.version ?? '0.1.0',
        description:
          'Partnership platform API. Authenticate with HTTP Basic: the Account SID as user name and an Auth Token as password. Errors are RFC 9457 problem JSON.',
      },
      components: {
        securitySchemes: {
          basicAuth: { type: 'http', scheme: 'basic' },
          sessionCookie: { type: 'apiKey', in: 'cookie', name: 'lockstep_session' },
        },
      },
      security: [{ basicAuth: [] }, { sessionCookie: [] }],
    },
    transform: jsonSchemaTransform,
    // Schemas of the wire contract that have an id (.meta({ id })) become components, referred to by $ref.
    transformObject: jsonSchemaTransformObject,
  });
  // /docs carries the product's name and mark, not the Swagger UI's.
  await app.register(swaggerUi, {
    routePrefix: '/docs',
    theme: { title: 'Lockstep API reference' },
    logo: { type: 'image/svg+xml', content: Buffer.from(DOCS_LOGO_SVG), href: '/docs', target: '_self' },
  });

  app.addHook('onRequest', async (request) => {
    (request as unknown as { startedAt: bigint }).startedAt = process.hrtime.bigint();
  });
  app.addHook('onResponse', async (request, reply) => {
    const startedAt = (request as unknown as { startedAt?: bigint }).startedAt;
    if (startedAt === undefined) return;
    httpRequestDuration.observe(
      { method: request.method, route: request.routeOptions.url ?? 'unmatched', status: String(reply.statusCode) },
      Number(process.hrtime.bigint() - startedAt) / 1e9,
    );
  });
  app.addHook('onRequest', sameOriginGuard(config.publicUrl));
  app.addHook('preValidation', refuseUnstorableText);
  app.addHook('preHandler', authHook(ctx));

  app.get('/health', { schema: { hide: true } }, async (_request, reply) => {
    try {
      await ctx.db.query('select 1');
      return { status: 'ok', database: ctx.db.kind };
    } catch {
      return reply.status(503).send({ status: 'unavailable', database: ctx.db.kind });
    }
  });
  // The work queue's gauges are read from this database at each scrape (src/worker/metrics.ts).
  observeWorkQueue(ctx.db);
  observeWebhookQueue(ctx.db);
  app.get('/metrics', { schema: { hide: true } }, async (_request, reply) => {
    reply.type(registry.contentType);
    return registry.metrics();
  });

  await app.register(sessionRoutes, { ctx, config });
  await app.register(profileRoutes, { ctx });
  await app.register(accountRoutes, { ctx, publicUrl: config.publicUrl });
  await app.register(programRoutes, { ctx });
  await app.register(eventTypeRoutes, { ctx, mailDomain: config.mailDomain });
  await app.register(sftpAccessRoutes, { ctx, config });
  await app.register(returnsEmailRoutes, { ctx, config });
  await app.register(contractRoutes, { ctx });
  await app.register(operatorRoutes, { ctx });
  await app.register(operatorWorkItemRoutes, { ctx });
  // One tracker per app: its link cache and its group-commit buffer are per instance.
  const tracker = new ClickTracker(ctx, { linkCacheTtlMs: config.linkCacheTtlMs, recorder: clickRecorderObservers(() => app.log) });
  app.addHook('onClose', async () => tracker.close());
  clickPath = new ClickPath(tracker, () => app.log, trustProxy);
  await app.register(trackingRoutes, { ctx, config, clickPath });
  await app.register(conversionRoutes, { ctx });
  await app.register(actionRoutes, { ctx });
  await app.register(actionOperationRoutes, { ctx });
  await app.register(balanceRoutes, { ctx });
  await app.register(statementRoutes, { ctx });
  await app.register(correctionRoutes, { ctx });
  await app.register(payoutRoutes, { ctx });
  await app.register(returnsTemplateRoutes, { ctx });
  await app.register(ticketRoutes, { ctx });
  await app.register(returnsBatchRoutes, { ctx });
  await app.register(returnsPullRoutes, { ctx, config });
  await app.register(salesforceRoutes, { ctx, config });
  await app.register(impactActionRoutes, { ctx });
  await app.register(reportRoutes, { ctx });
  await app.register(reportScheduleRoutes, { ctx });
  await app.register(pinRoutes, { ctx });
  await app.register(performanceRoutes, { ctx });
  await app.register(impactReportExportRoutes, { ctx });
  await app.register(webhookRoutes, { ctx });
  await app.register(adminRoutes, { ctx, secret: options.adminSecret });

  const webDir = findWebDir();
  if (webDir) {
    await app.register(fastifyStatic, { root: webDir, wildcard: false, index: false });
  }
  app.setNotFoundHandler((request, reply) => {
    const isPage = request.method === 'GET' && !request.url.startsWith('/api/') && !path.extname(request.url.split('?')[0]!);
    if (isPage && webDir) {
      return reply.type('text/html; charset=utf-8').sendFile('index.html');
    }
    return sendProblem(reply, request, {
      type: 'https://lockstep.dev/problems/not-found',
      title: 'Not found',
      status: 404,
      detail: `No route ${request.method} ${request.url.split('?')[0]}.`,
    });
  });

  return app;
}
