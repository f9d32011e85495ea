/**
 * What the Returns Processing panel shows of the Salesforce channel, and the Outbound
 * Message URL's token: made when an admin first opens the panel of an event type set to
 * SALESFORCE (128 random bits, unique), replaced by "Regenerate" (the old URL is dead at
 * once, audited). Brand admins only: the URL lets anyone who has it send changes.
 */
import { randomBytes } from 'node:crypto';
import type { ServiceContext } from '../../core/context.js';
import { conflict } from '../../core/errors.js';
import { requireAccountActor, requireAccountAdmin, type Actor } from '../../modules/accounts/actor.js';
import { recordAuditEvent } from '../../modules/audit/record-audit-event.js';
import { getBrandEventTypeOrThrow } from '../../modules/programs/brand-event-types.js';
import type { SalesforceSettings } from '../../modules/programs/returns-settings.js';
import type { ReturnsProcessing } from '../../modules/programs/types.js';
import { POLL_INTERVAL_DEFAULT_MINUTES } from './credentials.js';
import { pollSlotStart } from './poll.js';
import { getConnection, listMessages, listNotifications, setOutboundToken, type MessageRow, type NotificationRow, type SalesforceConnectionRow } from './store.js';

export interface SalesforceStatus {
  eventTypeId: number;
  method: ReturnsProcessing;
  mapping: SalesforceSettings | null;
  outboundPath: string | null;
  connection: Omit<SalesforceConnectionRow, 'credentialsEncrypted' | 'outboundToken'> | null;
  nextPollAt: Date | null;
  messages: MessageRow[];
  notifications: NotificationRow[];
}

/** The path of an Outbound Message URL, under the platform's public address. */
export const outboundPath = (token: string) => `/salesforce/outbound/${token}`;

const newToken = () => randomBytes(16).toString('hex');

export async function getSalesforceStatus(ctx: ServiceContext, actor: Actor, eventTypeId: number, limits = { messages: 20, notifications: 50 }): Promise<SalesforceStatus> {
  const admin = requireAccountAdmin(requireAccountActor(actor, 'BRAND'));
  const eventType = await getBrandEventTypeOrThrow(ctx.db, admin.accountId, eventTypeId);
  let row = await getConnection(ctx.db, eventTypeId);
  if (eventType.returnsProcessing === 'SALESFORCE' && !row?.outboundToken) {
    await setOutboundToken(ctx.db, { eventTypeId, brandAccountId: admin.accountId, token: newToken(), now: ctx.clock.now(), onlyIfNone: true });
    row = await getConnection(ctx.db, eventTypeId);
  }
  let connection: SalesforceStatus['connection'] = null;
  if (row) {
    const { credentialsEncrypted: _secret, outboundToken: _token, ...rest } = row;
    connection = rest;
  }
  const mapping = eventType.returnsSettings.SALESFORCE ?? null;
  const polling = eventType.returnsProcessing === 'SALESFORCE' && mapping !== null && Boolean(row?.credentialsKind);
  const interval = row?.pollIntervalMinutes ?? POLL_INTERVAL_DEFAULT_MINUTES;
  return {
    eventTypeId,
    method: eventType.returnsProcessing,
    mapping,
    outboundPath: row?.outboundToken ? outboundPath(row.outboundToken) : null,
    connection,
    nextPollAt: polling ? new Date(pollSlotStart(eventTypeId, interval, ctx.clock.now()).getTime() + interval * 60_000) : null,
    messages: await listMessages(ctx.db, eventTypeId, limits.messages),
    notifications: await listNotifications(ctx.db, eventTypeId, limits.notifications),
  };
}

/** A new Outbound Message URL; the old one answers 404 from now on. */
export async function regenerateOutboundUrl(ctx: ServiceContext, actor: Actor, eventTypeId: number): Promise<void> {
  const admin = requireAccountAdmin(requireAccountActor(actor, 'BRAND'));
  const eventType = await getBrandEventTypeOrThrow(ctx.db, admin.accountId, eventTypeId);
  if (eventType.returnsProcessing !== 'SALESFORCE') {
    throw conflict(`Returns Processing of event type ${eventTypeId} is ${eventType.returnsProcessing}; the Outbound Message URL is for SALESFORCE.`);
  }
  const now = ctx.clock.now();
  await ctx.db.transaction(async (tx) => {
    await setOutboundToken(tx, { eventTypeId, brandAccountId: admin.accountId, token: newToken(), now, onlyIfNone: false });
    await recordAuditEvent(tx, {
      at: now,
      actorUserId: admin.userId,
      accountId: admin.accountId,
      action: 'event_type.salesforce_outbound_url_regenerated',
      subject: `event_type:${eventTypeId}`,
      detail: {},
    });
  });
}
