/**
 * The returns e-mail listener in a process of its own, for the kill -9 test
 * (smtp-restart.test.ts): what `lockstep start` runs of it, on DATABASE_URL and the test's
 * schema, on a free port. With LOCKSTEP_TEST_SMTP_WORKER=1 it also runs the worker for
 * returns batches (a restarted instance). Prints `ready <port>` once it listens.
 */
import { pino } from 'pino';
import { startSmtpListener } from '../../src/channels/smtp/listener.js';
import { systemClock } from '../../src/core/clock.js';
import { loadConfig } from '../../src/core/config.js';
import { openDb } from '../../src/db/connection.js';
import { returnsBatchKind } from '../../src/flows/apply-returns-batch.js';
import '../../src/flows/receive-returns-email.js';
import '../../src/http/event-payloads.js';
import { Worker } from '../../src/worker/index.js';

const config = loadConfig();
if (!config.databaseUrl) throw new Error('smtp-listener-entry needs DATABASE_URL (PostgreSQL).');
const schema = process.env.LOCKSTEP_TEST_SCHEMA;
const db = await openDb({ databaseUrl: config.databaseUrl, ...(schema ? { searchPath: schema } : {}), poolSize: 4 });
const ctx = { db, clock: systemClock };
const logger = pino({ level: 'warn' }, pino.destination(2));
const listener = await startSmtpListener(ctx, {
  port: 0,
  host: '127.0.0.1',
  mailDomain: process.env.MAIL_DOMAIN ?? config.mailDomain,
  maxMessageBytes: config.smtpMaxMessageBytes,
  maxAttachments: config.smtpMaxAttachments,
  maxRecipients: config.smtpMaxRecipients,
  logger,
});
if (process.env.LOCKSTEP_TEST_SMTP_WORKER === '1') {
  new Worker(ctx, { concurrency: 1, pollMs: 100, kinds: [returnsBatchKind.name], logger }).start();
}
process.stdout.write(`ready ${listener.port}\n`);
