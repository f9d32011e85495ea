import { Cron } from 'croner';
import type { Logger } from 'pino';
import type { ServiceContext } from '../core/context.js';
import { creditClicksJob } from './credit-clicks.js';
import { enqueueJobRun, registerJobKind } from './job-kinds.js';
import type { Job } from './job.js';
import { issueStatementsJob } from './issue-statements.js';
import { lockDueActionsJob } from './lock-due-actions.js';
import { pruneReportExportsJob } from './prune-report-exports.js';
import { runReportSchedulesJob } from './run-report-schedules.js';
import { pruneWorkItemsJob } from './prune-work-items.js';
import { runPayoutsJob } from './run-payouts.js';
import { reconcileJob } from './reconcile.js';
import { enqueueDuePullsJob } from '../channels/pull/schedule.js';
import { enqueueDueSalesforcePollsJob } from '../channels/salesforce/poll.js';
import { triggerWebhookDelivery } from '../modules/webhooks/pump.js';

export const JOBS: readonly Job[] = [lockDueActionsJob, creditClicksJob, issueStatementsJob, runPayoutsJob, reconcileJob, pruneWorkItemsJob, pruneReportExportsJob, enqueueDuePullsJob, runReportSchedulesJob, enqueueDueSalesforcePollsJob];

/** Every job is a kind of work item: the scheduler enqueues its runs, the worker runs them. */
export const JOB_KINDS = JOBS.map(registerJobKind);

export function findJobOrThrow(name: string): Job {
  const job = JOBS.find((j) => j.name === name);
  if (!job) throw new Error(`Unknown job "${name}"; one of: ${JOBS.map((j) => j.name).join(', ')}.`);
  return job;
}

/**
 * The schedule. Every instance runs it; at each tick it enqueues the job's run as a work
 * item whose dedupe key names the minute (`lock-due-actions:2026-01-15T12:03`), so N
 * instances make one item, and the workers (of any instance) run it. A run does not
 * overlap another: each job also takes its advisory lock, as before.
 */
export function startScheduler(ctx: ServiceContext, logger: Logger): { stop(): Promise<void> } {
  const enqueuing = new Set<Promise<void>>();
  const crons = JOBS.map(
    (job) =>
      new Cron(job.schedule, { protect: true, name: job.name }, async () => {
        const tick = (async () => {
          try {
            const { id, created } = await enqueueJobRun(ctx.db, job, ctx.clock.now());
            if (created) logger.debug({ job: job.name, item: id.toString() }, 'job run enqueued');
          } catch (error) {
            logger.error({ job: job.name, err: error }, 'could not enqueue the job run; the next tick tries again');
          }
        })();
        enqueuing.add(tick);
        await tick;
        enqueuing.delete(tick);
      }),
  );
  // Webhooks go out within a second of their event: every second, a delivery run is
  // enqueued when there is work and none is waiting (src/modules/webhooks/pump.ts).
  crons.push(
    new Cron('* * * * * *', { protect: true, name: 'deliver-webhooks' }, async () => {
      const tick = triggerWebhookDelivery(ctx).then(
        () => undefined,
        (error: unknown) => logger.error({ err: error }, 'could not enqueue a webhook delivery run; the next second tries again'),
      );
      enqueuing.add(tick);
      await tick;
      enqueuing.delete(tick);
    }),
  );
  return {
    /** Stops the timers and waits for an enqueue in flight. The runs themselves belong to the worker. */
    async stop() {
      for (const cron of crons) cron.stop();
      await Promise.all(enqueuing);
    },
  };
}
