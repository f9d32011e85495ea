import { Counter, Gauge } from 'prom-client';
import type { Db } from '../db/types.js';
import { registry } from '../http/metrics.js';
import { checkStatements } from '../modules/billing/check-statements.js';
import { checkLedger, type LedgerCheck } from '../modules/ledger/check-ledger.js';
import { checkPayouts } from '../modules/payouts/check-payouts.js';
import type { Job } from './job.js';

const problemsFound = new Gauge({
  name: 'lockstep_reconcile_problems',
  help: 'Drift the last reconcile found (ledger balances against their postings, statements against their lines and payments); 0 when all is consistent',
  registers: [registry],
});
const runs = new Counter({
  name: 'lockstep_reconcile_runs_total',
  help: 'Reconcile runs, by result (ok, drift)',
  labelNames: ['result'] as const,
  registers: [registry],
});

/** Every consistency check of the money: the ledger's, the statements', then the paystubs'. What `lockstep check-ledger` and the reconcile job run. */
export async function reconcile(db: Db): Promise<LedgerCheck> {
  const ledger = await checkLedger(db);
  const problems = [...ledger.problems, ...(await checkStatements(db)), ...(await checkPayouts(db))];
  problemsFound.set(problems.length);
  runs.inc({ result: problems.length === 0 ? 'ok' : 'drift' });
  return { ok: problems.length === 0, problems, transfers: ledger.transfers };
}

/** Thrown by the reconcile job on drift, so that its work item fails and the operator console shows what was found. */
export class DriftFound extends Error {}

export const reconcileJob: Job = {
  name: 'reconcile',
  schedule: '43 * * * *',
  description: 'verify that ledger balances equal their postings and statements their lines and payments, paystubs their actions and net + fee; drift fails the run, shown on the operator console',
  run: async (ctx) => {
    const result = await reconcile(ctx.db);
    if (!result.ok) {
      throw new DriftFound(`Reconcile found ${result.problems.length} problem(s): ${result.problems.slice(0, 5).join('; ')}`);
    }
    return { ran: true, done: result.transfers, summary: `all consistent: ${result.transfers} transfer(s)` };
  },
};
