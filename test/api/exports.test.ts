import { parse } from 'csv-parse/sync';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { describeDb } from '../support/db.js';
import { logInClient, makeAccount, startTestApp, type TestApp } from '../support/app.js';
import { makeContract, makeProgram } from '../support/programs.js';
import { makeSaleAction } from '../support/actions.js';

describeDb('CSV downloads', (db) => {
  let t: TestApp;
  beforeEach(async () => {
    t = await startTestApp(db());
  });
  afterEach(async () => t.close());

  it('exports the filtered actions of the brand only, with the field names users know', async () => {
    const brand = await makeAccount(t.ctx, 'BRAND');
    const other = await makeAccount(t.ctx, 'BRAND');
    const partner = await makeAccount(t.ctx, 'PARTNER');
    const program = await makeProgram(t.ctx, brand);
    const otherProgram = await makeProgram(t.ctx, other);
    await makeContract(t.ctx, partner, program);
    await makeContract(t.ctx, partner, otherProgram);
    db().clock.advanceMs(3_600_000);
    const ids = [];
    for (const amount of ['10.00', '20.50', '30.01']) ids.push(await makeSaleAction(t.ctx, brand, partner, program, { amount }));
    await makeSaleAction(t.ctx, other, partner, otherProgram, { amount: '99.00' });
    const client = await logInClient(t.app, brand.adminEmail);
    const response = await client.get('/api/v1/actions/export.csv?state=PENDING');
    expect(response.statusCode).toBe(200);
    expect(response.headers['content-type']).toMatch(/^text\/csv/);
    expect(response.headers['content-disposition']).toMatch(/attachment; filename="actions-\d{4}-\d{2}-\d{2}\.csv"/);
    const records = parse(response.body, { columns: true }) as Array<Record<string, string>>;
    expect(records.map((r) => r.Id)).toEqual(ids.map(String).reverse());
    expect(records.map((r) => r.Amount)).toEqual(['30.01', '20.50', '10.00']);
    expect(records[0]).toMatchObject({ State: 'PENDING', StatusDetail: 'Pending', Currency: 'USD', Payout: '3.00' });
    const bad = await client.get('/api/v1/actions/export.csv?statusDetail=Nope');
    expect(bad.statusCode).toBe(400);
    expect(bad.json().detail).toMatch(/Unknown status detail/);
  });

  it('exports Contract History with its filters', async () => {
    const brand = await makeAccount(t.ctx, 'BRAND');
    const partner = await makeAccount(t.ctx, 'PARTNER');
    const program = await makeProgram(t.ctx, brand);
    await makeContract(t.ctx, partner, program);
    const client = await logInClient(t.app, partner.adminEmail);
    const response = await client.get('/api/v1/contracts/export.csv?status=ACTIVE');
    expect(response.statusCode).toBe(200);
    const records = parse(response.body, { columns: true }) as Array<Record<string, string>>;
    expect(records).toHaveLength(1);
    expect(records[0]).toMatchObject({ Status: 'ACTIVE', TerminationReason: 'STILL_ACTIVE', ProgramId: String(program.id) });
  });
});
