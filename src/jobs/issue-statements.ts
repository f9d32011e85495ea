import { issueStatements } from '../modules/billing/issue-statements.js';
import { stoppedNote, type Job } from './job.js';

export const issueStatementsJob: Job = {
  name: 'issue-statements',
  // Hourly: each program's month ends at midnight in its own time zone.
  schedule: '7 * * * *',
  description: "bill each month's locked payouts on brand statements, once the month is over in the program's time zone",
  run: (ctx, options = {}) =>
    issueStatements(ctx, options).then((r) => ({
      ran: r.ran,
      done: r.lines,
      summary: `${r.statements} statement(s) issued, ${r.lines} action(s) billed${stoppedNote(options)}`,
    })),
};
