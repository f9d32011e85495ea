import { afterEach, beforeEach, expect, it } from 'vitest';
import { sha256Hex } from '../../src/core/crypto.js';
import {
  addMember,
  basicClient,
  Client,
  logInClient,
  makeAccount,
  makeOperator,
  startTestApp,
  testConfig,
  TEST_PASSWORD,
  type TestApp,
} from '../support/app.js';
import {
  addMembership,
  countRows,
  dumpDb,
  expectDbUnchanged,
  expectOk,
  expectProblem,
  issueToken,
  sessionClient,
} from '../support/api-helpers.js';
import { describeDb } from '../support/db.js';

const LOGIN_FAILED = 'The e-mail or password is not right.';

describeDb('api auth', (db) => {
  let t: TestApp;
  beforeEach(async () => {
    t = await startTestApp(db());
  });
  afterEach(async () => t.close());

  const logIn = (payload: unknown) => t.app.inject({ method: 'POST', url: '/api/v1/session', payload: payload as object });
  const anonymous = () => new Client(t.app);

  // ---------------------------------------------------------------------------
  // Log in, log out, /me
  // ---------------------------------------------------------------------------

  it('logs in with e-mail and password: session cookie, the user and their accounts', async () => {
    const brand = await makeAccount(t.ctx, 'BRAND', { timeZone: 'Europe/Berlin', currency: 'EUR' });
    const response = await logIn({ Email: brand.adminEmail, Password: TEST_PASSWORD });
    const body = expectOk(response);
    expect(body).toEqual({
      User: { Id: brand.adminUserId, Email: brand.adminEmail, Name: 'Admin', IsOperator: false },
      Accounts: [
        { Id: brand.id, Name: expect.any(String), Kind: 'BRAND', Role: 'ADMIN', TimeZone: 'Europe/Berlin', Currency: 'EUR' },
      ],
      // The account the web UI opens (issue 17 item 4): the only one here.
      DefaultAccountId: brand.id,
    });
    const cookie = response.cookies.find((c) => c.name === 'lockstep_session');
    expect(cookie).toBeDefined();
    expect(cookie!.httpOnly).toBe(true);
    expect(cookie!.sameSite).toBe('Strict');
    expect(cookie!.path).toBe('/');
    // The cookie lives exactly as long as the session: SESSION_TTL_HOURS from the clock.
    const ttlMs = testConfig().sessionTtlHours * 3_600_000;
    expect(new Date(cookie!.expires!).getTime()).toBe(Math.floor((db().clock.now().getTime() + ttlMs) / 1000) * 1000);
    // Only a hash of the session secret is stored.
    const { rows } = await t.ctx.db.query<{ id_hash: string; user_id: number }>('select id_hash, user_id from sessions');
    expect(rows).toEqual([{ id_hash: sha256Hex(cookie!.value), user_id: brand.adminUserId }]);

    const me = await new Client(t.app, { cookie: `lockstep_session=${cookie!.value}` }).get('/api/v1/me');
    expect(expectOk(me)).toEqual(body);
  });

  it('finds the login whatever the case of the e-mail', async () => {
    const brand = await makeAccount(t.ctx, 'BRAND');
    const body = expectOk(await logIn({ Email: `  ${brand.adminEmail.toUpperCase()} `, Password: TEST_PASSWORD }));
    expect(body.User.Id).toBe(brand.adminUserId);
  });

  it('gives a wrong password and an unknown e-mail the same 401, and starts no session', async () => {
    const brand = await makeAccount(t.ctx, 'BRAND');
    const before = await dumpDb(t.ctx.db);
    const wrongPassword = await logIn({ Email: brand.adminEmail, Password: 'not-the-password' });
    const unknownEmail = await logIn({ Email: 'nobody@example.test', Password: TEST_PASSWORD });
    const a = expectProblem(wrongPassword, 401, LOGIN_FAILED);
    const b = expectProblem(unknownEmail, 401, LOGIN_FAILED);
    expect(a).toEqual(b);
    expect(wrongPassword.cookies).toEqual([]);
    expect(unknownEmail.cookies).toEqual([]);
    await expectDbUnchanged(t.ctx.db, before);
  });

  it('refuses a disabled user and a user without a password with the same 401', async () => {
    const brand = await makeAccount(t.ctx, 'BRAND');
    const { rows } = await t.ctx.db.query<{ id: number }>(
      `insert into users (email, name) values ('nopassword@example.test', 'No Password') returning id`,
    );
    expect(rows).toHaveLength(1);
    await t.ctx.db.query('update users set disabled_at = $2 where id = $1', [brand.adminUserId, db().clock.now()]);
    expectProblem(await logIn({ Email: brand.adminEmail, Password: TEST_PASSWORD }), 401, LOGIN_FAILED);
    expectProblem(await logIn({ Email: 'nopassword@example.test', Password: '' }), 401, LOGIN_FAILED);
    expect(await countRows(t.ctx.db, 'select * from sessions')).toBe(0);
  });

  it.each([
    ['no password', { Email: 'a@example.test' }, 'body.Password'],
    ['an unknown field', { Email: 'a@example.test', Password: 'x', Remember: true }, 'Remember'],
    ['a camelCase field', { email: 'a@example.test', password: 'x' }, 'unknown field(s): email, password'],
    ['a number as e-mail', { Email: 42, Password: 'x' }, 'body.Email'],
  ])('answers a login body with %s with a 400', async (_what, payload, detail) => {
    expectProblem(await logIn(payload), 400, detail);
    expect(await countRows(t.ctx.db, 'select * from sessions')).toBe(0);
  });

  it('logs out: the session is deleted and its cookie no longer works', async () => {
    const brand = await makeAccount(t.ctx, 'BRAND');
    const client = await logInClient(t.app, brand.adminEmail);
    const other = await logInClient(t.app, brand.adminEmail);
    expectOk(await client.get('/api/v1/me'));
    const response = await client.delete('/api/v1/session');
    expect(response.statusCode).toBe(204);
    const cleared = response.cookies.find((c) => c.name === 'lockstep_session');
    expect(cleared?.value).toBe('');
    expectProblem(await client.get('/api/v1/me'), 401, 'Log in first');
    expectProblem(await client.get('/api/v1/account'), 401);
    // Only that session ended; the same user's other session still works.
    expect(await countRows(t.ctx.db, 'select * from sessions where user_id = $1', [brand.adminUserId])).toBe(1);
    expectOk(await other.get('/api/v1/me'));
  });

  it('answers /me with 401 without credentials, with a forged cookie, and 403 for API tokens', async () => {
    const brand = await makeAccount(t.ctx, 'BRAND');
    const admin = await logInClient(t.app, brand.adminEmail);
    const token = await issueToken(admin);
    expectProblem(await anonymous().get('/api/v1/me'), 401, 'Log in first');
    expectProblem(await new Client(t.app, { cookie: 'lockstep_session=forged' }).get('/api/v1/me'), 401);
    expectProblem(await token.client.get('/api/v1/me'), 403, 'for logged-in users of the web application');
  });

  it('expires a session SESSION_TTL_HOURS after login, by the clock', async () => {
    const brand = await makeAccount(t.ctx, 'BRAND');
    const client = await logInClient(t.app, brand.adminEmail);
    const ttlMs = testConfig().sessionTtlHours * 3_600_000;
    db().clock.advanceMs(ttlMs - 1000);
    expectOk(await client.get('/api/v1/me'));
    expectOk(await client.get('/api/v1/account'));
    db().clock.advanceMs(1000);
    expectProblem(await client.get('/api/v1/me'), 401, 'Log in first');
    expectProblem(await client.get('/api/v1/account'), 401);
  });

  it('uses the configured session lifetime', async () => {
    const short = await startTestApp(db(), { sessionTtlHours: 1 });
    try {
      const brand = await makeAccount(short.ctx, 'BRAND');
      const client = await logInClient(short.app, brand.adminEmail);
      db().clock.advanceMs(3_600_000 - 1000);
      expectOk(await client.get('/api/v1/me'));
      db().clock.advanceMs(1001);
      expectProblem(await client.get('/api/v1/me'), 401);
    } finally {
      await short.close();
    }
  });

  // ---------------------------------------------------------------------------
  // API credentials: Account SID + Auth Token as HTTP Basic
  // ---------------------------------------------------------------------------

  it('issues an Auth Token shown once; the listing shows only a hint', async () => {
    const brand = await makeAccount(t.ctx, 'BRAND');
    const admin = await logInClient(t.app, brand.adminEmail);
    const issued = expectOk(await admin.post('/api/v1/credentials', { Label: 'Shop integration' }), 201);
    expect(issued).toEqual({ Id: expect.any(Number), AccountSid: brand.sid, AuthToken: expect.stringMatching(/^lst_.{40,}$/) });

    const listing = await admin.get('/api/v1/credentials');
    expect(listing.body).not.toContain(issued.AuthToken);
    expect(expectOk(listing)).toEqual({
      AccountSid: brand.sid,
      Tokens: [
        {
          Id: issued.Id,
          Label: 'Shop integration',
          Hint: issued.AuthToken.slice(-4),
          CreatedBy: brand.adminUserId,
          CreatedByName: 'Admin',
          CreatedDate: db().clock.now().toISOString(),
          LastUsedDate: null,
        },
      ],
    });
    // Nothing in the database holds the token itself.
    expect(JSON.stringify(await dumpDb(t.ctx.db))).not.toContain(issued.AuthToken);
  });

  it('accepts the Account SID and Auth Token as HTTP Basic and records the last use', async () => {
    const brand = await makeAccount(t.ctx, 'BRAND');
    const admin = await logInClient(t.app, brand.adminEmail);
    const token = await issueToken(admin);
    db().clock.advanceMs(60_000);
    const account = expectOk(await token.client.get('/api/v1/account'));
    expect(account).toMatchObject({ Id: brand.id, AccountSid: brand.sid, Kind: 'BRAND', Status: 'ACTIVE' });
    const listing = expectOk(await admin.get('/api/v1/credentials'));
    expect(listing.Tokens[0].LastUsedDate).toBe(db().clock.now().toISOString());
    // A token acts with its creator's role: an admin's token may manage credentials too.
    expectOk(await token.client.get('/api/v1/credentials'));
  });

  it('refuses a wrong token, a token with another account\'s SID and malformed Basic credentials with 401', async () => {
    const brand = await makeAccount(t.ctx, 'BRAND');
    const other = await makeAccount(t.ctx, 'BRAND');
    const token = await issueToken(await logInClient(t.app, brand.adminEmail));
    const before = await dumpDb(t.ctx.db);
    const cases: Array<[string, Client]> = [
      ['wrong token', basicClient(t.app, brand.sid, 'lst_wrong')],
      ['other account SID', basicClient(t.app, other.sid, token.authToken)],
      ['empty SID', basicClient(t.app, '', token.authToken)],
      ['not base64', new Client(t.app, { authorization: 'Basic ***' })],
      ['bearer scheme', new Client(t.app, { authorization: `Bearer ${token.authToken}` })],
    ];
    for (const [what, client] of cases) {
      const response = await client.get('/api/v1/account');
      expectProblem(response, 401, 'Account SID and Auth Token are not valid');
      expect(response.headers['www-authenticate'], what).toBe('Basic realm="lockstep"');
    }
    await expectDbUnchanged(t.ctx.db, before);
  });

  it('rotates a token: the old one stops working at once, the new one works', async () => {
    const brand = await makeAccount(t.ctx, 'BRAND');
    const admin = await logInClient(t.app, brand.adminEmail);
    const old = await issueToken(admin, 'ERP');
    expectOk(await old.client.get('/api/v1/account'));
    const rotated = expectOk(await admin.post(`/api/v1/credentials/${old.id}/rotate`), 201);
    expect(rotated).toEqual({ Id: expect.any(Number), AccountSid: brand.sid, AuthToken: expect.stringMatching(/^lst_/) });
    expect(rotated.Id).not.toBe(old.id);
    expect(rotated.AuthToken).not.toBe(old.authToken);
    expectProblem(await old.client.get('/api/v1/account'), 401);
    expectOk(await basicClient(t.app, brand.sid, rotated.AuthToken).get('/api/v1/account'));
    const listing = expectOk(await admin.get('/api/v1/credentials'));
    expect(listing.Tokens.map((tk: { Id: number; Label: string }) => [tk.Id, tk.Label])).toEqual([[rotated.Id, 'ERP']]);
    // A revoked token cannot be rotated again.
    expectProblem(await admin.post(`/api/v1/credentials/${old.id}/rotate`), 404, `No active API token ${old.id}`);
  });

  it('revokes a token: it stops working; revoking it again is a 404', async () => {
    const brand = await makeAccount(t.ctx, 'BRAND');
    const admin = await logInClient(t.app, brand.adminEmail);
    const token = await issueToken(admin);
    const keep = await issueToken(admin, 'keep');
    const response = await admin.delete(`/api/v1/credentials/${token.id}`);
    expect(response.statusCode).toBe(204);
    expectProblem(await token.client.get('/api/v1/account'), 401);
    expectOk(await keep.client.get('/api/v1/account'));
    const before = await dumpDb(t.ctx.db);
    expectProblem(await admin.delete(`/api/v1/credentials/${token.id}`), 404, `No active API token ${token.id}`);
    await expectDbUnchanged(t.ctx.db, before);
    expect(expectOk(await admin.get('/api/v1/credentials')).Tokens.map((tk: { Id: number }) => tk.Id)).toEqual([keep.id]);
  });

  it('caps an account at 20 active tokens (409); revoking one makes room', async () => {
    const brand = await makeAccount(t.ctx, 'BRAND');
    const admin = await sessionClient(t, brand.adminUserId);
    const issued = [];
    for (let i = 0; i < 20; i++) issued.push(await issueToken(admin, `t${i}`));
    const before = await dumpDb(t.ctx.db);
    expectProblem(await admin.post('/api/v1/credentials', {}), 409, 'The account already has 20 active tokens; revoke one first.');
    await expectDbUnchanged(t.ctx.db, before);
    expect((await admin.delete(`/api/v1/credentials/${issued[0]!.id}`)).statusCode).toBe(204);
    await issueToken(admin, 'again');
  });

  it('lets only admins manage credentials', async () => {
    const brand = await makeAccount(t.ctx, 'BRAND');
    const admin = await logInClient(t.app, brand.adminEmail);
    const token = await issueToken(admin);
    const member = await addMember(t.ctx, brand.id, 'USER');
    const user = await sessionClient(t, member.userId);
    const before = await dumpDb(t.ctx.db);
    expectProblem(await user.get('/api/v1/credentials'), 403, 'Only an account admin');
    expectProblem(await user.post('/api/v1/credentials', {}), 403, 'Only an account admin');
    expectProblem(await user.post(`/api/v1/credentials/${token.id}/rotate`), 403, 'Only an account admin');
    expectProblem(await user.delete(`/api/v1/credentials/${token.id}`), 403, 'Only an account admin');
    await expectDbUnchanged(t.ctx.db, before);
    // The member can still use the account otherwise.
    expectOk(await user.get('/api/v1/account'));
  });

  it('stops the tokens and sessions of a closed account', async () => {
    const partner = await makeAccount(t.ctx, 'PARTNER');
    const admin = await logInClient(t.app, partner.adminEmail);
    const token = await issueToken(admin);
    expectOk(await token.client.get('/api/v1/account'));
    await t.ctx.db.query(`update accounts set status = 'CLOSED', closed_at = $2 where id = $1`, [partner.id, db().clock.now()]);
    expectProblem(await token.client.get('/api/v1/account'), 401, 'Account SID and Auth Token are not valid');
    expectProblem(await token.client.get('/api/v1/contracts'), 401);
    expectProblem(await admin.get('/api/v1/account'), 403, 'not a member of any active account');
    expect(expectOk(await admin.get('/api/v1/me')).Accounts).toEqual([]);
  });

  // ---------------------------------------------------------------------------
  // The Lockstep-Account header
  // ---------------------------------------------------------------------------

  it('makes a user of two accounts pick one with the Lockstep-Account header', async () => {
    const brand = await makeAccount(t.ctx, 'BRAND');
    const partner = await makeAccount(t.ctx, 'PARTNER');
    const stranger = await makeAccount(t.ctx, 'BRAND');
    await addMembership(t.ctx, partner.id, brand.adminUserId, 'USER');
    const client = await logInClient(t.app, brand.adminEmail);

    const me = expectOk(await client.get('/api/v1/me'));
    expect(me.Accounts.map((a: { Id: number; Role: string }) => [a.Id, a.Role]).sort()).toEqual(
      [
        [brand.id, 'ADMIN'],
        [partner.id, 'USER'],
      ].sort(),
    );
    expectProblem(await client.get('/api/v1/account'), 403, 'You belong to several accounts; say which one with the Lockstep-Account header.');
    expect(expectOk(await client.withAccount(brand.id).get('/api/v1/account')).Id).toBe(brand.id);
    expect(expectOk(await client.withAccount(partner.id).get('/api/v1/account')).Kind).toBe('PARTNER');
    // The role is the one in the chosen account.
    expectProblem(await client.withAccount(partner.id).get('/api/v1/credentials'), 403, 'Only an account admin');
    expectOk(await client.withAccount(brand.id).get('/api/v1/credentials'));

    const before = await dumpDb(t.ctx.db);
    expectProblem(await client.withAccount(stranger.id).get('/api/v1/account'), 403, `You are not a member of account ${stranger.id}.`);
    expectProblem(
      await client.withAccount(stranger.id).post('/api/v1/programs', { Name: 'Sneaky', Currency: 'USD', TimeZone: 'UTC' }),
      403,
      `not a member of account ${stranger.id}`,
    );
    expectProblem(await client.withAccount(999_999).get('/api/v1/account'), 403, 'You are not a member of account 999999.');
    expectProblem(
      await client.request({ method: 'GET', url: '/api/v1/account', headers: { 'lockstep-account': 'brand' } }),
      400,
      'The Lockstep-Account header must be an account id.',
    );
    await expectDbUnchanged(t.ctx.db, before);
  });

  it('a user of one account needs no header, and cannot pick another account with it', async () => {
    const brand = await makeAccount(t.ctx, 'BRAND');
    const other = await makeAccount(t.ctx, 'BRAND');
    const client = await logInClient(t.app, brand.adminEmail);
    expect(expectOk(await client.get('/api/v1/account')).Id).toBe(brand.id);
    expectProblem(await client.withAccount(other.id).get('/api/v1/account'), 403, `You are not a member of account ${other.id}.`);
  });

  // ---------------------------------------------------------------------------
  // Operators and accounts keep to their own routes
  // ---------------------------------------------------------------------------

  it.each([
    ['GET', '/api/v1/account', undefined],
    ['GET', '/api/v1/users', undefined],
    ['GET', '/api/v1/credentials', undefined],
    ['POST', '/api/v1/credentials', {}],
    ['GET', '/api/v1/programs', undefined],
    ['POST', '/api/v1/programs', { Name: 'Op program', Currency: 'USD', TimeZone: 'UTC' }],
    ['GET', '/api/v1/balances', undefined],
    ['GET', '/api/v1/links', undefined],
    ['POST', '/api/v1/contracts', { TemplateTermsId: 1 }],
  ] as const)('refuses an operator on the account route %s %s with 403', async (method, url, payload) => {
    const operator = await makeOperator(t.ctx);
    await makeAccount(t.ctx, 'BRAND');
    const client = await logInClient(t.app, operator.email);
    const before = await dumpDb(t.ctx.db);
    expectProblem(await client.request({ method, url, ...(payload ? { payload } : {}) }), 403, 'not by an operator');
    await expectDbUnchanged(t.ctx.db, before);
  });

  it('refuses account users (session and token) on operator routes with 403, and lets operators in', async () => {
    const brand = await makeAccount(t.ctx, 'BRAND');
    const partner = await makeAccount(t.ctx, 'PARTNER');
    const operator = await makeOperator(t.ctx);
    const admin = await logInClient(t.app, brand.adminEmail);
    const token = await issueToken(admin);
    const partnerClient = await logInClient(t.app, partner.adminEmail);
    const newAccount = {
      Kind: 'PARTNER',
      Name: 'Opened by a brand',
      TimeZone: 'UTC',
      Currency: 'USD',
      Admin: { Email: 'new-admin@example.test', Name: 'New', Password: TEST_PASSWORD },
    };
    const before = await dumpDb(t.ctx.db);
    for (const client of [admin, token.client, partnerClient]) {
      expectProblem(await client.get('/api/v1/operator/accounts'), 403, 'Only platform operators can do this.');
      expectProblem(await client.post('/api/v1/operator/accounts', newAccount), 403, 'Only platform operators can do this.');
    }
    await expectDbUnchanged(t.ctx.db, before);

    const op = await logInClient(t.app, operator.email);
    const listing = expectOk(await op.get('/api/v1/operator/accounts?sort=Id&order=asc'));
    expect(listing.Total).toBe(2);
    expect(listing.Items.map((a: { Id: number }) => a.Id)).toEqual([brand.id, partner.id]);
    const created = expectOk(await op.post('/api/v1/operator/accounts', newAccount), 201);
    expect(created).toEqual({ Id: expect.any(Number), AccountSid: expect.stringMatching(/^LS[0-9A-F]{30}$/), AdminUserId: expect.any(Number) });
    const newAdmin = await logInClient(t.app, 'new-admin@example.test');
    expect(expectOk(await newAdmin.get('/api/v1/account'))).toMatchObject({ Id: created.Id, Kind: 'PARTNER', AccountSid: created.AccountSid });
  });

  it('an operator\'s /me has no accounts and the Lockstep-Account header does not make them one', async () => {
    const brand = await makeAccount(t.ctx, 'BRAND');
    const operator = await makeOperator(t.ctx);
    const op = await logInClient(t.app, operator.email);
    expect(expectOk(await op.get('/api/v1/me'))).toEqual({
      User: { Id: operator.userId, Email: operator.email, Name: 'Operator', IsOperator: true },
      Accounts: [],
      DefaultAccountId: null,
    });
    expectProblem(await op.withAccount(brand.id).get('/api/v1/account'), 403, 'not by an operator');
  });
});
