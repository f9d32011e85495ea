import { runDueSchedules } from '../http/reports/schedule-runs.js';
import type { Job } from './job.js';

export const runReportSchedulesJob: Job = {
  name: 'run-report-schedules',
  schedule: '* * * * *',
  description: 'run the scheduled reports that are due: each run queues its export, delivered once written',
  run: async (ctx) => {
    const ran = await runDueSchedules(ctx);
    return { ran: true, done: ran, summary: `${ran} scheduled report run(s) queued` };
  },
};
