import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { configureSalesforce } from '../../channels/salesforce/config.js';
import { savePollCredentials } from '../../channels/salesforce/credentials.js';
import { ackBody, faultBody, MAX_OUTBOUND_MESSAGE_BYTES } from '../../channels/salesforce/outbound-message.js';
import { requestPoll } from '../../channels/salesforce/poll.js';
import { receiveOutboundMessage } from '../../channels/salesforce/receive-outbound.js';
import { getSalesforceStatus, regenerateOutboundUrl } from '../../channels/salesforce/status.js';
import type { Config } from '../../core/config.js';
import type { ServiceContext } from '../../core/context.js';
import { DomainError } from '../../core/errors.js';
import { actorOf } from '../auth.js';
import { errorResponses } from '../contract/common.js';
import { eventTypeIdParams } from '../contract/event-types.js';
import { salesforceCredentialsBody, salesforcePollQueuedDto, salesforceStatusDto } from '../contract/salesforce.js';
import { toSalesforceStatusDto } from '../contract-mapping/salesforce.js';

const XML_TYPES = ['text/xml', 'application/xml', 'application/soap+xml'];

/**
 * The Outbound Message listener, outside /api/v1 (Salesforce calls it, not a user): the
 * token in the path is the credential. Every answer is SOAP: the acknowledgement, or a
 * fault (`soapenv:Client`) with the HTTP status of the problem (404 unknown token, 400 a
 * body that is not an Outbound Message, 413 too large, 415 not XML, 409 the event type is
 * not set to SALESFORCE); left out of /docs.
 */
async function outboundListener(app: FastifyInstance, opts: { ctx: ServiceContext }): Promise<void> {
  const { ctx } = opts;
  app.addContentTypeParser(XML_TYPES, { parseAs: 'buffer', bodyLimit: MAX_OUTBOUND_MESSAGE_BYTES }, (_request, body, done) => done(null, body));
  app.setErrorHandler((error: FastifyError, request: FastifyRequest, reply: FastifyReply) => {
    let status = 500;
    let message = 'Something went wrong on our side; it has been logged, and Salesforce delivers the message again.';
    if (error instanceof DomainError) {
      status = error.status;
      message = error.message;
    } else if (error.code === 'FST_ERR_CTP_BODY_TOO_LARGE') {
      status = 413;
      message = `The body is larger than ${MAX_OUTBOUND_MESSAGE_BYTES / 1024 / 1024} MiB.`;
    } else if (error.code === 'FST_ERR_CTP_INVALID_MEDIA_TYPE' || error.code === 'FST_ERR_CTP_EMPTY_TYPE') {
      status = 415;
      message = 'Send the Outbound Message as text/xml (a SOAP envelope), as Salesforce does.';
    } else if (typeof error.statusCode === 'number' && error.statusCode >= 400 && error.statusCode < 500) {
      status = error.statusCode;
      message = error.message;
    }
    if (status >= 500) request.log.error({ err: error }, 'Outbound Message not taken');
    return reply
      .status(status)
      .type('text/xml; charset=utf-8')
      .send(faultBody(message, status >= 500 ? 'Server' : 'Client'));
  });
  app.post<{ Params: { token: string } }>('/salesforce/outbound/:token', { schema: { hide: true }, config: { auth: 'public' as const } }, async (request, reply) => {
    const body = Buffer.isBuffer(request.body) ? request.body : Buffer.alloc(0);
    await receiveOutboundMessage(ctx, request.params.token, body);
    return reply.status(200).type('text/xml; charset=utf-8').send(ackBody());
  });
}

/**
 * The Salesforce channel of an event type (its mapping is the event type's Returns
 * Processing). Brand admins only: the URL and the credentials open the brand's returns.
 */
export async function salesforceRoutes(app: FastifyInstance, opts: { ctx: ServiceContext; config: Config }): Promise<void> {
  const { ctx, config } = opts;
  // Polls run in this process's worker too: both read the key and allowed hosts set here.
  configureSalesforce(config);
  await app.register(outboundListener, { ctx });
  const r = app.withTypeProvider<ZodTypeProvider>();
  const status = async (request: FastifyRequest & { params: { eventTypeId: number } }) =>
    toSalesforceStatusDto(await getSalesforceStatus(ctx, actorOf(request), request.params.eventTypeId), config.publicUrl);

  r.get(
    '/api/v1/event-types/:eventTypeId/salesforce',
    {
      schema: {
        tags: ['returns'],
        summary: 'The Salesforce channel of an event type: the Outbound Message URL, the mapping, whether poll credentials are set (never them), the last messages, polls and notifications with their errors',
        params: eventTypeIdParams,
        response: { 200: salesforceStatusDto, ...errorResponses },
      },
    },
    async (request) => status(request),
  );

  r.post(
    '/api/v1/event-types/:eventTypeId/salesforce/outbound-url',
    {
      schema: {
        tags: ['returns'],
        summary: 'Regenerate the Outbound Message URL: the old one answers 404 from now on',
        params: eventTypeIdParams,
        response: { 200: salesforceStatusDto, ...errorResponses },
      },
    },
    async (request) => {
      await regenerateOutboundUrl(ctx, actorOf(request), request.params.eventTypeId);
      return status(request);
    },
  );

  r.put(
    '/api/v1/event-types/:eventTypeId/salesforce/credentials',
    {
      schema: {
        tags: ['returns'],
        summary: "Save the poller's credentials (a connected app's key and secret, with a refresh token or a username, password and security token) and interval; kept encrypted and never shown again",
        params: eventTypeIdParams,
        body: salesforceCredentialsBody,
        response: { 200: salesforceStatusDto, ...errorResponses },
      },
    },
    async (request) => {
      const b = request.body;
      await savePollCredentials(ctx, actorOf(request), request.params.eventTypeId, {
        clientId: b.ClientId,
        clientSecret: b.ClientSecret,
        refreshToken: b.RefreshToken ?? null,
        username: b.Username ?? null,
        password: b.Password ?? null,
        securityToken: b.SecurityToken ?? null,
        intervalMinutes: b.IntervalMinutes ?? null,
      });
      return status(request);
    },
  );

  r.delete(
    '/api/v1/event-types/:eventTypeId/salesforce/credentials',
    {
      schema: {
        tags: ['returns'],
        summary: 'Remove the poll credentials (polling stops; the Outbound Message URL keeps working)',
        params: eventTypeIdParams,
        response: { 200: salesforceStatusDto, ...errorResponses },
      },
    },
    async (request) => {
      await savePollCredentials(ctx, actorOf(request), request.params.eventTypeId, null);
      return status(request);
    },
  );

  r.post(
    '/api/v1/event-types/:eventTypeId/salesforce/poll',
    {
      schema: {
        tags: ['returns'],
        summary: 'Poll now: queue a poll of Salesforce at once (the worker runs it; follow it in the status)',
        params: eventTypeIdParams,
        response: { 202: salesforcePollQueuedDto, ...errorResponses },
      },
    },
    async (request, reply) => {
      const queued = await requestPoll(ctx, actorOf(request), request.params.eventTypeId);
      return reply.status(202).send({ WorkItemId: queued.workItemId.toString(), Status: 'QUEUED' as const });
    },
  );
}
