import { afterEach, beforeEach, expect, it } from 'vitest';
import { describeDb } from '../support/db.js';
import { logInClient, makeAccount, startTestApp, type TestApp } from '../support/app.js';
import { makeContract, makeProgram } from '../support/programs.js';

describeDb('api smoke', (db) => {
  let t: TestApp;
  beforeEach(async () => {
    t = await startTestApp(db());
  });
  afterEach(async () => t.close());

  it('a partner logs in and sees its contract in Contract History', async () => {
    const brand = await makeAccount(t.ctx, 'BRAND');
    const partner = await makeAccount(t.ctx, 'PARTNER');
    const program = await makeProgram(t.ctx, brand);
    const contractId = await makeContract(t.ctx, partner, program);
    const client = await logInClient(t.app, partner.adminEmail);
    const response = await client.get('/api/v1/contracts?status=ACTIVE');
    expect(response.statusCode).toBe(200);
    expect(response.json().items.map((c: { id: number }) => c.id)).toEqual([contractId]);
  });
});
