/**
 * Issue 17 item 4: the right first account. A login opens the account the user last
 * switched to (remembered by the server, so on any device), else the first one the user
 * administers, not merely the first by name.
 */
import { afterEach, beforeEach, expect, it } from 'vitest';
import { dumpDb, expectDbUnchanged, expectOk, expectProblem } from '../support/api-helpers.js';
import { logInClient, makeAccount, startTestApp, type TestApp } from '../support/app.js';
import { describeDb } from '../support/db.js';

describeDb('the account a login opens (issue 17 item 4)', (db) => {
  let t: TestApp;
  beforeEach(async () => {
    t = await startTestApp(db());
  });
  afterEach(async () => t.close());

  it('the last account used, else the first administered; a switch is remembered for the next login', async () => {
    const trail = await makeAccount(t.ctx, 'PARTNER', { name: 'Trail Blog' });
    const style = await makeAccount(t.ctx, 'PARTNER', { name: 'Style Creator' });
    const other = await makeAccount(t.ctx, 'BRAND', { name: 'Acme' });
    // Trail Blog's admin is also a USER of Style Creator, which sorts first by name.
    await t.ctx.db.query(`insert into memberships (account_id, user_id, role) values ($1, $2, 'USER')`, [style.id, trail.adminUserId]);

    const first = expectOk(await t.app.inject({ method: 'POST', url: '/api/v1/session', payload: { Email: trail.adminEmail, Password: 'correct-horse-battery' } }));
    expect(first.Accounts.map((a: { Name: string; Role: string; Kind: string }) => [a.Name, a.Kind, a.Role])).toEqual([
      ['Style Creator', 'PARTNER', 'USER'],
      ['Trail Blog', 'PARTNER', 'ADMIN'],
    ]);
    expect(first.DefaultAccountId).toBe(trail.id);

    const client = await logInClient(t.app, trail.adminEmail);
    const switched = expectOk(await client.request({ method: 'PUT', url: '/api/v1/me/account', payload: { AccountId: style.id } }));
    expect(switched.DefaultAccountId).toBe(style.id);
    // Another login (another device) opens it.
    const again = await logInClient(t.app, trail.adminEmail);
    expect(expectOk(await again.get('/api/v1/me')).DefaultAccountId).toBe(style.id);

    // Not a member, an unknown account, a malformed body: refused, nothing changed.
    const before = await dumpDb(t.ctx.db);
    expectProblem(await client.request({ method: 'PUT', url: '/api/v1/me/account', payload: { AccountId: other.id } }), 404, `not a member of account ${other.id}`);
    expectProblem(await client.request({ method: 'PUT', url: '/api/v1/me/account', payload: { AccountId: 999_999 } }), 404);
    expectProblem(await client.request({ method: 'PUT', url: '/api/v1/me/account', payload: { AccountId: 'x' } }), 400, 'body.AccountId');
    expectProblem(await t.app.inject({ method: 'PUT', url: '/api/v1/me/account', payload: { AccountId: style.id } }), 401);
    await expectDbUnchanged(t.ctx.db, before);

    // Removed from the account last used: the login falls back to the one administered.
    await t.ctx.db.query('delete from memberships where account_id = $1 and user_id = $2', [style.id, trail.adminUserId]);
    expect(expectOk(await again.get('/api/v1/me')).DefaultAccountId).toBe(trail.id);
  });

  it('a user who administers nothing lands in the first account; one without accounts in none', async () => {
    const a = await makeAccount(t.ctx, 'BRAND', { name: 'Zeta' });
    const b = await makeAccount(t.ctx, 'BRAND', { name: 'Alpha' });
    await t.ctx.db.query(`update memberships set role = 'USER' where user_id = $1`, [a.adminUserId]);
    await t.ctx.db.query(`insert into memberships (account_id, user_id, role) values ($1, $2, 'USER')`, [b.id, a.adminUserId]);
    const client = await logInClient(t.app, a.adminEmail);
    expect(expectOk(await client.get('/api/v1/me')).DefaultAccountId).toBe(b.id);
    await t.ctx.db.query('delete from memberships where user_id = $1', [a.adminUserId]);
    expect(expectOk(await client.get('/api/v1/me')).DefaultAccountId).toBeNull();
  });
});
