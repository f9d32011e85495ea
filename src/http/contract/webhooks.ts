/** Webhooks (issue 16 item 6): an account's endpoints, their deliveries and what an admin can do with them. */
import { z } from 'zod';
import { DELIVERY_STATES } from '../../modules/webhooks/states.js';
import { EVENT_TYPES as SUBSCRIBABLE_EVENT_TYPES } from '../../outbox/events.js';
import { isoDate, pageOf, pageQueryShape } from './common.js';

const bigIdText = (what: string) => z.string().regex(/^[1-9]\d{0,17}$/, `a ${what} id (digits)`);

export const endpointParams = z.object({ endpointId: bigIdText('webhook endpoint') }).strict();
export const deliveryParams = z.object({ deliveryId: bigIdText('webhook delivery') }).strict();

const eventTypes = z
  .array(z.enum(SUBSCRIBABLE_EVENT_TYPES))
  .min(1)
  .max(SUBSCRIBABLE_EVENT_TYPES.length * 2)
  .describe('The event types the endpoint receives');

export const createEndpointBody = z
  .object({
    Url: z.string().min(1).max(2000).describe('https://…; plain http:// only to a host in WEBHOOK_ALLOWED_HOSTS'),
    Description: z.string().max(500).optional(),
    EventTypes: eventTypes,
    Enabled: z.boolean().optional(),
  })
  .strict();

export const updateEndpointBody = z
  .object({
    Url: z.string().min(1).max(2000).optional(),
    Description: z.string().max(500).optional(),
    EventTypes: eventTypes.optional(),
    Enabled: z.boolean().optional().describe('true enables a disabled endpoint: what waited for it goes out from now'),
  })
  .strict();

export const webhookEndpointDto = z
  .object({
    Id: z.string(),
    Url: z.string(),
    Description: z.string(),
    EventTypes: z.array(z.string()),
    Enabled: z.boolean(),
    DisabledReason: z.string().nullable(),
    DisabledDate: isoDate.nullable(),
    PreviousSecretExpiresDate: isoDate.nullable().describe('After a rotation: until when the previous secret still signs beside the new one'),
    FailingSinceDate: isoDate.nullable().describe('Every attempt has failed since then; five days of it disable the endpoint'),
    CreatedDate: isoDate,
    UpdatedDate: isoDate,
  })
  .meta({ id: 'WebhookEndpoint' });
export type WebhookEndpointDto = z.infer<typeof webhookEndpointDto>;

export const webhookEndpointWithSecretDto = webhookEndpointDto.extend({
  Secret: z.string().describe('The signing secret (whsec_…), shown this once: verify the webhook-signature header with it'),
});
export type WebhookEndpointWithSecretDto = z.infer<typeof webhookEndpointWithSecretDto>;

export const webhookEndpointListDto = z.object({ Items: z.array(webhookEndpointDto) });

export const webhookDeliveryDto = z
  .object({
    Id: z.string(),
    EndpointId: z.string(),
    EventId: z.string(),
    EventType: z.string(),
    Subject: z.string(),
    WebhookId: z.string().describe('The webhook-id header: the same on every attempt and replay'),
    State: z.enum(DELIVERY_STATES),
    Attempts: z.number().int(),
    CreatedDate: isoDate,
    NextAttemptDate: isoDate.nullable(),
    LastAttemptDate: isoDate.nullable(),
    LastResponseCode: z.number().int().nullable(),
    LastDurationMs: z.number().int().nullable(),
    LastError: z.string().nullable(),
    LastResponse: z.string().nullable().describe('The start of the last answer body (at most 1,000 characters)'),
    DeliveredDate: isoDate.nullable(),
  })
  .meta({ id: 'WebhookDelivery' });
export type WebhookDeliveryDto = z.infer<typeof webhookDeliveryDto>;

export const webhookAttemptDto = z.object({
  Attempt: z.number().int(),
  AttemptedDate: isoDate,
  WebhookId: z.string(),
  ResponseCode: z.number().int().nullable(),
  DurationMs: z.number().int(),
  Error: z.string().nullable(),
  Response: z.string().nullable(),
});
export type WebhookAttemptDto = z.infer<typeof webhookAttemptDto>;

export const webhookDeliveryDetailDto = webhookDeliveryDto.extend({
  Request: z.unknown().describe('The body sent: the event as it goes on the wire'),
  AttemptLog: z.array(webhookAttemptDto),
});
export type WebhookDeliveryDetailDto = z.infer<typeof webhookDeliveryDetailDto>;

export const deliveryListQuery = z.object({ ...pageQueryShape, state: z.enum(DELIVERY_STATES).optional() }).strict();
export const webhookDeliveryPageDto = pageOf(webhookDeliveryDto);

export const replayEventBody = z.object({ EventId: bigIdText('outbox event').describe('An event of this account (lockstep events tail, a delivery\'s EventId)') }).strict();

export const webhookEventTypeListDto = z.object({
  Items: z.array(z.object({ Type: z.string(), Description: z.string() })),
});
export type WebhookEventTypeListDto = z.infer<typeof webhookEventTypeListDto>;
