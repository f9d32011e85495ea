import { Cron } from 'croner';
import type { Logger } from 'pino';
import type { ServiceContext } from '../core/context.js';
import { creditClicksJob } from './credit-clicks.js';
import type { Job } from './job.js';
import { lockDueActionsJob } from './lock-due-actions.js';

export const JOBS: readonly Job[] = [lockDueActionsJob, creditClicksJob];

export function findJobOrThrow(name: string): Job {
  const job = JOBS.find((j) => j.name === name);
  if (!job) throw new Error(`Unknown job "${name}"; one of: ${JOBS.map((j) => j.name).join(', ')}.`);
  return job;
}

/**
 * Periodic jobs. Every instance runs the scheduler; each job takes an advisory lock, so
 * with N instances a job still runs once at a time, and `protect` skips a tick while the
 * previous run in this process is still going.
 */
export function startScheduler(ctx: ServiceContext, logger: Logger): { stop(): Promise<void> } {
  // Stopping must not wait for a long run to finish: the signal ends it between chunks.
  const stopping = new AbortController();
  const running = new Set<Promise<void>>();
  const crons = JOBS.map(
    (job) =>
      new Cron(job.schedule, { protect: true, name: job.name }, async () => {
        const started = Date.now();
        const run = (async () => {
          try {
            const result = await job.run(ctx, { signal: stopping.signal });
            if (result.ran && result.done > 0) logger.info({ job: job.name, ms: Date.now() - started }, result.summary);
          } catch (error) {
            logger.error({ job: job.name, err: error }, 'job failed');
          }
        })();
        running.add(run);
        await run;
        running.delete(run);
      }),
  );
  return {
    /** Stops the timers and the runs going now (after their current chunk), and waits for them. */
    async stop() {
      for (const cron of crons) cron.stop();
      stopping.abort();
      await Promise.all(running);
    },
  };
}
