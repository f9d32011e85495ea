/**
 * The partner Home's next expected payout (issue 12, item 4): per currency with an available
 * balance, the date and amount the payout run is expected to pay, or what blocks it, from
 * the same decisions as the run. Then the run pays exactly what was announced.
 */
import { afterEach, beforeEach, expect, it } from 'vitest';
import type { ManualClock } from '../../src/core/clock.js';
import { runPayouts } from '../../src/flows/run-payouts.js';
import { accountClient } from '../support/action-helpers.js';
import { startTestApp, type TestApp } from '../support/app.js';
import { describeDb } from '../support/db.js';
import { available, configureTestPayouts, FRENCH_IBAN, ibanSettings, makeAvailable, pastHold, payoutWorld, saveSettings, type PayoutWorld } from './support.js';
import { expectOk as ok } from '../support/api-helpers.js';


describeDb('next expected payout', (db) => {
  let t: TestApp;
  let world: PayoutWorld;
  beforeEach(async () => {
    configureTestPayouts();
    t = await startTestApp(db());
    world = await payoutWorld(t.ctx, db().clock as ManualClock, { partners: 1, currency: 'EUR' });
  });
  afterEach(async () => t.close());

  it('no settings, then the hold after the bank change, then below the threshold, then due: the run pays what was announced', async () => {
    const clock = db().clock as ManualClock;
    const partner = world.partners[0]!;
    const client = await accountClient(t, partner);
    expect(ok(await client.get('/api/v1/payouts/next')).Items).toEqual([]);
    await makeAvailable(t.ctx, clock, world, [['450.00']]);
    expect(await available(t.ctx, partner, 'EUR')).toBe(4500n);

    let [next] = ok(await client.get('/api/v1/payouts/next')).Items;
    expect(next).toMatchObject({ Currency: 'EUR', Available: '45.00', Blocker: 'NO_WITHDRAWAL_SETTINGS', PayOn: null, Net: null });
    expect(next.Message).toMatch(/no withdrawal settings/);

    await saveSettings(t.ctx, partner, ibanSettings('100.00'));
    [next] = ok(await client.get('/api/v1/payouts/next')).Items;
    expect(next).toMatchObject({ Blocker: 'BELOW_THRESHOLD', PayOn: null });
    expect(next.Message).toBe('45.00 EUR has not reached your 100.00 EUR threshold (55.00 EUR to go).');

    // A change of bank details (another IBAN) holds withdrawals for 48 hours.
    await saveSettings(t.ctx, partner, ibanSettings('20.00', FRENCH_IBAN));
    [next] = ok(await client.get('/api/v1/payouts/next')).Items;
    expect(next.Blocker).toBe('BANK_CHANGE_HOLD');
    expect(next.HoldEndsDate).not.toBeNull();

    pastHold(clock);
    [next] = ok(await client.get('/api/v1/payouts/next')).Items;
    expect(next).toMatchObject({ Blocker: null, Gross: '45.00', Fee: '0.00', Net: '45.00', HoldEndsDate: null });
    expect(next.PayOn).toMatch(/^\d{4}-\d{2}-\d{2}$/);
    expect(next.Message).toBe(`45.00 EUR (45.00 EUR less a 0.00 EUR fee) expected on ${next.PayOn}.`);

    // The run pays it on that day (a Tuesday or Thursday after the threshold was first seen by a run).
    for (let day = 0; day < 10 && (await available(t.ctx, partner, 'EUR')) > 0n; day++) {
      await runPayouts(t.ctx);
      if ((await available(t.ctx, partner, 'EUR')) === 0n) break;
      clock.advanceMs(86_400_000);
    }
    const { rows } = await t.ctx.db.query<{ net: bigint; day: string }>(
      `select net_minor as net, to_char(created_at at time zone 'UTC', 'YYYY-MM-DD') as day from paystubs where partner_account_id = $1`,
      [partner.id],
    );
    expect(rows).toHaveLength(1);
    expect(rows[0]!.net).toBe(4500n);
    expect(ok(await client.get('/api/v1/payouts/next')).Items).toEqual([]);
  });
});
