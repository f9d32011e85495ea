import { afterEach, beforeEach, expect, it } from 'vitest';
import { type Client, makeAccount, startTestApp, type TestApp } from '../support/app.js';
import { dumpDb, expectDbUnchanged, expectOk, expectProblem, sessionClient } from '../support/api-helpers.js';
import { describeDb } from '../support/db.js';
import { makeProgram } from '../support/programs.js';

const putOf = (client: Client) => (url: string, payload: object) => client.request({ method: 'PUT', url, payload });

const PULL = { Protocol: 'SFTP', Host: 'sftp.acme.example', Username: 'acme', Folder: '/home/acme/returns', FilePattern: 'returns_*.csv' };

describeDb('Returns Processing per event type (issue 13 item 3)', (db) => {
  let t: TestApp;
  beforeEach(async () => {
    t = await startTestApp(db());
  });
  afterEach(async () => t.close());

  async function brandWithProgram() {
    const brand = await makeAccount(t.ctx, 'BRAND');
    const program = await makeProgram(t.ctx, brand, { names: { program: 'Outdoor' } });
    return { brand, program, client: await sessionClient(t, brand.adminUserId) };
  }

  it('lists the brand\'s event types with their program, API by default', async () => {
    const { client, program } = await brandWithProgram();
    const list = expectOk(await client.get('/api/v1/event-types'));
    expect(list.map((e: { Name: string }) => e.Name)).toEqual(['Sale', 'Lead', 'Click']);
    expect(list[0]).toMatchObject({
      Id: program.saleEventTypeId,
      CampaignId: program.id,
      CampaignName: 'Outdoor',
      Kind: 'SALE',
      ReturnsProcessing: { Method: 'API', ChannelRunning: true, Pull: null, Email: null, Salesforce: null, ChangedDate: null },
    });
    expect(expectOk(await client.get(`/api/v1/event-types?programId=${program.id}`))).toHaveLength(3);
    expect(expectOk(await client.get('/api/v1/event-types?programId=2147483647'))).toEqual([]);
  });

  it('sets each option with what it needs, audits every change with before and after, and lists the changes', async () => {
    const { client, program, brand } = await brandWithProgram();
    const id = program.saleEventTypeId;
    const pulled = expectOk(await putOf(client)(`/api/v1/event-types/${id}/returns-processing`, { Method: 'SFTP_PULL', Pull: PULL }));
    expect(pulled.ReturnsProcessing).toMatchObject({
      Method: 'SFTP_PULL',
      ChannelRunning: true,
      Pull: { ...PULL, Port: 22, ResultFolder: null, DeleteAfterPull: false, IntervalMinutes: 240 },
    });

    const mailed = expectOk(await putOf(client)(`/api/v1/event-types/${id}/returns-processing`, { Method: 'EMAIL', Email: { AllowedSenders: ['Ops@Acme.example'] } }));
    const address: string = mailed.ReturnsProcessing.Email.Address;
    expect(address).toMatch(/^returns-[0-9a-f]{32}@localhost$/);
    expect(mailed.ReturnsProcessing.Email).toMatchObject({ FilePattern: '*.csv, *.xml', ReturnAddress: null, AllowedSenders: ['ops@acme.example'] });

    // Away and back: the pull settings and the address are kept.
    expectOk(await putOf(client)(`/api/v1/event-types/${id}/returns-processing`, { Method: 'API' }));
    const back = expectOk(await putOf(client)(`/api/v1/event-types/${id}/returns-processing`, { Method: 'SFTP_PULL' }));
    expect(back.ReturnsProcessing.Pull.Host).toBe('sftp.acme.example');
    const again = expectOk(await putOf(client)(`/api/v1/event-types/${id}/returns-processing`, { Method: 'EMAIL' }));
    expect(again.ReturnsProcessing.Email.Address).toBe(address);
    const renewed = expectOk(await putOf(client)(`/api/v1/event-types/${id}/returns-processing`, { Method: 'EMAIL', RegenerateEmailAddress: true }));
    expect(renewed.ReturnsProcessing.Email.Address).not.toBe(address);

    const sf = expectOk(
      await putOf(client)(`/api/v1/event-types/${id}/returns-processing`, {
        Method: 'SALESFORCE',
        Salesforce: {
          InstanceUrl: 'https://acme.my.salesforce.com/',
          ObjectName: 'Opportunity',
          MatchField: 'Lockstep_Action_Id__c',
          MatchBy: 'ACTION_ID',
          StatusField: 'StageName',
          Statuses: [
            { Value: 'Closed Lost', Change: 'REVERSE', Reason: 'ORDER_ERROR' },
            { Value: 'Closed Won', Change: 'APPROVE' },
          ],
        },
      }),
    );
    expect(sf.ReturnsProcessing.Salesforce).toMatchObject({ InstanceUrl: 'https://acme.my.salesforce.com', Statuses: [{ Value: 'Closed Lost', Change: 'REVERSE', Reason: 'ORDER_ERROR', AmountField: null }, { Value: 'Closed Won', Change: 'APPROVE', Reason: null }] });

    // The same settings again change nothing and are not audited again.
    const audits = await t.ctx.db.query<{ n: number }>(`select count(*)::int as n from audit_events where action = 'event_type.returns_processing_changed'`);
    expectOk(await putOf(client)(`/api/v1/event-types/${id}/returns-processing`, { Method: 'SALESFORCE' }));
    const after = await t.ctx.db.query<{ n: number }>(`select count(*)::int as n from audit_events where action = 'event_type.returns_processing_changed'`);
    expect(after.rows[0]!.n).toBe(audits.rows[0]!.n);
    expect(audits.rows[0]!.n).toBe(7);

    const detail = expectOk(await client.get(`/api/v1/event-types/${id}`));
    const history = detail.ReturnsProcessingHistory;
    expect(history.map((h: { Method: string }) => h.Method)).toEqual(['SALESFORCE', 'EMAIL', 'EMAIL', 'SFTP_PULL', 'API', 'EMAIL', 'SFTP_PULL']);
    expect(history.at(-1)).toMatchObject({ MethodBefore: 'API', Method: 'SFTP_PULL', ChangedBy: expect.any(String) });
    expect(history.at(-1).Changes).toContain('Method: API → SFTP_PULL');
    expect(history.at(-1).Changes).toContain('Host: (none) → sftp.acme.example');
    expect(history[1].Changes).toContain('E-mail address: a new one; the old one no longer takes files');
    // The audit log never holds the address (it is the key to the event type's mailbox).
    const { rows } = await t.ctx.db.query<{ detail: unknown }>(`select detail from audit_events where account_id = $1`, [brand.id]);
    expect(JSON.stringify(rows)).not.toContain(address.slice(8, 40));
  });

  it('refuses what an option cannot use, naming the field, and stores nothing', async () => {
    const { client, program } = await brandWithProgram();
    const id = program.saleEventTypeId;
    const before = await dumpDb(t.ctx.db);
    const put = (body: object) => putOf(client)(`/api/v1/event-types/${id}/returns-processing`, body);
    let p = expectProblem(await put({ Method: 'SFTP_PULL' }), 400, 'SFTP_PULL needs Pull');
    expect(p.errors?.[0]?.field).toBe('Pull');
    p = expectProblem(await put({ Method: 'SFTP_PULL', Pull: { ...PULL, Host: 'not a host', Folder: 'relative/path' } }), 400);
    expect(p.errors?.map((e) => e.field)).toEqual(['Pull.Host', 'Pull.Folder']);
    expectProblem(await put({ Method: 'SFTP_PULL', Pull: { ...PULL, IntervalMinutes: 5 } }), 400);
    expectProblem(await put({ Method: 'API', Pull: PULL }), 400, 'Pull settings are for Method SFTP_PULL');
    expectProblem(await put({ Method: 'EMAIL', Email: { ReturnAddress: 'nobody' } }), 400, 'Email.ReturnAddress');
    expectProblem(
      await put({ Method: 'SALESFORCE', Salesforce: { InstanceUrl: 'http://x.example', ObjectName: 'Opportunity', MatchField: 'Id', MatchBy: 'ORDER_ID', StatusField: 'StageName', Statuses: [{ Value: 'Lost', Change: 'MODIFY_AMOUNT', Reason: 'ORDER_UPDATE' }] } }),
      400,
      'Salesforce.InstanceUrl',
    );
    expectProblem(await put({ Method: 'FTP' }), 400);
    expectProblem(await put({ Method: 'API', Extra: 1 }), 400);
    await expectDbUnchanged(t.ctx.db, before);
  });

  it('keeps brands apart: another brand\'s event type is a 404, partners and operators are refused', async () => {
    const { program } = await brandWithProgram();
    const other = await makeAccount(t.ctx, 'BRAND');
    const otherClient = await sessionClient(t, other.adminUserId);
    expect(expectOk(await otherClient.get('/api/v1/event-types'))).toEqual([]);
    expectProblem(await otherClient.get(`/api/v1/event-types/${program.saleEventTypeId}`), 404);
    expectProblem(await putOf(otherClient)(`/api/v1/event-types/${program.saleEventTypeId}/returns-processing`, { Method: 'EMAIL' }), 404);
    const partner = await makeAccount(t.ctx, 'PARTNER');
    const partnerClient = await sessionClient(t, partner.adminUserId);
    expectProblem(await partnerClient.get('/api/v1/event-types'), 403);
    expectProblem(await putOf(partnerClient)(`/api/v1/event-types/${program.saleEventTypeId}/returns-processing`, { Method: 'EMAIL' }), 403);
  });
});
