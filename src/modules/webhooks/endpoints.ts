/**
 * An account's webhook endpoints (issue 16 item 6): created, listed, changed, deleted and
 * their secrets rotated by the account's admins. A secret is shown once, when it is made;
 * it is kept encrypted (src/core/secrets.ts). A rotation keeps the previous secret signing
 * beside the new one for SECRET_OVERLAP_MS, so a receiver can switch without losing a
 * delivery (Standard Webhooks: several space-separated signatures).
 */
import { randomBytes } from 'node:crypto';
import type { ServiceContext } from '../../core/context.js';
import { conflict, invalid, notFound } from '../../core/errors.js';
import { encryptSecret } from '../../core/secrets.js';
import type { Sql } from '../../db/types.js';
import { requireAccountAdmin, type Actor } from '../accounts/actor.js';
import { checkWebhookUrlOrThrow } from './url-safety.js';
import { urlRules, webhookSettingsOrThrow } from './transport.js';
import { MAX_ENDPOINTS_PER_ACCOUNT, SECRET_OVERLAP_MS, SUBSCRIBABLE_EVENT_TYPES, type SubscribableEventType, type WebhookEndpoint } from './types.js';

export const ENDPOINT_COLUMNS = `e.id, e.account_id as "accountId", e.url, e.description, e.event_types as "eventTypes", e.enabled,
  e.disabled_reason as "disabledReason", e.disabled_at as "disabledAt", e.previous_secret_expires_at as "previousSecretExpiresAt",
  e.failing_since as "failingSince", e.created_at as "createdAt", e.updated_at as "updatedAt"`;

interface EndpointRow extends Omit<WebhookEndpoint, 'id'> {
  id: string;
}

export function endpointOf(row: EndpointRow): WebhookEndpoint {
  return { ...row, id: BigInt(row.id) };
}

/** A new signing secret, as Standard Webhooks writes them: `whsec_` and 32 random bytes in base64. */
export function newWebhookSecret(): string {
  return `whsec_${randomBytes(32).toString('base64')}`;
}

function checkEventTypes(types: readonly string[]): SubscribableEventType[] {
  const known = new Set<string>(SUBSCRIBABLE_EVENT_TYPES);
  const unknown = types.filter((type) => !known.has(type));
  if (unknown.length) {
    throw invalid(`Unknown event types: ${unknown.join(', ')}; subscribe to some of ${SUBSCRIBABLE_EVENT_TYPES.join(', ')}.`, {
      errors: [{ field: 'EventTypes', message: `unknown: ${unknown.join(', ')}` }],
    });
  }
  if (types.length === 0) throw invalid('Subscribe the endpoint to at least one event type.', { errors: [{ field: 'EventTypes', message: 'empty' }] });
  return [...new Set(types)] as SubscribableEventType[];
}

export async function findEndpointOrThrow(db: Sql, accountId: number, endpointId: bigint, options: { lock?: boolean } = {}): Promise<WebhookEndpoint> {
  const { rows } = await db.query<EndpointRow>(
    `select ${ENDPOINT_COLUMNS} from webhook_endpoints e where e.id = $1 and e.account_id = $2 and e.deleted_at is null${options.lock ? ' for update' : ''}`,
    [endpointId.toString(), accountId],
  );
  if (!rows[0]) throw notFound(`There is no webhook endpoint ${endpointId} in this account.`);
  return endpointOf(rows[0]);
}

export async function listEndpoints(ctx: ServiceContext, actor: Actor): Promise<WebhookEndpoint[]> {
  const admin = requireAccountAdmin(actor);
  const { rows } = await ctx.db.query<EndpointRow>(
    `select ${ENDPOINT_COLUMNS} from webhook_endpoints e where e.account_id = $1 and e.deleted_at is null order by e.id`,
    [admin.accountId],
  );
  return rows.map(endpointOf);
}

export async function getEndpoint(ctx: ServiceContext, actor: Actor, endpointId: bigint): Promise<WebhookEndpoint> {
  return findEndpointOrThrow(ctx.db, requireAccountAdmin(actor).accountId, endpointId);
}

export interface EndpointInput {
  url: string;
  description?: string | undefined;
  eventTypes: readonly string[];
  enabled?: boolean | undefined;
}

export async function createEndpoint(ctx: ServiceContext, actor: Actor, input: EndpointInput): Promise<{ endpoint: WebhookEndpoint; secret: string }> {
  const admin = requireAccountAdmin(actor);
  const url = await checkWebhookUrlOrThrow(input.url, urlRules());
  const eventTypes = checkEventTypes(input.eventTypes);
  const secret = newWebhookSecret();
  const sealed = encryptSecret(webhookSettingsOrThrow().key(), secret);
  const now = ctx.clock.now();
  const endpoint = await ctx.db.transaction(async (tx) => {
    // One at a time per account, so the limit holds under concurrent requests.
    await tx.query('select id from accounts where id = $1 for update', [admin.accountId]);
    const { rows: count } = await tx.query<{ n: number }>('select count(*)::int as n from webhook_endpoints where account_id = $1 and deleted_at is null', [
      admin.accountId,
    ]);
    if (count[0]!.n >= MAX_ENDPOINTS_PER_ACCOUNT) throw conflict(`An account has at most ${MAX_ENDPOINTS_PER_ACCOUNT} webhook endpoints; delete one first.`);
    const enabled = input.enabled ?? true;
    const { rows } = await tx.query<EndpointRow>(
      `insert into webhook_endpoints (account_id, url, description, event_types, enabled, disabled_reason, disabled_at, secret_encrypted, created_at, updated_at)
       values ($1, $2, $3, $4::text[], $5, $6, $7, $8, $9, $9)
       returning ${ENDPOINT_COLUMNS.replaceAll('e.', '')}`,
      [admin.accountId, url, input.description ?? '', eventTypes, enabled, enabled ? null : 'Disabled by an admin.', enabled ? null : now, sealed, now],
    );
    return endpointOf(rows[0]!);
  });
  return { endpoint, secret };
}

export interface EndpointPatch {
  url?: string | undefined;
  description?: string | undefined;
  eventTypes?: readonly string[] | undefined;
  enabled?: boolean | undefined;
}

/**
 * Changes an endpoint. Enabling a disabled one sends what waited for it, starting now and
 * with a fresh retry window; disabling one keeps its pending deliveries for then.
 */
export async function updateEndpoint(ctx: ServiceContext, actor: Actor, endpointId: bigint, patch: EndpointPatch): Promise<WebhookEndpoint> {
  const admin = requireAccountAdmin(actor);
  const url = patch.url === undefined ? undefined : await checkWebhookUrlOrThrow(patch.url, urlRules());
  const eventTypes = patch.eventTypes === undefined ? undefined : checkEventTypes(patch.eventTypes);
  const now = ctx.clock.now();
  return ctx.db.transaction(async (tx) => {
    const before = await findEndpointOrThrow(tx, admin.accountId, endpointId, { lock: true });
    const enabling = patch.enabled === true && !before.enabled;
    const disabling = patch.enabled === false && before.enabled;
    const { rows } = await tx.query<EndpointRow>(
      `update webhook_endpoints e
          set url = coalesce($3, e.url),
              description = coalesce($4, e.description),
              event_types = coalesce($5::text[], e.event_types),
              enabled = coalesce($6, e.enabled),
              disabled_reason = case when $7 then null when $8 then 'Disabled by an admin.' else e.disabled_reason end,
              disabled_at = case when $7 then null when $8 then $9 else e.disabled_at end,
              failing_since = case when $7 then null else e.failing_since end,
              updated_at = $9
        where e.id = $1 and e.account_id = $2
        returning ${ENDPOINT_COLUMNS}`,
      [endpointId.toString(), admin.accountId, url ?? null, patch.description ?? null, eventTypes ?? null, patch.enabled ?? null, enabling, disabling, now],
    );
    if (enabling) {
      await tx.query(`update webhook_deliveries set next_attempt_at = $2, window_started_at = $2 where endpoint_id = $1 and state = 'PENDING'`, [
        endpointId.toString(),
        now,
      ]);
    }
    return endpointOf(rows[0]!);
  });
}

/** Deletes an endpoint: nothing more is sent to it, what waited is given up, and it leaves the lists with its delivery log. */
export async function deleteEndpoint(ctx: ServiceContext, actor: Actor, endpointId: bigint): Promise<void> {
  const admin = requireAccountAdmin(actor);
  const now = ctx.clock.now();
  await ctx.db.transaction(async (tx) => {
    await findEndpointOrThrow(tx, admin.accountId, endpointId, { lock: true });
    await tx.query('update webhook_endpoints set deleted_at = $2, enabled = false, updated_at = $2, previous_secret_encrypted = null where id = $1', [
      endpointId.toString(),
      now,
    ]);
    // What still waited for it is given up: nothing will send it.
    await tx.query(`update webhook_deliveries set state = 'FAILED', last_error = 'The endpoint was deleted.', leased_until = null where endpoint_id = $1 and state = 'PENDING'`, [
      endpointId.toString(),
    ]);
  });
}

/**
 * A new secret for an endpoint, shown once. The one it replaces keeps signing beside it
 * until SECRET_OVERLAP_MS from now; a rotation during an overlap drops the oldest.
 */
export async function rotateEndpointSecret(ctx: ServiceContext, actor: Actor, endpointId: bigint): Promise<{ endpoint: WebhookEndpoint; secret: string }> {
  const admin = requireAccountAdmin(actor);
  const secret = newWebhookSecret();
  const sealed = encryptSecret(webhookSettingsOrThrow().key(), secret);
  const now = ctx.clock.now();
  const expires = new Date(now.getTime() + SECRET_OVERLAP_MS);
  const endpoint = await ctx.db.transaction(async (tx) => {
    await findEndpointOrThrow(tx, admin.accountId, endpointId, { lock: true });
    const { rows } = await tx.query<EndpointRow>(
      `update webhook_endpoints e
          set previous_secret_encrypted = e.secret_encrypted, previous_secret_expires_at = $3, secret_encrypted = $2, updated_at = $4
        where e.id = $1
        returning ${ENDPOINT_COLUMNS}`,
      [endpointId.toString(), sealed, expires, now],
    );
    return endpointOf(rows[0]!);
  });
  return { endpoint, secret };
}
