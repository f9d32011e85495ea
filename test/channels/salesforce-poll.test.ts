/**
 * The Salesforce poller (issue 14 item 4) against a stand-in for Salesforce's OAuth token
 * and REST query endpoints started by the test (test/support/salesforce.ts), jsforce
 * pointed at it: the first poll applies the changed records as one batch, a second poll
 * with nothing new applies nothing, the cursor advances with the batch; a 401 is kept as a
 * clear error and shown.
 */
import { afterEach, beforeEach, expect, it } from 'vitest';
import { accountClient, makeActionWorld, makeSales } from '../support/action-helpers.js';
import { expectOk } from '../support/api-helpers.js';
import { startTestApp, type TestApp } from '../support/app.js';
import { describeDb } from '../support/db.js';
import { drainReturns, OPPORTUNITY_MAPPING, SalesforceStandIn, setSalesforce } from '../support/salesforce.js';
import { enqueueDuePolls } from '../../src/channels/salesforce/poll.js';

interface Status {
  Credentials: { Set: boolean; Kind: string | null };
  PollCursor: string | null;
  LastPollStatus: string | null;
  LastError: string | null;
  NextPollDate: string | null;
  Messages: Array<{ Source: string; Notifications: number; New: number; Duplicates: number; Skipped: number; BatchId: string | null; Status: string; Error: string | null }>;
}

describeDb('Salesforce poller (issue 14 item 4)', (db) => {
  let t: TestApp;
  const sf = new SalesforceStandIn();
  beforeEach(async () => {
    await sf.start();
    sf.records = [];
    sf.queries = [];
    sf.tokenRequests = [];
    sf.mode = 'ok';
    t = await startTestApp(db(), { publicUrl: 'https://lockstep.example', salesforceAllowedHosts: ['127.0.0.1'] });
  }, 60_000);
  afterEach(async () => {
    await t.close();
    await sf.close();
  });

  const actionsOf = async (ids: readonly bigint[]) => {
    const { rows } = await t.ctx.db.query<{ id: string; amount: string; state: string }>(
      'select id::text, amount_minor::text as amount, state from actions where id = any($1::bigint[]) order by id',
      [ids.map(String)],
    );
    const byId = new Map(rows.map((r) => [r.id, [r.amount, r.state]]));
    return ids.map((id) => byId.get(String(id)));
  };

  async function pollWorld() {
    const world = await makeActionWorld(t.ctx, db().clock);
    const eventTypeId = world.program.saleEventTypeId;
    await setSalesforce(t.ctx, world.brand, eventTypeId, {
      ...OPPORTUNITY_MAPPING,
      instanceUrl: sf.instanceUrl,
      statuses: [...OPPORTUNITY_MAPPING.statuses, { value: 'Closed Won - Reduced', change: 'MODIFY_AMOUNT', reason: 'ORDER_UPDATE', amountField: 'Amount' }],
    });
    const client = await accountClient(t, world.brand);
    return { world, eventTypeId, client };
  }

  const stamp = (d: Date) => d.toISOString().replace('Z', '+0000');

  it('first poll applies the changed records as one batch; a second poll with nothing new applies nothing; the cursor advances', async () => {
    const { world, eventTypeId, client } = await pollWorld();
    const [a, b, c] = await makeSales(t.ctx, world.brand, world.partner, world.program, 3, { amount: () => '100.00' });
    const saved = expectOk(
      await client.put(`/api/v1/event-types/${eventTypeId}/salesforce/credentials`, { ClientId: sf.clientId, ClientSecret: sf.clientSecret, RefreshToken: sf.refreshToken }),
    ) as Status & Record<string, unknown>;
    expect(saved.Credentials).toEqual(expect.objectContaining({ Set: true, Kind: 'REFRESH_TOKEN' }));
    expect(JSON.stringify(saved)).not.toContain(sf.refreshToken);
    expect(JSON.stringify(saved)).not.toContain(sf.clientSecret);
    const { rows: stored } = await t.ctx.db.query<{ enc: string }>('select credentials_encrypted as enc from salesforce_connections');
    expect(stored[0]!.enc).not.toContain(sf.refreshToken);
    expect(saved.NextPollDate).not.toBeNull();

    const now = t.ctx.clock.now().getTime();
    sf.records = [
      { Id: '0065g00000Pa1AAAA', SystemModstamp: stamp(new Date(now - 30 * 60_000)), Lockstep_Action_Id__c: String(a), StageName: 'Closed Lost', Amount: 100 },
      { Id: '0065g00000Pa2AAAA', SystemModstamp: stamp(new Date(now - 20 * 60_000)), Lockstep_Action_Id__c: String(b), StageName: 'Closed Won - Reduced', Amount: 45.5 },
      { Id: '0065g00000Pa3AAAA', SystemModstamp: stamp(new Date(now - 10 * 60_000 + 250)), Lockstep_Action_Id__c: String(c), StageName: 'Prospecting', Amount: 100 },
      // Changed before the day the first poll looks back on: not asked for.
      { Id: '0065g00000Pa4AAAA', SystemModstamp: stamp(new Date(now - 3 * 86_400_000)), Lockstep_Action_Id__c: String(c), StageName: 'Closed Lost', Amount: 100 },
    ];

    // The schedule enqueues one poll per slot, however often it runs.
    expect(await enqueueDuePolls(t.ctx)).toBe(1);
    expect(await enqueueDuePolls(t.ctx)).toBe(0);
    await drainReturns(t.ctx, ['salesforce-poll', 'returns-batch']);
    expect(sf.queries).toEqual([
      `SELECT Id, Lockstep_Action_Id__c, StageName, Amount, SystemModstamp FROM Opportunity WHERE SystemModstamp > ${new Date(now - 86_400_000).toISOString().replace('.000Z', 'Z')} ORDER BY SystemModstamp LIMIT 2000`,
    ]);
    expect(sf.tokenRequests.map((f) => f.get('grant_type'))).toEqual(['refresh_token']);
    expect(await actionsOf([a!, b!, c!])).toEqual([['10000', 'REVERSED'], ['4550', 'PENDING'], ['10000', 'PENDING']]);
    const { rows: batches } = await t.ctx.db.query<{ id: string; channel: string; status: string; counts: Record<string, number> }>(
      'select id::text, channel, status, counts from returns_batches',
    );
    expect(batches).toEqual([{ id: expect.any(String), channel: 'SALESFORCE', status: 'DONE', counts: { APPLIED: 2 } }]);
    let status = expectOk(await client.get(`/api/v1/event-types/${eventTypeId}/salesforce`)) as Status;
    expect(status.PollCursor).toBe(new Date(now - 10 * 60_000 + 250).toISOString());
    expect(status.LastPollStatus).toBe('OK');
    expect(status.Messages[0]).toMatchObject({ Source: 'POLL', Notifications: 3, New: 3, Skipped: 1, BatchId: batches[0]!.id, Status: 'OK' });

    // Poll now, nothing changed since: the cursor's own second comes again and is known; nothing is applied.
    const queued = await client.post(`/api/v1/event-types/${eventTypeId}/salesforce/poll`);
    expect(queued.statusCode).toBe(202);
    await drainReturns(t.ctx, ['salesforce-poll', 'returns-batch']);
    expect(sf.queries[1]).toContain(`WHERE SystemModstamp > ${new Date(now - 10 * 60_000).toISOString().replace('.000Z', 'Z')} ORDER BY`);
    expect((await t.ctx.db.query('select id from returns_batches')).rows).toHaveLength(1);
    status = expectOk(await client.get(`/api/v1/event-types/${eventTypeId}/salesforce`)) as Status;
    expect(status.Messages[0]).toMatchObject({ Source: 'POLL', Notifications: 1, New: 0, Duplicates: 1, BatchId: null, Status: 'OK' });

    // A record changed again later: the next poll takes it, and moves the cursor.
    sf.records.push({ Id: '0065g00000Pa3AAAA', SystemModstamp: stamp(new Date(now - 60_000)), Lockstep_Action_Id__c: String(c), StageName: 'Closed Lost', Amount: 100 });
    await client.post(`/api/v1/event-types/${eventTypeId}/salesforce/poll`);
    await drainReturns(t.ctx, ['salesforce-poll', 'returns-batch']);
    expect(await actionsOf([c!])).toEqual([['10000', 'REVERSED']]);
    status = expectOk(await client.get(`/api/v1/event-types/${eventTypeId}/salesforce`)) as Status;
    expect(status.PollCursor).toBe(new Date(now - 60_000).toISOString());
    expect((await t.ctx.db.query('select id from returns_batches')).rows).toHaveLength(2);
  }, 60_000);

  it('a 401 from Salesforce is kept as a clear error and shown; the cursor does not move; a refused login says so', async () => {
    const { world, eventTypeId, client } = await pollWorld();
    const [a] = await makeSales(t.ctx, world.brand, world.partner, world.program, 1, { amount: () => '100.00' });
    expectOk(
      await client.put(`/api/v1/event-types/${eventTypeId}/salesforce/credentials`, {
        ClientId: sf.clientId,
        ClientSecret: sf.clientSecret,
        Username: 'ops@acme.example',
        Password: 'hunter2',
        SecurityToken: 'SECTOKEN',
        IntervalMinutes: 30,
      }),
    );
    sf.records = [{ Id: '0065g00000Pb1AAAA', SystemModstamp: stamp(new Date(t.ctx.clock.now().getTime() - 60_000)), Lockstep_Action_Id__c: String(a), StageName: 'Closed Lost' }];
    sf.mode = 'expired-session';
    await client.post(`/api/v1/event-types/${eventTypeId}/salesforce/poll`);
    await drainReturns(t.ctx, ['salesforce-poll', 'returns-batch']);
    expect(sf.tokenRequests.map((f) => f.get('grant_type'))).toEqual(['password']);
    let status = expectOk(await client.get(`/api/v1/event-types/${eventTypeId}/salesforce`)) as Status;
    expect(status.LastPollStatus).toBe('ERROR');
    expect(status.LastError).toMatch(/^Salesforce refused the session \(401 INVALID_SESSION_ID\): Session expired or invalid/);
    expect(status.PollCursor).toBeNull();
    expect(status.Messages[0]).toMatchObject({ Source: 'POLL', Status: 'ERROR', Error: status.LastError });
    expect(await actionsOf([a!])).toEqual([['10000', 'PENDING']]);

    sf.mode = 'bad-grant';
    await client.post(`/api/v1/event-types/${eventTypeId}/salesforce/poll`);
    await drainReturns(t.ctx, ['salesforce-poll', 'returns-batch']);
    status = expectOk(await client.get(`/api/v1/event-types/${eventTypeId}/salesforce`)) as Status;
    expect(status.LastError).toMatch(/^Salesforce refused the login \(invalid_grant\)/);

    // Salesforce is back: the record is taken.
    sf.mode = 'ok';
    await client.post(`/api/v1/event-types/${eventTypeId}/salesforce/poll`);
    await drainReturns(t.ctx, ['salesforce-poll', 'returns-batch']);
    expect(await actionsOf([a!])).toEqual([['10000', 'REVERSED']]);
    status = expectOk(await client.get(`/api/v1/event-types/${eventTypeId}/salesforce`)) as Status;
    expect(status.LastPollStatus).toBe('OK');
    expect(status.LastError).toBeNull();
  }, 60_000);

  it('an instance at an internal address not in SALESFORCE_ALLOWED_HOSTS is refused before any request; bad credentials are a 400', async () => {
    await t.close();
    t = await startTestApp(db(), { publicUrl: 'https://lockstep.example', salesforceAllowedHosts: [] });
    const { eventTypeId, client } = await pollWorld();
    const bad = await client.put(`/api/v1/event-types/${eventTypeId}/salesforce/credentials`, { ClientId: sf.clientId, ClientSecret: sf.clientSecret });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().detail).toContain('Username: give the Salesforce username');
    expectOk(await client.put(`/api/v1/event-types/${eventTypeId}/salesforce/credentials`, { ClientId: sf.clientId, ClientSecret: sf.clientSecret, RefreshToken: sf.refreshToken }));
    await client.post(`/api/v1/event-types/${eventTypeId}/salesforce/poll`);
    await drainReturns(t.ctx, ['salesforce-poll', 'returns-batch']);
    const status = expectOk(await client.get(`/api/v1/event-types/${eventTypeId}/salesforce`)) as Status;
    expect(status.LastError).toContain('127.0.0.1 is an internal address');
    expect(sf.tokenRequests).toEqual([]);
  }, 60_000);
});
