/**
 * The user menu's Profile and Change password (issue 17, item 10): a login changes its own
 * name, and its password with the current one; the other sessions end, this one stays.
 */
import { afterEach, beforeEach, expect, it } from 'vitest';
import { describeDb } from '../support/db.js';
import { logInClient, makeAccount, startTestApp, TEST_PASSWORD, type TestApp } from '../support/app.js';

describeDb('profile and password of the logged-in user', (db) => {
  let t: TestApp;
  beforeEach(async () => {
    t = await startTestApp(db());
  });
  afterEach(async () => t.close());

  const audit = async (subject: string) =>
    (await t.ctx.db.query<{ action: string; detail: unknown }>('select action, detail from audit_events where subject = $1 order by id', [subject])).rows;

  it('changes the own name (trimmed), refuses an empty or too long one naming the field, and audits without the names', async () => {
    const brand = await makeAccount(t.ctx, 'BRAND');
    const client = (await logInClient(t.app, brand.adminEmail)).withAccount(brand.id);
    const me = (await client.get('/api/v1/me')).json() as { User: { Id: number; Name: string } };

    const changed = await client.patch('/api/v1/me', { Name: '  Robin   Rivera ' });
    expect(changed.statusCode, changed.body).toBe(200);
    expect(changed.json()).toEqual({ Id: me.User.Id, Email: brand.adminEmail, Name: 'Robin Rivera' });
    expect((await client.get('/api/v1/me')).json().User.Name).toBe('Robin Rivera');
    // The account's member list shows the new name.
    expect(((await client.get('/api/v1/users')).json() as Array<{ UserId: number; Name: string }>).find((m) => m.UserId === me.User.Id)?.Name).toBe('Robin Rivera');

    for (const [name, message] of [
      ['   ', /must not be empty/],
      ['x'.repeat(201), /200/],
    ] as const) {
      const refused = await client.patch('/api/v1/me', { Name: name });
      expect(refused.statusCode, refused.body).toBe(400);
      expect(refused.headers['content-type']).toMatch(/application\/problem\+json/);
      expect(refused.json().errors[0].field).toBe('body.Name');
      expect(refused.json().detail).toMatch(message);
    }
    expect((await client.get('/api/v1/me')).json().User.Name).toBe('Robin Rivera');
    const rows = await audit(`user:${me.User.Id}`);
    expect(rows.map((r) => r.action)).toEqual(['user.name_changed']);
    expect(JSON.stringify(rows)).not.toContain('Robin');
  });

  it('changes the password with the current one: other sessions end, this one stays; the old password no longer logs in', async () => {
    const partner = await makeAccount(t.ctx, 'PARTNER');
    const here = (await logInClient(t.app, partner.adminEmail)).withAccount(partner.id);
    const elsewhere = (await logInClient(t.app, partner.adminEmail)).withAccount(partner.id);
    const hashBefore = (await t.ctx.db.query<{ password_hash: string }>('select password_hash from users where lower(email) = $1', [partner.adminEmail])).rows[0]!.password_hash;

    // A wrong current password, a short or unchanged new one: 400 naming the field, nothing changed.
    for (const [body, field] of [
      [{ CurrentPassword: 'not-the-password', NewPassword: 'a-brand-new-secret' }, 'body.CurrentPassword'],
      [{ CurrentPassword: TEST_PASSWORD, NewPassword: 'short' }, 'body.NewPassword'],
      [{ CurrentPassword: TEST_PASSWORD, NewPassword: TEST_PASSWORD }, 'body.NewPassword'],
    ] as const) {
      const refused = await here.post('/api/v1/me/password', body);
      expect(refused.statusCode, refused.body).toBe(400);
      expect(refused.json().errors.map((e: { field: string }) => e.field)).toEqual([field]);
    }
    const unchanged = (await t.ctx.db.query<{ password_hash: string }>('select password_hash from users where lower(email) = $1', [partner.adminEmail])).rows[0]!.password_hash;
    expect(unchanged).toBe(hashBefore);
    expect((await elsewhere.get('/api/v1/me')).statusCode).toBe(200);

    const changed = await here.post('/api/v1/me/password', { CurrentPassword: TEST_PASSWORD, NewPassword: 'a-brand-new-secret' });
    expect(changed.statusCode, changed.body).toBe(200);
    expect(changed.json()).toEqual({ EndedSessions: 1 });
    expect((await here.get('/api/v1/me')).statusCode).toBe(200);
    expect((await elsewhere.get('/api/v1/me')).statusCode).toBe(401);

    const oldLogin = await t.app.inject({ method: 'POST', url: '/api/v1/session', payload: { Email: partner.adminEmail, Password: TEST_PASSWORD } });
    expect(oldLogin.statusCode).toBe(401);
    await logInClient(t.app, partner.adminEmail, 'a-brand-new-secret');
    const userId = (await here.get('/api/v1/me')).json().User.Id as number;
    expect((await audit(`user:${userId}`)).map((r) => r.action)).toEqual(['user.password_changed']);
  });

  it('is for people in a session: an API token gets 403', async () => {
    const brand = await makeAccount(t.ctx, 'BRAND');
    const client = (await logInClient(t.app, brand.adminEmail)).withAccount(brand.id);
    const issued = await client.post('/api/v1/credentials', { Label: 'ci' });
    expect(issued.statusCode, issued.body).toBe(201);
    const { AccountSid, AuthToken } = issued.json() as { AccountSid: string; AuthToken: string };
    const basic = { authorization: `Basic ${Buffer.from(`${AccountSid}:${AuthToken}`).toString('base64')}` };
    const viaToken = await t.app.inject({ method: 'PATCH', url: '/api/v1/me', headers: basic, payload: { Name: 'Bot' } });
    expect(viaToken.statusCode).toBe(403);
    const passwordViaToken = await t.app.inject({ method: 'POST', url: '/api/v1/me/password', headers: basic, payload: { CurrentPassword: TEST_PASSWORD, NewPassword: 'whatever-else-1' } });
    expect(passwordViaToken.statusCode).toBe(403);
  });
});
