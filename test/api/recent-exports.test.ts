/**
 * Reports → All Reports' Recent exports: GET /api/v1/report-exports lists the account's
 * exports of every report, newest first, paged; another account's are not there.
 */
import { expect, it } from 'vitest';
import { Worker } from '../../src/worker/worker.js';
import { makeSaleAction } from '../support/actions.js';
import { expectProblem } from '../support/api-helpers.js';
import { logInClient, makeAccount, startTestApp } from '../support/app.js';
import { describeDb } from '../support/db.js';
import { makeContract, makeProgram } from '../support/programs.js';

describeDb('Recent exports', (context) => {
  it('lists the account’s exports of every report, newest first and paged, and none of another account’s', async () => {
    const t = await startTestApp(context());
    try {
      const brand = await makeAccount(t.ctx, 'BRAND');
      const other = await makeAccount(t.ctx, 'BRAND');
      const partner = await makeAccount(t.ctx, 'PARTNER');
      const program = await makeProgram(t.ctx, brand);
      await makeContract(t.ctx, partner, program);
      context().clock.advanceMs(3_600_000);
      await makeSaleAction(t.ctx, brand, partner, program, { amount: '12.00' });
      const client = await logInClient(t.app, brand.adminEmail);
      const otherClient = await logInClient(t.app, other.adminEmail);
      const ask = async (c: typeof client, report: string, format: string) => {
        const answer = await c.post(`/api/v1/reports/${report}/exports`, { Format: format });
        expect(answer.statusCode, answer.body).toBe(202);
        context().clock.advanceMs(1000);
        return answer.json().Id as string;
      };
      const first = await ask(client, 'pending-payouts-actions', 'csv');
      const second = await ask(client, 'contract-history', 'pdf');
      await new Worker(t.ctx, { kinds: ['report-export'] }).drain();
      const third = await ask(client, 'reversed-actions', 'xlsx');
      await ask(otherClient, 'contract-history', 'csv');

      const all = (await client.get('/api/v1/report-exports')).json();
      expect(all.Total).toBe(3);
      expect(all.Items.map((e: { Id: string; Report: string; Status: string }) => [e.Id, e.Report, e.Status])).toEqual([
        [third, 'reversed-actions', 'QUEUED'],
        [second, 'contract-history', 'COMPLETED'],
        [first, 'pending-payouts-actions', 'COMPLETED'],
      ]);
      const page2 = (await client.get('/api/v1/report-exports?page=2&pageSize=2')).json();
      expect(page2).toMatchObject({ Page: 2, PageSize: 2, Total: 3, Items: [{ Id: first }] });
      const done = (await client.get('/api/v1/report-exports?status=COMPLETED')).json();
      expect(done.Items.map((e: { Id: string }) => e.Id)).toEqual([second, first]);
      expect((await otherClient.get('/api/v1/report-exports')).json().Total).toBe(1);
      expectProblem(await client.get('/api/v1/report-exports?status=DONE'), 400);
      expectProblem(await client.get('/api/v1/report-exports?pageSize=501'), 400);
    } finally {
      await t.close();
    }
  });
});
