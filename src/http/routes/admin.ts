import { createHash, timingSafeEqual } from 'node:crypto';
import { PassThrough } from 'node:stream';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import type { ServiceContext } from '../../core/context.js';
import { forbidden, notFound, unauthorized } from '../../core/errors.js';
import { JOBS } from '../../jobs/scheduler.js';
import { createOperator } from '../../modules/accounts/create-operator.js';
import { reconcile } from '../../jobs/reconcile.js';
import { readEventsAfter } from '../../outbox/read-events.js';
import { toWireEvent } from '../../outbox/wire.js';
import { SESSION_COOKIE } from '../auth.js';
import { toProblem } from '../problem.js';
import { createdOperatorDto, createOperatorBody, eventsBody, jobNameParams, ledgerCheckDto, type JobRunEvent } from '../contract/admin.js';
import { errorResponses } from '../contract/common.js';

/**
 * What the `lockstep` command line does through a running server. PGlite lets one
 * process open a data folder, so while a server holds it, `lockstep jobs run`,
 * `create-operator` and `check-ledger` ask the server to do the work. The server writes
 * a random admin secret at each start into DATA_DIR/admin.json (mode 0600, so only the
 * user running the server can read it); these routes take that secret as a Bearer
 * token and nothing else: no user session, no API token, no operator. They are left
 * out of /docs, being no part of the API for integrations.
 */

export interface AdminRouteOptions {
  ctx: ServiceContext;
  /** The secret of this server's start; without one (PostgreSQL, tests) every call is refused. */
  secret: string | undefined;
}

const sha256 = (text: string) => createHash('sha256').update(text).digest();

const NOT_FOR_USERS =
  'Admin endpoints are for the lockstep command line on the server\'s machine, with the admin secret the server wrote into DATA_DIR/admin.json; a user session or an API token cannot call them.';

function checkAdminOrThrow(request: FastifyRequest, reply: FastifyReply, expected: Buffer | undefined): void {
  if (!expected) {
    throw forbidden(
      'This server takes no admin calls: it holds no PGlite data folder (on PostgreSQL, the lockstep command line opens the database itself and needs no server).',
    );
  }
  const header = request.headers.authorization;
  const bearer = header ? /^Bearer\s+(\S+)\s*$/i.exec(header)?.[1] : undefined;
  if (bearer !== undefined) {
    // Compared as digests: equal lengths, and the time taken says nothing about the secret.
    if (timingSafeEqual(sha256(bearer), expected)) return;
    reply.header('WWW-Authenticate', 'Bearer realm="lockstep-admin"');
    throw unauthorized(
      'The admin secret is not valid: the server writes a new one into DATA_DIR/admin.json at each start; run the lockstep command with the same DATA_DIR as the server.',
    );
  }
  if (header || request.cookies[SESSION_COOKIE]) throw forbidden(NOT_FOR_USERS);
  reply.header('WWW-Authenticate', 'Bearer realm="lockstep-admin"');
  throw unauthorized(`Send the admin secret as a Bearer token. ${NOT_FOR_USERS}`);
}

export async function adminRoutes(app: FastifyInstance, opts: AdminRouteOptions): Promise<void> {
  const { ctx } = opts;
  const expected = opts.secret ? sha256(opts.secret) : undefined;
  const r = app.withTypeProvider<ZodTypeProvider>();
  // The global auth hook skips `auth: 'admin'` routes; this one runs before the body is read.
  app.addHook('onRequest', async (request, reply) => checkAdminOrThrow(request, reply, expected));

  // A job run through the server stops between chunks when the server shuts down, as
  // the scheduler's runs do, so that a shutdown does not wait for a long backlog.
  const closing = new AbortController();
  app.addHook('preClose', (done) => {
    closing.abort();
    done();
  });

  r.post(
    '/api/v1/admin/jobs/:name/run',
    {
      config: { auth: 'admin' },
      schema: { hide: true, params: jobNameParams },
    },
    async (request, reply) => {
      const job = JOBS.find((j) => j.name === request.params.name);
      if (!job) throw notFound(`There is no job "${request.params.name}"; the jobs are ${JOBS.map((j) => j.name).join(', ')}.`);
      const total = job.count ? await job.count(ctx) : null;
      // Newline-delimited JSON, one event a line, so the command line can show progress:
      // {"Event":"start","Total":n}, {"Event":"progress","Done":n}…, then "done" or "error".
      const out = new PassThrough();
      const send = (event: JobRunEvent) => out.write(`${JSON.stringify(event)}\n`);
      send({ Event: 'start', Job: job.name, Total: total });
      void job
        .run(ctx, { onProgress: (done) => send({ Event: 'progress', Done: done }), signal: closing.signal })
        .then(
          (result) => send({ Event: 'done', Ran: result.ran, Done: result.done, Summary: result.summary }),
          (error: unknown) => send({ Event: 'error', Detail: toProblem(error, request).detail }),
        )
        .finally(() => out.end());
      return reply.type('application/x-ndjson; charset=utf-8').header('cache-control', 'no-store').send(out);
    },
  );

  r.post(
    '/api/v1/admin/check-ledger',
    {
      config: { auth: 'admin' },
      schema: {
        hide: true,
        response: { 200: ledgerCheckDto, ...errorResponses },
      },
    },
    async () => {
      const result = await reconcile(ctx.db);
      return { Ok: result.ok, Transfers: result.transfers, Problems: result.problems };
    },
  );

  r.post(
    '/api/v1/admin/operators',
    {
      config: { auth: 'admin' },
      schema: {
        hide: true,
        body: createOperatorBody,
        response: { 201: createdOperatorDto, ...errorResponses },
      },
    },
    async (request, reply) => {
      const { Email, Name, Password } = request.body;
      const { userId } = await createOperator(ctx, { email: Email, name: Name, password: Password });
      return reply.status(201).send({ UserId: userId });
    },
  );

  r.post(
    '/api/v1/admin/events',
    {
      config: { auth: 'admin' },
      schema: {
        hide: true,
        body: eventsBody,
      },
    },
    async (request) => {
      const { After, Limit, TypePrefix, AccountId } = request.body;
      const page = await readEventsAfter(ctx.db, BigInt(After), {
        ...(Limit ? { limit: Limit } : {}),
        ...(TypePrefix ? { typePrefix: TypePrefix } : {}),
        ...(AccountId ? { accountId: AccountId } : {}),
      });
      return { Events: page.events.map(toWireEvent), Cursor: page.cursor.toString() };
    },
  );
}
