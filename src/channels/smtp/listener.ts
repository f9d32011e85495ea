/**
 * The returns e-mail listener (issue 14, item 3): an SMTP server (smtp-server) that takes
 * returns files mailed as attachments to an event type's own address,
 * `returns-<token>@<MAIL_DOMAIN>`. It only stores what arrives and answers; the worker
 * applies the batches (src/flows/receive-returns-email.ts says how).
 *
 * Refused with an SMTP error that says why, as early as it can be known:
 * - at RCPT TO: an address of another domain, an unknown or regenerated (old) address, an
 *   event type not set to E-mail, a closed account, a sender not in the allowed senders,
 *   more recipients than SMTP_MAX_RECIPIENTS (452: the client sends them again later);
 * - at the end of DATA: a message over SMTP_MAX_MESSAGE_BYTES, more attachments than
 *   SMTP_MAX_ATTACHMENTS, no attachment that matches the file pattern.
 * The 250 is sent only once every file taken is committed with its work item. A database
 * that fails meanwhile gets 451 (nothing acknowledged: the client tries again, and a file
 * stored before the failure is recognised by its bytes).
 *
 * STARTTLS is offered when SMTP_TLS_CERT and SMTP_TLS_KEY are set; AUTH is not offered
 * (the address is the key). Addresses and subjects never reach the logs.
 */
import fs from 'node:fs';
import type { AddressInfo } from 'node:net';
import { simpleParser } from 'mailparser';
import type { Logger } from 'pino';
import { SMTPServer, type SMTPServerAddress, type SMTPServerDataStream, type SMTPServerSession } from 'smtp-server';
import type { Config } from '../../core/config.js';
import type { ServiceContext } from '../../core/context.js';
import {
  addressRefusal,
  eventTypeOfToken,
  receiveReturnsEmail,
  recordEmailRefusal,
  senderRefusal,
  type EmailAnswer,
  type ReturnsEmail,
  type ReturnsEmailRecipient,
} from '../../flows/receive-returns-email.js';
import { emailTokenOf } from '../../modules/programs/email-address.js';

export interface SmtpListenerOptions {
  port: number;
  host: string;
  mailDomain: string;
  /** PEM certificate and key: STARTTLS is offered with them. */
  tls?: { cert: Buffer; key: Buffer } | undefined;
  maxMessageBytes: number;
  maxAttachments: number;
  maxRecipients: number;
  logger?: Logger | undefined;
  /** How long close() waits for open connections before it ends them. */
  closeTimeoutMs?: number;
}

export interface SmtpListener {
  port: number;
  host: string;
  tls: boolean;
  close(): Promise<void>;
}

/** The listener's options from the configuration; the TLS files are read here, so a wrong path fails at start. */
export function smtpListenerOptionsOf(config: Config, logger?: Logger): SmtpListenerOptions {
  if (Boolean(config.smtpTlsCert) !== Boolean(config.smtpTlsKey)) {
    throw new Error('SMTP_TLS_CERT and SMTP_TLS_KEY go together: set both (PEM files) for STARTTLS, or neither.');
  }
  const read = (name: string, file: string) => {
    try {
      return fs.readFileSync(file);
    } catch (error) {
      throw new Error(`${name} ${file} cannot be read: ${(error as Error).message}`);
    }
  };
  return {
    port: config.smtpPort,
    host: config.host,
    mailDomain: config.mailDomain,
    tls: config.smtpTlsCert && config.smtpTlsKey ? { cert: read('SMTP_TLS_CERT', config.smtpTlsCert), key: read('SMTP_TLS_KEY', config.smtpTlsKey) } : undefined,
    maxMessageBytes: config.smtpMaxMessageBytes,
    maxAttachments: config.smtpMaxAttachments,
    maxRecipients: config.smtpMaxRecipients,
    logger,
  };
}

const smtpError = (answer: EmailAnswer) => Object.assign(new Error(answer.message), { responseCode: answer.code });

const megabytes = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(bytes < 1024 * 1024 ? 2 : 1)} MB`;

/** The recipient's address split at its last @, lower-cased domain. */
function splitAddress(address: string): { local: string; domain: string } {
  const at = address.lastIndexOf('@');
  return at < 0 ? { local: address, domain: '' } : { local: address.slice(0, at), domain: address.slice(at + 1).toLowerCase() };
}

export async function startSmtpListener(ctx: ServiceContext, options: SmtpListenerOptions): Promise<SmtpListener> {
  const logger = options.logger;
  const senderOf = (session: SMTPServerSession) => {
    const from = session.envelope.mailFrom;
    return from ? from.address.toLowerCase() || null : null;
  };

  async function checkRecipient(address: SMTPServerAddress, session: SMTPServerSession): Promise<void> {
    if (session.envelope.rcptTo.length >= options.maxRecipients) {
      throw smtpError({ code: 452, message: `4.5.3 Too many recipients: at most ${options.maxRecipients} a message; send the others in another message.` });
    }
    const { local, domain } = splitAddress(address.address);
    if (domain !== options.mailDomain) {
      throw smtpError({ code: 550, message: `5.1.2 <${address.address}>: this server takes mail only for addresses @${options.mailDomain}.` });
    }
    const token = emailTokenOf(local);
    const eventType = token ? await eventTypeOfToken(ctx, token) : undefined;
    const refusal = addressRefusal(eventType, address.address);
    if (refusal || !eventType) throw smtpError(refusal!);
    const sender = senderOf(session);
    const notAllowed = senderRefusal(eventType, sender, address.address);
    if (notAllowed) {
      await recordEmailRefusal(ctx, eventType, envelopeOnly(sender, ctx.clock.now()), notAllowed);
      throw smtpError(notAllowed);
    }
  }

  async function receive(stream: SMTPServerDataStream, session: SMTPServerSession): Promise<EmailAnswer> {
    const chunks: Buffer[] = [];
    let bytes = 0;
    for await (const chunk of stream as AsyncIterable<Buffer>) {
      bytes += chunk.length;
      // Past the limit the rest is read (the client is still sending it) and dropped.
      if (bytes <= options.maxMessageBytes) chunks.push(chunk);
    }
    const recipients: ReturnsEmailRecipient[] = session.envelope.rcptTo.map((r) => ({ address: r.address, token: emailTokenOf(splitAddress(r.address).local)! }));
    const sender = senderOf(session);
    const now = ctx.clock.now();
    const refuseAll = async (answer: EmailAnswer, email: ReturnsEmail) => {
      for (const recipient of recipients) {
        const eventType = await eventTypeOfToken(ctx, recipient.token);
        if (eventType) await recordEmailRefusal(ctx, eventType, email, answer);
      }
      return answer;
    };
    if (stream.sizeExceeded || bytes > options.maxMessageBytes) {
      return refuseAll(
        {
          code: 552,
          message: `5.3.4 The message is ${megabytes(bytes)}; this address takes messages up to ${megabytes(options.maxMessageBytes)}. Send the files in several messages, or through the API or SFTP.`,
        },
        envelopeOnly(sender, now),
      );
    }
    const parsed = await simpleParser(Buffer.concat(chunks), { skipHtmlToText: true, skipTextToHtml: true, skipImageLinks: true });
    const email: ReturnsEmail = {
      sender,
      headerFrom: parsed.from?.value[0]?.address?.toLowerCase() ?? null,
      messageId: parsed.messageId?.trim() || null,
      subject: parsed.subject ?? null,
      attachments: parsed.attachments.map((a) => ({ fileName: a.filename ?? null, contentType: a.contentType ?? null, content: a.content })),
      receivedAt: now,
    };
    if (email.attachments.length > options.maxAttachments) {
      return refuseAll(
        { code: 552, message: `5.3.4 The message has ${email.attachments.length} attachments; at most ${options.maxAttachments} a message. Send the files in several messages.` },
        email,
      );
    }
    return receiveReturnsEmail(ctx, recipients, email);
  }

  const server = new SMTPServer({
    name: options.mailDomain,
    banner: 'Lockstep returns files: mail them as attachments to your event type\'s address',
    authOptional: true,
    disabledCommands: options.tls ? ['AUTH'] : ['AUTH', 'STARTTLS'],
    ...(options.tls ? { key: options.tls.key, cert: options.tls.cert } : {}),
    size: options.maxMessageBytes,
    disableReverseLookup: true,
    maxClients: 200,
    logger: false,
    closeTimeout: options.closeTimeoutMs ?? 3000,
    onRcptTo(address, session, callback) {
      checkRecipient(address, session).then(
        () => callback(),
        (error: unknown) => {
          if ((error as { responseCode?: number }).responseCode) return callback(error as Error);
          logger?.error({ err: error }, 'returns e-mail: the recipient could not be checked');
          callback(smtpError({ code: 451, message: '4.3.0 The address could not be checked just now; try again later.' }));
        },
      );
    },
    onData(stream, session, callback) {
      receive(stream, session).then(
        (answer) => {
          if (answer.code === 250) {
            logger?.info({ recipients: session.envelope.rcptTo.length }, 'returns e-mail received');
            callback(null, answer.message);
          } else {
            logger?.info({ code: answer.code }, 'returns e-mail refused');
            callback(smtpError(answer));
          }
        },
        (error: unknown) => {
          logger?.error({ err: error }, 'returns e-mail: the message could not be stored');
          // The stream may not be read to its end yet: smtp-server waits for it before answering.
          stream.resume();
          callback(smtpError({ code: 451, message: '4.3.0 The files could not be stored just now; nothing was kept. Send the message again later.' }));
        },
      );
    },
  });
  server.on('error', (error) => logger?.warn({ err: error }, 'returns e-mail listener: a connection failed'));
  await new Promise<void>((resolve, reject) => {
    const onError = (error: Error & { code?: string }) =>
      reject(
        error.code === 'EADDRINUSE'
          ? new Error(`The returns e-mail listener cannot listen on ${options.host}:${options.port}: the port is in use. Set SMTP_PORT to a free port, or 0 for no listener.`)
          : error,
      );
    server.server.once('error', onError);
    server.listen(options.port, options.host, () => {
      server.server.off('error', onError);
      resolve();
    });
  });
  const address = server.server.address() as AddressInfo;
  return {
    port: address.port,
    host: options.host,
    tls: Boolean(options.tls),
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/** What is known of a message refused before its DATA was read. */
function envelopeOnly(sender: string | null, now: Date): ReturnsEmail {
  return { sender, headerFrom: null, messageId: null, subject: null, attachments: [], receivedAt: now };
}
