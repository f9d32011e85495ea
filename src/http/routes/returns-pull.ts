import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { savePullCredentials } from '../../channels/pull/credentials.js';
import { requestPull } from '../../channels/pull/pull-files.js';
import { configurePulls } from '../../channels/pull/pull-config.js';
import { getPullStatus } from '../../channels/pull/status.js';
import { forgetPullServerKey, testPullConnection } from '../../channels/pull/test-connection.js';
import type { Config } from '../../core/config.js';
import type { ServiceContext } from '../../core/context.js';
import { actorOf } from '../auth.js';
import { errorResponses } from '../contract/common.js';
import { eventTypeIdParams } from '../contract/event-types.js';
import { connectionTestDto, pullCredentialsBody, pullQueuedDto, pullStatusDto } from '../contract/returns-pull.js';
import { toConnectionTestDto, toPullStatusDto } from '../contract-mapping/returns-pull.js';

/**
 * Pulls from the brand's own SFTP / FTPS / FTP server, per event type (the settings
 * themselves are the event type's Returns Processing). Brand admins only: the credentials
 * open the brand's server.
 */
export async function returnsPullRoutes(app: FastifyInstance, opts: { ctx: ServiceContext; config: Config }): Promise<void> {
  const { ctx } = opts;
  // Pulls run in requests ("Test connection") and in this process's worker alike: both read the key and limits set here.
  configurePulls(opts.config);
  const r = app.withTypeProvider<ZodTypeProvider>();
  const status = async (request: FastifyRequest & { params: { eventTypeId: number } }) =>
    toPullStatusDto(await getPullStatus(ctx, actorOf(request), request.params.eventTypeId));

  r.get(
    '/api/v1/event-types/:eventTypeId/pull',
    {
      schema: {
        tags: ['returns'],
        summary: 'The pull from your server of an event type: whether credentials are set (never them), the recorded server key, the last pulls and their errors, the files pulled',
        params: eventTypeIdParams,
        response: { 200: pullStatusDto, ...errorResponses },
      },
    },
    async (request) => status(request),
  );

  r.put(
    '/api/v1/event-types/:eventTypeId/pull/credentials',
    {
      schema: {
        tags: ['returns'],
        summary: 'Save the password, or the private key (SFTP) and its passphrase, the pull logs in with; kept encrypted and never shown again',
        params: eventTypeIdParams,
        body: pullCredentialsBody,
        response: { 200: pullStatusDto, ...errorResponses },
      },
    },
    async (request) => {
      const body = request.body;
      await savePullCredentials(
        ctx,
        actorOf(request),
        request.params.eventTypeId,
        'Password' in body ? { password: body.Password } : { privateKey: body.PrivateKey, passphrase: body.Passphrase ?? null },
      );
      return status(request);
    },
  );

  r.delete(
    '/api/v1/event-types/:eventTypeId/pull/credentials',
    {
      schema: {
        tags: ['returns'],
        summary: 'Remove the saved credentials of the pull (pulls fail until new ones are saved)',
        params: eventTypeIdParams,
        response: { 200: pullStatusDto, ...errorResponses },
      },
    },
    async (request) => {
      await savePullCredentials(ctx, actorOf(request), request.params.eventTypeId, null);
      return status(request);
    },
  );

  r.post(
    '/api/v1/event-types/:eventTypeId/pull/test',
    {
      schema: {
        tags: ['returns'],
        summary: 'Test connection: connect now with the saved settings and credentials and list the files the pattern matches, without pulling; the first connection records the server key',
        params: eventTypeIdParams,
        response: { 200: connectionTestDto, ...errorResponses },
      },
    },
    async (request) => toConnectionTestDto(await testPullConnection(ctx, actorOf(request), request.params.eventTypeId)),
  );

  r.post(
    '/api/v1/event-types/:eventTypeId/pull/run',
    {
      schema: {
        tags: ['returns'],
        summary: 'Pull now: queue a pull of the event type at once (the worker runs it; follow it in the pull status)',
        params: eventTypeIdParams,
        response: { 202: pullQueuedDto, ...errorResponses },
      },
    },
    async (request, reply) => {
      const queued = await requestPull(ctx, actorOf(request), request.params.eventTypeId);
      return reply.status(202).send({ WorkItemId: queued.workItemId.toString(), Status: 'QUEUED' as const });
    },
  );

  r.delete(
    '/api/v1/event-types/:eventTypeId/pull/server-key',
    {
      schema: {
        tags: ['returns'],
        summary: "Forget the recorded server key (after the server's key was replaced on purpose): the next connection records the new one",
        params: eventTypeIdParams,
        response: { 200: pullStatusDto, ...errorResponses },
      },
    },
    async (request) => {
      await forgetPullServerKey(ctx, actorOf(request), request.params.eventTypeId);
      return status(request);
    },
  );
}
