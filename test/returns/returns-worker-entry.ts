/**
 * A worker process for the returns reliability test (reliability.test.ts): what `lockstep
 * start` runs of the worker for returns batches, on DATABASE_URL and the test's schema.
 * Prints `ready <worker id>` once its worker runs.
 */
import { pino } from 'pino';
import { systemClock } from '../../src/core/clock.js';
import { loadConfig } from '../../src/core/config.js';
import { openDb } from '../../src/db/connection.js';
import { returnsBatchKind } from '../../src/flows/apply-returns-batch.js';
import '../../src/http/event-payloads.js';
import { Worker } from '../../src/worker/index.js';

const config = loadConfig();
if (!config.databaseUrl) throw new Error('returns-worker-entry needs DATABASE_URL (PostgreSQL).');
const schema = process.env.LOCKSTEP_TEST_SCHEMA;
const db = await openDb({ databaseUrl: config.databaseUrl, ...(schema ? { searchPath: schema } : {}), poolSize: 4 });
const worker = new Worker(
  { db, clock: systemClock },
  { concurrency: 1, pollMs: 100, kinds: [returnsBatchKind.name], logger: pino({ level: 'warn' }, pino.destination(2)) },
).start();
process.stdout.write(`ready ${worker.id}\n`);
