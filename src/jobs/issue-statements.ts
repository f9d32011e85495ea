import { clearStatementFlow, INITIAL_CLEARING } from '../flows/clear-statement.js';
import { issueStatements } from '../modules/billing/issue-statements.js';
import { stoppedNote, type Job } from './job.js';

export const issueStatementsJob: Job = {
  name: 'issue-statements',
  // Hourly: each program's month ends at midnight in its own time zone.
  schedule: '7 * * * *',
  description: "bill each month's locked payouts and post-lock corrections on brand statements, once the month is over in the program's time zone",
  run: (ctx, options = {}) =>
    issueStatements(ctx, {
      ...options,
      // A statement that owes nothing (its clawbacks take back at least what it bills) is
      // paid as it is issued: its clearing starts in the same transaction.
      onIssued: async (tx, statements) => {
        for (const statement of statements) {
          if (statement.totalMinor <= 0n) await clearStatementFlow.start(tx, ctx, { statementId: statement.id }, INITIAL_CLEARING);
        }
      },
    }).then((r) => ({
      ran: r.ran,
      done: r.lines,
      summary: `${r.statements} statement(s) issued, ${r.lines} action(s) billed${stoppedNote(options)}`,
    })),
};
