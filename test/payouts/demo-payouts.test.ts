/**
 * The demo's payouts (issue 12 item 10), as `npm start` loads them: withdrawal settings of
 * each kind, a history of paystubs with bank files that validate, one paystub the bank
 * returned (with the reason the partner reads), partners with available balances above
 * and below their threshold, and Summit Stories ready for the closure flow (below its
 * threshold, nothing pending, a manual paystub possible). The ledger and the payouts
 * reconcile.
 */
import { beforeEach, expect, it } from 'vitest';
import { ManualClock } from '../../src/core/clock.js';
import { DEMO_RETURN_REASON } from '../../src/demo/seed-payouts.js';
import { seedDemo } from '../../src/demo/seed-demo.js';
import { checkLedger } from '../../src/modules/ledger/check-ledger.js';
import { ledgerBalanceMinor } from '../../src/modules/ledger/queries.js';
import { checkPayouts } from '../../src/modules/payouts/check-payouts.js';
import { quoteManualPaystubOrThrow } from '../../src/modules/payouts/make-paystub.js';
import { findWithdrawalSettings } from '../../src/modules/payouts/withdrawal-settings.js';
import { describeDb } from '../support/db.js';
import { configureTestPayouts, validateEveryStoredPain001 } from './support.js';

describeDb(
  'demo payouts',
  (db) => {
    beforeEach(() => configureTestPayouts({ USD: 2500n, EUR: 2000n, GBP: 2000n, CAD: 3000n }));

    it('settings of each method, past runs with their files, a returned paystub, balances above and below thresholds, a partner ready for closure', async () => {
      const { db: sql } = db();
      // A Thursday early in a month, as on the day these figures were written.
      await seedDemo({ db: sql, clock: new ManualClock(new Date('2026-12-03T12:00:00Z')) });
      const { rows: partners } = await sql.query<{ id: number; name: string }>(`select id, name from accounts where kind = 'PARTNER' order by id`);
      const id = (name: string) => partners.find((p) => p.name === name)!.id;

      const methods = await sql.query<{ name: string; method: string; masked: string; schedule: string }>(
        `select a.name, w.payment_method as method, w.destination_masked as masked, w.schedule from withdrawal_settings w join accounts a on a.id = w.partner_account_id order by a.name`,
      );
      expect(methods.rows).toEqual([
        { name: 'Style Creator', method: 'BANK_TRANSFER', masked: '•••• 6819', schedule: 'FIXED_DAY' },
        { name: 'Summit Stories', method: 'BANK_TRANSFER', masked: '•••• 3000', schedule: 'BALANCE_THRESHOLD' },
        { name: 'Switchback Shorts', method: 'BANK_TRANSFER', masked: '•••• 4321', schedule: 'BALANCE_THRESHOLD' },
        { name: 'Trail Blog', method: 'BANK_TRANSFER', masked: '•••• 6789', schedule: 'BALANCE_THRESHOLD' },
      ]);
      expect(await findWithdrawalSettings(sql, id('Deal Hunter Media'))).toBeUndefined();

      // Several runs, sent to the bank, with their files; every pain.001 validates.
      const { rows: runs } = await sql.query<{ status: string; paystubs: number; files: number }>(
        `select status, paystub_count as paystubs, (select count(*)::int from payout_files f where f.run_id = r.id) as files from payout_runs r order by id`,
      );
      expect(runs.filter((r) => r.paystubs > 0).length).toBeGreaterThanOrEqual(3);
      expect(runs.every((r) => r.status === 'SENT')).toBe(true);
      expect(runs.every((r) => (r.paystubs > 0) === (r.files > 0))).toBe(true);
      expect(await validateEveryStoredPain001(sql)).toBeGreaterThanOrEqual(3);

      // Trail Blog's CAD wire was returned, with the reason it reads; its money was paid again.
      const { rows: stubs } = await sql.query<{ partner: number; currency: string; method: string; status: string; reason: string | null }>(
        `select partner_account_id as partner, currency, method, status, failure_reason as reason from paystubs order by id`,
      );
      const failed = stubs.filter((s) => s.status === 'FAILED');
      expect(failed).toEqual([{ partner: id('Trail Blog'), currency: 'CAD', method: 'WIRE', status: 'FAILED', reason: DEMO_RETURN_REASON }]);
      expect(stubs.filter((s) => s.partner === id('Trail Blog') && s.currency === 'CAD' && s.status === 'SENT')).toHaveLength(1);
      expect(new Set(stubs.map((s) => s.method))).toEqual(new Set(['EFT', 'WIRE']));

      // Deal Hunter Media: available USD above the minimum, held by every run for want of settings.
      expect(await ledgerBalanceMinor(sql, 'PARTNER_AVAILABLE', id('Deal Hunter Media'), 'USD')).toBeGreaterThan(2500n);
      const { rows: holds } = await sql.query<{ reason: string }>('select distinct reason from payout_run_holds where partner_account_id = $1', [id('Deal Hunter Media')]);
      expect(holds).toEqual([{ reason: 'NO_WITHDRAWAL_SETTINGS' }]);

      // Summit Stories: 6.00 available, below its 50.00 threshold; nothing pending, locked or overdue; a manual paystub is refused (the wire fee leaves no remainder).
      const summit = id('Summit Stories');
      expect(await ledgerBalanceMinor(sql, 'PARTNER_AVAILABLE', summit, 'USD')).toBe(600n);
      expect(await ledgerBalanceMinor(sql, 'PARTNER_PAYMENT_PENDING', summit, 'USD')).toBe(0n);
      const { rows: unsettled } = await sql.query<{ n: number }>(`select count(*)::int as n from actions where partner_account_id = $1 and (state = 'PENDING' or cleared_at is null)`, [summit]);
      expect(unsettled[0]!.n).toBe(0);
      const settings = (await findWithdrawalSettings(sql, summit))!;
      expect(settings.thresholdMinor).toBe(5000n);
      expect(() => quoteManualPaystubOrThrow(settings, 'USD', 600n)).toThrow(/does not cover the WIRE fee of 25\.00 USD/);

      expect((await checkLedger(sql)).problems).toEqual([]);
      expect(await checkPayouts(sql)).toEqual([]);
    }, 240_000);
  },
  { kinds: ['pglite'] },
);
