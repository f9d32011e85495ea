/**
 * Reports pinned to Home (issue 16 item 2): a user pins a report with its filters, sees
 * its first rows (the preview), reorders and removes pins; the pins are the user's own on
 * one account (another user of the same account, another account: not found); bad
 * filters and a pin whose filter values no longer exist are problems naming them.
 */
import { expect, it } from 'vitest';
import { MAX_PINS } from '../../src/modules/pins/types.js';
import { updateProgram } from '../../src/modules/programs/update-program.js';
import { makeSaleAction } from '../support/actions.js';
import { expectProblem, issueToken } from '../support/api-helpers.js';
import { addMember, logInClient, makeAccount, startTestApp } from '../support/app.js';
import { describeDb } from '../support/db.js';
import { makeContract, makeProgram } from '../support/programs.js';

describeDb('Pinned reports', (context) => {
  async function setup() {
    const t = await startTestApp(context());
    const brand = await makeAccount(t.ctx, 'BRAND');
    const other = await makeAccount(t.ctx, 'BRAND');
    const partner = await makeAccount(t.ctx, 'PARTNER');
    const program = await makeProgram(t.ctx, brand);
    const second = await makeProgram(t.ctx, brand);
    const otherProgram = await makeProgram(t.ctx, other);
    await makeContract(t.ctx, partner, program);
    await makeContract(t.ctx, partner, second);
    context().clock.advanceMs(3_600_000);
    const ids: bigint[] = [];
    for (const amount of ['10.00', '20.50', '30.01']) {
      ids.push(await makeSaleAction(t.ctx, brand, partner, program, { amount }));
      context().clock.advanceMs(60_000);
    }
    await makeSaleAction(t.ctx, brand, partner, second, { amount: '77.00' });
    const colleague = await addMember(t.ctx, brand.id, 'USER');
    return {
      t,
      brand,
      partner,
      program,
      second,
      otherProgram,
      ids,
      client: await logInClient(t.app, brand.adminEmail),
      colleagueClient: await logInClient(t.app, colleague.email),
      otherClient: await logInClient(t.app, other.adminEmail),
      partnerClient: await logInClient(t.app, partner.adminEmail),
    };
  }

  it('pins a report with its filters, previews its first rows, reorders and removes pins', async () => {
    const { t, program, ids, client } = await setup();
    try {
      const pinned = await client.post('/api/v1/pins', {
        Report: 'pending-payouts-actions',
        Title: 'Outdoor pending',
        Filters: { state: 'PENDING', programId: program.id },
        Link: `/transactions/pending-payouts?programId=${program.id}`,
      });
      expect(pinned.statusCode, pinned.body).toBe(201);
      const pin = pinned.json();
      expect(pin).toMatchObject({
        Report: 'pending-payouts-actions',
        ReportTitle: 'Pending Payouts Actions',
        Title: 'Outdoor pending',
        Filters: { state: 'PENDING', programId: String(program.id) },
        Display: 'TABLE',
        Position: 1,
        Link: `/transactions/pending-payouts?programId=${program.id}`,
      });
      // The preview: the report's compact columns and its first rows with the pin's filters (newest first), money with its currency.
      const preview = (await client.get(`${pin.PreviewUrl}&rows=2`)).json();
      expect(preview.Columns.map((c: { Name: string }) => c.Name)).toEqual(expect.arrayContaining(['Id', 'CampaignName', 'Amount', 'Payout', 'EventDate']));
      expect(preview.Columns.find((c: { Name: string }) => c.Name === 'Amount').Type).toBe('money');
      expect(preview.Columns.find((c: { Name: string }) => c.Name === 'EventDate').Type).toBe('date');
      const at = (name: string) => preview.Columns.findIndex((c: { Name: string }) => c.Name === name);
      expect(preview.Rows.map((r: unknown[]) => r[at('Id')])).toEqual([ids[2]!.toString(), ids[1]!.toString()]);
      expect(preview.Rows.map((r: unknown[]) => r[at('Amount')])).toEqual([
        { Amount: '30.01', Currency: 'USD' },
        { Amount: '20.50', Currency: 'USD' },
      ]);
      expect(preview.More).toBe(true);
      const all = (await client.get(pin.PreviewUrl)).json();
      expect(all.Rows).toHaveLength(3);
      expect(all.More).toBe(false);

      const chart = (await client.post('/api/v1/pins', { Report: 'pending-payouts-actions', Display: 'CHART' })).json();
      const history = (await client.post('/api/v1/pins', { Report: 'contract-history', Filters: { status: 'ACTIVE' } })).json();
      expect([chart.Position, chart.Title, history.Position, history.Title]).toEqual([2, 'Pending Payouts Actions', 3, 'Contract History']);
      const contracts = (await client.get(history.PreviewUrl)).json();
      expect(contracts.Rows).toHaveLength(2);

      const reordered = await client.request({ method: 'PUT', url: '/api/v1/pins/order', payload: { Ids: [history.Id, pin.Id, chart.Id] } });
      expect(reordered.statusCode, reordered.body).toBe(200);
      expect(reordered.json().Items.map((p: { Id: number; Position: number }) => [p.Id, p.Position])).toEqual([
        [history.Id, 1],
        [pin.Id, 2],
        [chart.Id, 3],
      ]);
      // An order that leaves a pin out, or names one twice, changes nothing.
      expectProblem(await client.request({ method: 'PUT', url: '/api/v1/pins/order', payload: { Ids: [pin.Id, chart.Id] } }), 400, new RegExp(`missing: ${history.Id}`));
      expectProblem(await client.request({ method: 'PUT', url: '/api/v1/pins/order', payload: { Ids: [pin.Id, pin.Id, chart.Id, history.Id] } }), 400, /named twice/);
      expect((await client.get('/api/v1/pins')).json().Items.map((p: { Id: number }) => p.Id)).toEqual([history.Id, pin.Id, chart.Id]);

      const removed = await client.delete(`/api/v1/pins/${pin.Id}`);
      expect(removed.statusCode).toBe(200);
      expectProblem(await client.delete(`/api/v1/pins/${pin.Id}`), 404, /not one of your pins/);
      expect((await client.get('/api/v1/pins')).json().Items.map((p: { Id: number }) => p.Id)).toEqual([history.Id, chart.Id]);
    } finally {
      await t.close();
    }
  });

  it('keeps each user’s pins their own: another user of the account, another brand and an API credential reach none', async () => {
    const { t, client, colleagueClient, otherClient } = await setup();
    try {
      const pin = (await client.post('/api/v1/pins', { Report: 'pending-payouts-actions', Filters: { state: 'PENDING' } })).json();
      for (const stranger of [colleagueClient, otherClient]) {
        expect((await stranger.get('/api/v1/pins')).json().Items).toEqual([]);
        expectProblem(await stranger.delete(`/api/v1/pins/${pin.Id}`), 404);
        expectProblem(await stranger.request({ method: 'PUT', url: '/api/v1/pins/order', payload: { Ids: [pin.Id] } }), 404);
      }
      const token = await issueToken(client);
      expectProblem(await token.client.get('/api/v1/pins'), 403, /API credential/);
      expect((await client.get('/api/v1/pins')).json().Items.map((p: { Id: number }) => p.Id)).toEqual([pin.Id]);
      // Pins are per account: the colleague's own pin does not show on the admin's Home.
      const theirs = (await colleagueClient.post('/api/v1/pins', { Report: 'contract-history' })).json();
      expect(theirs.Position).toBe(1);
      expect((await client.get('/api/v1/pins')).json().Items).toHaveLength(1);
    } finally {
      await t.close();
    }
  });

  it('refuses bad pins with problems naming the field', async () => {
    const { t, otherProgram, client, partnerClient } = await setup();
    try {
      expectProblem(await client.post('/api/v1/pins', { Report: 'balance-movements' }), 404, /no report balance-movements/);
      expectProblem(await client.post('/api/v1/pins', { Report: 'no-such-report' }), 404);
      const badFilter = expectProblem(await client.post('/api/v1/pins', { Report: 'pending-payouts-actions', Filters: { colour: 'red' } }), 400, /not a filter of Pending Payouts Actions: colour/);
      expect(badFilter.errors).toEqual([{ field: 'Filters', message: expect.stringContaining('colour') }]);
      expectProblem(await client.post('/api/v1/pins', { Report: 'pending-payouts-actions', Filters: { state: 'MAYBE' } }), 400, /Filters.state/);
      expectProblem(await client.post('/api/v1/pins', { Report: 'pending-payouts-actions', Filters: { programId: otherProgram.id } }), 404, /program .* no longer exists/);
      expectProblem(await client.post('/api/v1/pins', { Report: 'contract-history', Display: 'CHART' }), 400, /cannot be shown as a chart/);
      expectProblem(await client.post('/api/v1/pins', { Report: 'contract-history', Link: '//evil.example/x' }), 400);
      expectProblem(await client.post('/api/v1/pins', { Report: 'contract-history', Title: 'x'.repeat(121) }), 400);
      expectProblem(await client.post('/api/v1/pins', { Report: 'contract-history', Display: 'PIE' }), 400);
      expectProblem(await client.get('/api/v1/reports/pending-payouts-actions/preview?rows=21'), 400, /rows/);
      expectProblem(await client.get('/api/v1/reports/pending-payouts-actions/preview?sort=Colour'), 400);
      expectProblem(await partnerClient.get('/api/v1/reports/returns-batches/preview'), 404);
      expect((await client.get('/api/v1/pins')).json().Items).toEqual([]);

      for (let n = 0; n < MAX_PINS; n++) expect((await client.post('/api/v1/pins', { Report: 'contract-history' })).statusCode).toBe(201);
      expectProblem(await client.post('/api/v1/pins', { Report: 'contract-history' }), 409, new RegExp(`${MAX_PINS} pinned reports`));
    } finally {
      await t.close();
    }
  });

  it('a pin whose filter values no longer exist says so on its preview, and the other pins still answer', async () => {
    const { t, brand, second, partnerClient } = await setup();
    try {
      const stale = (await partnerClient.post('/api/v1/pins', { Report: 'pending-payouts-actions', Filters: { programId: second.id } })).json();
      const fine = (await partnerClient.post('/api/v1/pins', { Report: 'pending-payouts-actions' })).json();
      expect((await partnerClient.get(stale.PreviewUrl)).json().Rows).toHaveLength(1);
      // The brand closes the program to partners: the partner's pin names a program it can no longer see.
      await updateProgram(t.ctx, brand.actor, second.id, { status: 'INACTIVE' });
      expectProblem(await partnerClient.get(stale.PreviewUrl), 404, new RegExp(`program ${second.id}, which no longer exists`));
      expect((await partnerClient.get(fine.PreviewUrl)).json().Rows).toHaveLength(4);
      // A stored filter the report no longer takes (renamed since): a 400 naming it, not a 500.
      await t.ctx.db.query(`update report_pins set filters = '{"campaign": "3"}'::jsonb where id = $1`, [fine.Id]);
      const pins = (await partnerClient.get('/api/v1/pins')).json().Items as Array<{ Id: number; PreviewUrl: string }>;
      expectProblem(await partnerClient.get(pins.find((p) => p.Id === fine.Id)!.PreviewUrl), 400, /not a filter of Pending Payouts Actions: campaign/);
    } finally {
      await t.close();
    }
  });
});
