/**
 * An Outbound Message received at `/salesforce/outbound/<token>`: the token names the
 * event type (and so the brand: another brand's token reaches only its own event type),
 * the body is read (outbound-message.ts), and its notifications are taken
 * (take-changes.ts) before the acknowledgement is sent. A notification that maps to
 * nothing is recorded as skipped and acknowledged like the others: Salesforce would
 * otherwise deliver it again for a day.
 */
import type { ServiceContext } from '../../core/context.js';
import { conflict, invalid, notFound } from '../../core/errors.js';
import { parseOutboundMessage, OutboundMessageError } from './outbound-message.js';
import { findConnectionByToken, recordMessage } from './store.js';
import { salesforceActor, takeChanges, type Taken } from './take-changes.js';
import { salesforceEventType } from './target.js';

const TOKEN = /^[0-9a-f]{32}$/;

export async function receiveOutboundMessage(ctx: ServiceContext, token: string, body: Buffer): Promise<Taken> {
  const connection = TOKEN.test(token) ? await findConnectionByToken(ctx.db, token) : undefined;
  if (!connection) throw notFound('No Outbound Message URL has this token (it is unknown, or it was regenerated): copy the URL from Returns Processing again.');
  const eventType = await salesforceEventType(ctx.db, connection.eventTypeId);
  if (!eventType?.brandActive) throw notFound('No Outbound Message URL has this token: the account is closed.');
  const refuse = async (message: string) => {
    await recordMessage(ctx.db, {
      eventTypeId: eventType.id,
      brandAccountId: eventType.brandAccountId,
      source: 'OUTBOUND',
      organizationId: null,
      notifications: 0,
      newNotifications: 0,
      duplicates: 0,
      skipped: 0,
      batchId: null,
      error: message,
      now: ctx.clock.now(),
    });
  };
  if (eventType.returnsProcessing !== 'SALESFORCE' || !eventType.settings) {
    const message = `Returns Processing of event type ${eventType.id} is ${eventType.returnsProcessing}, not SALESFORCE: nothing is taken. Choose Salesforce in Returns Processing (Salesforce delivers again for 24 hours).`;
    await refuse(message);
    throw conflict(message);
  }
  let parsed: ReturnType<typeof parseOutboundMessage>;
  try {
    parsed = parseOutboundMessage(body);
  } catch (error) {
    if (!(error instanceof OutboundMessageError)) throw error;
    await refuse(error.message);
    throw invalid(error.message);
  }
  const actor = await salesforceActor(ctx.db, eventType.brandAccountId, connection.credentialsSavedByUserId);
  if (!actor) throw conflict('The brand has no active admin the changes could be made in the name of.');
  const first = parsed.notifications[0]!.notificationId.replace(/[^A-Za-z0-9_-]/g, '').slice(0, 40);
  return takeChanges(
    ctx,
    { eventTypeId: eventType.id, brandAccountId: eventType.brandAccountId, programId: eventType.programId, settings: eventType.settings },
    actor,
    {
      source: 'OUTBOUND',
      organizationId: parsed.organizationId,
      changes: parsed.notifications,
      fileName: `salesforce_outbound_${first}${parsed.notifications.length > 1 ? `_and_${parsed.notifications.length - 1}_more` : ''}.csv`,
    },
  );
}
