import { creditClicks } from '../modules/tracking/credit-clicks.js';
import { stoppedNote, type Job } from './job.js';

export const creditClicksJob: Job = {
  name: 'credit-clicks',
  schedule: '* * * * *',
  description: 'turn recorded clicks of cost-per-click programs into pending CPC actions',
  run: (ctx, options = {}) =>
    creditClicks(ctx, options).then((r) => ({
      ran: r.ran,
      done: r.credited + r.notCredited,
      summary: `${r.credited} click(s) credited, ${r.notCredited} not credited${stoppedNote(options)}`,
    })),
};
