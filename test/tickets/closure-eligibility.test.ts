/**
 * Closure eligibility (issue 15, steps 1-2 of the help page and the final review's re-check):
 * what blocks closing a partner account, read now. A partner with a contract in force, a
 * pending action and funds at every stage is blocked by each in turn, until it has
 * expired its contracts and forfeited what is left.
 */
import { afterEach, beforeEach, expect, it } from 'vitest';
import type { ManualClock } from '../../src/core/clock.js';
import { forfeitBalance } from '../../src/flows/forfeit-balance.js';
import { accountClient, clientFor, makeSales } from '../support/action-helpers.js';
import { addMember, makeAccount, startTestApp, type TestApp } from '../support/app.js';
import { describeDb } from '../support/db.js';
import { available, configureTestPayouts, makeAvailable, payoutWorld, type PayoutWorld } from '../payouts/support.js';
import { expectOk as ok } from '../support/api-helpers.js';


describeDb('closure eligibility', (db) => {
  let t: TestApp;
  let world: PayoutWorld;
  beforeEach(async () => {
    configureTestPayouts();
    t = await startTestApp(db());
    world = await payoutWorld(t.ctx, db().clock as ManualClock, { partners: 1 });
  });
  afterEach(async () => t.close());

  it('each blocker in turn (a contract in force, a pending action, an available balance), then eligible; operators re-check it; others may not look', async () => {
    const clock = db().clock as ManualClock;
    const partner = world.partners[0]!;
    await makeAvailable(t.ctx, clock, world, [['45.00']]);
    const [pendingId] = await makeSales(t.ctx, world.brand, partner, world.program, 1, { amount: () => '20.00' });
    const client = await accountClient(t, partner);

    let [me] = ok(await client.get('/api/v1/closure-eligibility')).Items;
    expect(me).toMatchObject({ AccountId: partner.id, Eligible: false, PendingActions: 1, Funds: [{ Currency: 'USD', Available: '4.50' }] });
    expect(me.ActiveContracts).toEqual([expect.objectContaining({ CampaignId: world.program.id })]);
    expect(me.Blockers.join('\n')).toMatch(/contract\(s\) still in force/);
    expect(me.Blockers.join('\n')).toMatch(/4\.50 USD is available/);
    expect(me.Blockers.join('\n')).toMatch(/1 pending action\(s\) would still earn 2\.00 USD/);

    // Step 1: the partner expires its contract; its pending action would still earn until the brand settles it.
    const { rows } = await t.ctx.db.query<{ id: number }>('select id from contracts where partner_account_id = $1', [partner.id]);
    ok(await client.post(`/api/v1/contracts/${rows[0]!.id}/expire`, {}));
    clock.advanceMs(60_000);
    [me] = ok(await client.get('/api/v1/closure-eligibility')).Items;
    expect(me.ActiveContracts).toEqual([]);
    expect(me.PendingActions).toBe(1);
    ok(await (await accountClient(t, world.brand)).post(`/api/v1/actions/${pendingId}/reverse`, { Reason: 'PARTNER_NOT_ACTIVE' }));
    [me] = ok(await client.get('/api/v1/closure-eligibility')).Items;
    expect(me.ActiveContracts).toEqual([]);
    expect(me.PendingActions).toBe(0);
    expect(me.Blockers).toEqual(['4.50 USD is available: withdraw it (a manual paystub) or forfeit it.']);

    await forfeitBalance(t.ctx, world.operator, { partnerAccountId: partner.id, reason: 'closure' });
    expect(await available(t.ctx, partner)).toBe(0n);
    [me] = ok(await client.get('/api/v1/closure-eligibility')).Items;
    expect(me).toMatchObject({ Eligible: true, Blockers: [] });
    const operatorView = ok(await (await clientFor(t, world.operator.userId)).get(`/api/v1/operator/accounts/${partner.id}/closure-eligibility`)).Items;
    expect(operatorView).toEqual([me]);

    // Another partner's admin, a brand, a partner's plain user: refused.
    const other = await makeAccount(t.ctx, 'PARTNER');
    expect((await (await accountClient(t, other)).get(`/api/v1/closure-eligibility?accountIds=${partner.id}`)).statusCode).toBe(403);
    expect((await (await accountClient(t, world.brand)).get('/api/v1/closure-eligibility')).statusCode).toBe(403);
    const user = await addMember(t.ctx, partner.id, 'USER');
    expect((await (await clientFor(t, user.userId, partner.id)).get('/api/v1/closure-eligibility')).statusCode).toBe(403);
    expect((await (await clientFor(t, world.operator.userId)).get('/api/v1/operator/accounts/2147483647/closure-eligibility')).statusCode).toBe(404);
  });
});
