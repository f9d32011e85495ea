/**
 * An endpoint's delivery log, and what its admins can do from it: send a test event,
 * replay a delivery (sent again from now, with a new three-day window and the same
 * `webhook-id`), replay any event of the account's to the endpoint (one it was not
 * subscribed to, or from before it existed).
 */
import type { ServiceContext } from '../../core/context.js';
import { conflict, notFound } from '../../core/errors.js';
import type { Page, PageRequest } from '../../core/paging.js';
import { pageOffset } from '../../core/paging.js';
import type { Sql } from '../../db/types.js';
import { WEBHOOK_TEST_EVENT_TYPE } from '../../outbox/events.js';
import { recordEvents } from '../../outbox/record-events.js';
import { enqueue, wake } from '../../worker/index.js';
import { requireAccountAdmin, type Actor } from '../accounts/actor.js';
import { findEndpointOrThrow } from './endpoints.js';
import { readWireEventsById } from './event-bodies.js';
import { deliverWebhooksKind } from './pump.js';
import { DELIVERY_STATES, type DeliveryState, type WebhookAttempt, type WebhookDelivery } from './types.js';

const DELIVERY_COLUMNS = `d.id, d.endpoint_id as "endpointId", d.event_id as "eventId", d.event_type as "eventType", d.subject, d.state, d.attempts,
  d.created_at as "createdAt", case when d.state = 'PENDING' then d.next_attempt_at end as "nextAttemptAt", d.last_attempt_at as "lastAttemptAt",
  d.last_status as "lastStatus", d.last_duration_ms as "lastDurationMs", d.last_error as "lastError", d.last_response as "lastResponse",
  d.delivered_at as "deliveredAt"`;

function deliveryOf(row: WebhookDelivery): WebhookDelivery {
  return { ...row, id: BigInt(row.id), endpointId: BigInt(row.endpointId), eventId: BigInt(row.eventId) };
}

export async function listDeliveries(
  ctx: ServiceContext,
  actor: Actor,
  endpointId: bigint,
  request: PageRequest & { state?: DeliveryState | undefined },
): Promise<Page<WebhookDelivery>> {
  const admin = requireAccountAdmin(actor);
  await findEndpointOrThrow(ctx.db, admin.accountId, endpointId);
  const state = request.state && DELIVERY_STATES.includes(request.state) ? request.state : null;
  const { rows } = await ctx.db.query<WebhookDelivery & { total: number }>(
    `select ${DELIVERY_COLUMNS}, count(*) over ()::int as total from webhook_deliveries d
      where d.endpoint_id = $1 and ($2::text is null or d.state = $2)
      order by d.id desc limit $3 offset $4`,
    [endpointId.toString(), state, request.pageSize, pageOffset(request)],
  );
  let total = rows[0]?.total;
  if (total === undefined) {
    const counted = await ctx.db.query<{ n: number }>('select count(*)::int as n from webhook_deliveries d where d.endpoint_id = $1 and ($2::text is null or d.state = $2)', [
      endpointId.toString(),
      state,
    ]);
    total = counted.rows[0]!.n;
  }
  return { items: rows.map(({ total: _t, ...row }) => deliveryOf(row)), page: request.page, pageSize: request.pageSize, total };
}

async function findDeliveryOrThrow(db: Sql, accountId: number, deliveryId: bigint, lock = false): Promise<WebhookDelivery> {
  const { rows } = await db.query<WebhookDelivery>(
    `select ${DELIVERY_COLUMNS} from webhook_deliveries d join webhook_endpoints e on e.id = d.endpoint_id
      where d.id = $1 and e.account_id = $2 and e.deleted_at is null${lock ? ' for update of d' : ''}`,
    [deliveryId.toString(), accountId],
  );
  if (!rows[0]) throw notFound(`There is no webhook delivery ${deliveryId} in this account.`);
  return deliveryOf(rows[0]);
}

/** A delivery with every attempt and the request it sends (the event as it goes on the wire). */
export async function getDelivery(
  ctx: ServiceContext,
  actor: Actor,
  deliveryId: bigint,
): Promise<WebhookDelivery & { attemptsLog: WebhookAttempt[]; request: unknown }> {
  const admin = requireAccountAdmin(actor);
  const delivery = await findDeliveryOrThrow(ctx.db, admin.accountId, deliveryId);
  const { rows } = await ctx.db.query<WebhookAttempt>(
    `select attempt, attempted_at as "attemptedAt", webhook_id as "webhookId", status, duration_ms as "durationMs", error, response
       from webhook_attempts where delivery_id = $1 order by attempt desc, id desc limit 100`,
    [deliveryId.toString()],
  );
  const request = (await readWireEventsById(ctx.db, [delivery.eventId])).get(delivery.eventId) ?? null;
  return { ...delivery, attemptsLog: rows, request };
}

/** Sends the delivery again from now: PENDING, due at once, a fresh retry window. */
export async function replayDelivery(ctx: ServiceContext, actor: Actor, deliveryId: bigint): Promise<WebhookDelivery> {
  const admin = requireAccountAdmin(actor);
  const now = ctx.clock.now();
  const delivery = await ctx.db.transaction(async (tx) => {
    const before = await findDeliveryOrThrow(tx, admin.accountId, deliveryId, true);
    if (before.state === 'PENDING' && before.attempts === 0) return before;
    await tx.query(`update webhook_deliveries set state = 'PENDING', next_attempt_at = $2, window_started_at = $2 where id = $1`, [deliveryId.toString(), now]);
    await enqueue(tx, deliverWebhooksKind, {});
    return findDeliveryOrThrow(tx, admin.accountId, deliveryId);
  });
  wake();
  return delivery;
}

/** Sends an event of the account's to the endpoint (again): its delivery made or replayed. */
export async function replayEvent(ctx: ServiceContext, actor: Actor, endpointId: bigint, eventId: bigint): Promise<WebhookDelivery> {
  const admin = requireAccountAdmin(actor);
  const now = ctx.clock.now();
  const delivery = await ctx.db.transaction(async (tx) => {
    const endpoint = await findEndpointOrThrow(tx, admin.accountId, endpointId, { lock: true });
    const { rows } = await tx.query<{ subject: string; type: string }>('select subject, type from outbox_events where id = $1 and $2 = any(account_ids)', [
      eventId.toString(),
      admin.accountId,
    ]);
    if (!rows[0]) throw notFound(`There is no event ${eventId} of this account.`);
    await tx.query(
      `insert into webhook_deliveries (endpoint_id, event_id, subject, event_type, created_at, window_started_at, next_attempt_at)
       values ($1, $2, $3, $4, $5, $5, $5)
       on conflict (endpoint_id, event_id) do update set state = 'PENDING', next_attempt_at = $5, window_started_at = $5`,
      [endpoint.id.toString(), eventId.toString(), rows[0].subject, rows[0].type, now],
    );
    await enqueue(tx, deliverWebhooksKind, {});
    const { rows: made } = await tx.query<{ id: bigint }>('select id from webhook_deliveries where endpoint_id = $1 and event_id = $2', [endpoint.id.toString(), eventId.toString()]);
    return findDeliveryOrThrow(tx, admin.accountId, BigInt(made[0]!.id));
  });
  wake();
  return delivery;
}

/**
 * A `webhook.test` event for this endpoint alone: recorded in the outbox like any event
 * (its payload names the endpoint and the account), and delivered like any other.
 */
export async function sendTestEvent(ctx: ServiceContext, actor: Actor, endpointId: bigint): Promise<WebhookDelivery> {
  const admin = requireAccountAdmin(actor);
  const now = ctx.clock.now();
  const delivery = await ctx.db.transaction(async (tx) => {
    const endpoint = await findEndpointOrThrow(tx, admin.accountId, endpointId, { lock: true });
    if (!endpoint.enabled) throw conflict('The endpoint is disabled; enable it to send a test event.');
    const subject = `webhook_endpoint:${endpoint.id}`;
    await recordEvents(tx, [
      {
        type: WEBHOOK_TEST_EVENT_TYPE,
        subject,
        accountIds: [admin.accountId],
        payload: { EndpointId: endpoint.id.toString(), AccountId: admin.accountId, Message: 'A test event sent from Settings → Webhooks.' },
        occurredAt: now,
      },
    ]);
    const { rows } = await tx.query<{ id: bigint }>(
      `insert into webhook_deliveries (endpoint_id, event_id, subject, event_type, created_at, window_started_at, next_attempt_at)
       select $1, max(id), $2, $3, $4, $4, $4 from outbox_events where subject = $2
       returning id`,
      [endpoint.id.toString(), subject, WEBHOOK_TEST_EVENT_TYPE, now],
    );
    await enqueue(tx, deliverWebhooksKind, {});
    return findDeliveryOrThrow(tx, admin.accountId, BigInt(rows[0]!.id));
  });
  wake();
  return delivery;
}
