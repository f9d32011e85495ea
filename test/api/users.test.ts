import { afterEach, beforeEach, expect, it } from 'vitest';
import { addMember, Client, logInClient, makeAccount, makeOperator, startTestApp, TEST_PASSWORD, type TestApp } from '../support/app.js';
import {
  addMembership,
  countRows,
  dumpDb,
  expectDbUnchanged,
  expectOk,
  expectProblem,
  issueToken,
  makeUser,
  sessionClient,
} from '../support/api-helpers.js';
import { describeDb } from '../support/db.js';

const INVALID_LINK = 'This invitation link is not valid: it was used, revoked or has expired. Ask for a new one.';
const NEW_PASSWORD = 'a-brand-new-password';

describeDb('api users and invitations', (db) => {
  let t: TestApp;
  beforeEach(async () => {
    t = await startTestApp(db());
  });
  afterEach(async () => t.close());

  const anonymous = () => new Client(t.app);
  const tokenOf = (acceptUrl: string) => new URL(acceptUrl).searchParams.get('token')!;
  const accept = (payload: unknown) => anonymous().post('/api/v1/invitations/accept', payload);
  const roleIn = async (accountId: number, userId: number) => {
    const { rows } = await t.ctx.db.query<{ role: string }>('select role from memberships where account_id = $1 and user_id = $2', [
      accountId,
      userId,
    ]);
    return rows[0]?.role;
  };

  async function brandWithAdmin() {
    const brand = await makeAccount(t.ctx, 'BRAND');
    const admin = await sessionClient(t, brand.adminUserId);
    return { brand, admin };
  }

  // ---------------------------------------------------------------------------
  // Invitations
  // ---------------------------------------------------------------------------

  it('invites a new e-mail: INVITED with a one-time accept URL, listed as pending, no user yet', async () => {
    const { brand, admin } = await brandWithAdmin();
    const body = expectOk(await admin.post('/api/v1/users/invitations', { Email: 'New.Person@Example.test', Role: 'USER' }), 201);
    expect(body).toEqual({
      Status: 'INVITED',
      InvitationId: expect.any(Number),
      AcceptUrl: expect.stringMatching(/^http:\/\/localhost:3000\/accept-invitation\?token=[A-Za-z0-9_-]{40,}$/),
    });
    const pending = expectOk(await admin.get('/api/v1/users/invitations'));
    expect(pending).toEqual([
      {
        Id: body.InvitationId,
        Email: 'new.person@example.test',
        Role: 'USER',
        CreatedDate: db().clock.now().toISOString(),
        ExpirationDate: new Date(db().clock.now().getTime() + 7 * 86_400_000).toISOString(),
      },
    ]);
    expect(await countRows(t.ctx.db, `select * from users where lower(email) = 'new.person@example.test'`)).toBe(0);
    // Only the hash of the token is stored.
    expect(JSON.stringify(await dumpDb(t.ctx.db))).not.toContain(tokenOf(body.AcceptUrl));

    const described = expectOk(await anonymous().get(`/api/v1/invitations/${tokenOf(body.AcceptUrl)}`));
    const account = expectOk(await admin.get('/api/v1/account'));
    expect(described).toEqual({ Id: body.InvitationId, Email: 'new.person@example.test', AccountName: account.Name, Role: 'USER', HasLogin: false });
    expect(account.Id).toBe(brand.id);
  });

  it('accepting logs the invitee in as a member with the invited role; the link then stops working', async () => {
    const { brand, admin } = await brandWithAdmin();
    const invited = expectOk(await admin.post('/api/v1/users/invitations', { Email: 'joiner@example.test', Role: 'ADMIN' }), 201);
    const token = tokenOf(invited.AcceptUrl);
    const response = await accept({ Token: token, Name: 'Jo Iner', Password: NEW_PASSWORD });
    const me = expectOk(response);
    expect(me.User).toEqual({ Id: expect.any(Number), Email: 'joiner@example.test', Name: 'Jo Iner', IsOperator: false });
    expect(me.Accounts).toEqual([expect.objectContaining({ Id: brand.id, Kind: 'BRAND', Role: 'ADMIN' })]);
    const cookie = response.cookies.find((c) => c.name === 'lockstep_session');
    expect(cookie?.value).toBeTruthy();
    const joiner = new Client(t.app, { cookie: `lockstep_session=${cookie!.value}` });
    expect(expectOk(await joiner.get('/api/v1/account')).Id).toBe(brand.id);
    // An ADMIN invitee can act as admin at once.
    expectOk(await joiner.get('/api/v1/credentials'));
    // And the chosen password works for a normal login.
    await logInClient(t.app, 'joiner@example.test', NEW_PASSWORD);

    expect(expectOk(await admin.get('/api/v1/users')).map((u: { Email: string; Role: string }) => [u.Email, u.Role])).toContainEqual([
      'joiner@example.test',
      'ADMIN',
    ]);
    expect(expectOk(await admin.get('/api/v1/users/invitations'))).toEqual([]);

    const before = await dumpDb(t.ctx.db);
    expectProblem(await accept({ Token: token, Name: 'Again', Password: NEW_PASSWORD }), 404, INVALID_LINK);
    expectProblem(await anonymous().get(`/api/v1/invitations/${token}`), 404, INVALID_LINK);
    await expectDbUnchanged(t.ctx.db, before);
  });

  it('answers an unknown invitation token with 404', async () => {
    expectProblem(await anonymous().get('/api/v1/invitations/not-a-real-token-at-all'), 404, INVALID_LINK);
    expectProblem(await accept({ Token: 'not-a-real-token-at-all', Name: 'X', Password: NEW_PASSWORD }), 404, INVALID_LINK);
    expectProblem(await anonymous().get('/api/v1/invitations/short'), 400, 'params.token');
  });

  it.each([
    ['a short password', { Name: 'Joiner', Password: 'short' }, 400, 'The password must have at least 10 characters.'],
    ['an empty name', { Name: '   ', Password: NEW_PASSWORD }, 400, 'Your name must not be empty.'],
    ['an unknown field', { Name: 'Joiner', Password: NEW_PASSWORD, Role: 'ADMIN' }, 400, 'Role'],
  ])('refuses an acceptance with %s and keeps the invitation usable', async (_what, fields, status, detail) => {
    const { brand, admin } = await brandWithAdmin();
    const invited = expectOk(await admin.post('/api/v1/users/invitations', { Email: 'joiner@example.test', Role: 'USER' }), 201);
    const token = tokenOf(invited.AcceptUrl);
    const before = await dumpDb(t.ctx.db);
    expectProblem(await accept({ Token: token, ...fields }), status, detail);
    await expectDbUnchanged(t.ctx.db, before);
    expectOk(await accept({ Token: token, Name: 'Joiner', Password: NEW_PASSWORD }));
    expect(await countRows(t.ctx.db, 'select * from memberships where account_id = $1', [brand.id])).toBe(2);
  });

  it('an invitation expires after 7 days', async () => {
    const { brand, admin: firstSession } = await brandWithAdmin();
    const invited = expectOk(await firstSession.post('/api/v1/users/invitations', { Email: 'late@example.test', Role: 'USER' }), 201);
    const token = tokenOf(invited.AcceptUrl);
    db().clock.advanceMs(7 * 86_400_000 - 1000);
    expectOk(await anonymous().get(`/api/v1/invitations/${token}`));
    db().clock.advanceMs(1000);
    expectProblem(await anonymous().get(`/api/v1/invitations/${token}`), 404, INVALID_LINK);
    const before = await dumpDb(t.ctx.db);
    expectProblem(await accept({ Token: token, Name: 'Late', Password: NEW_PASSWORD }), 404, INVALID_LINK);
    await expectDbUnchanged(t.ctx.db, before);
    // Expired invitations are no longer pending, so the admin may invite again.
    const admin = await sessionClient(t, brand.adminUserId);
    expect(expectOk(await admin.get('/api/v1/users/invitations'))).toEqual([]);
    expectOk(await admin.post('/api/v1/users/invitations', { Email: 'late@example.test', Role: 'USER' }), 201);
  });

  it('revokes a pending invitation: its link stops working; revoking again is a 404', async () => {
    const { admin } = await brandWithAdmin();
    const invited = expectOk(await admin.post('/api/v1/users/invitations', { Email: 'revoked@example.test', Role: 'USER' }), 201);
    const token = tokenOf(invited.AcceptUrl);
    expect((await admin.delete(`/api/v1/users/invitations/${invited.InvitationId}`)).statusCode).toBe(204);
    expectProblem(await anonymous().get(`/api/v1/invitations/${token}`), 404, INVALID_LINK);
    expectProblem(await accept({ Token: token, Name: 'R', Password: NEW_PASSWORD }), 404, INVALID_LINK);
    expectProblem(await admin.delete(`/api/v1/users/invitations/${invited.InvitationId}`), 404, `No pending invitation ${invited.InvitationId}`);
    expect(await countRows(t.ctx.db, `select * from users where email = 'revoked@example.test'`)).toBe(0);
  });

  it('accepting for an e-mail that meanwhile got a login requires that login\'s password', async () => {
    const { brand, admin } = await brandWithAdmin();
    const invited = expectOk(await admin.post('/api/v1/users/invitations', { Email: 'taken@example.test', Role: 'USER' }), 201);
    const token = tokenOf(invited.AcceptUrl);
    // Someone else opens a login with that e-mail before the invitation is accepted.
    const existing = await makeUser(t.ctx, { email: 'taken@example.test', name: 'Original Name' });

    const before = await dumpDb(t.ctx.db);
    const refused = await accept({ Token: token, Name: 'Hijacker', Password: NEW_PASSWORD });
    expectProblem(refused, 401, "taken@example.test already has a Lockstep login; enter that login's password to join.");
    expect(refused.cookies).toEqual([]);
    await expectDbUnchanged(t.ctx.db, before, 'an acceptance with the wrong password');
    expectOk(await anonymous().get(`/api/v1/invitations/${token}`));

    const me = expectOk(await accept({ Token: token, Name: 'Ignored', Password: TEST_PASSWORD }));
    expect(me.User).toEqual({ Id: existing.userId, Email: 'taken@example.test', Name: 'Original Name', IsOperator: false });
    expect(await roleIn(brand.id, existing.userId)).toBe('USER');
    expect(await countRows(t.ctx.db, `select * from users where lower(email) = 'taken@example.test'`)).toBe(1);
  });

  it('two acceptances of one invitation at once: exactly one wins', async () => {
    const { brand, admin } = await brandWithAdmin();
    const invited = expectOk(await admin.post('/api/v1/users/invitations', { Email: 'double@example.test', Role: 'USER' }), 201);
    const token = tokenOf(invited.AcceptUrl);
    const responses = await Promise.all([
      accept({ Token: token, Name: 'One', Password: NEW_PASSWORD }),
      accept({ Token: token, Name: 'Two', Password: NEW_PASSWORD }),
    ]);
    expect(responses.map((r) => r.statusCode).sort()).toEqual([200, 404]);
    expect(await countRows(t.ctx.db, `select * from users where email = 'double@example.test'`)).toBe(1);
    expect(await countRows(t.ctx.db, 'select * from memberships where account_id = $1', [brand.id])).toBe(2);
  });

  it('invitations of one e-mail sent at once: exactly one is created, the others are 409s', async () => {
    const { brand, admin } = await brandWithAdmin();
    // Several e-mails, each invited three times at once, so that a race shows on PostgreSQL.
    const emails = ['twice0@example.test', 'twice1@example.test', 'twice2@example.test', 'twice3@example.test'];
    const responses = await Promise.all(
      emails.flatMap((email) => ['USER', 'ADMIN', 'USER'].map((role) => admin.post('/api/v1/users/invitations', { Email: email, Role: role }))),
    );
    for (const [i, email] of emails.entries()) {
      const statuses = responses.slice(i * 3, i * 3 + 3).map((r) => r.statusCode).sort();
      expect({ email, statuses }).toEqual({ email, statuses: [201, 409, 409] });
    }
    const { rows } = await t.ctx.db.query<{ email: string; n: number }>(
      'select email, count(*)::int as n from invitations where account_id = $1 group by email order by email',
      [brand.id],
    );
    expect(rows).toEqual(emails.map((email) => ({ email, n: 1 })));
  });

  it('an invitation of an account closed meanwhile can no longer be accepted', async () => {
    const { brand, admin } = await brandWithAdmin();
    const invited = expectOk(await admin.post('/api/v1/users/invitations', { Email: 'closed@example.test', Role: 'USER' }), 201);
    const token = tokenOf(invited.AcceptUrl);
    await t.ctx.db.query(`update accounts set status = 'CLOSED', closed_at = $2 where id = $1`, [brand.id, db().clock.now()]);
    expectProblem(await anonymous().get(`/api/v1/invitations/${token}`), 404, INVALID_LINK);
    const before = await dumpDb(t.ctx.db);
    expectProblem(await accept({ Token: token, Name: 'Too Late', Password: NEW_PASSWORD }), 404, INVALID_LINK);
    await expectDbUnchanged(t.ctx.db, before);
  });

  it('an invitation cannot make an operator a member, even if the operator login was opened after it was sent', async () => {
    const { brand, admin } = await brandWithAdmin();
    const invited = expectOk(await admin.post('/api/v1/users/invitations', { Email: 'staff@example.test', Role: 'ADMIN' }), 201);
    const token = tokenOf(invited.AcceptUrl);
    const { rows } = await t.ctx.db.query<{ id: number }>(
      `insert into users (email, name, password_hash, is_operator) select 'staff@example.test', 'Staff', password_hash, true
         from users where id = $1 returning id`,
      [(await makeUser(t.ctx)).userId],
    );
    const operatorId = rows[0]!.id;
    const before = await dumpDb(t.ctx.db);
    // A wrong password says nothing about the login being an operator's.
    expectProblem(await accept({ Token: token, Password: 'not-the-password' }), 401, "staff@example.test already has a Lockstep login; enter that login's password to join.");
    expectProblem(
      await accept({ Token: token, Name: 'Staff', Password: TEST_PASSWORD }),
      409,
      'This invitation is for staff@example.test, which is a platform operator login; operators cannot be members of an account. Decline it, or ask the admin who invited you to invite another e-mail address.',
    );
    await expectDbUnchanged(t.ctx.db, before);
    expect(await roleIn(brand.id, operatorId)).toBeUndefined();
  });

  it('invites an existing login like a new e-mail: INVITED with a link, and no membership until they accept', async () => {
    const { brand, admin } = await brandWithAdmin();
    const partner = await makeAccount(t.ctx, 'PARTNER');
    const forLogin = expectOk(await admin.post('/api/v1/users/invitations', { Email: partner.adminEmail.toUpperCase(), Role: 'USER' }), 201);
    const forNobody = expectOk(await admin.post('/api/v1/users/invitations', { Email: 'nobody-yet@example.test', Role: 'USER' }), 201);
    // The admin cannot tell from the answer which e-mail has a login.
    for (const body of [forLogin, forNobody]) {
      expect(body).toEqual({ Status: 'INVITED', InvitationId: expect.any(Number), AcceptUrl: expect.stringContaining('/accept-invitation?token=') });
    }
    expect(await roleIn(brand.id, partner.adminUserId)).toBeUndefined();
    const invitee = await sessionClient(t, partner.adminUserId);
    expectProblem(await invitee.withAccount(brand.id).get('/api/v1/account'), 403, `You are not a member of account ${brand.id}.`);
    // Their own requests are not disturbed: one account, no header needed.
    expect(expectOk(await invitee.get('/api/v1/account')).Id).toBe(partner.id);
    expect(expectOk(await anonymous().get(`/api/v1/invitations/${tokenOf(forLogin.AcceptUrl)}`)).HasLogin).toBe(true);
    expect(expectOk(await admin.get('/api/v1/users/invitations')).map((i: { Email: string }) => i.Email).sort()).toEqual(
      [partner.adminEmail.toLowerCase(), 'nobody-yet@example.test'].sort(),
    );
  });

  it('a logged-in invitee sees the invitation and joins with one request, without password or link', async () => {
    const { brand, admin } = await brandWithAdmin();
    const partner = await makeAccount(t.ctx, 'PARTNER');
    const invited = expectOk(await admin.post('/api/v1/users/invitations', { Email: partner.adminEmail, Role: 'ADMIN' }), 201);
    const invitee = await sessionClient(t, partner.adminUserId);
    const account = expectOk(await admin.get('/api/v1/account'));
    expect(expectOk(await invitee.get('/api/v1/me/invitations'))).toEqual([
      {
        Id: invited.InvitationId,
        AccountId: brand.id,
        AccountName: account.Name,
        AccountKind: 'BRAND',
        Role: 'ADMIN',
        InvitedByName: 'Admin',
        CreatedDate: db().clock.now().toISOString(),
        ExpirationDate: new Date(db().clock.now().getTime() + 7 * 86_400_000).toISOString(),
      },
    ]);
    const me = expectOk(await invitee.post(`/api/v1/me/invitations/${invited.InvitationId}/accept`));
    expect(me.Accounts.map((a: { Id: number; Role: string }) => [a.Id, a.Role]).sort()).toEqual(
      [[brand.id, 'ADMIN'], [partner.id, 'ADMIN']].sort(),
    );
    expect(await roleIn(brand.id, partner.adminUserId)).toBe('ADMIN');
    expect(expectOk(await invitee.withAccount(brand.id).get('/api/v1/account')).Id).toBe(brand.id);
    expect(expectOk(await invitee.get('/api/v1/me/invitations'))).toEqual([]);
    expect(expectOk(await admin.get('/api/v1/users/invitations'))).toEqual([]);
    // Used once: again, or by the link, it is gone.
    const before = await dumpDb(t.ctx.db);
    expectProblem(await invitee.post(`/api/v1/me/invitations/${invited.InvitationId}/accept`), 404, `No pending invitation ${invited.InvitationId}`);
    expectProblem(await accept({ Token: tokenOf(invited.AcceptUrl), Password: TEST_PASSWORD }), 404, INVALID_LINK);
    await expectDbUnchanged(t.ctx.db, before);
  });

  it('an existing login accepts through the link with its password and no name; its name is kept', async () => {
    const { brand, admin } = await brandWithAdmin();
    const existing = await makeUser(t.ctx, { email: 'has.login@example.test', name: 'Has Login' });
    const invited = expectOk(await admin.post('/api/v1/users/invitations', { Email: 'has.login@example.test', Role: 'USER' }), 201);
    const token = tokenOf(invited.AcceptUrl);
    const before = await dumpDb(t.ctx.db);
    expectProblem(await accept({ Token: token, Password: 'not-the-password' }), 401, "has.login@example.test already has a Lockstep login; enter that login's password to join.");
    await expectDbUnchanged(t.ctx.db, before);
    const response = await accept({ Token: token, Password: TEST_PASSWORD });
    expect(expectOk(response).User).toEqual({ Id: existing.userId, Email: 'has.login@example.test', Name: 'Has Login', IsOperator: false });
    expect(response.cookies.find((c) => c.name === 'lockstep_session')?.value).toBeTruthy();
    expect(await roleIn(brand.id, existing.userId)).toBe('USER');
  });

  it('an invitee declines: the invitation is no longer pending, its link stops working, and the admin may invite again', async () => {
    const { brand, admin } = await brandWithAdmin();
    const existing = await makeUser(t.ctx);
    const invited = expectOk(await admin.post('/api/v1/users/invitations', { Email: existing.email, Role: 'USER' }), 201);
    const invitee = await sessionClient(t, existing.userId);
    expect((await invitee.post(`/api/v1/me/invitations/${invited.InvitationId}/decline`)).statusCode).toBe(204);
    expect(expectOk(await invitee.get('/api/v1/me/invitations'))).toEqual([]);
    expect(expectOk(await admin.get('/api/v1/users/invitations'))).toEqual([]);
    expect(await roleIn(brand.id, existing.userId)).toBeUndefined();
    const before = await dumpDb(t.ctx.db);
    expectProblem(await accept({ Token: tokenOf(invited.AcceptUrl), Password: TEST_PASSWORD }), 404, INVALID_LINK);
    expectProblem(await invitee.post(`/api/v1/me/invitations/${invited.InvitationId}/accept`), 404, `No pending invitation ${invited.InvitationId}`);
    expectProblem(await invitee.post(`/api/v1/me/invitations/${invited.InvitationId}/decline`), 404, `No pending invitation ${invited.InvitationId}`);
    expectProblem(await admin.delete(`/api/v1/users/invitations/${invited.InvitationId}`), 404, `No pending invitation ${invited.InvitationId}`);
    await expectDbUnchanged(t.ctx.db, before);
    expectOk(await admin.post('/api/v1/users/invitations', { Email: existing.email, Role: 'ADMIN' }), 201);
  });

  it("no one but the invitee can accept or decline an invitation from a session, not even the inviting admin", async () => {
    const { brand, admin } = await brandWithAdmin();
    const invitee = await makeUser(t.ctx);
    const other = await sessionClient(t, (await makeUser(t.ctx)).userId);
    const invited = expectOk(await admin.post('/api/v1/users/invitations', { Email: invitee.email, Role: 'ADMIN' }), 201);
    const before = await dumpDb(t.ctx.db);
    for (const client of [admin, other]) {
      expect(expectOk(await client.get('/api/v1/me/invitations'))).toEqual([]);
      expectProblem(await client.post(`/api/v1/me/invitations/${invited.InvitationId}/accept`), 404, `No pending invitation ${invited.InvitationId}`);
      expectProblem(await client.post(`/api/v1/me/invitations/${invited.InvitationId}/decline`), 404, `No pending invitation ${invited.InvitationId}`);
    }
    await expectDbUnchanged(t.ctx.db, before);
    expect(await roleIn(brand.id, invitee.userId)).toBeUndefined();
  });

  it("inviting an operator's e-mail is an invitation like any other; the operator is told at acceptance why they cannot join", async () => {
    const { brand, admin } = await brandWithAdmin();
    const operator = await makeOperator(t.ctx);
    const invited = expectOk(await admin.post('/api/v1/users/invitations', { Email: operator.email.toUpperCase(), Role: 'ADMIN' }), 201);
    expect(invited.Status).toBe('INVITED');
    const session = await sessionClient(t, operator.userId);
    expect(expectOk(await session.get('/api/v1/me/invitations')).map((i: { Id: number }) => i.Id)).toEqual([invited.InvitationId]);
    const before = await dumpDb(t.ctx.db);
    const refusal = `This invitation is for ${operator.email}, which is a platform operator login; operators cannot be members of an account.`;
    expectProblem(await session.post(`/api/v1/me/invitations/${invited.InvitationId}/accept`), 409, refusal);
    expectProblem(await accept({ Token: tokenOf(invited.AcceptUrl), Password: TEST_PASSWORD }), 409, refusal);
    await expectDbUnchanged(t.ctx.db, before);
    expect(await roleIn(brand.id, operator.userId)).toBeUndefined();
    expect((await session.post(`/api/v1/me/invitations/${invited.InvitationId}/decline`)).statusCode).toBe(204);
  });

  it.each([
    ['a pending invitation', 'pending', 'already has a pending invitation; revoke it to send a new one.'],
    ['a member', 'member', 'is already a member of this account.'],
  ])('refuses to invite %s again with 409 and stores nothing', async (_what, kind, detail) => {
    const { brand, admin } = await brandWithAdmin();
    let email = 'pending@example.test';
    if (kind === 'pending') expectOk(await admin.post('/api/v1/users/invitations', { Email: email, Role: 'USER' }), 201);
    if (kind === 'member') email = (await addMember(t.ctx, brand.id, 'USER')).email;
    const before = await dumpDb(t.ctx.db);
    expectProblem(await admin.post('/api/v1/users/invitations', { Email: email.toUpperCase(), Role: 'ADMIN' }), 409, detail);
    await expectDbUnchanged(t.ctx.db, before);
  });

  it.each([
    ['a malformed e-mail', { Email: 'not-an-email', Role: 'USER' }, '"not-an-email" is not a valid e-mail address.'],
    ['an unknown role', { Email: 'a@example.test', Role: 'OWNER' }, 'body.Role'],
    ['no role', { Email: 'a@example.test' }, 'body.Role'],
    ['an unknown field', { Email: 'a@example.test', Role: 'USER', Name: 'A' }, 'Name'],
    ['camelCase fields', { email: 'a@example.test', role: 'USER' }, 'unknown field(s): email, role'],
  ])('refuses an invitation with %s with 400 and stores nothing', async (_what, payload, detail) => {
    const { admin } = await brandWithAdmin();
    const before = await dumpDb(t.ctx.db);
    expectProblem(await admin.post('/api/v1/users/invitations', payload), 400, detail);
    await expectDbUnchanged(t.ctx.db, before);
  });

  // ---------------------------------------------------------------------------
  // Roles, removal, the last admin
  // ---------------------------------------------------------------------------

  it('refuses a non-admin member every user-management operation with 403', async () => {
    const { brand, admin } = await brandWithAdmin();
    const invited = expectOk(await admin.post('/api/v1/users/invitations', { Email: 'pending@example.test', Role: 'USER' }), 201);
    const member = await addMember(t.ctx, brand.id, 'USER');
    const other = await addMember(t.ctx, brand.id, 'USER');
    const user = await sessionClient(t, member.userId);
    const before = await dumpDb(t.ctx.db);
    const calls = [
      user.post('/api/v1/users/invitations', { Email: 'x@example.test', Role: 'USER' }),
      user.get('/api/v1/users/invitations'),
      user.delete(`/api/v1/users/invitations/${invited.InvitationId}`),
      user.patch(`/api/v1/users/${other.userId}`, { Role: 'ADMIN' }),
      user.patch(`/api/v1/users/${member.userId}`, { Role: 'ADMIN' }),
      user.delete(`/api/v1/users/${other.userId}`),
      user.delete(`/api/v1/users/${brand.adminUserId}`),
    ];
    for (const response of await Promise.all(calls)) {
      expectProblem(response, 403, 'Only an account admin can do this; ask an admin of the account.');
    }
    await expectDbUnchanged(t.ctx.db, before);
    // Members may see who else is in the account.
    expect(expectOk(await user.get('/api/v1/users'))).toHaveLength(3);
  });

  it('changes a role: a promoted member can administer the account, a demoted one no longer can', async () => {
    const { brand, admin } = await brandWithAdmin();
    const member = await addMember(t.ctx, brand.id, 'USER');
    const client = await sessionClient(t, member.userId);
    expectProblem(await client.get('/api/v1/credentials'), 403);
    expect((await admin.patch(`/api/v1/users/${member.userId}`, { Role: 'ADMIN' })).statusCode).toBe(204);
    expect(await roleIn(brand.id, member.userId)).toBe('ADMIN');
    expectOk(await client.get('/api/v1/credentials'));
    // Setting the role it already has is harmless.
    expect((await admin.patch(`/api/v1/users/${member.userId}`, { Role: 'ADMIN' })).statusCode).toBe(204);
    expect((await client.patch(`/api/v1/users/${brand.adminUserId}`, { Role: 'USER' })).statusCode).toBe(204);
    expect(await roleIn(brand.id, brand.adminUserId)).toBe('USER');
    expectProblem(await admin.get('/api/v1/credentials'), 403);
  });

  it.each([
    ['a bogus role', { Role: 'OWNER' }, 'body.Role'],
    ['no role', {}, 'body.Role'],
    ['an unknown field', { Role: 'USER', Email: 'x@example.test' }, 'Email'],
  ])('refuses a role change with %s with 400', async (_what, payload, detail) => {
    const { brand, admin } = await brandWithAdmin();
    const member = await addMember(t.ctx, brand.id, 'USER');
    const before = await dumpDb(t.ctx.db);
    expectProblem(await admin.patch(`/api/v1/users/${member.userId}`, payload), 400, detail);
    await expectDbUnchanged(t.ctx.db, before);
  });

  it('answers a role change or removal of a non-member with 404', async () => {
    const { admin } = await brandWithAdmin();
    const outsider = await makeUser(t.ctx);
    const before = await dumpDb(t.ctx.db);
    expectProblem(await admin.patch(`/api/v1/users/${outsider.userId}`, { Role: 'ADMIN' }), 404, `User ${outsider.userId} is not a member of this account.`);
    expectProblem(await admin.delete(`/api/v1/users/${outsider.userId}`), 404, `User ${outsider.userId} is not a member of this account.`);
    expectProblem(await admin.delete('/api/v1/users/0'), 400, 'params.id');
    await expectDbUnchanged(t.ctx.db, before);
  });

  it('keeps the last admin: demoting or removing them is a 409 and they stay admin', async () => {
    const { brand, admin } = await brandWithAdmin();
    const member = await addMember(t.ctx, brand.id, 'USER');
    const before = await dumpDb(t.ctx.db);
    expectProblem(
      await admin.patch(`/api/v1/users/${brand.adminUserId}`, { Role: 'USER' }),
      409,
      'This is the last admin of the account; make another member an admin first.',
    );
    expectProblem(
      await admin.delete(`/api/v1/users/${brand.adminUserId}`),
      409,
      'This is the last admin of the account and cannot be removed; make another member an admin first.',
    );
    await expectDbUnchanged(t.ctx.db, before);
    expect(expectOk(await admin.get('/api/v1/users')).find((u: { UserId: number }) => u.UserId === brand.adminUserId).Role).toBe('ADMIN');
    expectOk(await admin.get('/api/v1/credentials'));

    // With a second admin, the first may step down.
    expect((await admin.patch(`/api/v1/users/${member.userId}`, { Role: 'ADMIN' })).statusCode).toBe(204);
    expect((await admin.delete(`/api/v1/users/${brand.adminUserId}`)).statusCode).toBe(204);
    const second = await sessionClient(t, member.userId);
    expectProblem(await second.patch(`/api/v1/users/${member.userId}`, { Role: 'USER' }), 409, 'last admin');
    expect(await roleIn(brand.id, member.userId)).toBe('ADMIN');
  });

  it('two admins demoting each other at once leave exactly one admin', async () => {
    const { brand, admin } = await brandWithAdmin();
    const other = await addMember(t.ctx, brand.id, 'ADMIN');
    const otherClient = await sessionClient(t, other.userId);
    const responses = await Promise.all([
      admin.patch(`/api/v1/users/${other.userId}`, { Role: 'USER' }),
      otherClient.patch(`/api/v1/users/${brand.adminUserId}`, { Role: 'USER' }),
    ]);
    const statuses = responses.map((r) => r.statusCode).sort();
    expect(statuses[0]).toBe(204);
    expect([403, 409]).toContain(statuses[1]);
    expect(await countRows(t.ctx.db, `select * from memberships where account_id = $1 and role = 'ADMIN'`, [brand.id])).toBe(1);
  });

  it('a removed user loses the account at the next request but keeps their other accounts', async () => {
    const { brand, admin } = await brandWithAdmin();
    const partner = await makeAccount(t.ctx, 'PARTNER');
    const member = await addMember(t.ctx, brand.id, 'ADMIN');
    await addMembership(t.ctx, partner.id, member.userId, 'ADMIN');
    const session = await sessionClient(t, member.userId);
    const inBrand = session.withAccount(brand.id);
    const brandToken = await issueToken(inBrand);
    const partnerToken = await issueToken(session.withAccount(partner.id));
    expectOk(await inBrand.get('/api/v1/account'));
    expectOk(await brandToken.client.get('/api/v1/account'));

    expect((await admin.delete(`/api/v1/users/${member.userId}`)).statusCode).toBe(204);

    expectProblem(await inBrand.get('/api/v1/account'), 403, `You are not a member of account ${brand.id}.`);
    expectProblem(await inBrand.get('/api/v1/users'), 403);
    expectProblem(await brandToken.client.get('/api/v1/account'), 401);
    // The same session still works for the account they remain in, and so does that account's token.
    expect(expectOk(await session.withAccount(partner.id).get('/api/v1/account')).Id).toBe(partner.id);
    expect(expectOk(await session.get('/api/v1/account')).Id).toBe(partner.id);
    expectOk(await partnerToken.client.get('/api/v1/account'));
    expect(expectOk(await session.get('/api/v1/me')).Accounts.map((a: { Id: number }) => a.Id)).toEqual([partner.id]);
    expect(expectOk(await admin.get('/api/v1/users')).map((u: { UserId: number }) => u.UserId)).toEqual([brand.adminUserId]);
  });

  it('a user removed from their only account is logged out everywhere (401) and their tokens stop', async () => {
    const { brand, admin } = await brandWithAdmin();
    const member = await addMember(t.ctx, brand.id, 'ADMIN');
    const session = await sessionClient(t, member.userId);
    const other = await logInClient(t.app, member.email);
    const token = await issueToken(session, 'theirs');
    const adminToken = await issueToken(admin, 'admin');
    expect((await admin.delete(`/api/v1/users/${member.userId}`)).statusCode).toBe(204);
    expectProblem(await session.get('/api/v1/account'), 401);
    expectProblem(await session.get('/api/v1/me'), 401);
    expectProblem(await other.get('/api/v1/me'), 401);
    expectProblem(await token.client.get('/api/v1/account'), 401);
    expect(await countRows(t.ctx.db, 'select * from sessions where user_id = $1', [member.userId])).toBe(0);
    // Tokens issued by others are not affected.
    expectOk(await adminToken.client.get('/api/v1/account'));
    expect(expectOk(await admin.get('/api/v1/credentials')).Tokens.map((tk: { Id: number }) => tk.Id)).toEqual([adminToken.id]);
    // They can still log in, but have no account to act for.
    const again = await logInClient(t.app, member.email);
    expect(expectOk(await again.get('/api/v1/me')).Accounts).toEqual([]);
    expectProblem(await again.get('/api/v1/account'), 403, 'You are not a member of any active account.');
  });
});
