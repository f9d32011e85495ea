import { countDueActions, lockDueActions } from '../modules/actions/lock-due-actions.js';
import { stoppedNote, type Job } from './job.js';

export const lockDueActionsJob: Job = {
  name: 'lock-due-actions',
  schedule: '* * * * *',
  description: 'lock every pending action whose locking date has passed',
  count: countDueActions,
  run: (ctx, options = {}) =>
    lockDueActions(ctx, options).then((r) => ({ ran: r.ran, done: r.locked, summary: `${r.locked} action(s) locked${stoppedNote(options)}` })),
};
