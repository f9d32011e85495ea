/**
 * A worker process for the pull restart tests (pull-restart-*.test.ts): what `lockstep
 * start` runs of the worker for pulls, returns batches and result uploads, on
 * DATABASE_URL and the test's schema, with SECRETS_KEY from the environment. The kinds it
 * runs are PULL_WORKER_KINDS (comma-separated; default all three). Prints `ready <worker id>`.
 */
import { pino } from 'pino';
import { configurePulls } from '../../src/channels/pull/index.js';
import { systemClock } from '../../src/core/clock.js';
import { loadConfig } from '../../src/core/config.js';
import { openDb } from '../../src/db/connection.js';
import '../../src/flows/apply-returns-batch.js';
import '../../src/http/event-payloads.js';
import { Worker } from '../../src/worker/index.js';

const config = loadConfig();
if (!config.databaseUrl) throw new Error('pull-worker-entry needs DATABASE_URL (PostgreSQL).');
configurePulls(config);
const schema = process.env.LOCKSTEP_TEST_SCHEMA;
const db = await openDb({ databaseUrl: config.databaseUrl, ...(schema ? { searchPath: schema } : {}), poolSize: 4 });
const kinds = (process.env.PULL_WORKER_KINDS || 'returns-pull,returns-batch,returns-pull-result').split(',');
const worker = new Worker({ db, clock: systemClock }, { concurrency: 2, pollMs: 100, kinds, logger: pino({ level: 'warn' }, pino.destination(2)) }).start();
process.stdout.write(`ready ${worker.id}\n`);
