/**
 * Performance for the charts on Home (issue 16 item 5): per day in the account's time zone
 * (every day of the range, zeros included), per program or per currency; a brand's top
 * partners and a partner's earnings by brand; money as decimal strings in each currency;
 * reversed actions left out; nobody sees another account's actions; bad ranges are 400s.
 */
import { expect, it } from 'vitest';
import { makeSaleAction } from '../support/actions.js';
import { expectProblem } from '../support/api-helpers.js';
import { logInClient, makeAccount, startTestApp } from '../support/app.js';
import { describeDb } from '../support/db.js';
import { makeContract, makeProgram } from '../support/programs.js';

describeDb('Performance for the charts', (context) => {
  async function setup() {
    const t = await startTestApp(context());
    const clock = context().clock;
    // New York: 2026-01-16T03:00Z is still 15 January there.
    const brand = await makeAccount(t.ctx, 'BRAND', { timeZone: 'America/New_York', currency: 'USD' });
    const other = await makeAccount(t.ctx, 'BRAND', { timeZone: 'Europe/Paris', currency: 'EUR' });
    const partner = await makeAccount(t.ctx, 'PARTNER', { name: `Trail ${Math.random().toString(36).slice(2, 7)}`, timeZone: 'America/Denver' });
    const second = await makeAccount(t.ctx, 'PARTNER', { name: `Summit ${Math.random().toString(36).slice(2, 7)}` });
    const usd = await makeProgram(t.ctx, brand, { currency: 'USD', names: { program: 'Outdoor US' } });
    const cad = await makeProgram(t.ctx, brand, { currency: 'CAD', names: { program: 'Outdoor CA' } });
    const eur = await makeProgram(t.ctx, other, { currency: 'EUR', names: { program: 'Mode FR' } });
    for (const program of [usd, cad, eur]) await makeContract(t.ctx, partner, program);
    await makeContract(t.ctx, second, usd);
    const sale = async (who: typeof partner, program: typeof usd, at: string, amount: string) => {
      clock.set(new Date(Date.parse(at) + 60_000));
      return makeSaleAction(t.ctx, program === eur ? other : brand, who, program, { amount, eventAt: new Date(at) });
    };
    await sale(partner, usd, '2026-01-15T14:00:00Z', '100.00');
    await sale(partner, usd, '2026-01-16T03:00:00Z', '20.50');
    await sale(second, usd, '2026-01-17T15:00:00Z', '300.00');
    const reversed = await sale(partner, usd, '2026-01-17T16:00:00Z', '999.00');
    await sale(partner, cad, '2026-01-17T17:00:00Z', '40.00');
    await sale(partner, eur, '2026-01-18T10:00:00Z', '80.00');
    clock.set('2026-01-20T15:00:00Z');
    const brandClient = await logInClient(t.app, brand.adminEmail);
    const reverse = await brandClient.post(`/api/v1/actions/${reversed}/reverse`, { Reason: 'CONS_ERROR' });
    expect(reverse.statusCode, reverse.body).toBe(200);
    return {
      t,
      brand,
      partner,
      second,
      usd,
      cad,
      brandClient,
      otherClient: await logInClient(t.app, other.adminEmail),
      partnerClient: await logInClient(t.app, partner.adminEmail),
      secondClient: await logInClient(t.app, second.adminEmail),
    };
  }

  it('adds up a brand’s actions per day and program in its time zone, every day of the last 30 included, reversed ones left out', async () => {
    const { t, usd, cad, brandClient } = await setup();
    try {
      const answer = await brandClient.get('/api/v1/performance/daily');
      expect(answer.statusCode, answer.body).toBe(200);
      const body = answer.json();
      expect(body).toMatchObject({ From: '2025-12-22', To: '2026-01-20', TimeZone: 'America/New_York' });
      expect(body.Series.map((s: { Key: string; Currency: string; ProgramName: string }) => [s.Key, s.Currency, s.ProgramName])).toEqual([
        [`program-${cad.id}`, 'CAD', 'Outdoor CA'],
        [`program-${usd.id}`, 'USD', 'Outdoor US'],
      ]);
      const us = body.Series[1];
      expect(us.Days).toHaveLength(30);
      expect(us.Days[0]).toEqual({ Date: '2025-12-22', Actions: 0, Amount: '0.00', Payout: '0.00' });
      const day = (date: string) => us.Days.find((d: { Date: string }) => d.Date === date);
      // 14:00Z and 03:00Z the next morning are both 15 January in New York.
      expect(day('2026-01-15')).toEqual({ Date: '2026-01-15', Actions: 2, Amount: '120.50', Payout: '12.05' });
      expect(day('2026-01-16')).toEqual({ Date: '2026-01-16', Actions: 0, Amount: '0.00', Payout: '0.00' });
      // The 999.00 sale of the 17th was reversed: it pays nothing and is left out.
      expect(day('2026-01-17')).toEqual({ Date: '2026-01-17', Actions: 1, Amount: '300.00', Payout: '30.00' });
      expect(us.Totals).toEqual({ Actions: 3, Amount: '420.50', Payout: '42.05' });
      expect(body.Series[0].Totals).toEqual({ Actions: 1, Amount: '40.00', Payout: '4.00' });

      // One program, a range of three days.
      const one = (await brandClient.get(`/api/v1/performance/daily?programId=${usd.id}&from=2026-01-15&to=2026-01-17`)).json();
      expect(one.Series).toHaveLength(1);
      expect(one.Series[0].Days.map((d: { Date: string; Actions: number }) => [d.Date, d.Actions])).toEqual([
        ['2026-01-15', 2],
        ['2026-01-16', 0],
        ['2026-01-17', 1],
      ]);
    } finally {
      await t.close();
    }
  });

  it('ranks a brand’s partners by payout per currency, and a partner’s brands; each sees only its own', async () => {
    const { t, brand, partner, second, brandClient, otherClient, partnerClient, secondClient } = await setup();
    try {
      const top = (await brandClient.get('/api/v1/performance/top-partners?from=2026-01-01&to=2026-01-20')).json();
      expect(top.Items).toEqual([
        { MediaPartnerId: partner.id, MediaPartnerName: expect.stringMatching(/^Trail /), Currency: 'CAD', Actions: 1, Amount: '40.00', Payout: '4.00' },
        { MediaPartnerId: second.id, MediaPartnerName: expect.stringMatching(/^Summit /), Currency: 'USD', Actions: 1, Amount: '300.00', Payout: '30.00' },
        { MediaPartnerId: partner.id, MediaPartnerName: expect.stringMatching(/^Trail /), Currency: 'USD', Actions: 2, Amount: '120.50', Payout: '12.05' },
      ]);
      const limited = (await brandClient.get('/api/v1/performance/top-partners?from=2026-01-01&to=2026-01-20&limit=1')).json();
      expect(limited.Items.map((i: { Currency: string; MediaPartnerId: number }) => [i.Currency, i.MediaPartnerId])).toEqual([
        ['CAD', partner.id],
        ['USD', second.id],
      ]);

      // The partner's earnings per currency per day (Denver), and by brand.
      const earned = (await partnerClient.get('/api/v1/performance/daily?by=currency&from=2026-01-15&to=2026-01-18')).json();
      expect(earned.TimeZone).toBe('America/Denver');
      expect(earned.Series.map((s: { Key: string; Totals: unknown }) => [s.Key, s.Totals])).toEqual([
        ['CAD', { Actions: 1, Amount: '40.00', Payout: '4.00' }],
        ['EUR', { Actions: 1, Amount: '80.00', Payout: '8.00' }],
        ['USD', { Actions: 2, Amount: '120.50', Payout: '12.05' }],
      ]);
      const byBrand = (await partnerClient.get('/api/v1/performance/by-brand?from=2026-01-15&to=2026-01-18')).json();
      expect(byBrand.Items.map((i: { BrandId: number; Currency: string; Payout: string }) => [i.BrandId === brand.id ? 'brand' : 'other', i.Currency, i.Payout])).toEqual([
        ['brand', 'CAD', '4.00'],
        ['other', 'EUR', '8.00'],
        ['brand', 'USD', '12.05'],
      ]);

      // The other brand sees its own only, and naming A's program narrows its own actions to nothing.
      const mine = (await otherClient.get('/api/v1/performance/daily?from=2026-01-15&to=2026-01-20')).json();
      expect(mine.Series.map((s: { Currency: string; Totals: { Payout: string } }) => [s.Currency, s.Totals.Payout])).toEqual([['EUR', '8.00']]);
      expect((await otherClient.get('/api/v1/performance/top-partners?from=2026-01-15&to=2026-01-20')).json().Items).toHaveLength(1);
      const theirs = await otherClient.get(`/api/v1/performance/daily?programId=${brand.id}&from=2026-01-15&to=2026-01-20`);
      expect(theirs.json().Series).toEqual([]);
      const secondEarned = (await secondClient.get('/api/v1/performance/by-brand?from=2026-01-15&to=2026-01-20')).json();
      expect(secondEarned.Items.map((i: { Payout: string }) => i.Payout)).toEqual(['30.00']);

      // Each side's own route only.
      expectProblem(await partnerClient.get('/api/v1/performance/top-partners'), 403, /brand account/);
      expectProblem(await brandClient.get('/api/v1/performance/by-brand'), 403, /partner account/);
    } finally {
      await t.close();
    }
  });

  it('refuses bad ranges and parameters with a 400 naming them', async () => {
    const { t, brandClient } = await setup();
    try {
      expectProblem(await brandClient.get('/api/v1/performance/daily?from=2026-01-10&to=2026-01-01'), 400, /after to/);
      expectProblem(await brandClient.get('/api/v1/performance/daily?from=2024-01-01&to=2026-01-01'), 400, /at most 366/);
      expectProblem(await brandClient.get('/api/v1/performance/daily?from=2026-02-30'), 400);
      expectProblem(await brandClient.get('/api/v1/performance/daily?from=yesterday'), 400);
      expectProblem(await brandClient.get('/api/v1/performance/daily?programId=abc'), 400);
      expectProblem(await brandClient.get('/api/v1/performance/daily?by=partner'), 400);
      expectProblem(await brandClient.get('/api/v1/performance/daily?currency=USD'), 400);
      expectProblem(await brandClient.get('/api/v1/performance/top-partners?limit=0'), 400);
      expectProblem(await brandClient.get('/api/v1/performance/top-partners?limit=51'), 400);
    } finally {
      await t.close();
    }
  });
});
