import type { OutboxEvent } from './events.js';

/** An outbox event as it leaves the process (the CLI, later webhooks): PascalCase, ids as strings. */
export interface WireEvent {
  Id: string;
  Type: string;
  Subject: string;
  AccountIds: number[];
  OccurredDate: string;
  Payload: unknown;
}

export function toWireEvent(event: OutboxEvent): WireEvent {
  return {
    Id: event.id.toString(),
    Type: event.type,
    Subject: event.subject,
    AccountIds: event.accountIds,
    OccurredDate: event.occurredAt.toISOString(),
    Payload: event.payload,
  };
}
