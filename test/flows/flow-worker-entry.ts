/**
 * A worker process for the flow process test (expire-contract.test.ts): what `lockstep
 * start` runs of the worker, with the flows of src/cli/work-kinds.ts, on DATABASE_URL and
 * the test's schema. Prints `ready <worker id>` once its worker runs.
 */
import { pino } from 'pino';
import { systemClock } from '../../src/core/clock.js';
import { loadConfig } from '../../src/core/config.js';
import { openDb } from '../../src/db/connection.js';
import { expireAndReverseFlow } from '../../src/flows/expire-contract.js';
import '../../src/http/event-payloads.js';
import { Worker } from '../../src/worker/index.js';

const config = loadConfig();
if (!config.databaseUrl) throw new Error('flow-worker-entry needs DATABASE_URL (PostgreSQL).');
const schema = process.env.LOCKSTEP_TEST_SCHEMA;
const db = await openDb({ databaseUrl: config.databaseUrl, ...(schema ? { searchPath: schema } : {}), poolSize: 6 });
const worker = new Worker(
  { db, clock: systemClock },
  { concurrency: 2, pollMs: 100, kinds: [expireAndReverseFlow.kind.name], logger: pino({ level: 'warn' }, pino.destination(2)) },
).start();
process.stdout.write(`ready ${worker.id}\n`);
