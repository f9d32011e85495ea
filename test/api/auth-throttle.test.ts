/**
 * The per-identity throttle (src/modules/accounts/auth-throttle.ts) through the API: log
 * in by e-mail, HTTP Basic by Account SID, invitation acceptance by token and by the
 * existing login's e-mail. Every test moves the manual clock; none sleeps.
 */
import type { LightMyRequestResponse } from 'fastify';
import { afterEach, beforeEach, expect, it } from 'vitest';
import {
  THROTTLE_FREE_FAILURES,
  THROTTLE_MAX_WAIT_MS,
  THROTTLE_MEMORY_MS,
  waitAfterFailuresMs,
} from '../../src/modules/accounts/auth-throttle.js';
import { expectOk, expectProblem, issueToken, makeUser, sessionClient } from '../support/api-helpers.js';
import { makeAccount, startTestApp, TEST_PASSWORD, type TestApp } from '../support/app.js';
import { describeDb } from '../support/db.js';

const WRONG = 'not-the-password';
const LOGIN_FAILED = 'The e-mail or password is not right.';

it('waits 0 for the free failures, then 1 s doubling with each failure, at most 15 minutes', () => {
  expect(THROTTLE_FREE_FAILURES).toBe(5);
  expect([1, 2, 3, 4].map(waitAfterFailuresMs)).toEqual([0, 0, 0, 0]);
  expect([5, 6, 7, 8, 9].map(waitAfterFailuresMs)).toEqual([1_000, 2_000, 4_000, 8_000, 16_000]);
  expect(waitAfterFailuresMs(14)).toBe(512_000);
  expect(waitAfterFailuresMs(15)).toBe(THROTTLE_MAX_WAIT_MS);
  expect(waitAfterFailuresMs(10_000)).toBe(15 * 60_000);
});

describeDb('api per-identity throttle', (db) => {
  let t: TestApp;
  beforeEach(async () => {
    t = await startTestApp(db());
  });
  afterEach(async () => t.close());

  const clock = () => db().clock;
  let address = 0;
  /** Every request from another client address, as a client spreading its guesses would send them. */
  const fromAnywhere = () => {
    address += 1;
    return { remoteAddress: `10.${(address >> 8) & 255}.${address & 255}.7`, headers: { 'x-forwarded-for': `203.0.113.${address % 250}, 198.51.100.${address % 200}` } };
  };
  const logIn = (email: string, password: string) =>
    t.app.inject({ method: 'POST', url: '/api/v1/session', payload: { Email: email, Password: password }, ...fromAnywhere() });
  const accept = (payload: object) => t.app.inject({ method: 'POST', url: '/api/v1/invitations/accept', payload, ...fromAnywhere() });
  const basicGet = (sid: string, token: string) => {
    const from = fromAnywhere();
    return t.app.inject({
      method: 'GET',
      url: '/api/v1/account',
      remoteAddress: from.remoteAddress,
      headers: { ...from.headers, authorization: `Basic ${Buffer.from(`${sid}:${token}`).toString('base64')}` },
    });
  };
  const failuresRecorded = async () =>
    (await t.ctx.db.query<{ failures: number }>('select failures from auth_throttles order by failures')).rows.map((r) => r.failures);

  function expectThrottled(response: LightMyRequestResponse, retryAfterSeconds: number, subject: string) {
    const problem = expectProblem(response, 429, `Too many failed attempts with ${subject}; wait`) as ReturnType<typeof expectProblem> & {
      retryAfterSeconds?: number;
    };
    expect(problem.type).toBe('https://lockstep.dev/problems/rate-limited');
    expect(problem.retryAfterSeconds).toBe(retryAfterSeconds);
    expect(response.headers['retry-after']).toBe(String(retryAfterSeconds));
    expect(response.cookies).toEqual([]);
    return problem;
  }

  async function failLogIns(email: string, times: number) {
    for (let i = 0; i < times; i++) expectProblem(await logIn(email, WRONG), 401, LOGIN_FAILED);
  }

  // ---------------------------------------------------------------------------
  // Logging in: by e-mail
  // ---------------------------------------------------------------------------

  it('after 5 wrong passwords the right one is refused with 429 + Retry-After while the wait lasts, and works after it', async () => {
    const brand = await makeAccount(t.ctx, 'BRAND');
    await failLogIns(brand.adminEmail, 5);
    const refused = expectThrottled(await logIn(brand.adminEmail, TEST_PASSWORD), 1, 'this e-mail');
    expect(refused.detail).toBe(
      'Too many failed attempts with this e-mail; wait 1 second and try again. Each further failure doubles the wait, up to 15 minutes; a success resets it.',
    );
    clock().advanceMs(999);
    expectThrottled(await logIn(brand.adminEmail, TEST_PASSWORD), 1, 'this e-mail');
    clock().advanceMs(1);
    expect(expectOk(await logIn(brand.adminEmail, TEST_PASSWORD)).User.Id).toBe(brand.adminUserId);
    // The success forgot the failures: five more are free again.
    expect(await failuresRecorded()).toEqual([]);
    await failLogIns(brand.adminEmail, 5);
    expectThrottled(await logIn(brand.adminEmail, WRONG), 1, 'this e-mail');
  });

  it('each further failure doubles the wait up to 15 minutes; attempts during a wait are not counted and do not extend it', async () => {
    const brand = await makeAccount(t.ctx, 'BRAND');
    await failLogIns(brand.adminEmail, 5);
    const waits: number[] = [];
    for (let failure = 6; failure <= 17; failure++) {
      const waitMs = waitAfterFailuresMs(failure - 1);
      // Guesses during the wait are refused unchecked, right or wrong, and change nothing.
      expectThrottled(await logIn(brand.adminEmail, WRONG), Math.ceil(waitMs / 1000), 'this e-mail');
      expectThrottled(await logIn(brand.adminEmail, TEST_PASSWORD), Math.ceil(waitMs / 1000), 'this e-mail');
      clock().advanceMs(waitMs);
      expectProblem(await logIn(brand.adminEmail, WRONG), 401, LOGIN_FAILED);
      waits.push(waitMs / 1000);
    }
    expect(waits).toEqual([1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 900, 900]);
    expect(await failuresRecorded()).toEqual([17]);
    const capped = expectThrottled(await logIn(brand.adminEmail, TEST_PASSWORD), 900, 'this e-mail');
    expect(capped.detail).toContain('wait 15 minutes and try again');
    // The real user is kept out at most 15 minutes after the last wrong guess.
    clock().advanceMs(THROTTLE_MAX_WAIT_MS);
    expectOk(await logIn(brand.adminEmail, TEST_PASSWORD));
  });

  it('forgets failures 24 hours after the last one', async () => {
    const brand = await makeAccount(t.ctx, 'BRAND');
    await failLogIns(brand.adminEmail, 5);
    clock().advanceMs(THROTTLE_MEMORY_MS - 1);
    expectProblem(await logIn(brand.adminEmail, WRONG), 401, LOGIN_FAILED);
    expect(await failuresRecorded()).toEqual([6]);
    clock().advanceMs(THROTTLE_MEMORY_MS);
    // Counted afresh: four more free failures, then the wait.
    await failLogIns(brand.adminEmail, 5);
    expect(await failuresRecorded()).toEqual([5]);
    expectThrottled(await logIn(brand.adminEmail, TEST_PASSWORD), 1, 'this e-mail');
  });

  it('deletes forgotten rows when new ones come, so the table does not grow without end', async () => {
    await failLogIns('old-1@example.test', 1);
    await failLogIns('old-2@example.test', 3);
    clock().advanceMs(THROTTLE_MEMORY_MS + 1);
    await failLogIns('new@example.test', 1);
    expect(await failuresRecorded()).toEqual([1]);
  });

  it('throttles each e-mail on its own, whatever its case or spaces', async () => {
    const brand = await makeAccount(t.ctx, 'BRAND');
    const other = await makeAccount(t.ctx, 'BRAND');
    await failLogIns(brand.adminEmail, 3);
    await failLogIns(`  ${brand.adminEmail.toUpperCase()} `, 2);
    expectThrottled(await logIn(brand.adminEmail, TEST_PASSWORD), 1, 'this e-mail');
    expectOk(await logIn(other.adminEmail, TEST_PASSWORD));
    await failLogIns(other.adminEmail, 4);
    expectOk(await logIn(other.adminEmail, TEST_PASSWORD));
  });

  it('throttles unknown e-mails exactly like known ones, with the same answers', async () => {
    const brand = await makeAccount(t.ctx, 'BRAND');
    const unknown = 'nobody-here@example.test';
    await failLogIns(brand.adminEmail, 5);
    await failLogIns(unknown, 5);
    const known = expectThrottled(await logIn(brand.adminEmail, WRONG), 1, 'this e-mail');
    const nobody = expectThrottled(await logIn(unknown, WRONG), 1, 'this e-mail');
    expect({ ...nobody, instance: undefined }).toEqual({ ...known, instance: undefined });
    expect(await failuresRecorded()).toEqual([5, 5]);
  });

  it('keeps no e-mail in clear: rows are keyed by a SHA-256', async () => {
    const brand = await makeAccount(t.ctx, 'BRAND');
    await failLogIns(brand.adminEmail, 2);
    await failLogIns('typo@example.test', 1);
    const { rows } = await t.ctx.db.query<Record<string, unknown>>('select * from auth_throttles');
    expect(rows).toHaveLength(2);
    const text = JSON.stringify(rows).toLowerCase();
    for (const secret of [brand.adminEmail.toLowerCase(), 'typo@example.test', 'typo', brand.adminEmail.split('@')[0]!.toLowerCase()]) {
      expect(text).not.toContain(secret);
    }
    for (const row of rows) expect(row.key_hash).toMatch(/^[0-9a-f]{64}$/);
  });

  it('does not depend on the client address: the per-address rate limit is not what stops the guesses', async () => {
    const brand = await makeAccount(t.ctx, 'BRAND');
    // Every request of this test comes from another address (fromAnywhere).
    const addresses = new Set<string>();
    for (let i = 0; i < 5; i++) {
      const options = fromAnywhere();
      addresses.add(options.remoteAddress);
      const response = await t.app.inject({ method: 'POST', url: '/api/v1/session', payload: { Email: brand.adminEmail, Password: WRONG }, ...options });
      expectProblem(response, 401, LOGIN_FAILED);
    }
    expect(addresses.size).toBe(5);
    expectThrottled(await logIn(brand.adminEmail, TEST_PASSWORD), 1, 'this e-mail');
  });

  // ---------------------------------------------------------------------------
  // HTTP Basic API credentials: by Account SID
  // ---------------------------------------------------------------------------

  it('API credentials: after 5 wrong tokens for an Account SID the right token gets 429 + Retry-After until the wait ends', async () => {
    const brand = await makeAccount(t.ctx, 'BRAND');
    const other = await makeAccount(t.ctx, 'BRAND');
    const token = await issueToken(await sessionClient(t, brand.adminUserId));
    const otherToken = await issueToken(await sessionClient(t, other.adminUserId));
    for (let i = 0; i < 5; i++) {
      const response = await basicGet(brand.sid, `lst_wrong-${i}`);
      expectProblem(response, 401, 'The Account SID and Auth Token are not valid');
      expect(response.headers['www-authenticate']).toBe('Basic realm="lockstep"');
    }
    const refused = await basicGet(brand.sid, token.authToken);
    expectThrottled(refused, 1, 'this Account SID');
    // Another account's credentials are not affected.
    expect(expectOk(await otherToken.client.get('/api/v1/account')).Id).toBe(other.id);
    // Nothing was looked up during the wait: the token's last use is not recorded.
    const lastUsed = async () =>
      (await t.ctx.db.query<{ lastUsedAt: Date | null }>('select last_used_at as "lastUsedAt" from api_tokens where id = $1', [token.id])).rows[0]!.lastUsedAt;
    expect(await lastUsed()).toBeNull();
    clock().advanceMs(1000);
    expect(expectOk(await basicGet(brand.sid, token.authToken)).Id).toBe(brand.id);
    expect(await lastUsed()).not.toBeNull();
    // The success forgot the SID's failures; a working integration's requests write nothing more.
    expect(await failuresRecorded()).toEqual([]);
    for (let i = 0; i < 3; i++) expectOk(await token.client.get('/api/v1/account'));
    expect(await failuresRecorded()).toEqual([]);
  });

  it('API credentials: an unknown Account SID is throttled the same way, from any address', async () => {
    for (let i = 0; i < 5; i++) expectProblem(await basicGet('LSNOSUCHACCOUNT0000000000000000', `lst_guess-${i}`), 401, 'Account SID and Auth Token are not valid');
    expectThrottled(await basicGet('LSNOSUCHACCOUNT0000000000000000', 'lst_guess-6'), 1, 'this Account SID');
    clock().advanceMs(1000);
    expectProblem(await basicGet('LSNOSUCHACCOUNT0000000000000000', 'lst_guess-7'), 401);
    expectThrottled(await basicGet('LSNOSUCHACCOUNT0000000000000000', 'lst_guess-8'), 2, 'this Account SID');
    expect(await failuresRecorded()).toEqual([6]);
  });

  // ---------------------------------------------------------------------------
  // Accepting an invitation: by token, and by the existing login's e-mail
  // ---------------------------------------------------------------------------

  async function invite(email: string) {
    const brand = await makeAccount(t.ctx, 'BRAND');
    const admin = await sessionClient(t, brand.adminUserId);
    const invited = expectOk(await admin.post('/api/v1/users/invitations', { Email: email, Role: 'USER' }), 201);
    return { brand, token: new URL(invited.AcceptUrl).searchParams.get('token')! };
  }

  it("invitation acceptance: 5 wrong passwords of the existing login, then the right one waits; it works after the wait", async () => {
    const existing = await makeUser(t.ctx, { email: 'invited.login@example.test' });
    const { brand, token } = await invite(existing.email);
    for (let i = 0; i < 5; i++) {
      expectProblem(await accept({ Token: token, Password: WRONG }), 401, 'invited.login@example.test already has a Lockstep login');
    }
    expectThrottled(await accept({ Token: token, Password: TEST_PASSWORD }), 1, 'this invitation link');
    clock().advanceMs(1000);
    expect(expectOk(await accept({ Token: token, Password: TEST_PASSWORD })).Accounts.map((a: { Id: number }) => a.Id)).toEqual([brand.id]);
    expect(await failuresRecorded()).toEqual([]);
  });

  it("invitation acceptance checks the same password as logging in, so the two share the e-mail's count", async () => {
    const existing = await makeUser(t.ctx, { email: 'shared.count@example.test' });
    const { token } = await invite(existing.email);
    await failLogIns(existing.email, 4);
    expectProblem(await accept({ Token: token, Password: WRONG }), 401, 'already has a Lockstep login');
    // The link is still fresh, the login's e-mail is not.
    expectThrottled(await accept({ Token: token, Password: TEST_PASSWORD }), 1, 'this e-mail');
    expectThrottled(await logIn(existing.email, TEST_PASSWORD), 1, 'this e-mail');
    clock().advanceMs(1000);
    expectOk(await accept({ Token: token, Password: TEST_PASSWORD }));
  });

  it('invitation acceptance: a made-up token is throttled like a real one', async () => {
    const guess = 'made-up-token-0123456789';
    for (let i = 0; i < 5; i++) {
      expectProblem(await accept({ Token: guess, Name: 'X', Password: 'a-long-enough-password' }), 404, 'This invitation link is not valid');
    }
    expectThrottled(await accept({ Token: guess, Name: 'X', Password: 'a-long-enough-password' }), 1, 'this invitation link');
    // Another link is not affected.
    const { token } = await invite('fresh@example.test');
    expectOk(await accept({ Token: token, Name: 'Fresh', Password: 'a-long-enough-password' }));
  });

  it('a logged-in invitee accepting from the session is not throttled (no secret is checked)', async () => {
    const existing = await makeUser(t.ctx, { email: 'session.invitee@example.test' });
    const { brand } = await invite(existing.email);
    await failLogIns(existing.email, 5);
    const session = await sessionClient(t, existing.userId);
    const [invitation] = expectOk(await session.get('/api/v1/me/invitations'));
    const me = expectOk(await session.post(`/api/v1/me/invitations/${invitation.Id}/accept`));
    expect(me.Accounts.map((a: { Id: number }) => a.Id)).toEqual([brand.id]);
  });
});
