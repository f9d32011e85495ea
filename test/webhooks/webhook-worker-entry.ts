/**
 * A worker process for the webhook reliability test (reliability.test.ts): what `lockstep
 * start` runs for webhooks (the delivery kind, and the scheduler's once-a-second trigger),
 * on DATABASE_URL and the test's schema, with 127.0.0.1 allowed and a short delivery
 * lease (TEST_LEASE_MS). Prints `ready <worker id>` once its worker runs.
 */
import { pino } from 'pino';
import { systemClock } from '../../src/core/clock.js';
import { loadConfig } from '../../src/core/config.js';
import { openDb } from '../../src/db/connection.js';
import '../../src/http/event-payloads.js';
import { deliverWebhooksKind, triggerWebhookDelivery } from '../../src/modules/webhooks/pump.js';
import { configureWebhooks } from '../../src/modules/webhooks/transport.js';
import { Worker } from '../../src/worker/index.js';
import { TEST_SECRETS_KEY } from '../support/app.js';

const config = loadConfig();
if (!config.databaseUrl) throw new Error('webhook-worker-entry needs DATABASE_URL (PostgreSQL).');
const schema = process.env.LOCKSTEP_TEST_SCHEMA;
const db = await openDb({ databaseUrl: config.databaseUrl, ...(schema ? { searchPath: schema } : {}), poolSize: 8 });
configureWebhooks({ ...config, webhookAllowedHosts: ['127.0.0.1'], secretsKey: TEST_SECRETS_KEY }, { leaseMs: Number(process.env.TEST_LEASE_MS ?? 2000) });
const ctx = { db, clock: systemClock };
const worker = new Worker(ctx, { concurrency: 2, pollMs: 100, kinds: [deliverWebhooksKind.name], logger: pino({ level: 'warn' }, pino.destination(2)) }).start();
setInterval(() => {
  triggerWebhookDelivery(ctx).catch((error: unknown) => process.stderr.write(`trigger: ${String(error)}\n`));
}, 200);
process.stdout.write(`ready ${worker.id}\n`);
