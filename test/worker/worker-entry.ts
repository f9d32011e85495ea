/**
 * A worker process for the process tests (processes.test.ts): what `lockstep start`
 * runs of the worker, on DATABASE_URL and the test's schema, with the test kinds of
 * process-kinds.ts registered and the real shutdown sequence (src/cli/shutdown.ts).
 *
 *   DATABASE_URL=… LOCKSTEP_TEST_SCHEMA=t_… node --import tsx test/worker/worker-entry.ts
 *
 * Prints `ready <worker id>` once its worker runs.
 */
import Fastify from 'fastify';
import { pino } from 'pino';
import { exitOnSignals, WORKER_STOP_GRACE_MS } from '../../src/cli/shutdown.js';
import { systemClock } from '../../src/core/clock.js';
import { loadConfig } from '../../src/core/config.js';
import { openDb } from '../../src/db/connection.js';
import { Worker } from '../../src/worker/index.js';
import { onceKind, stepsKind } from './process-kinds.js';

const config = loadConfig();
if (!config.databaseUrl) throw new Error('worker-entry needs DATABASE_URL (PostgreSQL).');
const schema = process.env.LOCKSTEP_TEST_SCHEMA;
const db = await openDb({ databaseUrl: config.databaseUrl, ...(schema ? { searchPath: schema } : {}), poolSize: config.workerConcurrency + 4 });
const logger = pino({ level: config.logLevel }, pino.destination(2));
const worker = new Worker(
  { db, clock: systemClock },
  { concurrency: config.workerConcurrency, pollMs: 100, kinds: [stepsKind.name, onceKind.name], logger },
).start();
const app = Fastify();
await app.ready();
exitOnSignals(
  { app, db, stopWorker: () => worker.stop({ graceMs: WORKER_STOP_GRACE_MS }).then(() => undefined), cleanUp: () => undefined },
  logger,
);
process.stdout.write(`ready ${worker.id}\n`);
