import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { migrate } from '../../src/db/migrate.js';
import {
  isHostAllowed,
  MAX_LANDING_DOMAINS,
  normalizeLandingDomainOrThrow,
  normalizeLandingDomainsOrThrow,
} from '../../src/modules/programs/landing-domains.js';
import { dumpDb, expectDbUnchanged, expectOk, expectProblem } from '../support/api-helpers.js';
import { logInClient, makeAccount, startTestApp, type Client, type TestApp } from '../support/app.js';
import { describeDb } from '../support/db.js';
import { makeContract, makeProgram } from '../support/programs.js';
import { clickRows, createLinkOk, makeTrackingWorld, type TrackingWorld } from './support.js';

describe('landing domain entries', () => {
  it.each([
    ['shop.example.com', 'shop.example.com'],
    ['  SHOP.Example.COM  ', 'shop.example.com'],
    ['shop.example.com.', 'shop.example.com'],
    ['*.Example.com', '*.example.com'],
    ['*.a.b.example.com', '*.a.b.example.com'],
    ['bücher.example', 'xn--bcher-kva.example'],
    ['*.bücher.example', '*.xn--bcher-kva.example'],
    ['localhost', 'localhost'],
    ['203.0.113.9', '203.0.113.9'],
    ['[2001:DB8::1]', '[2001:db8::1]'],
    ['my_shop.example', 'my_shop.example'],
  ])('%j is written %j', (raw, normalized) => {
    expect(normalizeLandingDomainOrThrow(raw)).toBe(normalized);
  });

  it.each([
    ['', /is empty/],
    ['   ', /is empty/],
    ['*', /would allow every site/],
    ['*.', /would allow every site/],
    ['*.com', /would allow every site under \.com; name the brand's own domain, like \*\.example\.com/],
    ['*.xn--p1ai', /would allow every site under \.xn--p1ai/],
    ['https://shop.example.com/page', /is a URL; write only its host name: shop\.example\.com/],
    ['shop.example.com/page', /host name only/],
    ['shop.example.com?x=1', /host name only/],
    ['user@shop.example.com', /host name only/],
    ['shop example.com', /host name only/],
    ['shop.example.com:8080', /must not contain a port/],
    ['*.*.example.com', /wildcard may only be the whole first label/],
    ['shop*.example.com', /wildcard may only be the whole first label/],
    ['shop.*.example.com', /wildcard may only be the whole first label/],
    ['*.203.0.113.9', /not an IP address/],
    ['*.[::1]', /not an IP address/],
    ['a..example.com', /not a valid host name/],
    ['-shop.example.com', /not a valid host name/],
    ['shop!.example.com', /not a valid host name/],
    [`${'a'.repeat(64)}.example.com`, /not a valid host name/],
    [`${'a.'.repeat(127)}com`, /characters long/],
    ['shop%2Fevil.example', /not a valid host name/],
  ])('refuses %j', (raw, message) => {
    expect(() => normalizeLandingDomainOrThrow(raw)).toThrow(message);
  });

  it('a list: entries normalized, duplicates dropped, the first kept, bounded, each refusal naming its position', () => {
    expect(normalizeLandingDomainsOrThrow(['Shop.example', '*.Shop.example', 'shop.example.', 'SHOP.EXAMPLE'])).toEqual(['shop.example', '*.shop.example']);
    expect(normalizeLandingDomainsOrThrow([])).toEqual([]);
    const fifty = Array.from({ length: MAX_LANDING_DOMAINS }, (_, i) => `s${i}.example.com`);
    expect(normalizeLandingDomainsOrThrow(fifty)).toHaveLength(50);
    expect(() => normalizeLandingDomainsOrThrow([...fifty, 'one-more.example.com'])).toThrow(/51 landing domains were given; at most 50/);
    expect(() => normalizeLandingDomainsOrThrow(['shop.example', 'https://evil.example/'])).toThrow(/^Landing domain 2 "https:\/\/evil\.example\/" is a URL/);
  });

  it.each([
    // [host, domains, allowed]
    ['shop.example.com', ['shop.example.com'], true],
    ['www.shop.example.com', ['shop.example.com'], false],
    ['example.com', ['shop.example.com'], false],
    ['shop.example.com', ['*.example.com'], true],
    ['a.b.example.com', ['*.example.com'], true],
    // The wildcard does not match the bare domain: list both to allow both.
    ['example.com', ['*.example.com'], false],
    ['example.com', ['*.example.com', 'example.com'], true],
    ['notexample.com', ['*.example.com'], false],
    ['example.com.evil.test', ['*.example.com'], false],
    ['evil-example.com', ['example.com', '*.example.com'], false],
    ['shop.example.com', [], false],
  ])('host %j under %j: %s', (host, domains, allowed) => {
    expect(isHostAllowed(host, domains)).toBe(allowed);
  });
});

const VALID_PROGRAM = { Name: 'Domains', Currency: 'USD', TimeZone: 'America/New_York' };

describeDb('landing domains through the API and the click path', (db) => {
  let t: TestApp;
  beforeEach(async () => {
    t = await startTestApp(db(), { linkCacheTtlMs: 0 });
  });
  afterEach(async () => t.close());

  async function brandClientOf(w: TrackingWorld): Promise<Client> {
    return (await logInClient(t.app, w.brand.adminEmail)).withAccount(w.brand.id);
  }

  async function setDomains(client: Client, programId: number, landingDomains: string[]) {
    return expectOk(await client.patch(`/api/v1/programs/${programId}`, { LandingDomains: landingDomains }));
  }

  const click = (path: string) => t.app.inject({ method: 'GET', url: path });

  // ---------------------------------------------------------------------------
  // Programs
  // ---------------------------------------------------------------------------

  it("a new program's landing domains default to its website's host; the brand may name them instead", async () => {
    const brand = await makeAccount(t.ctx, 'BRAND');
    const client = (await logInClient(t.app, brand.adminEmail)).withAccount(brand.id);
    const withWebsite = expectOk(await client.post('/api/v1/programs', { ...VALID_PROGRAM, WebsiteUrl: 'HTTPS://Shop.Example.com' }), 201);
    expect(withWebsite).toMatchObject({ WebsiteUrl: 'https://shop.example.com/', LandingDomains: ['shop.example.com'] });
    const named = expectOk(
      await client.post('/api/v1/programs', {
        ...VALID_PROGRAM,
        WebsiteUrl: 'https://www.example.com/',
        LandingDomains: ['example.com', '*.Example.com', 'example.com'],
      }),
      201,
    );
    expect(named).toMatchObject({ WebsiteUrl: 'https://www.example.com/', LandingDomains: ['example.com', '*.example.com'] });
    expect(expectOk(await client.get(`/api/v1/programs/${named.Id}`))).toEqual(named);
    const none = expectOk(await client.post('/api/v1/programs', VALID_PROGRAM), 201);
    expect(none).toMatchObject({ WebsiteUrl: null, LandingDomains: [] });
    const { rows } = await t.ctx.db.query<{ landing_domains: string[] }>('select landing_domains from programs where id = $1', [named.Id]);
    expect(rows[0]!.landing_domains).toEqual(['example.com', '*.example.com']);
  });

  it.each([
    ['a bare wildcard', { LandingDomains: ['*'] }, 'Landing domain 1 "*" would allow every site'],
    ['a public-suffix wildcard', { LandingDomains: ['shop.example', '*.com'] }, 'Landing domain 2 "*.com" would allow every site under .com'],
    ['a URL', { LandingDomains: ['https://shop.example/'] }, 'is a URL; write only its host name: shop.example'],
    ['a port', { LandingDomains: ['shop.example:443'] }, 'must not contain a port'],
    ['a path', { LandingDomains: ['shop.example/tents'] }, 'host name only'],
    ['an empty entry', { LandingDomains: [''] }, 'Landing domain 1 is empty'],
    ['51 domains', { LandingDomains: Array.from({ length: 51 }, (_, i) => `s${i}.example`) }, 'at most 50 are allowed'],
    ['a number as domain', { LandingDomains: [42] }, 'body.LandingDomains.0'],
    ['a string instead of a list', { LandingDomains: 'shop.example' }, 'body.LandingDomains'],
    ['a website that is not a URL', { WebsiteUrl: 'shop.example' }, 'The website URL "shop.example" is not an absolute URL'],
    ['a javascript: website', { WebsiteUrl: 'javascript:alert(1)' }, 'must start with http:// or https://'],
    ['a website with a password', { WebsiteUrl: 'https://u:p@shop.example/' }, 'must not contain a user name or password'],
  ])('refuses %s with a 400 that says what is wrong, on create and on change', async (_name, fields, detail) => {
    const w = await makeTrackingWorld(t.app, t.ctx);
    const client = await brandClientOf(w);
    const before = await dumpDb(t.ctx.db);
    expectProblem(await client.post('/api/v1/programs', { ...VALID_PROGRAM, ...fields }), 400, detail);
    expectProblem(await client.patch(`/api/v1/programs/${w.program.id}`, fields), 400, detail);
    await expectDbUnchanged(t.ctx.db, before);
  });

  it('a change replaces the list; a website set on a program with no domain yet brings its host; null clears the website', async () => {
    const brand = await makeAccount(t.ctx, 'BRAND');
    const client = (await logInClient(t.app, brand.adminEmail)).withAccount(brand.id);
    const program = expectOk(await client.post('/api/v1/programs', VALID_PROGRAM), 201);
    const patch = (body: object) => client.patch(`/api/v1/programs/${program.Id}`, body);
    expect(expectOk(await patch({ WebsiteUrl: 'https://www.example.com/shop' }))).toMatchObject({
      WebsiteUrl: 'https://www.example.com/shop',
      LandingDomains: ['www.example.com'],
    });
    // A list the brand has: a new website leaves it as it is.
    expect(expectOk(await patch({ WebsiteUrl: 'https://other.example/' }))).toMatchObject({ LandingDomains: ['www.example.com'] });
    expect(expectOk(await patch({ LandingDomains: ['*.example.com', 'example.com'] }))).toMatchObject({
      WebsiteUrl: 'https://other.example/',
      LandingDomains: ['*.example.com', 'example.com'],
    });
    expect(expectOk(await patch({ Name: 'Renamed' }))).toMatchObject({ Name: 'Renamed', LandingDomains: ['*.example.com', 'example.com'] });
    expect(expectOk(await patch({ WebsiteUrl: null }))).toMatchObject({ WebsiteUrl: null, LandingDomains: ['*.example.com', 'example.com'] });
    expect(expectOk(await patch({ LandingDomains: [] }))).toMatchObject({ LandingDomains: [] });
    const audit = await t.ctx.db.query<{ detail: { after: { landingDomains?: string[] } } }>(
      `select detail from audit_events where action = 'program.updated' and subject = $1 order by id`,
      [`program:${program.Id}`],
    );
    expect(audit.rows.map((row) => row.detail.after.landingDomains ?? null)).toEqual([
      ['www.example.com'],
      null,
      ['*.example.com', 'example.com'],
      null,
      null,
      [],
    ]);
  });

  it('partners see the landing domains of the programs they can join; another brand cannot change them (404, nothing changed)', async () => {
    const w = await makeTrackingWorld(t.app, t.ctx);
    const seen = expectOk(await w.partnerClient.get(`/api/v1/programs/${w.program.id}`));
    expect(seen).toMatchObject({ WebsiteUrl: 'https://shop.example/', LandingDomains: ['shop.example'] });
    expect((expectOk(await w.partnerClient.get('/api/v1/programs')) as Array<{ Id: number }>).find((p) => p.Id === w.program.id)).toMatchObject({
      LandingDomains: ['shop.example'],
    });
    const other = await makeAccount(t.ctx, 'BRAND');
    const otherClient = (await logInClient(t.app, other.adminEmail)).withAccount(other.id);
    const before = await dumpDb(t.ctx.db);
    expectProblem(await otherClient.patch(`/api/v1/programs/${w.program.id}`, { LandingDomains: ['evil.example'] }), 404);
    expectProblem(await w.partnerClient.patch(`/api/v1/programs/${w.program.id}`, { LandingDomains: ['evil.example'] }), 403);
    await expectDbUnchanged(t.ctx.db, before);
  });

  // ---------------------------------------------------------------------------
  // Creating links
  // ---------------------------------------------------------------------------

  it('refuses a link outside the allowed domains with a 400 naming them, and stores nothing', async () => {
    const w = await makeTrackingWorld(t.app, t.ctx);
    await setDomains(await brandClientOf(w), w.program.id, ['shop.example', '*.brand.example']);
    const before = await dumpDb(t.ctx.db);
    const response = await w.partnerClient.post('/api/v1/links', { CampaignId: w.program.id, LandingUrl: 'https://evil.example/phish' });
    const problem = expectProblem(
      response,
      400,
      `The landing URL's host evil.example is not among the allowed landing domains of program ${w.program.id}: shop.example, *.brand.example. Link to a page on one of them, or ask the brand to add the domain.`,
    );
    // A problem's extension members are camelCase, like its standard ones.
    expect(problem).toMatchObject({ landingDomains: ['shop.example', '*.brand.example'] });
    await expectDbUnchanged(t.ctx.db, before);
  });

  it.each([
    ['https://shop.example/p', true],
    ['http://shop.example:8080/p', true], // scheme and port are not part of an entry
    ['https://SHOP.example./p', true],
    ['https://www.shop.example/p', false], // an exact host covers no subdomain
    ['https://brand.example/p', false], // *.brand.example is not brand.example itself
    ['https://eu.brand.example/p', true],
    ['https://a.b.brand.example/p', true],
    ['https://brand.example.evil.test/p', false],
    ['https://xn--bcher-kva.example/p', true],
    ['https://BÜCHER.example/p', true], // IDNA: the same host as its punycode entry
    ['https://203.0.113.9/p', false],
  ])('a link to %s is allowed: %s', async (landingUrl, allowed) => {
    const w = await makeTrackingWorld(t.app, t.ctx);
    await setDomains(await brandClientOf(w), w.program.id, ['shop.example', '*.brand.example', 'bücher.example']);
    const response = await w.partnerClient.post('/api/v1/links', { CampaignId: w.program.id, LandingUrl: landingUrl });
    if (allowed) expect(response.statusCode, response.body).toBe(201);
    else expectProblem(response, 400, 'is not among the allowed landing domains');
  });

  it('a program that allows no domain refuses every link, saying the brand has to set them', async () => {
    const w = await makeTrackingWorld(t.app, t.ctx);
    await setDomains(await brandClientOf(w), w.program.id, []);
    const response = await w.partnerClient.post('/api/v1/links', { CampaignId: w.program.id, LandingUrl: 'https://shop.example/' });
    expectProblem(response, 400, `Program ${w.program.id} allows no landing domains yet, so no tracking link can be made for it`);
  });

  // ---------------------------------------------------------------------------
  // Existing links
  // ---------------------------------------------------------------------------

  it('an existing link the new domains leave out answers "Link not found" and records nothing; allowed again, it redirects again', async () => {
    const w = await makeTrackingWorld(t.app, t.ctx);
    const brand = await brandClientOf(w);
    const link = await createLinkOk(w.partnerClient, w.program.id, 'https://shop.example/secret-landing?x=1');
    expect((await click(`/c/${link.Code}`)).statusCode).toBe(302);

    await setDomains(brand, w.program.id, ['www.shop.example', '*.shop.example']);
    const refused = await click(`/c/${link.Code}`);
    expect(refused.statusCode).toBe(404);
    expect(refused.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(refused.headers.location).toBeUndefined();
    expect(refused.body).toContain('Link not found');
    // The page is static text: nothing tells the visitor where the link led.
    expect(refused.body).not.toContain('shop.example');
    expect(refused.body).not.toContain('secret-landing');
    const head = await t.app.inject({ method: 'HEAD', url: `/c/${link.Code}` });
    expect(head.statusCode).toBe(404);
    expect(head.headers.location).toBeUndefined();
    expect(await clickRows(t.ctx, link.Id)).toHaveLength(1);
    // The partner sees why its link stopped.
    expect(expectOk(await w.partnerClient.get(`/api/v1/links/${link.Id}`))).toMatchObject({ Status: 'ACTIVE', LandingAllowed: false });
    expect(expectOk(await brand.get(`/api/v1/links/${link.Id}`))).toMatchObject({ LandingAllowed: false });

    await setDomains(brand, w.program.id, ['shop.example']);
    const again = await click(`/c/${link.Code}`);
    expect(again.statusCode).toBe(302);
    expect(String(again.headers.location)).toMatch(/^https:\/\/shop\.example\/secret-landing\?x=1&lsclickid=[0-9A-Za-z]{22}$/);
    expect(await clickRows(t.ctx, link.Id)).toHaveLength(2);
    expect(expectOk(await w.partnerClient.get(`/api/v1/links/${link.Id}`))).toMatchObject({ LandingAllowed: true, ClickCount: 2 });
  });

  it('over a real socket (the fast path in front of Fastify): the same refusal, nothing recorded, then redirects again', async () => {
    const w = await makeTrackingWorld(t.app, t.ctx);
    const brand = await brandClientOf(w);
    const link = await createLinkOk(w.partnerClient, w.program.id, 'https://shop.example/p');
    const address = await t.app.listen({ port: 0, host: '127.0.0.1' });
    const get = (path: string) => fetch(`${address}${path}`, { redirect: 'manual' });

    expect((await get(`/c/${link.Code}`)).status).toBe(302);
    await setDomains(brand, w.program.id, ['*.shop.example']);
    const refused = await get(`/c/${link.Code}?utm=x`);
    expect(refused.status).toBe(404);
    expect(refused.headers.get('location')).toBeNull();
    expect(refused.headers.get('content-security-policy')).toMatch(/^default-src 'none'/);
    const page = await refused.text();
    expect(page).toContain('Link not found');
    expect(page).not.toContain('shop.example');
    expect(await clickRows(t.ctx, link.Id)).toHaveLength(1);

    await setDomains(brand, w.program.id, ['*.shop.example', 'shop.example']);
    const again = await get(`/c/${link.Code}`);
    expect(again.status).toBe(302);
    expect(again.headers.get('location')).toMatch(/^https:\/\/shop\.example\/p\?lsclickid=/);
    expect(await clickRows(t.ctx, link.Id)).toHaveLength(2);
  });

  it('a closed partner is still "This link has expired", whatever the domains', async () => {
    const w = await makeTrackingWorld(t.app, t.ctx);
    const link = await createLinkOk(w.partnerClient, w.program.id);
    await setDomains(await brandClientOf(w), w.program.id, []);
    await t.ctx.db.query(`update accounts set status = 'CLOSED', closed_at = now() where id = $1`, [w.partner.id]);
    expect((await click(`/c/${link.Code}`)).statusCode).toBe(410);
    expect(await clickRows(t.ctx)).toEqual([]);
  });

  it('on an instance that cached the link, the change takes effect within LINK_CACHE_TTL_MS', async () => {
    const cached = await startTestApp(db(), { linkCacheTtlMs: 300 });
    try {
      const w = await makeTrackingWorld(t.app, t.ctx);
      const link = await createLinkOk(w.partnerClient, w.program.id);
      const clickThere = (path: string) => cached.app.inject({ method: 'GET', url: path });
      expect((await clickThere(`/c/${link.Code}`)).statusCode).toBe(302); // now cached there
      await setDomains(await brandClientOf(w), w.program.id, ['other.example']);
      await new Promise((resolve) => setTimeout(resolve, 350));
      expect((await clickThere(`/c/${link.Code}`)).statusCode).toBe(404);
      expect(await clickRows(t.ctx, link.Id)).toHaveLength(1);
    } finally {
      await cached.close();
    }
  });

  // ---------------------------------------------------------------------------
  // The upgrade
  // ---------------------------------------------------------------------------

  it("migration 0005 allows each existing program exactly its links' hosts, so every link keeps redirecting", async () => {
    const brand = await makeAccount(t.ctx, 'BRAND');
    const partner = await makeAccount(t.ctx, 'PARTNER');
    const programs = [await makeProgram(t.ctx, brand), await makeProgram(t.ctx, brand), await makeProgram(t.ctx, brand)];
    for (const program of programs) await makeContract(t.ctx, partner, program);
    // Links as they were stored before 0005 (any normalized http(s) URL was accepted).
    const urls: Array<[number, string]> = [
      [0, 'https://shop.example/a'],
      [0, 'http://shop.example:8080/b?x=1'],
      [0, 'https://www.other.example/c#top'],
      [0, 'https://shop.example./d'],
      [1, 'https://[2001:db8::1]:8443/e'],
      [1, 'http://203.0.113.9/f'],
      [1, 'https://xn--bcher-kva.example?q'],
    ];
    const codes: string[] = [];
    for (const [index, url] of urls) {
      const code = `mig${String(codes.length).padStart(9, '0')}`;
      codes.push(code);
      await t.ctx.db.query(
        `insert into tracking_links (code, partner_account_id, program_id, landing_url, created_at) values ($1, $2, $3, $4, now())`,
        [code, partner.id, programs[index]!.id, url],
      );
    }
    // Back to the schema before 0005, then upgrade.
    await t.ctx.db.exec(`alter table programs drop column website_url, drop column landing_domains;
      delete from schema_migrations where id = '0005-landing-domains'`);
    expect(await migrate(t.ctx.db)).toEqual(['0005-landing-domains']);

    const { rows } = await t.ctx.db.query<{ id: number; website_url: string | null; landing_domains: string[] }>(
      'select id, website_url, landing_domains from programs order by id',
    );
    expect(rows).toEqual([
      { id: programs[0]!.id, website_url: null, landing_domains: ['shop.example', 'www.other.example'] },
      { id: programs[1]!.id, website_url: null, landing_domains: ['203.0.113.9', '[2001:db8::1]', 'xn--bcher-kva.example'] },
      { id: programs[2]!.id, website_url: null, landing_domains: [] },
    ]);
    for (const code of codes) expect((await click(`/c/${code}`)).statusCode, code).toBe(302);
  });
});
