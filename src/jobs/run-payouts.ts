import { runPayouts } from '../flows/run-payouts.js';
import { stoppedNote, type Job } from './job.js';

export const runPayoutsJob: Job = {
  name: 'run-payouts',
  // Daily, early in the UTC morning: still the same business day in the Americas, Europe's and Asia's morning.
  schedule: '30 6 * * *',
  description: "pay every partner whose autopay is due its whole available balance (one paystub per currency), then write the run's bank files",
  run: (ctx, options = {}) =>
    runPayouts(ctx, options).then((r) => ({
      ran: r.ran,
      done: r.paid,
      summary: r.runId === null
        ? 'no payout run'
        : `payout run ${r.runId}: ${r.paid} paystub(s), ${r.held} partner(s) held, ${r.files} file(s) written${r.state && r.state !== 'DONE' ? ` (the run is ${r.state}; a worker finishes it)` : ''}${stoppedNote(options)}`,
    })),
};
