import { afterEach, beforeEach, expect, it } from 'vitest';
import { Client, makeAccount, startTestApp, TEST_PASSWORD, type TestApp } from '../support/app.js';
import { apiRoutesOf, countRows, expectOk, expectProblem, sessionClient } from '../support/api-helpers.js';
import { describeDb } from '../support/db.js';


describeDb('api system endpoints', (db) => {
  let t: TestApp;
  beforeEach(async () => {
    t = await startTestApp(db());
  });
  afterEach(async () => t.close());

  const get = (url: string) => t.app.inject({ method: 'GET', url });

  it('/health answers 200 with the database kind', async () => {
    const response = await get('/health');
    expect(expectOk(response)).toEqual({ status: 'ok', database: db().kind });
    expect(response.headers['content-type']).toMatch(/^application\/json/);
  });

  it('/metrics answers Prometheus text with the request duration histogram', async () => {
    expect((await get('/api/v1/me')).statusCode).toBe(401);
    const response = await get('/metrics');
    expect(response.statusCode).toBe(200);
    expect(response.headers['content-type']).toMatch(/^text\/plain; version=0\.0\.4/);
    expect(response.body).toContain('# TYPE lockstep_http_request_duration_seconds histogram');
    expect(response.body).toMatch(/lockstep_http_request_duration_seconds_count\{[^}]*route="\/api\/v1\/me"[^}]*status="401"[^}]*\} [1-9]/);
    expect(response.body).toMatch(/lockstep_http_request_duration_seconds_bucket\{le="0\.001"/);
  });

  it('/docs/json is an OpenAPI 3.1 document with every /api/v1 route', async () => {
    const doc = expectOk(await get('/docs/json'));
    expect(doc.openapi).toBe('3.1.0');
    expect(doc.info.title).toBe('Lockstep API');
    expect(doc.components.securitySchemes.basicAuth).toEqual({ type: 'http', scheme: 'basic' });
    const documented = new Set<string>();
    for (const [path, operations] of Object.entries(doc.paths as Record<string, Record<string, unknown>>)) {
      for (const method of Object.keys(operations)) documented.add(`${method.toUpperCase()} ${path.replace(/\{[^}]+\}/g, ':')}`);
    }
    const routes = apiRoutesOf(t.app).filter((r) => r.method !== 'HEAD');
    expect(routes.length).toBeGreaterThan(20);
    // The command line's calls to a running server (routes/admin.ts) are left out of /docs by design.
    const undocumented = routes
      .filter((r) => !r.normalized.startsWith('/api/v1/admin/'))
      .map((r) => `${r.method} ${r.normalized}`)
      .filter((key) => !documented.has(key));
    expect(undocumented).toEqual([]);
    expect(documented).toContain('POST /api/v1/contracts/:/expire');
    // Every documented operation says how it fails, in problem JSON.
    const expire = doc.paths['/api/v1/contracts/{id}/expire'].post;
    expect(Object.keys(expire.responses)).toEqual(expect.arrayContaining(['200', '400', '401', '403', '404', '409']));
  });

  it('/docs serves the HTML documentation page', async () => {
    let response = await get('/docs');
    if (response.statusCode >= 300 && response.statusCode < 400) response = await get(String(response.headers.location));
    expect(response.statusCode).toBe(200);
    expect(response.headers['content-type']).toMatch(/^text\/html/);
    expect(response.body).toMatch(/<html/i);
    expect(response.body).toMatch(/swagger/i);
  });

  it('answers an unknown /api route with a 404 problem, logged in or not', async () => {
    const brand = await makeAccount(t.ctx, 'BRAND');
    const client = await sessionClient(t, brand.adminUserId);
    const loggedIn = await client.get('/api/v1/no-such-thing?x=1');
    expectProblem(loggedIn, 404, 'No route GET /api/v1/no-such-thing.');
    expect(loggedIn.json()).toMatchObject({ type: 'https://lockstep.dev/problems/not-found', title: 'Not found' });
    expectProblem(await client.post('/api/v1/programs/1/nothing', {}), 404, 'No route POST /api/v1/programs/1/nothing.');
    // Without credentials the answer is the same 404: the route does not exist for anyone.
    expectProblem(await get('/api/v1/no-such-thing'), 404, 'No route GET /api/v1/no-such-thing.');
  });

  it('answers a URL with broken percent-encoding with a 400 problem (and a tracking link with its error page)', async () => {
    const response = await get('/api/v1/links/%zz');
    expectProblem(response, 400, "'/api/v1/links/%zz' is not a valid url component");
    const click = await get('/c/ab%E2%28cd');
    expect(click.statusCode).toBe(404);
    expect(click.headers['content-type']).toMatch(/^text\/html/);
    expect(click.body).toContain('Link not found');
  });

  it('answers a malformed JSON body with a 400 problem and logs nobody in', async () => {
    const response = await t.app.inject({
      method: 'POST',
      url: '/api/v1/session',
      headers: { 'content-type': 'application/json' },
      payload: '{"email": "a@example.test", "password": ',
    });
    expectProblem(response, 400, 'The request body is not valid JSON');
    expect(await countRows(t.ctx.db, 'select * from sessions')).toBe(0);
  });

  it('answers an empty JSON body with a 400 problem', async () => {
    const response = await t.app.inject({
      method: 'POST',
      url: '/api/v1/session',
      headers: { 'content-type': 'application/json' },
      payload: '',
    });
    expectProblem(response, 400, 'The request body is empty; send a JSON object.');
  });

  it('answers a body in another media type with a 415 problem', async () => {
    const brand = await makeAccount(t.ctx, 'BRAND');
    const client = await sessionClient(t, brand.adminUserId);
    const response = await client.request({
      method: 'POST',
      url: '/api/v1/programs',
      headers: { 'content-type': 'application/xml' },
      payload: '<program/>',
    });
    expectProblem(response, 415, 'Send the request body as application/json.');
    expect(await countRows(t.ctx.db, 'select * from programs')).toBe(0);
  });

  it('answers a body over BODY_LIMIT_BYTES with a 413 problem and stores nothing', async () => {
    const small = await startTestApp(db(), { bodyLimitBytes: 1000 });
    try {
      const brand = await makeAccount(small.ctx, 'BRAND');
      const client = await sessionClient(small, brand.adminUserId);
      const response = await client.post('/api/v1/programs', { Name: 'x'.repeat(1200), Currency: 'USD', TimeZone: 'UTC' });
      expectProblem(response, 413, 'The request body is larger than this endpoint accepts.');
      expect(await countRows(small.ctx.db, 'select * from programs')).toBe(0);
      const login = await small.app.inject({
        method: 'POST',
        url: '/api/v1/session',
        payload: { Email: brand.adminEmail, Password: TEST_PASSWORD, Padding: 'x'.repeat(2000) },
      });
      expectProblem(login, 413);
      // A body under the limit still works.
      expectOk(await client.post('/api/v1/programs', { Name: 'Small', Currency: 'USD', TimeZone: 'UTC' }), 201);
    } finally {
      await small.close();
    }
  });

  it('rate-limits: the request over RATE_LIMIT_MAX is a 429 problem with retry-after and rate-limit headers', async () => {
    const limited = await startTestApp(db(), { rateLimitMax: 3 });
    try {
      const client = new Client(limited.app);
      const first = await client.get('/api/v1/me');
      expect(first.statusCode).toBe(401);
      expect(first.headers['x-ratelimit-limit']).toBe('3');
      expect(first.headers['x-ratelimit-remaining']).toBe('2');
      expect((await client.get('/api/v1/me')).headers['x-ratelimit-remaining']).toBe('1');
      expect((await client.get('/api/v1/account')).headers['x-ratelimit-remaining']).toBe('0');
      const fourth = await client.get('/api/v1/me');
      expectProblem(fourth, 429, 'Rate limit of 3 requests per');
      expect(fourth.json()).toMatchObject({ type: 'https://lockstep.dev/problems/rate-limited', title: 'Too many requests' });
      expect(Number(fourth.headers['retry-after'])).toBeGreaterThan(0);
      expect(fourth.headers['x-ratelimit-limit']).toBe('3');
      expect(fourth.headers['x-ratelimit-remaining']).toBe('0');
      // Health checks and metrics scraping are never rate-limited.
      expect((await limited.app.inject({ method: 'GET', url: '/health' })).statusCode).toBe(200);
      expect((await limited.app.inject({ method: 'GET', url: '/metrics' })).statusCode).toBe(200);
    } finally {
      await limited.close();
    }
  });

  it('rate-limits logins separately (LOGIN_RATE_LIMIT_MAX), below the general limit', async () => {
    const limited = await startTestApp(db(), { loginRateLimitMax: 3 });
    try {
      const brand = await makeAccount(limited.ctx, 'BRAND');
      const attempts = [];
      for (let i = 0; i < 4; i++) {
        attempts.push(
          await limited.app.inject({ method: 'POST', url: '/api/v1/session', payload: { Email: brand.adminEmail, Password: 'wrong-password' } }),
        );
      }
      expect(attempts.slice(0, 3).map((r) => r.statusCode)).toEqual([401, 401, 401]);
      expectProblem(attempts[3]!, 429, 'Rate limit of 3 requests per');
      expect(attempts[3]!.headers['x-ratelimit-limit']).toBe('3');
      expect(Number(attempts[3]!.headers['retry-after'])).toBeGreaterThan(0);
      // Other routes are still answered: the login limit is its own.
      expect((await limited.app.inject({ method: 'GET', url: '/api/v1/me' })).statusCode).toBe(401);
    } finally {
      await limited.close();
    }
  });
});
