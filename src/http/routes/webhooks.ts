import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import type { ServiceContext } from '../../core/context.js';
import { requireAccountAdmin } from '../../modules/accounts/actor.js';
import { getDelivery, listDeliveries, replayDelivery, replayEvent, sendTestEvent } from '../../modules/webhooks/deliveries.js';
import { createEndpoint, deleteEndpoint, getEndpoint, listEndpoints, rotateEndpointSecret, updateEndpoint } from '../../modules/webhooks/endpoints.js';
import { EVENT_TYPE_DESCRIPTIONS, SUBSCRIBABLE_EVENT_TYPES } from '../../modules/webhooks/types.js';
import { actorOf } from '../auth.js';
import { emptyBody, errorResponses, noContentResponses } from '../contract/common.js';
import {
  createEndpointBody,
  deliveryListQuery,
  deliveryParams,
  endpointParams,
  replayEventBody,
  updateEndpointBody,
  webhookDeliveryDetailDto,
  webhookDeliveryDto,
  webhookDeliveryPageDto,
  webhookEndpointDto,
  webhookEndpointListDto,
  webhookEndpointWithSecretDto,
  webhookEventTypeListDto,
} from '../contract/webhooks.js';
import { toWebhookAttemptDto, toWebhookDeliveryDto, toWebhookEndpointDto } from '../contract-mapping/webhooks.js';

/**
 * Webhooks (issue 16 item 6), for the current account's admins: endpoints, their secrets,
 * their delivery log, a test event and replays. Another account's endpoint or delivery is
 * a 404, as if it did not exist.
 */
export async function webhookRoutes(app: FastifyInstance, opts: { ctx: ServiceContext }): Promise<void> {
  const { ctx } = opts;
  const r = app.withTypeProvider<ZodTypeProvider>();
  const tags = ['webhooks'];

  r.get(
    '/api/v1/webhooks/event-types',
    { schema: { tags, summary: 'The event types an endpoint can subscribe to, each with what it means', response: { 200: webhookEventTypeListDto, ...errorResponses } } },
    async (request) => {
      requireAccountAdmin(actorOf(request));
      return { Items: SUBSCRIBABLE_EVENT_TYPES.map((type) => ({ Type: type, Description: EVENT_TYPE_DESCRIPTIONS[type] })) };
    },
  );

  r.get(
    '/api/v1/webhooks/endpoints',
    { schema: { tags, summary: "The account's webhook endpoints", response: { 200: webhookEndpointListDto, ...errorResponses } } },
    async (request) => ({ Items: (await listEndpoints(ctx, actorOf(request))).map(toWebhookEndpointDto) }),
  );

  r.post(
    '/api/v1/webhooks/endpoints',
    {
      schema: {
        tags,
        summary: 'Add a webhook endpoint: its URL (checked: HTTPS, a public address) and the event types it receives; the answer shows its secret once',
        body: createEndpointBody,
        response: { 201: webhookEndpointWithSecretDto, ...errorResponses },
      },
    },
    async (request, reply) => {
      const b = request.body;
      const { endpoint, secret } = await createEndpoint(ctx, actorOf(request), { url: b.Url, description: b.Description, eventTypes: b.EventTypes, enabled: b.Enabled });
      return reply.code(201).send({ ...toWebhookEndpointDto(endpoint), Secret: secret });
    },
  );

  r.get(
    '/api/v1/webhooks/endpoints/:endpointId',
    { schema: { tags, summary: 'A webhook endpoint', params: endpointParams, response: { 200: webhookEndpointDto, ...errorResponses } } },
    async (request) => toWebhookEndpointDto(await getEndpoint(ctx, actorOf(request), BigInt(request.params.endpointId))),
  );

  r.patch(
    '/api/v1/webhooks/endpoints/:endpointId',
    {
      schema: {
        tags,
        summary: 'Change a webhook endpoint: URL, description, event types, enabled',
        params: endpointParams,
        body: updateEndpointBody,
        response: { 200: webhookEndpointDto, ...errorResponses },
      },
    },
    async (request) => {
      const b = request.body;
      return toWebhookEndpointDto(
        await updateEndpoint(ctx, actorOf(request), BigInt(request.params.endpointId), { url: b.Url, description: b.Description, eventTypes: b.EventTypes, enabled: b.Enabled }),
      );
    },
  );

  r.delete(
    '/api/v1/webhooks/endpoints/:endpointId',
    { schema: { tags, summary: 'Delete a webhook endpoint: nothing more is sent to it', params: endpointParams, response: noContentResponses } },
    async (request, reply) => {
      await deleteEndpoint(ctx, actorOf(request), BigInt(request.params.endpointId));
      return reply.code(204).send(null);
    },
  );

  r.post(
    '/api/v1/webhooks/endpoints/:endpointId/rotate-secret',
    {
      schema: {
        tags,
        summary: 'A new signing secret, shown once; the previous one keeps signing beside it for 24 hours',
        params: endpointParams,
        body: emptyBody,
        response: { 200: webhookEndpointWithSecretDto, ...errorResponses },
      },
    },
    async (request) => {
      const { endpoint, secret } = await rotateEndpointSecret(ctx, actorOf(request), BigInt(request.params.endpointId));
      return { ...toWebhookEndpointDto(endpoint), Secret: secret };
    },
  );

  r.post(
    '/api/v1/webhooks/endpoints/:endpointId/test',
    {
      schema: { tags, summary: 'Send a webhook.test event to this endpoint', params: endpointParams, body: emptyBody, response: { 202: webhookDeliveryDto, ...errorResponses } },
    },
    async (request, reply) => reply.code(202).send(toWebhookDeliveryDto(await sendTestEvent(ctx, actorOf(request), BigInt(request.params.endpointId)))),
  );

  r.post(
    '/api/v1/webhooks/endpoints/:endpointId/replay',
    {
      schema: {
        tags,
        summary: 'Send an event of this account to this endpoint (again), subscribed or not',
        params: endpointParams,
        body: replayEventBody,
        response: { 202: webhookDeliveryDto, ...errorResponses },
      },
    },
    async (request, reply) =>
      reply.code(202).send(toWebhookDeliveryDto(await replayEvent(ctx, actorOf(request), BigInt(request.params.endpointId), BigInt(request.body.EventId)))),
  );

  r.get(
    '/api/v1/webhooks/endpoints/:endpointId/deliveries',
    {
      schema: {
        tags,
        summary: "An endpoint's deliveries, newest first",
        params: endpointParams,
        querystring: deliveryListQuery,
        response: { 200: webhookDeliveryPageDto, ...errorResponses },
      },
    },
    async (request) => {
      const q = request.query;
      const page = await listDeliveries(ctx, actorOf(request), BigInt(request.params.endpointId), { page: q.page, pageSize: q.pageSize, state: q.state });
      return { Items: page.items.map(toWebhookDeliveryDto), Page: page.page, PageSize: page.pageSize, Total: page.total };
    },
  );

  r.get(
    '/api/v1/webhooks/deliveries/:deliveryId',
    {
      schema: {
        tags,
        summary: 'A delivery: the request it sends and every attempt (response code, time taken, the start of the answer)',
        params: deliveryParams,
        response: { 200: webhookDeliveryDetailDto, ...errorResponses },
      },
    },
    async (request) => {
      const delivery = await getDelivery(ctx, actorOf(request), BigInt(request.params.deliveryId));
      return { ...toWebhookDeliveryDto(delivery), Request: delivery.request, AttemptLog: delivery.attemptsLog.map(toWebhookAttemptDto) };
    },
  );

  r.post(
    '/api/v1/webhooks/deliveries/:deliveryId/replay',
    {
      schema: {
        tags,
        summary: 'Send a delivery again from now (same webhook-id, a new 3-day retry window)',
        params: deliveryParams,
        body: emptyBody,
        response: { 202: webhookDeliveryDto, ...errorResponses },
      },
    },
    async (request, reply) => reply.code(202).send(toWebhookDeliveryDto(await replayDelivery(ctx, actorOf(request), BigInt(request.params.deliveryId)))),
  );
}
