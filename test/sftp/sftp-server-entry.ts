/**
 * An instance for the SFTP kill -9 test (test/sftp/restart.test.ts): what `lockstep start` runs of
 * the SFTP server, and (SFTP_TEST_WORKER=true) of the worker for returns batches, on
 * DATABASE_URL and the test's schema, with its data folder in DATA_DIR. Prints
 * `ready <port> <host key fingerprint>` once it listens.
 */
import { pino } from 'pino';
import { loadOrCreateHostKey } from '../../src/channels/sftp-server/host-key.js';
import { startSftpServer } from '../../src/channels/sftp-server/server.js';
import { systemClock } from '../../src/core/clock.js';
import { loadConfig } from '../../src/core/config.js';
import { openDb } from '../../src/db/connection.js';
import { returnsBatchKind } from '../../src/flows/apply-returns-batch.js';
import '../../src/http/event-payloads.js';
import { Worker } from '../../src/worker/index.js';

const config = loadConfig();
if (!config.databaseUrl) throw new Error('sftp-server-entry needs DATABASE_URL (PostgreSQL).');
const schema = process.env.LOCKSTEP_TEST_SCHEMA;
const db = await openDb({ databaseUrl: config.databaseUrl, ...(schema ? { searchPath: schema } : {}), poolSize: 4 });
const ctx = { db, clock: systemClock };
const logger = pino({ level: 'warn' }, pino.destination(2));
if (process.env.SFTP_TEST_WORKER === 'true') {
  new Worker(ctx, { concurrency: 1, pollMs: 100, kinds: [returnsBatchKind.name], logger }).start();
}
// As lockstep start does (src/channels/sftp-server/index.ts), on a free port.
const hostKey = loadOrCreateHostKey({ dataDir: config.dataDir, hostKeyFile: config.sftpHostKey, secretsKey: config.secretsKey });
const sftp = await startSftpServer({ ctx, port: 0, host: '127.0.0.1', hostKey, dataDir: config.dataDir, logger });
process.stdout.write(`ready ${sftp.port} ${hostKey.fingerprint}\n`);
