import { afterEach, beforeEach, expect, it } from 'vitest';
import { expireContract } from '../../src/modules/contracts/expire-contract.js';
import { describeDb } from '../support/db.js';
import { logInClient, makeAccount, makeOperator, startTestApp, type TestApp } from '../support/app.js';
import { makeContract, makeProgram } from '../support/programs.js';
import { closeAccount, createLinkOk, makeTrackingWorld, type LinkDtoJson } from './support.js';

describeDb('tracking links', (db) => {
  let t: TestApp;
  beforeEach(async () => {
    t = await startTestApp(db(), { publicUrl: 'https://track.example' });
  });
  afterEach(async () => t.close());

  it('a partner under contract creates a link with a random code and the full tracking URL', async () => {
    const w = await makeTrackingWorld(t.app, t.ctx);
    const link = await createLinkOk(w.partnerClient, w.program.id, 'https://shop.example/tents?utm_source=x#top', '  Spring  ');
    expect(link.Code).toMatch(/^[0-9A-Za-z]{12}$/);
    expect(link.TrackingUrl).toBe(`https://track.example/c/${link.Code}`);
    expect(link).toMatchObject({
      CampaignId: w.program.id,
      MediaPartnerId: w.partner.id,
      LandingUrl: 'https://shop.example/tents?utm_source=x#top',
      Label: 'Spring',
      Status: 'ACTIVE',
      ClickCount: 0,
    });
    const second = await createLinkOk(w.partnerClient, w.program.id);
    expect(second.Code).not.toBe(link.Code);
    const audit = await t.ctx.db.query<{ action: string }>(`select action from audit_events where subject = $1`, [`tracking_link:${link.Id}`]);
    expect(audit.rows.map((row) => row.action)).toEqual(['tracking_link.created']);
  });

  it('stores the landing URL in normalized form (host lower-cased, spaces encoded)', async () => {
    const w = await makeTrackingWorld(t.app, t.ctx);
    const link = await createLinkOk(w.partnerClient, w.program.id, 'HTTPS://Shop.Example/a b?q=ü');
    expect(link.LandingUrl).toBe('https://shop.example/a%20b?q=%C3%BC');
  });

  it.each([
    ['javascript:alert(1)', /http:\/\/ or https:\/\//],
    ['JavaScript:alert(document.cookie)//https://shop.example', /http:\/\/ or https:\/\//],
    ['data:text/html,<script>alert(1)</script>', /http:\/\/ or https:\/\//],
    ['ftp://shop.example/file', /http:\/\/ or https:\/\//],
    ['/relative/path', /not an absolute URL/],
    ['shop.example/page', /not an absolute URL/],
    ['//shop.example/page', /not an absolute URL/],
    ['', /not an absolute URL/],
    ['https://', /not an absolute URL/],
    ['https://user:secret@shop.example/', /user name or password/],
    ['https://shop.example/?lsclickid=abc', /lsclickid/],
    [`https://shop.example/?q=${'a'.repeat(2_000)}`, /at most 2000/],
  ])('rejects the landing URL %j with 400', async (landingUrl, message) => {
    const w = await makeTrackingWorld(t.app, t.ctx);
    const response = await w.partnerClient.post('/api/v1/links', { CampaignId: w.program.id, LandingUrl: landingUrl });
    expect(response.statusCode, response.body).toBe(400);
    expect(response.json().detail).toMatch(message);
    const { rows } = await t.ctx.db.query('select id from tracking_links');
    expect(rows).toEqual([]);
  });

  it('accepts a landing URL of exactly 2,000 characters', async () => {
    const w = await makeTrackingWorld(t.app, t.ctx);
    const base = 'https://shop.example/?q=';
    const landingUrl = base + 'a'.repeat(2_000 - base.length);
    const link = await createLinkOk(w.partnerClient, w.program.id, landingUrl);
    expect(link.LandingUrl).toBe(landingUrl);
  });

  it('rejects unknown fields, a missing program id and a label over 200 characters', async () => {
    const w = await makeTrackingWorld(t.app, t.ctx);
    for (const body of [
      { CampaignId: w.program.id, LandingUrl: 'https://shop.example/', Code: 'mine' },
      { LandingUrl: 'https://shop.example/' },
      { CampaignId: w.program.id, LandingUrl: 'https://shop.example/', Label: 'x'.repeat(201) },
    ]) {
      const response = await w.partnerClient.post('/api/v1/links', body);
      expect(response.statusCode, JSON.stringify(body)).toBe(400);
    }
  });

  it('requires an active contract with the program: 403 with a message saying what to do', async () => {
    const w = await makeTrackingWorld(t.app, t.ctx);
    const otherProgram = await makeProgram(t.ctx, w.brand);
    const response = await w.partnerClient.post('/api/v1/links', { CampaignId: otherProgram.id, LandingUrl: 'https://shop.example/' });
    expect(response.statusCode).toBe(403);
    expect(response.json().detail).toMatch(/no active contract with program \d+; accept the program's terms/);
  });

  it("refuses a link to another partner's program (a contract of someone else does not count)", async () => {
    const w = await makeTrackingWorld(t.app, t.ctx);
    const otherBrand = await makeAccount(t.ctx, 'BRAND');
    const otherPartner = await makeAccount(t.ctx, 'PARTNER');
    const theirProgram = await makeProgram(t.ctx, otherBrand);
    await makeContract(t.ctx, otherPartner, theirProgram);
    const response = await w.partnerClient.post('/api/v1/links', { CampaignId: theirProgram.id, LandingUrl: 'https://shop.example/' });
    expect(response.statusCode).toBe(403);
  });

  it('refuses a link once the contract has expired, naming the end date', async () => {
    const w = await makeTrackingWorld(t.app, t.ctx);
    await expireContract(t.ctx, w.partner.actor, w.contractId, {});
    db().clock.advanceMs(1_000);
    const response = await w.partnerClient.post('/api/v1/links', { CampaignId: w.program.id, LandingUrl: 'https://shop.example/' });
    expect(response.statusCode).toBe(403);
    expect(response.json().detail).toMatch(/contract with program \d+ ended on .* \(EXPIRED_BY_PARTNER\)/);
  });

  it("lists each link's effective state: active, contract expired (clicks counted, nothing earned), disabled, partner closed, blocked", async () => {
    const w = await makeTrackingWorld(t.app, t.ctx);
    const brandClient = (await logInClient(t.app, w.brand.adminEmail)).withAccount(w.brand.id);
    const kept = await createLinkOk(w.partnerClient, w.program.id, 'https://shop.example/kept');
    const disabled = await createLinkOk(w.partnerClient, w.program.id, 'https://shop.example/off');
    expect(kept.EffectiveState).toBe('ACTIVE');
    expect((await w.partnerClient.post(`/api/v1/links/${disabled.Id}/disable`)).json()).toMatchObject({ Status: 'DISABLED', EffectiveState: 'DISABLED' });
    const states = async (client = w.partnerClient) => {
      const response = await client.get('/api/v1/links');
      expect(response.statusCode, response.body).toBe(200);
      return Object.fromEntries((response.json().Items as LinkDtoJson[]).map((l) => [l.Id, [l.Status, l.EffectiveState]]));
    };
    expect(await states()).toEqual({ [kept.Id]: ['ACTIVE', 'ACTIVE'], [disabled.Id]: ['DISABLED', 'DISABLED'] });

    // The partner expires its contract: the link still counts clicks, but they earn nothing.
    await expireContract(t.ctx, w.partner.actor, w.contractId, {});
    db().clock.advanceMs(1_000);
    expect(await states()).toEqual({ [kept.Id]: ['ACTIVE', 'CONTRACT_EXPIRED'], [disabled.Id]: ['DISABLED', 'DISABLED'] });
    // The brand reads the same states, and GET /links/:id too.
    expect(await states(brandClient)).toEqual(await states());
    expect((await w.partnerClient.get(`/api/v1/links/${kept.Id}`)).json().EffectiveState).toBe('CONTRACT_EXPIRED');

    // A new contract with the program makes the link earn again; a closed partner's links track nothing.
    await makeContract(t.ctx, w.partner, w.program);
    expect((await states())[kept.Id]).toEqual(['ACTIVE', 'ACTIVE']);
    // Its landing page off the program's landing domains: blocked (visits are refused), until allowed again.
    const { rows } = await t.ctx.db.query<{ landing_domains: string[] }>('select landing_domains from programs where id = $1', [w.program.id]);
    await t.ctx.db.query(`update programs set landing_domains = '{elsewhere.example}' where id = $1`, [w.program.id]);
    expect((await states())[kept.Id]).toEqual(['ACTIVE', 'BLOCKED']);
    await t.ctx.db.query('update programs set landing_domains = $2 where id = $1', [w.program.id, rows[0]!.landing_domains]);
    expect((await states())[kept.Id]).toEqual(['ACTIVE', 'ACTIVE']);
    await closeAccount(t.ctx, w.partner.id);
    expect(await states(brandClient)).toEqual({ [kept.Id]: ['ACTIVE', 'PARTNER_CLOSED'], [disabled.Id]: ['DISABLED', 'DISABLED'] });
  });

  it('accepts a contract that expires in the future (still active today)', async () => {
    const w = await makeTrackingWorld(t.app, t.ctx);
    await expireContract(t.ctx, w.partner.actor, w.contractId, { on: '2026-02-01' });
    await createLinkOk(w.partnerClient, w.program.id);
  });

  it('answers 404 for a program that does not exist', async () => {
    const w = await makeTrackingWorld(t.app, t.ctx);
    const response = await w.partnerClient.post('/api/v1/links', { CampaignId: 987_654, LandingUrl: 'https://shop.example/' });
    expect(response.statusCode).toBe(404);
  });

  it('a brand cannot create links (403), nor can an operator', async () => {
    const w = await makeTrackingWorld(t.app, t.ctx);
    const brandClient = (await logInClient(t.app, w.brand.adminEmail)).withAccount(w.brand.id);
    const response = await brandClient.post('/api/v1/links', { CampaignId: w.program.id, LandingUrl: 'https://shop.example/' });
    expect(response.statusCode).toBe(403);
    expect(response.json().detail).toMatch(/Only a partner account/);
    const operator = await makeOperator(t.ctx);
    const operatorClient = await logInClient(t.app, operator.email);
    expect((await operatorClient.post('/api/v1/links', { CampaignId: w.program.id, LandingUrl: 'https://shop.example/' })).statusCode).toBe(403);
  });

  it('requires authentication', async () => {
    const response = await t.app.inject({ method: 'GET', url: '/api/v1/links' });
    expect(response.statusCode).toBe(401);
  });

  it('lists a partner its own links only, paged and filtered by program', async () => {
    const w = await makeTrackingWorld(t.app, t.ctx);
    const program2 = await makeProgram(t.ctx, w.brand);
    await makeContract(t.ctx, w.partner, program2);
    const a = await createLinkOk(w.partnerClient, w.program.id, 'https://shop.example/a');
    db().clock.advanceMs(1_000);
    const b = await createLinkOk(w.partnerClient, w.program.id, 'https://shop.example/b');
    db().clock.advanceMs(1_000);
    const c = await createLinkOk(w.partnerClient, program2.id, 'https://shop.example/c');

    const other = await makeTrackingWorld(t.app, t.ctx);
    await createLinkOk(other.partnerClient, other.program.id);

    const all = (await w.partnerClient.get('/api/v1/links')).json();
    expect(all.Total).toBe(3);
    expect(all.Items.map((l: LinkDtoJson) => l.Id)).toEqual([c.Id, b.Id, a.Id]);

    const firstPage = (await w.partnerClient.get('/api/v1/links?page=1&pageSize=2&sort=CreatedDate&order=asc')).json();
    expect(firstPage).toMatchObject({ Page: 1, PageSize: 2, Total: 3 });
    expect(firstPage.Items.map((l: LinkDtoJson) => l.Id)).toEqual([a.Id, b.Id]);
    const secondPage = (await w.partnerClient.get('/api/v1/links?page=2&pageSize=2&sort=CreatedDate&order=asc')).json();
    expect(secondPage.Items.map((l: LinkDtoJson) => l.Id)).toEqual([c.Id]);

    const filtered = (await w.partnerClient.get(`/api/v1/links?programId=${program2.id}`)).json();
    expect(filtered.Items.map((l: LinkDtoJson) => l.Id)).toEqual([c.Id]);

    expect((await w.partnerClient.get('/api/v1/links?sort=LandingUrl; drop table clicks')).statusCode).toBe(400);
    expect((await w.partnerClient.get('/api/v1/links?pageSize=501')).statusCode).toBe(400);
    expect((await w.partnerClient.get(`/api/v1/links/${a.Id}`)).json().Id).toBe(a.Id);
    expect((await other.partnerClient.get(`/api/v1/links/${a.Id}`)).statusCode).toBe(404);
  });

  it('shows a brand only the links to its own programs, read-only', async () => {
    const w = await makeTrackingWorld(t.app, t.ctx);
    const mine = await createLinkOk(w.partnerClient, w.program.id);
    const other = await makeTrackingWorld(t.app, t.ctx);
    // The same partner also promotes the other brand's program: the first brand must not see that link.
    await makeContract(t.ctx, w.partner, other.program);
    await createLinkOk(w.partnerClient, other.program.id);
    await createLinkOk(other.partnerClient, other.program.id);

    const brandClient = (await logInClient(t.app, w.brand.adminEmail)).withAccount(w.brand.id);
    const list = (await brandClient.get('/api/v1/links')).json();
    expect(list.Total).toBe(1);
    expect(list.Items[0]).toMatchObject({ Id: mine.Id, MediaPartnerId: w.partner.id, CampaignId: w.program.id });
    expect((await brandClient.get(`/api/v1/links?programId=${other.program.id}`)).json().Total).toBe(0);
    const disable = await brandClient.post(`/api/v1/links/${mine.Id}/disable`);
    expect(disable.statusCode).toBe(403);
  });

  it("disables a link; partner B cannot disable partner A's link (404); a second disable is 409", async () => {
    const a = await makeTrackingWorld(t.app, t.ctx);
    const b = await makeTrackingWorld(t.app, t.ctx);
    const link = await createLinkOk(a.partnerClient, a.program.id);

    const byOther = await b.partnerClient.post(`/api/v1/links/${link.Id}/disable`);
    expect(byOther.statusCode).toBe(404);
    expect((await a.partnerClient.get(`/api/v1/links/${link.Id}`)).json().Status).toBe('ACTIVE');

    const disabled = await a.partnerClient.post(`/api/v1/links/${link.Id}/disable`);
    expect(disabled.statusCode).toBe(200);
    expect(disabled.json()).toMatchObject({ Id: link.Id, Status: 'DISABLED', DisabledDate: '2026-01-15T12:00:00.000Z' });
    const again = await a.partnerClient.post(`/api/v1/links/${link.Id}/disable`);
    expect(again.statusCode).toBe(409);
    expect(again.json().detail).toMatch(/cannot be disabled again/);

    expect((await a.partnerClient.get('/api/v1/links?status=DISABLED')).json().Total).toBe(1);
    expect((await a.partnerClient.get('/api/v1/links?status=ACTIVE')).json().Total).toBe(0);
  });

  it('two disables at once: exactly one wins', async () => {
    const w = await makeTrackingWorld(t.app, t.ctx);
    const link = await createLinkOk(w.partnerClient, w.program.id);
    const answers = await Promise.all([1, 2, 3].map(() => w.partnerClient.post(`/api/v1/links/${link.Id}/disable`)));
    expect(answers.map((r) => r.statusCode).sort()).toEqual([200, 409, 409]);
  });
});
