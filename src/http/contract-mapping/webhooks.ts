import type { WebhookAttemptDto, WebhookDeliveryDto, WebhookEndpointDto } from '../contract/webhooks.js';
import { webhookMessageId, type WebhookAttempt, type WebhookDelivery, type WebhookEndpoint } from '../../modules/webhooks/types.js';

const iso = (at: Date | null) => (at ? at.toISOString() : null);

export function toWebhookEndpointDto(endpoint: WebhookEndpoint): WebhookEndpointDto {
  return {
    Id: endpoint.id.toString(),
    Url: endpoint.url,
    Description: endpoint.description,
    EventTypes: endpoint.eventTypes,
    Enabled: endpoint.enabled,
    DisabledReason: endpoint.disabledReason,
    DisabledDate: iso(endpoint.disabledAt),
    PreviousSecretExpiresDate: iso(endpoint.previousSecretExpiresAt),
    FailingSinceDate: iso(endpoint.failingSince),
    CreatedDate: endpoint.createdAt.toISOString(),
    UpdatedDate: endpoint.updatedAt.toISOString(),
  };
}

export function toWebhookDeliveryDto(delivery: WebhookDelivery): WebhookDeliveryDto {
  return {
    Id: delivery.id.toString(),
    EndpointId: delivery.endpointId.toString(),
    EventId: delivery.eventId.toString(),
    EventType: delivery.eventType,
    Subject: delivery.subject,
    WebhookId: webhookMessageId(delivery.eventId, delivery.endpointId),
    State: delivery.state,
    Attempts: delivery.attempts,
    CreatedDate: delivery.createdAt.toISOString(),
    NextAttemptDate: iso(delivery.nextAttemptAt),
    LastAttemptDate: iso(delivery.lastAttemptAt),
    LastResponseCode: delivery.lastStatus,
    LastDurationMs: delivery.lastDurationMs,
    LastError: delivery.lastError,
    LastResponse: delivery.lastResponse,
    DeliveredDate: iso(delivery.deliveredAt),
  };
}

export function toWebhookAttemptDto(attempt: WebhookAttempt): WebhookAttemptDto {
  return {
    Attempt: attempt.attempt,
    AttemptedDate: attempt.attemptedAt.toISOString(),
    WebhookId: attempt.webhookId,
    ResponseCode: attempt.status,
    DurationMs: attempt.durationMs,
    Error: attempt.error,
    Response: attempt.response,
  };
}
