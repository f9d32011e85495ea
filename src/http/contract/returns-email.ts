/**
 * Returns files by e-mail (issue 14, item 3), as the event type's Returns Processing panel
 * shows them: the address, the listener to send to, and the last messages received with
 * what became of each attachment (its batch and its result mail) or why it was refused.
 */
import { z } from 'zod';
import { EMAIL_ATTACHMENT_OUTCOMES, EMAIL_MESSAGE_STATUSES } from '../../modules/returns/email-types.js';
import { isoDate } from './common.js';

export const returnsEmailAttachmentDto = z.object({
  FileName: z.string(),
  Bytes: z.number().int(),
  Outcome: z.enum(EMAIL_ATTACHMENT_OUTCOMES).describe('BATCH: stored as a batch; SAME_FILE: the same bytes were received before (BatchId is that batch); NOT_MATCHING, IGNORED, REFUSED: not taken'),
  BatchId: z.string().nullable(),
  BatchStatus: z.string().nullable(),
  Message: z.string().nullable(),
  ResultTo: z.string().nullable().describe('Where the result goes: the return address, or the sender'),
  ResultEmailedDate: isoDate.nullable().describe('When the result mail was queued; null: not (yet) mailed, ResultNote says why'),
  ResultNote: z.string().nullable(),
});

export const returnsEmailMessageDto = z
  .object({
    Id: z.string(),
    ReceivedDate: isoDate,
    MessageId: z.string().nullable().describe('The Message-ID header'),
    Sender: z.string().nullable().describe('The envelope sender (MAIL FROM)'),
    From: z.string().nullable().describe('The From header'),
    Subject: z.string().nullable(),
    Status: z.enum(EMAIL_MESSAGE_STATUSES).describe('ACCEPTED, REFUSED (Reply says why), DUPLICATE (the same Message-ID again: nothing applied twice), RECEIVING'),
    Reply: z.string().describe('The SMTP answer the sender got'),
    Attachments: z.array(returnsEmailAttachmentDto),
  })
  .meta({ id: 'ReturnsEmailMessage' });
export type ReturnsEmailMessage = z.infer<typeof returnsEmailMessageDto>;

export const returnsEmailDto = z
  .object({
    Address: z.string().nullable().describe("The event type's address; null until E-mail is chosen once"),
    Method: z.string().describe('The event type\'s Returns Processing now: the address takes files only while it is EMAIL'),
    Server: z
      .object({ Host: z.string(), Port: z.number().int(), StartTls: z.boolean() })
      .nullable()
      .describe('Where the listener runs (null: SMTP_PORT=0, no listener in this installation)'),
    ResultsMailed: z.boolean().describe('Whether results are mailed back (an outgoing mail server, SMTP_RELAY_URL, is configured); otherwise they are on the batch pages only'),
    MaxMessageBytes: z.number().int(),
    MaxAttachments: z.number().int(),
    Messages: z.array(returnsEmailMessageDto).describe('The last messages, newest first (at most 50)'),
  })
  .meta({ id: 'ReturnsEmail' });
export type ReturnsEmail = z.infer<typeof returnsEmailDto>;
