/**
 * Partner account closure end to end (issue 15, items 4 and 5): a partner with bank
 * details, a paid paystub (a bank file naming it), tickets, an invitation and an API token
 * expires its contract, files a closure ticket asking for its login to go too; the
 * operator's final review refuses while a balance is left, then closes the account.
 * Afterwards: no access by session, token or invitation link; the link answers 410; a
 * conversion is rejected; the brand sees "Closed partner #<id>"; and a dump of every table
 * and the captured logs hold none of the partner's names, e-mails, IBAN or holder name.
 * On PostgreSQL, a conversion racing the closure either lands first (and blocks it) or is
 * rejected; and a closure stopped after its first step resumes in a worker.
 */
import { Writable } from 'node:stream';
import { afterEach, beforeEach, expect, it } from 'vitest';
import type { ManualClock } from '../../src/core/clock.js';
import { closeAccount, closeAccountFlow } from '../../src/flows/close-account.js';
import { buildApp } from '../../src/http/app.js';
import { changeOwnName } from '../../src/modules/accounts/change-own-profile.js';
import { recordConversions } from '../../src/modules/conversions/record-conversions.js';
import { runNow } from '../../src/worker/index.js';
import { accountClient, clientFor, makeSales } from '../support/action-helpers.js';
import { makeClick } from '../support/actions.js';
import { expectOk as ok, expectProblem as problem } from '../support/api-helpers.js';
import { basicClient, Client, logInClient, makeAccount, TEST_ADMIN_SECRET, TEST_PASSWORD, testConfig, type TestAccount, type TestApp } from '../support/app.js';
import { describeDb, describePostgres } from '../support/db.js';
import { configureTestPayouts, GERMAN_IBAN, ibanSettings, makeAvailable, pastHold, payoutWorld, saveSettings, type PayoutWorld } from '../payouts/support.js';

const HOLDER = 'Quentin Quarrington-Vale';
const ACCOUNT_NAME = 'Juniper Ridge Trails Media';

/** Every row of every table as text, bytea columns also decoded: what a database dump would show. */
async function dumpText(t: TestApp): Promise<string> {
  const { rows: tables } = await t.ctx.db.query<{ name: string }>(
    `select table_name as name from information_schema.tables where table_schema = current_schema() and table_type = 'BASE TABLE' order by 1`,
  );
  const parts: string[] = [];
  for (const { name } of tables) {
    const { rows } = await t.ctx.db.query<{ row: string }>(`select row_to_json(t)::text as row from "${name}" t`);
    parts.push(...rows.map((r) => `${name}: ${r.row}`));
    const { rows: binary } = await t.ctx.db.query<{ column: string }>(
      `select column_name as column from information_schema.columns where table_schema = current_schema() and table_name = $1 and data_type = 'bytea'`,
      [name],
    );
    for (const { column } of binary) {
      const { rows: decoded } = await t.ctx.db.query<{ text: string | null }>(`select encode("${column}", 'escape') as text from "${name}"`);
      parts.push(...decoded.map((r) => r.text ?? ''));
    }
  }
  return parts.join('\n');
}

function compactIban(iban: string): string {
  return iban.replaceAll(' ', '');
}

describeDb('account closure', (db) => {
  let t: TestApp;
  let world: PayoutWorld;
  let partner: TestAccount;
  const logs: string[] = [];

  beforeEach(async () => {
    configureTestPayouts();
    logs.length = 0;
    const ctx = { db: db().db, clock: db().clock };
    const stream = new Writable({
      write(chunk, _encoding, done) {
        logs.push(String(chunk));
        done();
      },
    });
    const app = await buildApp({ ctx, config: testConfig(), adminSecret: TEST_ADMIN_SECRET, logger: { level: 'trace', stream } });
    await app.ready();
    t = { app, ctx, close: () => app.close() };
    world = await payoutWorld(ctx, db().clock as ManualClock, { partners: 1 });
    partner = world.partners[0]!;
    await t.ctx.db.query('update accounts set name = $2 where id = $1', [partner.id, ACCOUNT_NAME]);
    await changeOwnName(t.ctx, partner.adminUserId, HOLDER);
  });
  afterEach(async () => t.close());

  it('refused while funds are left, then closed: no access, the link expired, conversions rejected, the brand sees "Closed partner", and no personal data left in the database or the logs', async () => {
    const clock = db().clock as ManualClock;
    await saveSettings(t.ctx, partner, ibanSettings('10.00', GERMAN_IBAN, HOLDER));
    pastHold(clock);
    await makeAvailable(t.ctx, clock, world, [['900.00', '12.34']]);
    const operatorClient = await clientFor(t, world.operator.userId);
    const session = await logInClient(t.app, partner.adminEmail);
    const client = session.withAccount(partner.id);
    const link = ok(await client.post('/api/v1/links', { CampaignId: world.program.id, LandingUrl: 'https://shop.example/' }), 201);
    const token = ok(await client.post('/api/v1/credentials', { Label: 'reporting' }), 201);
    const invitation = ok(await client.post('/api/v1/users/invitations', { Email: 'quentin.friend@example.test', Role: 'USER' }), 201);
    const clickId = await makeClick(t.ctx, partner, world.program, clock.now());
    // Text the partner's users typed elsewhere: a pin's title, a schedule's name.
    ok(await client.post('/api/v1/pins', { Report: 'pending-payouts-actions', Title: `${HOLDER}'s pending` }), 201);
    ok(await client.post('/api/v1/report-schedules', { Name: `${HOLDER} weekly`, Report: 'pending-payouts-actions', Frequency: 'DAILY', TimeOfDay: '08:00' }), 201);

    // A manual paystub through a ticket: the bank file names the holder and the IBAN.
    const paystubTicket = ok(
      await client.post('/api/v1/tickets', {
        Type: 'MANUAL_PAYSTUB',
        Subject: `Pay out ${ACCOUNT_NAME}`,
        Message: `Hello, ${HOLDER} here (${partner.adminEmail}); please pay my balance to ${GERMAN_IBAN}.`,
        Attachments: [{ FileName: 'letter.txt', ContentType: 'text/plain', ContentBase64: Buffer.from(`Bank letter for ${HOLDER}, IBAN ${GERMAN_IBAN}`).toString('base64') }],
      }),
      201,
    );
    ok(await operatorClient.post(`/api/v1/operator/tickets/${paystubTicket.Id}/resolve`, {}));
    const { rows: chunks } = await t.ctx.db.query<{ content: string }>(
      'select c.content from payout_file_chunks c join paystubs p on p.file_id = c.file_id where p.partner_account_id = $1',
      [partner.id],
    );
    expect(chunks.map((c) => c.content).join('')).toContain(compactIban(GERMAN_IBAN));
    const { rows: runs } = await t.ctx.db.query<{ run: number }>('select run_id as run from paystubs where partner_account_id = $1', [partner.id]);

    // The closure ticket, with the requester's own login; the contract is still in force.
    const closure = ok(
      await client.post('/api/v1/tickets', { Type: 'ACCOUNT_CLOSURE', Subject: 'Close my account', Message: `${HOLDER} wants out.`, DeleteMemberAccount: true }),
      201,
    );
    expect(closure.DeleteMemberAccount).toBe(true);
    let review = ok(await operatorClient.get(`/api/v1/operator/tickets/${closure.Id}/closure-review`));
    expect(review.DeleteMemberAccount).toEqual({ UserId: partner.adminUserId, Name: HOLDER });
    expect(review.Items[0]).toMatchObject({ AccountId: partner.id, Eligible: false });
    const refused = problem(await operatorClient.post(`/api/v1/operator/tickets/${closure.Id}/resolve`, {}), 409, /contract\(s\) still in force/);
    expect(refused.detail).toMatch(/is not closed/);
    expect(ok(await client.get(`/api/v1/tickets/${closure.Id}`))).toMatchObject({ Status: 'IN_REVIEW' });
    expect((await t.ctx.db.query('select status from accounts where id = $1', [partner.id])).rows[0]).toEqual({ status: 'ACTIVE' });

    // Step 1: the contract expired. Step 2: the manual paystub paid the whole balance, and
    // once its bank file is sent nothing is on its way either; eligible.
    const { rows: contracts } = await t.ctx.db.query<{ id: number }>('select id from contracts where partner_account_id = $1', [partner.id]);
    ok(await client.post(`/api/v1/contracts/${contracts[0]!.id}/expire`, {}));
    clock.advanceMs(60_000);
    review = ok(await operatorClient.get(`/api/v1/operator/tickets/${closure.Id}/closure-review`));
    expect(review.Items[0].Blockers).toEqual([expect.stringMatching(/1 paystub\(s\) are on their way to the bank/)]);
    ok(await operatorClient.post(`/api/v1/operator/payout-runs/${runs[0]!.run}/mark-sent`, {}));
    review = ok(await operatorClient.get(`/api/v1/operator/tickets/${closure.Id}/closure-review`));
    expect(review.Items[0]).toMatchObject({ Eligible: true, Blockers: [] });

    const resolved = ok(await operatorClient.post(`/api/v1/operator/tickets/${closure.Id}/resolve`, {}));
    expect(resolved).toMatchObject({ Status: 'RESOLVED' });
    expect(resolved.Outcome).toMatch(new RegExp(`Account ${partner.id} closed`));
    const { rows: closures } = await t.ctx.db.query<{ ticket: string; by: number; users: number; erased: boolean }>(
      'select ticket_id::text as ticket, closed_by_user_id as by, users_erased as users, erased_at is not null as erased from account_closures where account_id = $1',
      [partner.id],
    );
    expect(closures).toEqual([{ ticket: closure.Id, by: world.operator.userId, users: 1, erased: true }]);
    review = ok(await operatorClient.get(`/api/v1/operator/tickets/${closure.Id}/closure-review`));
    expect(review.Items[0]).toMatchObject({ Name: `Closed partner #${partner.id}`, ClosedDate: expect.any(String) });
    expect(review.DeleteMemberAccount).toMatchObject({ Name: 'Erased user' });

    // No access: the session, the API token, the password, the invitation link.
    expect((await client.get('/api/v1/me')).statusCode).toBe(401);
    expect((await basicClient(t.app, partner.sid, token.AuthToken).get('/api/v1/actions')).statusCode).toBe(401);
    expect((await t.app.inject({ method: 'POST', url: '/api/v1/session', payload: { Email: partner.adminEmail, Password: TEST_PASSWORD } })).statusCode).toBe(401);
    const inviteUrl = String(invitation.AcceptUrl);
    const inviteToken = inviteUrl.split('/').pop() ?? 'none';
    expect([404, 410]).toContain((await t.app.inject({ method: 'GET', url: `/api/v1/invitations/${inviteToken}` })).statusCode);

    // The link answers the expired-link page and records nothing; a conversion is rejected.
    const clicksBefore = (await t.ctx.db.query<{ n: number }>('select count(*)::int as n from clicks')).rows[0]!.n;
    const visit = await t.app.inject({ method: 'GET', url: `/c/${link.Code}` });
    expect(visit.statusCode).toBe(410);
    expect(visit.body).toMatch(/This link has expired/);
    expect((await t.ctx.db.query<{ n: number }>('select count(*)::int as n from clicks')).rows[0]!.n).toBe(clicksBefore);
    const [late] = await recordConversions(t.ctx, world.brand.actor, [
      { ActionTrackerId: world.program.saleEventTypeId, OrderId: 'AFTER-CLOSURE-1', EventDate: clock.now().toISOString(), ClickId: clickId, Amount: '50.00' },
    ]);
    expect(late).toMatchObject({ status: 'REJECTED', rejectReason: 'PARTNER_CLOSED' });
    const { rows: ended } = await t.ctx.db.query<{ reason: string }>('select termination_reason as reason from contracts where partner_account_id = $1', [partner.id]);
    expect(ended.map((r) => r.reason)).toEqual(['EXPIRED_BY_PARTNER']);

    // The brand keeps its records, with the partner shown by number.
    const brandClient = await accountClient(t, world.brand);
    const actions = ok(await brandClient.get('/api/v1/actions?pageSize=100'));
    expect(actions.Items.length).toBeGreaterThan(0);
    for (const action of actions.Items) expect(action.MediaPartnerName).toBe(`Closed partner #${partner.id}`);
    const csv = await brandClient.get('/api/v1/actions/export.csv');
    if (csv.statusCode === 200) {
      expect(csv.body).toContain(`Closed partner #${partner.id}`);
      expect(csv.body).not.toContain(ACCOUNT_NAME);
    }

    // Nothing personal left anywhere.
    const personal = [ACCOUNT_NAME, HOLDER, partner.adminEmail, 'quentin.friend@example.test', GERMAN_IBAN, compactIban(GERMAN_IBAN)];
    const dump = await dumpText(t);
    for (const value of personal) {
      const where = dump.split('\n').filter((line) => line.includes(value)).map((line) => line.slice(0, 300));
      expect(where, `the database still holds ${value}`).toEqual([]);
    }
    const logText = logs.join('');
    expect(logText.length).toBeGreaterThan(0);
    for (const value of personal) expect(logText.includes(value), `the logs hold ${value}`).toBe(false);
  });

  it('a manual paystub requested twice is paid once: the second ticket is refused with the balance it found, and stays in review', async () => {
    const clock = db().clock as ManualClock;
    await saveSettings(t.ctx, partner, ibanSettings('10.00', GERMAN_IBAN, HOLDER));
    pastHold(clock);
    await makeAvailable(t.ctx, clock, world, [['900.00']]);
    const client = await accountClient(t, partner);
    const operatorClient = await clientFor(t, world.operator.userId);
    const first = ok(await client.post('/api/v1/tickets', { Type: 'MANUAL_PAYSTUB', Subject: 'Pay me', Message: 'Please.' }), 201);
    const second = ok(await client.post('/api/v1/tickets', { Type: 'MANUAL_PAYSTUB', Subject: 'Pay me (again)', Message: 'Please!' }), 201);
    ok(await operatorClient.post(`/api/v1/operator/tickets/${first.Id}/resolve`, {}));
    problem(await operatorClient.post(`/api/v1/operator/tickets/${second.Id}/resolve`, {}), 400, /no available balance/);
    expect(ok(await client.get(`/api/v1/tickets/${second.Id}`))).toMatchObject({ Status: 'IN_REVIEW' });
    const { rows } = await t.ctx.db.query<{ n: number }>(`select count(*)::int as n from paystubs where partner_account_id = $1 and kind = 'MANUAL'`, [partner.id]);
    expect(rows[0]!.n).toBe(1);
  });

  it('a user who belongs to another account keeps it; a plain member with no other account is erased', async () => {
    const clock = db().clock as ManualClock;
    const other = await makeAccount(t.ctx, 'PARTNER');
    await t.ctx.db.query(`insert into memberships (account_id, user_id, role) values ($1, $2, 'USER')`, [other.id, partner.adminUserId]);
    const { rows: contracts } = await t.ctx.db.query<{ id: number }>('select id from contracts where partner_account_id = $1', [partner.id]);
    const client = await accountClient(t, partner);
    ok(await client.post(`/api/v1/contracts/${contracts[0]!.id}/expire`, {}));
    clock.advanceMs(60_000);
    const { rows: named } = await t.ctx.db.query<{ name: string }>('select name from accounts where id = $1', [partner.id]);
    await closeAccount(t.ctx, { accountId: partner.id, operatorUserId: world.operator.userId, ticketId: null, deleteUserIds: [] });
    // The closure's account.closed event (webhooks), for the account alone; its name erased with the rest.
    const { rows: closed } = await t.ctx.db.query<{ accountIds: number[]; payload: { Status: string; Name: string } }>(
      `select account_ids as "accountIds", payload from outbox_events where type = 'account.closed' and subject = $1`,
      [`account:${partner.id}`],
    );
    expect(closed).toEqual([{ accountIds: [partner.id], payload: expect.objectContaining({ Status: 'CLOSED' }) }]);
    expect(JSON.stringify(closed[0]!.payload)).not.toContain(named[0]!.name);
    const session = await logInClient(t.app, partner.adminEmail);
    const me = ok(await session.get('/api/v1/me'));
    expect(me.Accounts.map((a: { Id: number }) => a.Id)).toEqual([other.id]);
    expect((await session.withAccount(partner.id).get('/api/v1/actions')).statusCode).toBe(403);
    const { rows } = await t.ctx.db.query<{ name: string }>('select name from users where id = $1', [partner.adminUserId]);
    expect(rows[0]!.name).toBe(HOLDER);
    problem(await (await clientFor(t, world.operator.userId)).post('/api/v1/tickets', { Type: 'GENERAL', Subject: 's', Message: 'm' }), 403);
  });
});

describePostgres('account closure under concurrency', (db) => {
  let t: TestApp;
  let world: PayoutWorld;
  beforeEach(async () => {
    configureTestPayouts();
    const ctx = { db: db().db, clock: db().clock };
    const app = await buildApp({ ctx, config: testConfig(), adminSecret: TEST_ADMIN_SECRET });
    await app.ready();
    t = { app, ctx, close: () => app.close() };
    world = await payoutWorld(ctx, db().clock as ManualClock, { partners: 4 });
  });
  afterEach(async () => t.close());

  it('a conversion racing the closure either lands first and blocks it, or is rejected: never a pending action on a closed account', async () => {
    const clock = db().clock as ManualClock;
    for (const partner of world.partners) {
      const clickId = await makeClick(t.ctx, partner, world.program, clock.now());
      // The contract ends in a second: a conversion dated now still earns, but closure needs the contract gone.
      await t.ctx.db.query(`update contracts set end_at = $2, termination_reason = 'EXPIRED_BY_PARTNER' where partner_account_id = $1`, [partner.id, new Date(clock.now().getTime() + 1_000)]);
      const eventAt = clock.now().toISOString();
      clock.advanceMs(2_000);
      await t.ctx.db.query(`update contracts set start_at = $2 where partner_account_id = $1`, [partner.id, new Date(clock.now().getTime() - 3_600_000)]);
      const [conversion, closure] = await Promise.allSettled([
        recordConversions(t.ctx, world.brand.actor, [
          { ActionTrackerId: world.program.saleEventTypeId, OrderId: `RACE-${partner.id}`, EventDate: eventAt, ClickId: clickId, Amount: '40.00' },
        ]),
        closeAccount(t.ctx, { accountId: partner.id, operatorUserId: world.operator.userId, ticketId: null, deleteUserIds: [] }),
      ]);
      expect(conversion.status).toBe('fulfilled');
      const result = (conversion as PromiseFulfilledResult<Awaited<ReturnType<typeof recordConversions>>>).value[0]!;
      const { rows } = await t.ctx.db.query<{ status: string; pending: number }>(
        `select a.status, (select count(*)::int from actions x where x.partner_account_id = a.id and x.state = 'PENDING') as pending from accounts a where a.id = $1`,
        [partner.id],
      );
      if (closure.status === 'fulfilled') {
        expect(rows[0]).toEqual({ status: 'CLOSED', pending: 0 });
        expect(result).toMatchObject({ status: 'REJECTED', rejectReason: 'PARTNER_CLOSED' });
      } else {
        expect(String((closure as PromiseRejectedResult).reason)).toMatch(/pending action/);
        expect(rows[0]).toEqual({ status: 'ACTIVE', pending: 1 });
        expect(result).toMatchObject({ status: 'ACCEPTED' });
      }
    }
  });

  it('a closure stopped after its first step is closed but not yet erased; a worker resumes it and erases exactly once', async () => {
    const clock = db().clock as ManualClock;
    const partner = world.partners[0]!;
    await t.ctx.db.query(`update contracts set end_at = $2, termination_reason = 'EXPIRED_BY_PARTNER' where partner_account_id = $1`, [partner.id, clock.now()]);
    clock.advanceMs(1_000);
    const itemId = await t.ctx.db.transaction((tx) =>
      closeAccountFlow.start(tx, t.ctx, { accountId: partner.id, operatorUserId: world.operator.userId, ticketId: null, deleteUserIds: [] }, { contractsExpired: 0, usersErased: 0 }, { firstSteps: 1 }),
    );
    // The process "died" here: closed (no access), the personal data not erased yet.
    let { rows } = await t.ctx.db.query<{ status: string; name: string; email: string }>(
      'select a.status, a.name, u.email from accounts a join users u on u.id = $2 where a.id = $1',
      [partner.id, partner.adminUserId],
    );
    expect(rows[0]).toMatchObject({ status: 'CLOSED', email: partner.adminEmail });
    expect((await (await logInClient(t.app, partner.adminEmail)).withAccount(partner.id).get('/api/v1/actions')).statusCode).toBe(403);
    await runNow(t.ctx, itemId);
    ({ rows } = await t.ctx.db.query('select a.status, a.name, u.email from accounts a join users u on u.id = $2 where a.id = $1', [partner.id, partner.adminUserId]));
    expect(rows[0]).toEqual({ status: 'CLOSED', name: `Closed partner #${partner.id}`, email: `erased-user-${partner.adminUserId}@erased.invalid` });
    const { rows: item } = await t.ctx.db.query<{ state: string; progress: unknown }>('select state, progress from work_items where id = $1', [itemId.toString()]);
    expect(item[0]!.state).toBe('DONE');
    expect(JSON.stringify(item[0]!.progress)).not.toContain(partner.adminEmail);
    // Again: nothing to do twice (the account is closed: the close step refuses).
    await expect(closeAccount(t.ctx, { accountId: partner.id, operatorUserId: world.operator.userId, ticketId: null, deleteUserIds: [] })).rejects.toThrow(/already closed/);
    void makeSales;
    void Client;
  });
});
