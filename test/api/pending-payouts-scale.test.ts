/**
 * Issue 17 item 5: Pending Payouts over several programs and currencies. A currency
 * filter (with the program filter), totals per currency of everything the filters match
 * (not the page), "select all N matching" through the matching ids (at most the bulk
 * limit), and money sorts that never mix currencies.
 */
import { afterEach, beforeEach, expect, it } from 'vitest';
import { clientFor, makeSales } from '../support/action-helpers.js';
import { dumpDb, expectDbUnchanged, expectOk, expectProblem } from '../support/api-helpers.js';
import { makeAccount, startTestApp, type Client, type TestAccount, type TestApp } from '../support/app.js';
import { describeDb } from '../support/db.js';
import { makeContract, makeProgram, type TestProgram } from '../support/programs.js';

describeDb('Pending Payouts at scale (issue 17 item 5)', (db) => {
  let t: TestApp;
  let brand: TestAccount;
  let partner: TestAccount;
  let usd: TestProgram;
  let cad: TestProgram;
  let client: Client;
  beforeEach(async () => {
    t = await startTestApp(db());
    brand = await makeAccount(t.ctx, 'BRAND');
    partner = await makeAccount(t.ctx, 'PARTNER');
    usd = await makeProgram(t.ctx, brand, { currency: 'USD' });
    cad = await makeProgram(t.ctx, brand, { currency: 'CAD' });
    await makeContract(t.ctx, partner, usd);
    await makeContract(t.ctx, partner, cad);
    db().clock.advanceMs(3_600_000);
    client = await clientFor(t, brand.adminUserId, brand.id);
  });
  afterEach(async () => t.close());

  it('totals per currency cover every matching action, not the page; currency and program filters narrow list and totals alike', async () => {
    // USD: 10.00, 20.00, 30.00 (10% payouts); CAD: 100.00, 200.00.
    await makeSales(t.ctx, brand, partner, usd, 3, { amount: (i) => `${(i + 1) * 10}.00` });
    await makeSales(t.ctx, brand, partner, cad, 2, { amount: (i) => `${(i + 1) * 100}.00` });
    const all = expectOk(await client.get('/api/v1/actions/totals?state=PENDING'));
    expect(all.Totals).toEqual([
      { Currency: 'CAD', Count: 2, Amount: '300.00', Payout: '30.00' },
      { Currency: 'USD', Count: 3, Amount: '60.00', Payout: '6.00' },
    ]);
    // A page of one still totals all of them.
    expect(expectOk(await client.get('/api/v1/actions?state=PENDING&pageSize=1')).Total).toBe(5);
    expect(expectOk(await client.get('/api/v1/actions/totals?state=PENDING&currency=USD')).Totals).toEqual([{ Currency: 'USD', Count: 3, Amount: '60.00', Payout: '6.00' }]);
    expect(expectOk(await client.get(`/api/v1/actions/totals?programId=${cad.id}`)).Totals).toEqual([{ Currency: 'CAD', Count: 2, Amount: '300.00', Payout: '30.00' }]);
    const cadList = expectOk(await client.get('/api/v1/actions?currency=CAD'));
    expect(cadList.Total).toBe(2);
    expect(cadList.Items.every((a: { Currency: string }) => a.Currency === 'CAD')).toBe(true);
    expect(expectOk(await client.get('/api/v1/actions/totals?currency=EUR')).Totals).toEqual([]);
    expectProblem(await client.get('/api/v1/actions/totals?currency=usd'), 400, 'querystring.currency');
    // The partner's own totals: the same actions, from its side.
    const partnerClient = await clientFor(t, partner.adminUserId, partner.id);
    expect(expectOk(await partnerClient.get('/api/v1/actions/totals?state=PENDING')).Totals.map((x: { Count: number }) => x.Count)).toEqual([2, 3]);
  });

  it('a money sort is by currency, then amount: CAD and USD never interleave', async () => {
    await makeSales(t.ctx, brand, partner, usd, 3, { amount: (i) => ['500.00', '5.00', '50.00'][i]! });
    await makeSales(t.ctx, brand, partner, cad, 3, { amount: (i) => ['300.00', '3.00', '30.00'][i]! });
    const desc = expectOk(await client.get('/api/v1/actions?sort=Payout&order=desc')).Items.map((a: { Currency: string; Payout: string }) => `${a.Currency} ${a.Payout}`);
    expect(desc).toEqual(['USD 50.00', 'USD 5.00', 'USD 0.50', 'CAD 30.00', 'CAD 3.00', 'CAD 0.30']);
    const asc = expectOk(await client.get('/api/v1/actions?sort=Amount&order=asc')).Items.map((a: { Currency: string; Amount: string }) => `${a.Currency} ${a.Amount}`);
    expect(asc).toEqual(['CAD 3.00', 'CAD 30.00', 'CAD 300.00', 'USD 5.00', 'USD 50.00', 'USD 500.00']);
  });

  it('"select all N matching": the matching ids, then one bulk request with an outcome for each', async () => {
    const usdIds = await makeSales(t.ctx, brand, partner, usd, 4);
    await makeSales(t.ctx, brand, partner, cad, 2);
    const before = await dumpDb(t.ctx.db);
    const matching = expectOk(await client.get('/api/v1/actions/ids?state=PENDING&currency=USD'));
    expect(matching).toEqual({ Ids: usdIds.map(String), Limit: 10_000, More: false });
    await expectDbUnchanged(t.ctx.db, before, 'listing the ids');
    // One of them is approved meanwhile: its outcome says so, the others are approved.
    expectOk(await client.post(`/api/v1/actions/${usdIds[0]}/approve`, {}));
    const bulk = expectOk(await client.post('/api/v1/actions/bulk', { Operation: 'APPROVE', ActionIds: matching.Ids }));
    expect(bulk.Outcomes.map((o: { ActionId: string; Ok: boolean; Refusal?: string }) => [o.ActionId, o.Ok, o.Refusal ?? null])).toEqual([
      [String(usdIds[0]), false, 'locked'],
      ...usdIds.slice(1).map((id) => [String(id), true, null]),
    ]);
    expect(expectOk(await client.get('/api/v1/actions/ids?state=PENDING')).Ids).toHaveLength(2);
  });

  it('the ids stop at the bulk limit and say that more match', async () => {
    // A conversions call takes at most 10,000 (the same limit): two of them.
    await makeSales(t.ctx, brand, partner, usd, 5_000, { amount: () => '1.00' });
    await makeSales(t.ctx, brand, partner, usd, 5_001, { amount: () => '1.00' });
    const matching = expectOk(await client.get('/api/v1/actions/ids?state=PENDING'));
    expect(matching.Ids).toHaveLength(10_000);
    expect(matching.More).toBe(true);
    expect(expectOk(await client.get('/api/v1/actions/totals?state=PENDING')).Totals).toEqual([{ Currency: 'USD', Count: 10_001, Amount: '10001.00', Payout: '1000.10' }]);
  }, 300_000);
});
