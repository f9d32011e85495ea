import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import type { Config } from '../../core/config.js';
import type { ServiceContext } from '../../core/context.js';
import { requireAccountActor } from '../../modules/accounts/actor.js';
import { getBrandEventTypeOrThrow } from '../../modules/programs/brand-event-types.js';
import { returnsEmailAddress } from '../../modules/programs/email-address.js';
import { listEmailMessages } from '../../modules/returns/email-messages.js';
import { actorOf } from '../auth.js';
import { errorResponses } from '../contract/common.js';
import { eventTypeIdParams } from '../contract/event-types.js';
import { returnsEmailDto, type ReturnsEmail } from '../contract/returns-email.js';

/** The last messages shown: enough to see what a nightly job did this week. */
const MESSAGES_SHOWN = 50;

/** The e-mail channel of an event type, as its Returns Processing panel shows it (brands only). */
export async function returnsEmailRoutes(
  app: FastifyInstance,
  opts: { ctx: ServiceContext; config: Pick<Config, 'mailDomain' | 'smtpPort' | 'smtpTlsCert' | 'smtpRelayUrl' | 'publicUrl' | 'smtpMaxMessageBytes' | 'smtpMaxAttachments'> },
): Promise<void> {
  const { ctx, config } = opts;
  const r = app.withTypeProvider<ZodTypeProvider>();
  r.get(
    '/api/v1/event-types/:eventTypeId/returns-email',
    {
      schema: {
        tags: ['programs'],
        summary: "An event type's returns e-mail address, the listener to send to, and the last messages received (each attachment's batch and result mail, or why it was refused)",
        params: eventTypeIdParams,
        response: { 200: returnsEmailDto, ...errorResponses },
      },
    },
    async (request): Promise<ReturnsEmail> => {
      const brand = requireAccountActor(actorOf(request), 'BRAND');
      const eventType = await getBrandEventTypeOrThrow(ctx.db, brand.accountId, request.params.eventTypeId);
      const messages = await listEmailMessages(ctx.db, brand.accountId, eventType.id, MESSAGES_SHOWN);
      return {
        Address: eventType.returnsEmailToken ? returnsEmailAddress(eventType.returnsEmailToken, config.mailDomain) : null,
        Method: eventType.returnsProcessing,
        Server: config.smtpPort > 0 ? { Host: new URL(config.publicUrl).hostname, Port: config.smtpPort, StartTls: Boolean(config.smtpTlsCert) } : null,
        ResultsMailed: Boolean(config.smtpRelayUrl),
        MaxMessageBytes: config.smtpMaxMessageBytes,
        MaxAttachments: config.smtpMaxAttachments,
        Messages: messages.map((m) => ({
          Id: m.id.toString(),
          ReceivedDate: m.receivedAt.toISOString(),
          MessageId: m.messageId,
          Sender: m.sender,
          From: m.headerFrom,
          Subject: m.subject,
          Status: m.status,
          Reply: m.reply,
          Attachments: m.attachments.map((a) => ({
            FileName: a.fileName,
            Bytes: a.bytes,
            Outcome: a.outcome,
            BatchId: a.batchId,
            BatchStatus: a.batchStatus,
            Message: a.message,
            ResultTo: a.resultTo,
            ResultEmailedDate: a.resultEmailedAt ? new Date(a.resultEmailedAt).toISOString() : null,
            ResultNote: a.resultNote,
          })),
        })),
      };
    },
  );
}
