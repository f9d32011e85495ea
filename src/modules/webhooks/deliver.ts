/**
 * Delivery from the outbox (issue 16 item 6). Two halves, both run by the worker's
 * `deliver-webhooks` item (pump.ts), both safe to run from several instances at once:
 *
 * FAN-OUT. The cursor (`webhook_cursor`) is the last outbox event turned into
 * deliveries. One transaction locks it, reads the settled events after it (never past a
 * gap a transaction may still fill, src/outbox/read-events.ts), inserts one delivery per
 * event and enabled endpoint that subscribes to its type and belongs to an account the
 * event concerns (`account_ids`: a brand's endpoint never gets another brand's event, a
 * partner's only what concerns the partner), and moves the cursor: a crash anywhere
 * loses nothing and repeats nothing.
 *
 * SENDING. A batch of due deliveries is leased (FOR UPDATE SKIP LOCKED, so two senders
 * never take the same one) and counted as an attempt; only the head of each endpoint's
 * subject is due: a later event of `action:7` waits until the earlier one is delivered or
 * given up, which keeps the order per resource per endpoint. They are sent at once (a
 * keep-alive agent per scheme, up to SEND_CONCURRENCY requests in flight), then every
 * outcome is written in one transaction. A sender killed mid-batch leaves its deliveries
 * PENDING; once the lease passes they go out again with the same `webhook-id`, the
 * duplicate Standard Webhooks tells receivers to expect.
 *
 * Failures wait an exponential backoff (5 s doubling to 6 h) for up to RETRY_WINDOW_MS,
 * then the delivery is FAILED (given up). An endpoint whose attempts have all failed for
 * DISABLE_AFTER_FAILING_MS is disabled and its account's admins are e-mailed.
 * Retry times are business time (`ctx.clock`), as everywhere; leases are the database's.
 */
import type { ServiceContext } from '../../core/context.js';
import { decryptSecret } from '../../core/secrets.js';
import type { Db, Sql } from '../../db/types.js';
import { settledCursor } from '../../outbox/read-events.js';
import { readWireEventsById } from './event-bodies.js';
import { Webhook } from 'standardwebhooks';
import { webhookMetrics } from './metrics.js';
import { queueEndpointDisabledEmails } from './notify.js';
import { postWebhook, RESPONSE_EXCERPT_MAX, webhookSettingsOrThrow, type SendResult } from './transport.js';
import { DISABLE_AFTER_FAILING_MS, RETRY_BASE_MS, RETRY_MAX_MS, RETRY_WINDOW_MS, webhookMessageId } from './types.js';

export const FAN_OUT_BATCH = 2000;
export const SEND_BATCH = 1000;
export const SEND_CONCURRENCY = 64;

/**
 * Turns the settled outbox events after the cursor into deliveries, at most `limit`
 * events; answers how many events it passed (0: nothing new) and how many deliveries it
 * made. Another instance fanning out at this moment holds the cursor: then nothing.
 */
export async function fanOutEvents(tx: Sql, at: Date, options: { limit?: number; settleNow?: Date } = {}): Promise<{ events: number; deliveries: number }> {
  const limit = options.limit ?? FAN_OUT_BATCH;
  const { rows: cursorRows } = await tx.query<{ last: bigint }>('select last_event_id as last from webhook_cursor where id = 1 for update skip locked');
  if (!cursorRows[0]) return { events: 0, deliveries: 0 };
  const cursor = BigInt(cursorRows[0].last);
  const { rows } = await tx.query<{ id: bigint; recordedAt: Date }>(
    'select id, recorded_at as "recordedAt" from outbox_events where id > $1 order by id limit $2',
    [cursor.toString(), limit],
  );
  // The gap rule is about commit order, the database's time, not business time.
  const upTo = settledCursor(cursor, rows, options.settleNow ?? new Date());
  if (upTo === cursor) return { events: 0, deliveries: 0 };
  const { rowCount } = await tx.query(
    `insert into webhook_deliveries (endpoint_id, event_id, subject, event_type, created_at, window_started_at, next_attempt_at)
     select e.id, o.id, o.subject, o.type, $3, $3, $3
       from outbox_events o
       join webhook_endpoints e on e.account_id = any(o.account_ids) and o.type = any(e.event_types) and e.enabled and e.deleted_at is null
      where o.id > $1 and o.id <= $2
      order by o.id, e.id
     on conflict (endpoint_id, event_id) do nothing`,
    [cursor.toString(), upTo.toString(), at],
  );
  await tx.query('update webhook_cursor set last_event_id = $1 where id = 1', [upTo.toString()]);
  const events = rows.filter((row) => row.id <= upTo).length;
  webhookMetrics.fannedOut(events, rowCount ?? 0);
  return { events, deliveries: rowCount ?? 0 };
}

interface Claimed {
  id: bigint;
  endpointId: bigint;
  eventId: bigint;
  attempts: number;
  windowStartedAt: Date;
  url: string;
  secret: string;
  previousSecret: string | null;
  previousExpiresAt: Date | null;
  accountId: number;
}

/** Leases the due heads of their subjects, counting an attempt each. */
async function claimDue(db: Db, now: Date, limit: number, leaseMs: number): Promise<Claimed[]> {
  const { rows } = await db.query<Claimed>(
    `with picked as materialized (
       select d.id from webhook_deliveries d
         join webhook_endpoints e on e.id = d.endpoint_id and e.enabled and e.deleted_at is null
        where d.state = 'PENDING' and d.next_attempt_at <= $1
          and (d.leased_until is null or d.leased_until < clock_timestamp())
          and not exists (
            select 1 from webhook_deliveries p
             where p.endpoint_id = d.endpoint_id and p.subject = d.subject and p.state = 'PENDING' and p.event_id < d.event_id)
        order by d.next_attempt_at, d.id
        limit $2
          for update of d skip locked
     )
     update webhook_deliveries d
        set leased_until = clock_timestamp() + $3::int * interval '1 millisecond', attempts = d.attempts + 1
       from picked, webhook_endpoints e
      where d.id = picked.id and e.id = d.endpoint_id
  returning d.id, d.endpoint_id as "endpointId", d.event_id as "eventId", d.attempts, d.window_started_at as "windowStartedAt",
            e.url, e.secret_encrypted as secret, e.previous_secret_encrypted as "previousSecret",
            e.previous_secret_expires_at as "previousExpiresAt", e.account_id as "accountId"`,
    [now, limit, leaseMs],
  );
  return rows.map((row) => ({ ...row, id: BigInt(row.id), endpointId: BigInt(row.endpointId), eventId: BigInt(row.eventId) }));
}

/** The `webhook-signature` header: the current secret's signature, and the previous one's during a rotation's overlap. */
export function signatureHeader(signers: readonly Webhook[], messageId: string, timestamp: Date, body: string): string {
  return signers.map((signer) => signer.sign(messageId, timestamp, body)).join(' ');
}

export function retryDelayMsFor(attempt: number, random = Math.random()): number {
  const plain = Math.min(RETRY_MAX_MS, RETRY_BASE_MS * 2 ** Math.min(30, Math.max(0, attempt - 1)));
  return Math.round(plain * (1 + 0.1 * random));
}

async function inPool<T, R>(items: readonly T[], concurrency: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  const runners = Array.from({ length: Math.min(concurrency, items.length) }, async () => {
    while (next < items.length) {
      const index = next++;
      results[index] = await fn(items[index]!);
    }
  });
  await Promise.all(runners);
  return results;
}

export interface SendSummary {
  sent: number;
  delivered: number;
  failed: number;
  gaveUp: number;
  disabledEndpoints: number;
}

/** Sends one batch of due deliveries and records every outcome; `sent: 0` when nothing was due. */
export async function sendDueDeliveries(ctx: ServiceContext, limit = SEND_BATCH): Promise<SendSummary> {
  const now = ctx.clock.now();
  const settings = webhookSettingsOrThrow();
  const claimed = await claimDue(ctx.db, now, limit, settings.leaseMs);
  if (claimed.length === 0) return { sent: 0, delivered: 0, failed: 0, gaveUp: 0, disabledEndpoints: 0 };
  const key = settings.key();
  const events = await readWireEventsById(ctx.db, claimed.map((c) => c.eventId));
  const bodies = new Map([...events].map(([id, event]) => [id, JSON.stringify(event)]));
  // One signer per secret per batch (its key is derived once).
  const signersOf = new Map<bigint, Webhook[]>();
  for (const delivery of claimed) {
    if (signersOf.has(delivery.endpointId)) continue;
    const secrets = [decryptSecret(key, delivery.secret)];
    if (delivery.previousSecret && delivery.previousExpiresAt && delivery.previousExpiresAt > now) secrets.push(decryptSecret(key, delivery.previousSecret));
    signersOf.set(delivery.endpointId, secrets.map((secret) => new Webhook(secret)));
  }
  const results = await inPool(claimed, SEND_CONCURRENCY, async (delivery): Promise<SendResult & { messageId: string; at: Date }> => {
    const messageId = webhookMessageId(delivery.eventId, delivery.endpointId);
    const body = bodies.get(delivery.eventId);
    const at = ctx.clock.now();
    if (body === undefined) {
      return { ok: false, status: null, durationMs: 0, error: `Outbox event ${delivery.eventId} is gone.`, response: null, messageId, at };
    }
    // The timestamp is the sending machine's real time: receivers compare it with their own clock.
    const timestamp = new Date();
    const headers = {
      'webhook-id': messageId,
      'webhook-timestamp': String(Math.floor(timestamp.getTime() / 1000)),
      'webhook-signature': signatureHeader(signersOf.get(delivery.endpointId)!, messageId, timestamp, body),
    };
    return { ...(await postWebhook(delivery.url, headers, body)), messageId, at };
  });
  return recordOutcomes(ctx, claimed, results);
}

async function recordOutcomes(
  ctx: ServiceContext,
  claimed: readonly Claimed[],
  results: ReadonlyArray<SendResult & { messageId: string; at: Date }>,
): Promise<SendSummary> {
  const now = ctx.clock.now();
  const summary: SendSummary = { sent: claimed.length, delivered: 0, failed: 0, gaveUp: 0, disabledEndpoints: 0 };
  const updates = claimed.map((delivery, index) => {
    const result = results[index]!;
    let state: 'DELIVERED' | 'PENDING' | 'FAILED' = 'DELIVERED';
    let next: Date = now;
    if (result.ok) summary.delivered += 1;
    else {
      const windowEnd = delivery.windowStartedAt.getTime() + RETRY_WINDOW_MS;
      if (now.getTime() >= windowEnd) {
        state = 'FAILED';
        summary.gaveUp += 1;
      } else {
        state = 'PENDING';
        next = new Date(Math.min(windowEnd, now.getTime() + retryDelayMsFor(delivery.attempts)));
        summary.failed += 1;
      }
    }
    webhookMetrics.delivered(result.ok ? 'delivered' : state === 'FAILED' ? 'given_up' : 'failed', result.durationMs / 1000);
    return {
      id: delivery.id.toString(),
      attempt: delivery.attempts,
      state,
      next: next.toISOString(),
      at: result.at.toISOString(),
      messageId: result.messageId,
      status: result.status,
      durationMs: result.durationMs,
      error: result.error?.slice(0, RESPONSE_EXCERPT_MAX) ?? null,
      response: result.response,
    };
  });
  const okEndpoints = [...new Set(claimed.filter((_, i) => results[i]!.ok).map((d) => d.endpointId.toString()))];
  const failedEndpoints = [...new Set(claimed.filter((_, i) => !results[i]!.ok).map((d) => d.endpointId.toString()))];
  await ctx.db.transaction(async (tx) => {
    const cols = (pick: (u: (typeof updates)[number]) => unknown) => updates.map(pick);
    await tx.query(
      `insert into webhook_attempts (delivery_id, attempt, attempted_at, webhook_id, status, duration_ms, error, response)
       select * from unnest($1::bigint[], $2::int[], $3::timestamptz[], $4::text[], $5::int[], $6::int[], $7::text[], $8::text[])`,
      [cols((u) => u.id), cols((u) => u.attempt), cols((u) => u.at), cols((u) => u.messageId), cols((u) => u.status), cols((u) => u.durationMs), cols((u) => u.error), cols((u) => u.response)],
    );
    await tx.query(
      `update webhook_deliveries d
          set state = u.state, next_attempt_at = u.next, leased_until = null, last_attempt_at = u.at, last_status = u.status,
              last_duration_ms = u.duration_ms, last_error = u.error, last_response = u.response,
              delivered_at = case when u.state = 'DELIVERED' then u.at else d.delivered_at end
         from unnest($1::bigint[], $2::text[], $3::timestamptz[], $4::timestamptz[], $5::int[], $6::int[], $7::text[], $8::text[])
              as u(id, state, next, at, status, duration_ms, error, response)
        where d.id = u.id and d.state = 'PENDING'`,
      [cols((u) => u.id), cols((u) => u.state), cols((u) => u.next), cols((u) => u.at), cols((u) => u.status), cols((u) => u.durationMs), cols((u) => u.error), cols((u) => u.response)],
    );
    // Any success ends an endpoint's run of failures; a failure starts one (a success in the same batch wins).
    if (okEndpoints.length) await tx.query('update webhook_endpoints set failing_since = null where id = any($1::bigint[])', [okEndpoints]);
    const stillFailing = failedEndpoints.filter((id) => !okEndpoints.includes(id));
    if (stillFailing.length) {
      await tx.query('update webhook_endpoints set failing_since = coalesce(failing_since, $2) where id = any($1::bigint[])', [stillFailing, now]);
      const { rows: disabled } = await tx.query<{ id: bigint; accountId: number; url: string; failingSince: Date }>(
        `update webhook_endpoints
            set enabled = false, disabled_at = $2, updated_at = $2,
                disabled_reason = 'Disabled after ' || $3::int || ' days in which every delivery failed (since ' || to_char(failing_since at time zone 'UTC', 'YYYY-MM-DD HH24:MI') || ' UTC); fix the receiver and enable it again.'
          where id = any($1::bigint[]) and enabled and failing_since <= $2::timestamptz - $4::int * interval '1 millisecond'
      returning id, account_id as "accountId", url, failing_since as "failingSince"`,
        [stillFailing, now, DISABLE_AFTER_FAILING_MS / 86_400_000, DISABLE_AFTER_FAILING_MS],
      );
      for (const endpoint of disabled) {
        await queueEndpointDisabledEmails(tx, now, { ...endpoint, id: BigInt(endpoint.id) });
        webhookMetrics.endpointDisabled();
      }
      summary.disabledEndpoints = disabled.length;
    }
  });
  return summary;
}
