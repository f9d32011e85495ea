import type { FastifyInstance } from 'fastify';
import type { Logger } from 'pino';
import type { Db } from '../db/types.js';

/**
 * How long a shutdown may take before the process exits anyway: requests in flight get
 * this long to finish, and the whole stays under the 10 s most supervisors (systemd,
 * Docker, Kubernetes) wait between SIGTERM and SIGKILL.
 */
export const SHUTDOWN_DEADLINE_MS = 8000;

/**
 * How long the worker waits for its running items to reach their next step at a
 * shutdown: what is left of the deadline after it is for closing the database.
 */
export const WORKER_STOP_GRACE_MS = 5000;

export interface Running {
  app: FastifyInstance;
  db: Db;
  stopScheduler?: () => Promise<void>;
  /** Stops claiming and lets running work items reach their next step (src/worker); resolves within its grace. */
  stopWorker?: () => Promise<void>;
  /** Last, after the database has closed (the lock file itself goes with the database). */
  cleanUp: () => void;
}

/**
 * SIGTERM and SIGINT shut the server down in order: the scheduler stops enqueuing, the
 * worker stops claiming and its running items stop at their next step (back in the
 * queue with their progress; one still running after the worker's grace keeps its lease
 * until it expires), the server stops accepting connections and lets requests in flight
 * finish, the database closes (PGlite writes its last pages and frees the data folder),
 * exit 0.
 * Past the deadline, or at a second signal, the process exits at once with 1: whatever
 * a request had not committed is rolled back, nothing committed is lost.
 */
export function exitOnSignals(running: Running, logger: Logger, deadlineMs = SHUTDOWN_DEADLINE_MS): void {
  let shuttingDown = false;
  const exitNow = (code: number) => {
    try {
      running.cleanUp();
    } finally {
      process.exit(code);
    }
  };
  const onSignal = (signal: NodeJS.Signals) => {
    if (shuttingDown) {
      logger.warn({ signal }, 'second signal: exiting now, without waiting for requests in flight');
      exitNow(1);
    }
    shuttingDown = true;
    logger.info({ signal, deadlineMs }, 'shutting down: finishing requests in flight');
    const force = setTimeout(() => {
      logger.error({ deadlineMs }, 'shutdown deadline passed with work still in flight: exiting anyway');
      exitNow(1);
    }, deadlineMs);
    void (async () => {
      try {
        await Promise.all([running.stopScheduler?.(), running.stopWorker?.(), running.app.close()]);
        await running.db.close();
        clearTimeout(force);
        logger.info('shut down cleanly');
        exitNow(0);
      } catch (error) {
        logger.error({ err: error }, 'shutdown failed');
        exitNow(1);
      }
    })();
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
}
