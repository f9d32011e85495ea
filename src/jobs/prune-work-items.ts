import { DONE_RETENTION_MS, pruneWorkItems } from '../worker/prune-work-items.js';
import { stoppedNote, type Job } from './job.js';

export const pruneWorkItemsJob: Job = {
  name: 'prune-work-items',
  schedule: '17 * * * *',
  description: `delete work items done more than ${DONE_RETENTION_MS / 86_400_000} days ago (failed and dead ones are kept)`,
  run: (ctx, options = {}) =>
    pruneWorkItems(ctx.db, options).then((r) => ({
      ran: true,
      done: r.deleted,
      summary: `${r.deleted} done work item(s) deleted${stoppedNote(options)}`,
    })),
};
