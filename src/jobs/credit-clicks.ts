import type { ServiceContext } from '../core/context.js';
import { creditClicks } from '../modules/actions/credit-clicks.js';

export const creditClicksJob = {
  name: 'credit-clicks',
  schedule: '* * * * *',
  description: 'turn recorded clicks of cost-per-click programs into pending CPC actions',
  run: (ctx: ServiceContext, onProgress?: (done: number) => void) =>
    creditClicks(ctx, onProgress ? { onProgress } : {}).then((r) => ({
      ran: r.ran,
      done: r.credited + r.notCredited,
      summary: `${r.credited} click(s) credited, ${r.notCredited} not credited`,
    })),
};
