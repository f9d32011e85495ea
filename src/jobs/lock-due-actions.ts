import type { ServiceContext } from '../core/context.js';
import { lockDueActions } from '../modules/actions/lock-due-actions.js';

export const lockDueActionsJob = {
  name: 'lock-due-actions',
  schedule: '* * * * *',
  description: 'lock every pending action whose locking date has passed',
  run: (ctx: ServiceContext, onProgress?: (done: number) => void) =>
    lockDueActions(ctx, onProgress ? { onProgress } : {}).then((r) => ({ ran: r.ran, done: r.locked, summary: `${r.locked} action(s) locked` })),
};
