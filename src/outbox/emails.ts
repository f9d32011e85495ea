/**
 * E-mails through the outbox. `queueEmailInTx` writes the message (encrypted) and a
 * `send-email` work item in the caller's transaction, so an e-mail leaves only for a
 * change that committed, and after the commit; the worker sends it through
 * SMTP_RELAY_URL (nodemailer), then marks it sent and erases the message. Sending is
 * at-least-once (a crash between the relay's answer and the mark repeats it). Without
 * SMTP_RELAY_URL nothing is queued and the UI's copyable links are the only way.
 * Addresses and texts never go to the logs; the work item holds only the row's id.
 */
import type { KeyObject } from 'node:crypto';
import type { Readable } from 'node:stream';
import nodemailer from 'nodemailer';
import type { Config } from '../core/config.js';
import { decryptSecret, encryptSecret, loadSecretsKey } from '../core/secrets.js';
import type { Db, Sql } from '../db/types.js';
import { enqueue } from '../worker/enqueue.js';
import { registerKind } from '../worker/registry.js';

export interface EmailMessage {
  to: string;
  subject: string;
  text: string;
  /** The Message-ID this one answers (In-Reply-To and References), so mail clients thread it. */
  inReplyTo?: string;
  /**
   * Files attached, by reference: read when the e-mail is sent, from what a module
   * registered under `source` (registerEmailAttachmentSource), so a large file is not
   * copied into the outbox and leaves as stored.
   */
  attachments?: EmailAttachmentRef[];
}

export interface EmailAttachmentRef {
  source: string;
  ref: string;
}

/** A file as nodemailer attaches it. */
export interface EmailAttachment {
  filename: string;
  contentType: string;
  content: Readable | Buffer | string;
}

/** Reads an attachment at send time; undefined: it is gone, and the e-mail leaves without it. */
export type EmailAttachmentSource = (db: Db, ref: string) => Promise<EmailAttachment | undefined>;

const attachmentSources = new Map<string, EmailAttachmentSource>();

/** A source of attachments; registered once, when its module is imported (as work kinds are). */
export function registerEmailAttachmentSource(name: string, source: EmailAttachmentSource): void {
  if (attachmentSources.has(name)) throw new Error(`The e-mail attachment source ${name} is registered twice.`);
  attachmentSources.set(name, source);
}

async function attachmentsOf(db: Db, refs: readonly EmailAttachmentRef[] | undefined): Promise<EmailAttachment[]> {
  const out: EmailAttachment[] = [];
  for (const ref of refs ?? []) {
    const source = attachmentSources.get(ref.source);
    // A process that does not know the source cannot send the e-mail whole: another attempt (or instance) will.
    if (!source) throw new Error(`E-mail attachment source ${ref.source} is not registered in this process: the item waits for a retry.`);
    const attachment = await source(db, ref.ref);
    if (attachment) out.push(attachment);
  }
  return out;
}

interface MailConfig {
  relayUrl: string;
  from: string;
  publicUrl: string;
  key(): KeyObject;
}

let current: MailConfig | undefined;

/** Configures this process's e-mail (buildApp and the command line do, as for payouts); no relay, no e-mail. */
export function configureMail(config: Pick<Config, 'smtpRelayUrl' | 'mailFrom' | 'publicUrl' | 'secretsKey' | 'dataDir'>): void {
  if (!config.smtpRelayUrl) {
    current = undefined;
    return;
  }
  let key: KeyObject | undefined;
  current = {
    relayUrl: config.smtpRelayUrl,
    from: config.mailFrom,
    publicUrl: config.publicUrl,
    key() {
      key ??= loadSecretsKey({ ...(config.secretsKey ? { secretsKey: config.secretsKey } : {}), dataDir: config.dataDir }).key;
      return key;
    },
  };
}

/** The public address of the app when e-mail is configured (for links in messages), else undefined: nothing will be sent. */
export function mailPublicUrl(): string | undefined {
  return current?.publicUrl;
}

export const sendEmail = registerKind<{ emailId: string }, { sent: boolean; summary?: string }>(
  'send-email',
  async (ctx) => {
    const config = current;
    if (!config) throw new Error('E-mail is not configured in this process (SMTP_RELAY_URL): the item waits for a retry.');
    const { rows } = await ctx.db.query<{ message: string | null; sentAt: Date | null }>(
      'select message_encrypted as message, sent_at as "sentAt" from outbox_emails where id = $1',
      [ctx.payload.emailId],
    );
    const row = rows[0];
    if (!row || row.sentAt || !row.message) return { sent: true, summary: 'already sent' };
    const message = JSON.parse(decryptSecret(config.key(), row.message)) as EmailMessage;
    const transport = nodemailer.createTransport(config.relayUrl);
    try {
      await transport.sendMail({
        from: config.from,
        to: message.to,
        subject: message.subject,
        text: message.text,
        ...(message.inReplyTo ? { inReplyTo: message.inReplyTo, references: message.inReplyTo } : {}),
        ...(message.attachments?.length ? { attachments: await attachmentsOf(ctx.db, message.attachments) } : {}),
      });
    } finally {
      transport.close();
    }
    await ctx.step(async (tx) => {
      await tx.query('update outbox_emails set sent_at = $2, message_encrypted = null where id = $1 and sent_at is null', [ctx.payload.emailId, ctx.clock.now()]);
      return { sent: true };
    });
    return { sent: true, summary: `e-mail ${ctx.payload.emailId} sent` };
  },
  { maxAttempts: 8, leaseMs: 60_000, backoff: { baseMs: 5_000, maxMs: 3_600_000 } },
);

/**
 * Queues an e-mail in the caller's transaction; false (and nothing written) when
 * SMTP_RELAY_URL is not set. `subject` names what it is about (`invitation:12`).
 */
export async function queueEmailInTx(tx: Sql, at: Date, email: { purpose: string; subject: string; message: EmailMessage }): Promise<boolean> {
  const config = current;
  if (!config) return false;
  const { rows } = await tx.query<{ id: string }>(
    'insert into outbox_emails (created_at, purpose, subject, message_encrypted) values ($1, $2, $3, $4) returning id::text as id',
    [at, email.purpose, email.subject, encryptSecret(config.key(), JSON.stringify(email.message))],
  );
  await enqueue(tx, sendEmail, { emailId: rows[0]!.id });
  return true;
}

/**
 * Erasure: the e-mails not sent yet to any of `addresses` (users being erased) are
 * dropped, message and all; a sent e-mail's message is already gone. Answers how many.
 */
export async function dropUnsentEmailsTo(tx: Sql, addresses: readonly string[]): Promise<number> {
  if (addresses.length === 0) return 0;
  const { rows } = await tx.query<{ id: string; message: string }>(
    'select id::text as id, message_encrypted as message from outbox_emails where sent_at is null and message_encrypted is not null for update',
  );
  if (rows.length === 0) return 0;
  const config = current;
  if (!config) throw new Error('Unsent e-mails are waiting but e-mail is not configured in this process (SMTP_RELAY_URL): their recipients cannot be read to erase them.');
  const wanted = new Set(addresses.map((a) => a.toLowerCase()));
  const drop = rows.filter((row) => wanted.has((JSON.parse(decryptSecret(config.key(), row.message)) as EmailMessage).to.toLowerCase())).map((row) => row.id);
  if (drop.length) await tx.query(`update outbox_emails set message_encrypted = null, sent_at = null, subject = 'erased' where id = any($1::bigint[])`, [drop]);
  return drop.length;
}
