import { afterEach, beforeEach, expect, it } from 'vitest';
import { describeDb } from '../support/db.js';
import { logInClient, makeAccount, makeOperator, startTestApp, type TestApp } from '../support/app.js';
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
    expect(response.json().Items.map((c: { Id: number }) => c.Id)).toEqual([contractId]);
  });
});

describeDb('contract history without a status filter', (db) => {
  it('answers for a partner, a brand and an operator (regression: untyped count parameter)', async () => {
    const t = await startTestApp(db());
    try {
      const brand = await makeAccount(t.ctx, 'BRAND');
      const partner = await makeAccount(t.ctx, 'PARTNER');
      const program = await makeProgram(t.ctx, brand);
      await makeContract(t.ctx, partner, program);
      const operator = await makeOperator(t.ctx);
      for (const email of [partner.adminEmail, brand.adminEmail, operator.email]) {
        const client = await logInClient(t.app, email);
        const response = await client.get('/api/v1/contracts');
        expect(response.statusCode, `${email}: ${response.body}`).toBe(200);
        expect(response.json().Total).toBe(1);
        const one = await client.get(`/api/v1/contracts/${response.json().Items[0].Id}`);
        expect(one.statusCode).toBe(200);
      }
    } finally {
      await t.close();
    }
  });
});
