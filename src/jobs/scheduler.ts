import { Cron } from 'croner';
import type { Logger } from 'pino';
import type { ServiceContext } from '../core/context.js';
import { creditClicksJob } from './credit-clicks.js';
import { lockDueActionsJob } from './lock-due-actions.js';

export const JOBS = [lockDueActionsJob, creditClicksJob] as const;
export type JobName = (typeof JOBS)[number]['name'];

/**
 * Periodic jobs. Every instance runs the scheduler; each job takes an advisory lock, so
 * with N instances a job still runs once at a time, and `protect` skips a tick while the
 * previous run in this process is still going.
 */
export function startScheduler(ctx: ServiceContext, logger: Logger): { stop(): void } {
  const crons = JOBS.map(
    (job) =>
      new Cron(job.schedule, { protect: true, name: job.name }, async () => {
        const started = Date.now();
        try {
          const result = await job.run(ctx);
          if (result.ran && result.done > 0) logger.info({ job: job.name, ms: Date.now() - started }, result.summary);
        } catch (error) {
          logger.error({ job: job.name, err: error }, 'job failed');
        }
      }),
  );
  return {
    stop() {
      for (const cron of crons) cron.stop();
    },
  };
}
