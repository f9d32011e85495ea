import { afterEach, beforeEach, expect, it } from 'vitest';
import { recordConversions } from '../../src/modules/conversions/record-conversions.js';
import { describeDb } from '../support/db.js';
import { logInClient, makeAccount, startTestApp, type TestApp } from '../support/app.js';
import { makeContract, makeProgram } from '../support/programs.js';
import { makeSaleAction, nextOrderId } from '../support/actions.js';

describeDb('brand lists: partners, sorting, rejected conversions', (db) => {
  let t: TestApp;
  beforeEach(async () => {
    t = await startTestApp(db());
  });
  afterEach(async () => t.close());

  it('lists the partners of the brand only, with active and total contracts', async () => {
    const brand = await makeAccount(t.ctx, 'BRAND');
    const other = await makeAccount(t.ctx, 'BRAND');
    const [p1, p2, p3] = [await makeAccount(t.ctx, 'PARTNER', { name: 'Beta' }), await makeAccount(t.ctx, 'PARTNER', { name: 'alpha' }), await makeAccount(t.ctx, 'PARTNER')];
    const program = await makeProgram(t.ctx, brand);
    const otherProgram = await makeProgram(t.ctx, other);
    await makeContract(t.ctx, p1, program);
    await makeContract(t.ctx, p2, program);
    await makeContract(t.ctx, p3, otherProgram);
    const partnerClient = await logInClient(t.app, p1.adminEmail);
    await partnerClient.post(`/api/v1/contracts/${(await partnerClient.get('/api/v1/contracts')).json().Items[0].Id}/expire`, {});
    const client = await logInClient(t.app, brand.adminEmail);
    const response = await client.get('/api/v1/partners');
    expect(response.statusCode).toBe(200);
    expect(response.json()).toEqual([
      expect.objectContaining({ MediaPartnerId: p2.id, MediaPartnerName: 'alpha', ActiveContracts: 1, Contracts: 1 }),
      expect.objectContaining({ MediaPartnerId: p1.id, MediaPartnerName: 'Beta', ActiveContracts: 0, Contracts: 1 }),
    ]);
    expect((await partnerClient.get('/api/v1/partners')).statusCode).toBe(403);
  });

  it('sorts money within each currency and by event type name', async () => {
    const brand = await makeAccount(t.ctx, 'BRAND', { currency: 'USD' });
    const partner = await makeAccount(t.ctx, 'PARTNER');
    const usd = await makeProgram(t.ctx, brand, { currency: 'USD' });
    const eur = await makeProgram(t.ctx, brand, { currency: 'EUR' });
    await makeContract(t.ctx, partner, usd);
    await makeContract(t.ctx, partner, eur);
    db().clock.advanceMs(3_600_000);
    await makeSaleAction(t.ctx, brand, partner, usd, { amount: '5.00' });
    await makeSaleAction(t.ctx, brand, partner, eur, { amount: '50.00' });
    await makeSaleAction(t.ctx, brand, partner, usd, { amount: '500.00' });
    const client = await logInClient(t.app, brand.adminEmail);
    // Amounts never compare across currencies: the sort groups by currency, in the same
    // direction, so one index read in either direction serves it.
    const money = (query: string) =>
      client.get(`/api/v1/actions?${query}`).then((r) => r.json().Items.map((a: { Currency: string; Amount: string }) => `${a.Currency} ${a.Amount}`));
    expect(await money('sort=Amount&order=desc')).toEqual(['USD 500.00', 'USD 5.00', 'EUR 50.00']);
    expect(await money('sort=Amount&order=asc')).toEqual(['EUR 50.00', 'USD 5.00', 'USD 500.00']);
    expect((await client.get('/api/v1/actions?sort=EventTypeName')).statusCode).toBe(200);
    expect((await client.get('/api/v1/actions?sort=Bogus')).statusCode).toBe(400);
  });

  it('names the program, event type and partner of rejected conversions, filtered by event date', async () => {
    const brand = await makeAccount(t.ctx, 'BRAND');
    const program = await makeProgram(t.ctx, brand);
    const at = t.ctx.clock.now();
    await recordConversions(t.ctx, brand.actor, [
      { ActionTrackerId: program.saleEventTypeId, OrderId: nextOrderId(), EventDate: at.toISOString(), Amount: '10.00' },
    ]);
    const client = await logInClient(t.app, brand.adminEmail);
    const page = (await client.get('/api/v1/conversions?status=REJECTED')).json();
    expect(page.Items).toEqual([expect.objectContaining({ EventTypeName: 'Sale', RejectReason: 'NO_CLICK', MediaPartnerName: null, Status: 'REJECTED' })]);
    expect(page.Items[0].CampaignName).toMatch(/^Program /);
    const later = new Date(at.getTime() + 60_000).toISOString();
    expect((await client.get(`/api/v1/conversions?from=${encodeURIComponent(later)}`)).json().Total).toBe(0);
  });
});
