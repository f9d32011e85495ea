import { EXPORT_KEEP_DAYS, pruneExpiredExports } from '../modules/reports/exports.js';
import { stoppedNote, type Job } from './job.js';

export const pruneReportExportsJob: Job = {
  name: 'prune-report-exports',
  schedule: '41 * * * *',
  description: `delete report exports (and their files) ${EXPORT_KEEP_DAYS} days after they were asked for`,
  run: async (ctx, options = {}) => {
    let deleted = 0;
    for (;;) {
      if (options.signal?.aborted) break;
      const n = await pruneExpiredExports(ctx.db, ctx.clock.now());
      deleted += n;
      options.onProgress?.(deleted);
      if (n === 0) break;
    }
    return { ran: true, done: deleted, summary: `${deleted} expired report export(s) deleted${stoppedNote(options)}` };
  },
};
