/**
 * Support tickets (issue 15, items 1 and 2): opened by any account user with what they
 * concern, a thread both ways with attachments, the operators' queue, and resolving that
 * performs what the ticket asks through the same services as everywhere else. On
 * PostgreSQL: two operators resolving one ticket at once perform it once.
 */
import { afterEach, beforeEach, expect, it } from 'vitest';
import type { ManualClock } from '../../src/core/clock.js';
import { accountClient, clientFor, makeSales } from '../support/action-helpers.js';
import { addMember, makeAccount, makeOperator, startTestApp, type Client, type TestAccount, type TestApp } from '../support/app.js';
import { describeDb, describePostgres } from '../support/db.js';
import { makeContract, makeProgram, type TestProgram } from '../support/programs.js';
import { available, configureTestPayouts, makeAvailable, payoutWorld, type PayoutWorld } from '../payouts/support.js';
import { dumpDb, expectDbUnchanged, expectOk as ok, expectProblem as problem } from '../support/api-helpers.js';
// biome-ignore lint/suspicious/noExplicitAny: a test reads the fields it checks without declaring the answer's whole type
type Body = Record<string, any>;


describeDb('support tickets', (db) => {
  let t: TestApp;
  let brand: TestAccount;
  let partner: TestAccount;
  let other: TestAccount;
  let program: TestProgram;
  let brandClient: Client;
  let partnerClient: Client;
  let otherClient: Client;
  let operatorClient: Client;

  beforeEach(async () => {
    t = await startTestApp(db());
    brand = await makeAccount(t.ctx, 'BRAND');
    partner = await makeAccount(t.ctx, 'PARTNER');
    other = await makeAccount(t.ctx, 'PARTNER');
    program = await makeProgram(t.ctx, brand, { timeZone: 'UTC' });
    await makeContract(t.ctx, partner, program);
    await makeContract(t.ctx, other, program);
    db().clock.advanceMs(3_600_000);
    brandClient = await accountClient(t, brand);
    partnerClient = await accountClient(t, partner);
    otherClient = await accountClient(t, other);
    operatorClient = await clientFor(t, (await makeOperator(t.ctx)).userId);
  });
  afterEach(async () => t.close());

  it('a thread both ways with an attachment, seen by the account and operators only; the queue oldest first; rejected with a reason, then closed to messages', async () => {
    const bytes = Buffer.from('%PDF-1.4 a bank statement\n\u0000binary');
    const opened = ok(
      await partnerClient.post('/api/v1/tickets', {
        Type: 'GENERAL',
        Subject: 'Where is my November payment?',
        Message: 'It was due on the 20th.',
        Attachments: [{ FileName: 'statement.pdf', ContentType: 'application/pdf', ContentBase64: bytes.toString('base64') }],
      }),
      201,
    );
    expect(opened).toMatchObject({ Type: 'GENERAL', Status: 'OPEN', AccountId: partner.id, AccountIds: [partner.id], Messages: 1 });
    expect(opened.Thread).toHaveLength(1);
    expect(opened.Thread[0]).toMatchObject({ Author: 'ACCOUNT', Body: 'It was due on the 20th.', Attachments: [{ FileName: 'statement.pdf', Size: bytes.length }] });
    (db().clock as ManualClock).advanceMs(60_000);
    const second = ok(await otherClient.post('/api/v1/tickets', { Type: 'GENERAL', Subject: 'Another', Message: 'Hello' }), 201);

    // The account's users see it; another partner and the brand do not (404, as if it did not exist).
    expect(ok(await partnerClient.get('/api/v1/tickets')).Items.map((i: Body) => i.Id)).toEqual([opened.Id]);
    expect(ok(await otherClient.get('/api/v1/tickets')).Items.map((i: Body) => i.Id)).toEqual([second.Id]);
    problem(await otherClient.get(`/api/v1/tickets/${opened.Id}`), 404);
    problem(await brandClient.get(`/api/v1/tickets/${opened.Id}/attachments/${opened.Thread[0].Attachments[0].Id}`), 404);
    const file = await partnerClient.get(`/api/v1/tickets/${opened.Id}/attachments/${opened.Thread[0].Attachments[0].Id}`);
    expect(file.statusCode).toBe(200);
    expect(file.rawPayload.equals(bytes)).toBe(true);
    expect(file.headers['content-disposition']).toContain('statement.pdf');

    // The operators' queue: oldest first, filtered by type and status.
    const queue = ok(await operatorClient.get('/api/v1/tickets?status=OPEN&type=GENERAL'));
    const ids = queue.Items.map((i: Body) => i.Id);
    expect(ids.indexOf(opened.Id)).toBeLessThan(ids.indexOf(second.Id));
    expect(ok(await operatorClient.get('/api/v1/tickets?type=FORFEIT_BALANCE')).Total).toBe(0);

    // Both ways.
    const reply = ok(await operatorClient.post(`/api/v1/tickets/${opened.Id}/messages`, { Message: 'Looking into it.' }), 201);
    expect(reply.Thread.map((m: Body) => m.Author)).toEqual(['ACCOUNT', 'OPERATOR']);
    ok(await partnerClient.post(`/api/v1/tickets/${opened.Id}/messages`, { Message: 'Thanks!' }), 201);
    expect(ok(await operatorClient.post(`/api/v1/operator/tickets/${opened.Id}/status`, { Status: 'IN_REVIEW' })).Status).toBe('IN_REVIEW');

    // A rejection says why; then the ticket takes no more messages.
    problem(await operatorClient.post(`/api/v1/operator/tickets/${opened.Id}/status`, { Status: 'REJECTED' }), 409, /tells the requester why/);
    const rejected = ok(await operatorClient.post(`/api/v1/operator/tickets/${opened.Id}/status`, { Status: 'REJECTED', Message: 'The brand has not paid yet; it is overdue.' }));
    expect(rejected).toMatchObject({ Status: 'REJECTED', Outcome: 'The brand has not paid yet; it is overdue.' });
    expect(rejected.ClosedDate).not.toBeNull();
    problem(await partnerClient.post(`/api/v1/tickets/${opened.Id}/messages`, { Message: 'But…' }), 409, /open a new ticket/);
    problem(await operatorClient.post(`/api/v1/operator/tickets/${opened.Id}/resolve`, {}), 409, /already rejected/);
  });

  it('bad input is a 400 or 403 that says what is wrong, and stores nothing', async () => {
    const [mine] = await makeSales(t.ctx, brand, partner, program, 1);
    const rivalClient = await accountClient(t, await makeAccount(t.ctx, 'BRAND'));
    const userClient = await clientFor(t, (await addMember(t.ctx, partner.id, 'USER')).userId, partner.id);
    const before = await dumpDb(t.ctx.db);
    problem(await partnerClient.post('/api/v1/tickets', { Type: 'GENERAL', Subject: 'x'.repeat(141), Message: 'm' }), 400, /Subject/);
    problem(await partnerClient.post('/api/v1/tickets', { Type: 'GENERAL', Subject: '   ', Message: 'm' }), 400, /Subject/);
    problem(await partnerClient.post('/api/v1/tickets', { Type: 'GENERAL', Subject: 's', Message: '   ' }), 400, /Message/);
    problem(await partnerClient.post('/api/v1/tickets', { Type: 'NOPE', Subject: 's', Message: 'm' }), 400, /Type/);
    // Naming an account the user does not belong to, whether it exists or not.
    problem(await partnerClient.post('/api/v1/tickets', { Type: 'GENERAL', Subject: 's', Message: 'm', AccountIds: [other.id] }), 403, /belong to/);
    problem(await partnerClient.post('/api/v1/tickets', { Type: 'ACCOUNT_CLOSURE', Subject: 's', Message: 'm', AccountIds: [partner.id, other.id] }), 403, /belong to/);
    // A partner's type from a brand, and the reverse.
    problem(await brandClient.post('/api/v1/tickets', { Type: 'MANUAL_PAYSTUB', Subject: 's', Message: 'm' }), 403, /partner account/);
    problem(await partnerClient.post('/api/v1/tickets', { Type: 'CPC_REVERSAL', Subject: 's', Message: 'm', ActionIds: ['1'] }), 403, /brand account/);
    // A brand names only its own actions, and a re-attribution says to whom.
    problem(await rivalClient.post('/api/v1/tickets', { Type: 'CPC_REVERSAL', Subject: 's', Message: 'm', ActionIds: [mine!.toString()] }), 400, /not an action of this account/);
    problem(await brandClient.post('/api/v1/tickets', { Type: 'REATTRIBUTION', Subject: 's', Message: 'm', ActionIds: [mine!.toString()] }), 400, /ToPartnerId/);
    problem(await brandClient.post('/api/v1/tickets', { Type: 'REATTRIBUTION', Subject: 's', Message: 'm' }), 400, /ActionIds/);
    problem(await brandClient.post('/api/v1/tickets', { Type: 'REATTRIBUTION', Subject: 's', Message: 'm', ActionIds: [mine!.toString()], ToPartnerId: brand.id }), 400, /not an active partner/);
    // Attachments: too big, empty, a path for a name, not base64.
    const big = Buffer.alloc(2 * 1024 * 1024 + 1, 1).toString('base64');
    problem(await partnerClient.post('/api/v1/tickets', { Type: 'GENERAL', Subject: 's', Message: 'm', Attachments: [{ FileName: 'a.bin', ContentBase64: big }] }), 400);
    problem(await partnerClient.post('/api/v1/tickets', { Type: 'GENERAL', Subject: 's', Message: 'm', Attachments: [{ FileName: 'a.bin', ContentBase64: '' }] }), 400, /empty/);
    problem(await partnerClient.post('/api/v1/tickets', { Type: 'GENERAL', Subject: 's', Message: 'm', Attachments: [{ FileName: '../etc/passwd', ContentBase64: 'aGk=' }] }), 400, /FileName/);
    problem(await partnerClient.post('/api/v1/tickets', { Type: 'GENERAL', Subject: 's', Message: 'm', Attachments: [{ FileName: 'a', ContentBase64: '!!!' }] }), 400);
    // An account's plain user may open a general ticket, not a money one.
    problem(await userClient.post('/api/v1/tickets', { Type: 'FORFEIT_BALANCE', Subject: 's', Message: 'm' }), 403, /Only an admin/);
    problem(await operatorClient.post('/api/v1/tickets', { Type: 'GENERAL', Subject: 's', Message: 'm' }), 403);
    await expectDbUnchanged(t.ctx.db, before, 'the refused tickets');
    expect(ok(await userClient.post('/api/v1/tickets', { Type: 'GENERAL', Subject: 'A question', Message: 'm' }), 201).Status).toBe('OPEN');
  });

  it('a brand asks for a re-attribution; resolving re-attributes the action to the named partner and tells the brand', async () => {
    const [id] = await makeSales(t.ctx, brand, partner, program, 1);
    const ticket = ok(
      await brandClient.post('/api/v1/tickets', { Type: 'REATTRIBUTION', Subject: 'Wrong partner', Message: 'The sale came from the other partner.', ActionIds: [id!.toString()], ToPartnerId: other.id }),
      201,
    );
    expect(ticket).toMatchObject({ ActionIds: [id!.toString()], ToPartnerId: other.id, Reason: 'CREDITED_DIFFERENT_MP' });
    const facts = ok(await operatorClient.get(`/api/v1/operator/tickets/${ticket.Id}/facts`));
    expect(facts.Items).toEqual([expect.objectContaining({ AccountId: brand.id, Kind: 'BRAND', PendingActions: 1, ActiveContracts: 2 })]);
    const resolved = ok(await operatorClient.post(`/api/v1/operator/tickets/${ticket.Id}/resolve`, { Message: 'Done as asked.' }));
    expect(resolved.Status).toBe('RESOLVED');
    expect(resolved.Outcome).toMatch(new RegExp(`1 of 1 action\\(s\\) re-attributed to partner ${other.id}`));
    expect(ok(await brandClient.get(`/api/v1/actions/${id}`)).MediaPartnerId).toBe(other.id);
    const thread = ok(await brandClient.get(`/api/v1/tickets/${ticket.Id}`)).Thread;
    expect(thread.map((m: Body) => m.Author)).toEqual(['ACCOUNT', 'SYSTEM']);
    expect(thread[1].Body).toContain('Done as asked.');
    // Resolved once: again is a 409.
    problem(await operatorClient.post(`/api/v1/operator/tickets/${ticket.Id}/resolve`, {}), 409, /already resolved/);
  });

  it('a refused operation leaves the ticket in review and tells the requester why', async () => {
    // A CPC reversal of a sale (not a CPC action) is refused by the transition table.
    const [id] = await makeSales(t.ctx, brand, partner, program, 1);
    const ticket = ok(await brandClient.post('/api/v1/tickets', { Type: 'CPC_REVERSAL', Subject: 'Click fraud', Message: 'Bot clicks.', ActionIds: [id!.toString()] }), 201);
    problem(await operatorClient.post(`/api/v1/operator/tickets/${ticket.Id}/resolve`, {}), 409, /None of the ticket's actions could be reversed/);
    const after = ok(await brandClient.get(`/api/v1/tickets/${ticket.Id}`));
    expect(after.Status).toBe('IN_REVIEW');
    expect(after.Thread.at(-1)).toMatchObject({ Author: 'SYSTEM' });
    expect(after.Thread.at(-1).Body).toMatch(/^Not done yet: /);
    expect(ok(await brandClient.get(`/api/v1/actions/${id}`)).State).toBe('PENDING');
  });
});

describeDb('support tickets: forfeits', (db) => {
  let t: TestApp;
  let world: PayoutWorld;
  beforeEach(async () => {
    configureTestPayouts();
    t = await startTestApp(db());
    world = await payoutWorld(t.ctx, db().clock as ManualClock, { partners: 1 });
  });
  afterEach(async () => t.close());

  it('a partner admin asks to forfeit a small balance; resolving moves it to forfeited funds once', async () => {
    await makeAvailable(t.ctx, db().clock as ManualClock, world, [['32.00']]);
    const partner = world.partners[0]!;
    expect(await available(t.ctx, partner)).toBe(320n);
    const client = await accountClient(t, partner);
    const ticket = ok(await client.post('/api/v1/tickets', { Type: 'FORFEIT_BALANCE', Subject: 'Forfeit my balance', Message: 'I am leaving.', Currency: 'USD' }), 201);
    const operatorClient = await clientFor(t, world.operator.userId);
    const resolved = ok(await operatorClient.post(`/api/v1/operator/tickets/${ticket.Id}/resolve`, {}));
    expect(resolved.Outcome).toMatch(/Forfeited 3\.20 USD/);
    expect(await available(t.ctx, partner)).toBe(0n);
    const { rows } = await t.ctx.db.query<{ n: number; amount: bigint }>('select count(*)::int as n, sum(amount_minor)::bigint as amount from balance_forfeits where partner_account_id = $1', [partner.id]);
    expect(rows[0]).toEqual({ n: 1, amount: 320n });
  });
});

describePostgres('support tickets: two operators at once', (db) => {
  let t: TestApp;
  let world: PayoutWorld;
  beforeEach(async () => {
    configureTestPayouts();
    t = await startTestApp(db());
    world = await payoutWorld(t.ctx, db().clock as ManualClock, { partners: 1 });
  });
  afterEach(async () => t.close());

  it('two operators resolving one forfeit ticket at the same moment: one performs it, the other is told, the balance is forfeited once', async () => {
    await makeAvailable(t.ctx, db().clock as ManualClock, world, [['45.00']]);
    const partner = world.partners[0]!;
    const ticket = ok(await (await accountClient(t, partner)).post('/api/v1/tickets', { Type: 'FORFEIT_BALANCE', Subject: 'Forfeit', Message: 'Closing.' }), 201);
    const first = await clientFor(t, world.operator.userId);
    const second = await clientFor(t, (await makeOperator(t.ctx)).userId);
    const answers = await Promise.all([first, second].map((c) => c.post(`/api/v1/operator/tickets/${ticket.Id}/resolve`, {})));
    expect(answers.map((a) => a.statusCode).sort()).toEqual([200, 409]);
    const { rows } = await t.ctx.db.query<{ n: number }>('select count(*)::int as n from balance_forfeits where partner_account_id = $1', [partner.id]);
    expect(rows[0]!.n).toBe(1);
    expect(await available(t.ctx, partner)).toBe(0n);
  });
});
