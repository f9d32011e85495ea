/**
 * The Outbound Message listener in a process of its own, for the kill -9 test
 * (salesforce-restart.test.ts): the HTTP routes of the Salesforce channel on DATABASE_URL
 * and the test's schema, on a free port. With LOCKSTEP_TEST_SF_WORKER=1 it also runs the
 * worker for returns batches (a restarted instance). Prints `ready <port>` once it listens.
 */
import type { AddressInfo } from 'node:net';
import Fastify from 'fastify';
import { serializerCompiler, validatorCompiler } from 'fastify-type-provider-zod';
import { pino } from 'pino';
import { systemClock } from '../../src/core/clock.js';
import { loadConfig } from '../../src/core/config.js';
import { openDb } from '../../src/db/connection.js';
import { returnsBatchKind } from '../../src/flows/apply-returns-batch.js';
import '../../src/http/event-payloads.js';
import { salesforceRoutes } from '../../src/http/routes/salesforce.js';
import { Worker } from '../../src/worker/index.js';

const config = loadConfig();
if (!config.databaseUrl) throw new Error('salesforce-listener-entry needs DATABASE_URL (PostgreSQL).');
const schema = process.env.LOCKSTEP_TEST_SCHEMA;
const db = await openDb({ databaseUrl: config.databaseUrl, ...(schema ? { searchPath: schema } : {}), poolSize: 4 });
const ctx = { db, clock: systemClock };
const logger = pino({ level: 'warn' }, pino.destination(2));
const app = Fastify();
app.setValidatorCompiler(validatorCompiler);
app.setSerializerCompiler(serializerCompiler);
await app.register(salesforceRoutes, { ctx, config });
await app.listen({ port: 0, host: '127.0.0.1' });
if (process.env.LOCKSTEP_TEST_SF_WORKER === '1') {
  new Worker(ctx, { concurrency: 1, pollMs: 100, kinds: [returnsBatchKind.name], logger }).start();
}
process.stdout.write(`ready ${(app.server.address() as AddressInfo).port}\n`);
