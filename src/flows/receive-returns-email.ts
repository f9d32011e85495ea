/**
 * Returns files by e-mail (issue 14, item 3): what the SMTP listener (src/channels/smtp/)
 * does with a message, across the programs module (which event type an address names),
 * the returns module (the batches, and the record of each message) and the worker.
 *
 * Each attachment that matches the event type's file pattern is stored durably as a batch,
 * with its work item and the note of where its result goes, in the batch's own
 * transaction, before the listener answers 250: a message acknowledged is never lost,
 * and a message not acknowledged is sent again by the client. Sent again, it applies
 * nothing twice: the same Message-ID accepted before is answered as received, and the
 * same bytes for the same event type are the first batch (receive-batch.ts).
 *
 * When a batch that came by e-mail is finished, its result is mailed back (the return
 * address, or the sender) with `result_<name>.csv` attached and the receipt as the text,
 * through the outbox: queued in the transaction that finishes the batch, sent after commit.
 * With no SMTP_RELAY_URL it is kept on the batch's page only, and the message's record says so.
 */
import type { ServiceContext } from '../core/context.js';
import { DomainError } from '../core/errors.js';
import { filePatternRegExp } from '../channels/pull/glob.js';
import type { AccountActor } from '../modules/accounts/actor.js';
import { findEventTypeByEmailToken, type EmailEventType } from '../modules/programs/email-address.js';
import {
  emailBatchResultOf,
  findAcceptedEmailMessage,
  finishEmailMessage,
  linkEmailBatch,
  noteEmailBatchResult,
  recordRefusedEmailMessage,
  startEmailMessage,
  type EmailAttachmentRecord,
  type EmailMessageFacts,
} from '../modules/returns/email-messages.js';
import { getBatchById, importActorOrThrow, type BatchRow } from '../modules/returns/queries.js';
import { isReservedFileName, receiveReturnsBatch } from '../modules/returns/receive-batch.js';
import { receiptText, resultCsv, resultFileName } from '../modules/returns/result-file.js';
import { mailPublicUrl, queueEmailInTx, registerEmailAttachmentSource } from '../outbox/emails.js';
import { enqueue, wake } from '../worker/index.js';
import { returnsBatchKind } from './apply-returns-batch.js';
import { registerResultDelivery } from './returns-result-delivery.js';

/** An SMTP answer: the code and its text (enhanced status code first). */
export interface EmailAnswer {
  code: number;
  message: string;
}

export interface ReturnsEmail {
  /** The envelope sender (MAIL FROM); null for the null sender `<>`. */
  sender: string | null;
  headerFrom: string | null;
  messageId: string | null;
  subject: string | null;
  attachments: ReadonlyArray<{ fileName: string | null; contentType: string | null; content: Buffer }>;
  receivedAt: Date;
}

/** One recipient the listener accepted at RCPT TO, and the event type it named then. */
export interface ReturnsEmailRecipient {
  address: string;
  token: string;
}

const refused = (code: number, message: string): EmailAnswer => ({ code, message });

/**
 * `*` any run of characters, `?` one character, patterns comma-separated; the whole file
 * name must match one, ignoring case (mail programs change the case of extensions).
 */
export function matchesEmailFilePattern(patterns: string, fileName: string): boolean {
  return patterns
    .split(',')
    .map((p) => p.trim())
    .filter(Boolean)
    .some((pattern) => new RegExp(filePatternRegExp(pattern).source, 'siu').test(fileName));
}

/** Why an event type's address takes nothing now, or null when it takes files (at RCPT TO, and again at DATA). */
export function addressRefusal(eventType: EmailEventType | undefined, address: string): EmailAnswer | null {
  if (!eventType) {
    return refused(
      550,
      `5.1.1 <${address}>: no event type takes files at this address. An address that was regenerated no longer works: copy the current one from Settings > Event types > Returns Processing.`,
    );
  }
  if (!eventType.brandActive) return refused(550, `5.1.1 <${address}>: the account of this address is closed; it takes no files.`);
  if (eventType.returnsProcessing !== 'EMAIL') {
    return refused(
      550,
      `5.7.1 <${address}>: this event type's Returns Processing is not E-mail now, so its address takes no files; choose E-mail in Settings > Event types > Returns Processing, or send the file the way it is set to.`,
    );
  }
  return null;
}

/** Whether the sender may send to this event type: anyone, or only its allowed senders. */
export function senderRefusal(eventType: EmailEventType, sender: string | null, address: string): EmailAnswer | null {
  const allowed = eventType.email.allowedSenders;
  if (allowed.length === 0 || (sender !== null && allowed.includes(sender.toLowerCase()))) return null;
  return refused(
    550,
    `5.7.1 <${sender ?? ''}> may not send files to <${address}>: it takes files only from the senders listed in its Returns Processing settings (Allowed senders).`,
  );
}

/** The event type an accepted address names now; undefined when it names none. */
export function eventTypeOfToken(ctx: ServiceContext, token: string): Promise<EmailEventType | undefined> {
  return findEventTypeByEmailToken(ctx.db, token);
}

function factsOf(eventType: EmailEventType, email: ReturnsEmail): EmailMessageFacts {
  return {
    brandAccountId: eventType.brandAccountId,
    eventTypeId: eventType.id,
    messageId: email.messageId,
    sender: email.sender,
    headerFrom: email.headerFrom,
    subject: email.subject,
    receivedAt: email.receivedAt,
  };
}

/** A refusal told to the brand too, in its event type's list of messages (a sender not allowed, a message too large). */
export async function recordEmailRefusal(ctx: ServiceContext, eventType: EmailEventType, email: ReturnsEmail, answer: EmailAnswer, attachments: EmailAttachmentRecord[] = []): Promise<void> {
  await recordRefusedEmailMessage(ctx.db, { ...factsOf(eventType, email), reply: `${answer.code} ${answer.message}`, attachments });
}

/** The brand user the changes are made in the name of: the sender when a member of the brand, else its first admin (as an import). */
async function actorFor(ctx: ServiceContext, eventType: EmailEventType, sender: string | null): Promise<AccountActor> {
  if (sender) {
    try {
      return await importActorOrThrow(ctx.db, eventType.id, sender);
    } catch (error) {
      if (!(error instanceof DomainError)) throw error;
    }
  }
  return importActorOrThrow(ctx.db, eventType.id, undefined);
}

interface Plan {
  address: string;
  eventType: EmailEventType;
  duplicateOf?: { receivedAt: Date; attachments: EmailAttachmentRecord[] };
  matching: Array<{ fileName: string; contentType: string | null; content: Buffer }>;
  records: EmailAttachmentRecord[];
}

const shortList = (names: string[]) => (names.length > 5 ? `${names.slice(0, 5).join(', ')} and ${names.length - 5} more` : names.join(', '));

/**
 * What the listener answers a message's DATA with, having stored every file it takes. All
 * or nothing over the recipients: when one of them refuses the message, nothing of it is
 * stored for any. A failure of the database throws (the listener answers 451, try again).
 */
export async function receiveReturnsEmail(ctx: ServiceContext, recipients: readonly ReturnsEmailRecipient[], email: ReturnsEmail): Promise<EmailAnswer> {
  const plans: Plan[] = [];
  for (const recipient of recipients) {
    const eventType = await eventTypeOfToken(ctx, recipient.token);
    const refusal = addressRefusal(eventType, recipient.address) ?? (eventType ? senderRefusal(eventType, email.sender, recipient.address) : null);
    if (refusal || !eventType) return refusal!;
    const plan: Plan = { address: recipient.address, eventType, matching: [], records: [] };
    const before = email.messageId ? await findAcceptedEmailMessage(ctx.db, eventType.id, email.messageId) : undefined;
    if (before) {
      plan.duplicateOf = before;
      plans.push(plan);
      continue;
    }
    for (const attachment of email.attachments) {
      const fileName = (attachment.fileName ?? '').trim();
      const record = (outcome: EmailAttachmentRecord['outcome'], message: string | null) =>
        plan.records.push({ fileName: fileName || '(no name)', bytes: attachment.content.length, outcome, batchId: null, message });
      if (!fileName) record('NOT_MATCHING', 'The attachment has no file name.');
      else if (isReservedFileName(fileName)) record('IGNORED', 'Files named receipt_* or result_* are the platform’s own replies and are never applied.');
      else if (!matchesEmailFilePattern(eventType.email.filePattern, fileName)) record('NOT_MATCHING', `Does not match the file pattern "${eventType.email.filePattern}".`);
      else plan.matching.push({ fileName, contentType: attachment.contentType, content: attachment.content });
    }
    if (plan.matching.length === 0) {
      const names = email.attachments.map((a) => a.fileName ?? '(no name)');
      const allNotMatching = plan.records.every((r) => r.outcome === 'NOT_MATCHING');
      const answer = refused(
        550,
        names.length === 0
          ? `5.6.0 The message has no attachment: attach the returns file, named to match "${eventType.email.filePattern}".`
          : allNotMatching
            ? `5.6.0 No attachment matches the file pattern "${eventType.email.filePattern}" of <${recipient.address}> (attached: ${shortList(names)}); attach the returns file under a matching name.`
            : `5.6.0 No attachment can be taken: ${plan.records.map((r) => `${r.fileName}: ${r.message}`).join(' ')}`.slice(0, 480),
      );
      await recordEmailRefusal(ctx, eventType, email, answer, plan.records);
      return answer;
    }
    plans.push(plan);
  }

  const told: string[] = [];
  let created = false;
  for (const plan of plans) {
    const { eventType } = plan;
    if (plan.duplicateOf) {
      const batches = plan.duplicateOf.attachments.filter((a) => a.batchId).map((a) => a.batchId);
      await recordRefusedEmailMessage(ctx.db, {
        ...factsOf(eventType, email),
        status: 'DUPLICATE',
        reply: `250 received before, on ${plan.duplicateOf.receivedAt.toISOString()}: nothing applied again`,
        attachments: plan.duplicateOf.attachments,
      });
      told.push(`this message was received before (${plan.duplicateOf.receivedAt.toISOString()}, batches ${batches.join(', ') || 'none'}); nothing is applied twice`);
      continue;
    }
    const actor = await actorFor(ctx, eventType, email.sender);
    const resultTo = eventType.email.returnAddress ?? email.sender;
    const messageRowId = await startEmailMessage(ctx.db, factsOf(eventType, email));
    const scope = { brandAccountId: eventType.brandAccountId, programId: eventType.programId, eventTypeId: eventType.id, userId: actor.userId, now: email.receivedAt };
    const records = [...plan.records];
    for (const file of plan.matching) {
      try {
        const received = await receiveReturnsBatch(ctx.db, scope, { fileName: file.fileName, contentType: file.contentType, channel: 'EMAIL', content: file.content }, async (tx, batchId) => {
          const item = await enqueue(tx, returnsBatchKind, { batchId: batchId.toString(), actor });
          await linkEmailBatch(tx, batchId, messageRowId, resultTo);
          return item.id;
        });
        if (received.ignored) records.push({ fileName: file.fileName, bytes: file.content.length, outcome: 'IGNORED', batchId: null, message: received.message });
        else {
          created ||= received.created;
          records.push({
            fileName: file.fileName,
            bytes: file.content.length,
            outcome: received.created ? 'BATCH' : 'SAME_FILE',
            batchId: received.batch.id.toString(),
            message: received.created ? null : `The same file was received before as batch ${received.batch.id}; it is not applied twice.`,
          });
        }
      } catch (error) {
        if (!(error instanceof DomainError)) throw error;
        records.push({ fileName: file.fileName, bytes: file.content.length, outcome: 'REFUSED', batchId: null, message: error.message });
      }
    }
    const stored = records.filter((r) => r.outcome === 'BATCH' || r.outcome === 'SAME_FILE');
    if (stored.length === 0) {
      const answer = refused(550, `5.6.0 No file of this message could be taken: ${records.map((r) => `${r.fileName}: ${r.message}`).join(' ')}`.slice(0, 480));
      await finishEmailMessage(ctx.db, messageRowId, { status: 'REFUSED', reply: `${answer.code} ${answer.message}`, attachments: records, now: ctx.clock.now() });
      if (created) wake();
      return answer;
    }
    const files = stored.map((r) => `${r.fileName} as batch ${r.batchId}${r.outcome === 'SAME_FILE' ? ' (received before)' : ''}`);
    const reply = `${files.join(', ')}; the result goes to ${resultTo ?? 'nobody (no sender, no return address): see the batch page'}`;
    await finishEmailMessage(ctx.db, messageRowId, { status: 'ACCEPTED', reply: `250 ${reply}`, attachments: records, now: ctx.clock.now() });
    told.push(reply);
  }
  if (created) wake();
  return { code: 250, message: `2.0.0 Received: ${told.join('; ')}`.slice(0, 480) };
}

/** What the result mail says in its subject. */
function resultSubject(batch: BatchRow): string {
  if (batch.status === 'FAILED') return `Not applied: ${batch.fileName} could not be read`;
  const applied = batch.counts.APPLIED + batch.counts.UNCHANGED;
  const rest = (batch.rowsTotal ?? 0) - applied;
  return `Result of ${batch.fileName}: ${batch.counts.APPLIED} applied${batch.counts.UNCHANGED ? `, ${batch.counts.UNCHANGED} unchanged` : ''}, ${rest} not applied`;
}

/** `result_<name>.csv` of a DONE batch, read when the result mail is sent. */
registerEmailAttachmentSource('returns-result', async (db, ref) => {
  const batch = await getBatchById(db, BigInt(ref));
  if (batch?.status !== 'DONE') return undefined;
  return { filename: resultFileName(batch.fileName), contentType: 'text/csv; charset=utf-8', content: resultCsv(db, batch) };
});

registerResultDelivery('EMAIL', async (tx, batch, now) => {
  const link = await emailBatchResultOf(tx, batch.id);
  if (!link || link.resultEmailedAt) return;
  if (!link.resultTo) {
    await noteEmailBatchResult(tx, batch.id, { emailedAt: null, note: 'Not mailed: the message had no sender and no return address is set; the result is on the batch’s page.' });
    return;
  }
  const publicUrl = mailPublicUrl();
  const lines = [
    batch.status === 'DONE'
      ? `Your file ${batch.fileName} was applied. Every row's outcome is in the attached ${resultFileName(batch.fileName)}.`
      : `Your file ${batch.fileName} could not be read, so none of it was applied. Correct it and send it again.`,
    '',
    receiptText(batch),
    ...(publicUrl ? [`The batch in Lockstep: ${publicUrl}/transactions/returns-batches/${batch.id}`] : []),
  ];
  const queued = await queueEmailInTx(tx, now, {
    purpose: 'returns-result',
    subject: `returns-batch:${batch.id}`,
    message: {
      to: link.resultTo,
      subject: resultSubject(batch),
      text: lines.join('\n'),
      ...(link.messageId ? { inReplyTo: link.messageId } : {}),
      ...(batch.status === 'DONE' ? { attachments: [{ source: 'returns-result', ref: batch.id.toString() }] } : {}),
    },
  });
  await noteEmailBatchResult(
    tx,
    batch.id,
    queued
      ? { emailedAt: now, note: `Result mailed to ${link.resultTo}.` }
      : { emailedAt: null, note: 'Not mailed: no outgoing mail server is configured (SMTP_RELAY_URL); the result is on the batch’s page.' },
  );
});
