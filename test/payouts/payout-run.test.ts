/**
 * The payout run (src/flows/run-payouts.ts; issue 12 item 6): partners whose autopay is
 * due are paid their whole available balance, one paystub per partner and currency, the
 * method's fee to the platform and the net to paid, their actions marked with the
 * paystub; the run writes its bank files, which validate against the ISO 20022 schemas.
 * A run that fails between partners and is run again pays everyone exactly once; a second
 * run finds nothing; a bank change holds the partner 48 hours.
 */
import { afterEach, beforeEach, expect, it } from 'vitest';
import type { Db } from '../../src/db/types.js';
import { grantManualPaystub } from '../../src/flows/grant-manual-paystub.js';
import { INITIAL_RUN_STATE, runPayouts, runPayoutsFlow } from '../../src/flows/run-payouts.js';
import { checkLedger } from '../../src/modules/ledger/check-ledger.js';
import { ledgerBalanceMinor } from '../../src/modules/ledger/queries.js';
import { checkPayouts } from '../../src/modules/payouts/check-payouts.js';
import { encryptDestination } from '../../src/modules/payouts/destination.js';
import { parseSecretsKeyOrThrow } from '../../src/core/secrets.js';
import { TEST_SECRETS_KEY } from '../support/app.js';
import { createPayoutRun, setRunWorkItem } from '../../src/modules/payouts/payout-runs.js';
import { runNow } from '../../src/worker/index.js';
import { describeDb } from '../support/db.js';
import {
  available,
  configureTestPayouts,
  DAY_MS,
  FRENCH_IBAN,
  ibanSettings,
  makeAvailable,
  nextWeekday,
  payoutWorld,
  paypalSettings,
  saveSettings,
  storedFiles,
  usSettings,
  validatePain001OrThrow,
  validateEveryStoredPain001,
} from './support.js';

interface PaystubRecord {
  id: string;
  partner_account_id: number;
  currency: string;
  method: string;
  file_format: string;
  gross_minor: string;
  fee_minor: string;
  net_minor: string;
  action_count: number;
  status: string;
  file_id: number | null;
  run_id: number;
}

async function paystubs(db: Db): Promise<PaystubRecord[]> {
  const { rows } = await db.query<PaystubRecord>(
    `select id::text, partner_account_id, currency, method, file_format, gross_minor::text, fee_minor::text, net_minor::text, action_count, status, file_id, run_id
       from paystubs order by partner_account_id, currency`,
  );
  return rows;
}

async function paidActions(db: Db, ids: bigint[]): Promise<Array<string | null>> {
  const { rows } = await db.query<{ paystub_id: string | null }>('select paystub_id::text from actions where id = any($1::bigint[]) order by id', [ids.map(String)]);
  return rows.map((row) => row.paystub_id);
}

describeDb('payout run', (db) => {
  beforeEach(() => configureTestPayouts());
  // Every bank file a run of these tests wrote validates against its ISO 20022 schema.
  afterEach(async () => {
    await validateEveryStoredPain001(db().db);
  });

  it('pays each due partner its whole available balance: fee per method, net to paid, actions marked, bank files that validate', async () => {
    const { db: sql, clock } = db();
    const ctx = { db: sql, clock };
    const w = await payoutWorld(ctx, clock, { partners: 4 });
    const [us, paypal, wire, below] = w.partners as [typeof w.partners[0], typeof w.partners[0], typeof w.partners[0], typeof w.partners[0]];
    await saveSettings(ctx, us, usSettings('20.00'));
    await saveSettings(ctx, paypal, paypalSettings('10.00'));
    await saveSettings(ctx, wire, ibanSettings('10.00'));
    await saveSettings(ctx, below, usSettings('100.00', '000999888777'));
    // 10% payouts: 50.05, 12.35 (PayPal 2%: 0.25), 80.00 (wire 25.00), 30.00 (threshold 100.00).
    const actionIds = await makeAvailable(ctx, clock, w, [['400.00', '100.50'], ['123.50'], ['800.00'], ['300.00']]);
    expect(await available(ctx, us)).toBe(5005n);
    expect(clock.now().toISOString().slice(0, 10)).toBe('2026-02-02');

    // The threshold is first seen today (a Monday): paid on the next Tuesday or Thursday, not today.
    const first = await runPayouts(ctx);
    expect(first).toMatchObject({ ran: true, state: 'DONE', paid: 0, held: 0, files: 0 });
    expect(await paystubs(sql)).toEqual([]);
    clock.advanceMs(DAY_MS);
    const second = await runPayouts(ctx);
    expect(second).toMatchObject({ ran: true, state: 'DONE', paid: 3, held: 0, files: 2 });

    const stubs = await paystubs(sql);
    expect(stubs.map((p) => [p.partner_account_id, p.method, p.file_format, p.gross_minor, p.fee_minor, p.net_minor, p.action_count, p.status])).toEqual([
      [us.id, 'EFT', 'PAIN_001_001_03', '5005', '0', '5005', 2, 'PROCESSING'],
      [paypal.id, 'PAYPAL', 'PAYPAL_PAYOUTS_CSV', '1235', '25', '1210', 1, 'PROCESSING'],
      [wire.id, 'WIRE', 'PAIN_001_001_03', '8000', '2500', '5500', 1, 'PROCESSING'],
    ]);
    expect(stubs.every((p) => p.file_id !== null)).toBe(true);
    // The ledger: nothing left available, the net paid, the fee the platform's.
    for (const [partner, net, fee] of [[us, 5005n, 0n], [paypal, 1210n, 25n], [wire, 5500n, 2500n]] as const) {
      expect(await available(ctx, partner)).toBe(0n);
      expect(await ledgerBalanceMinor(sql, 'PARTNER_PAID', partner.id, 'USD')).toBe(net);
      expect(await ledgerBalanceMinor(sql, 'PLATFORM_FEES', partner.id, 'USD')).toBe(fee);
    }
    expect(await available(ctx, below)).toBe(3000n);
    // Every paid action carries its paystub; the one below its threshold none.
    expect(await paidActions(sql, actionIds[0]!)).toEqual([stubs[0]!.id, stubs[0]!.id]);
    expect(await paidActions(sql, actionIds[3]!)).toEqual([null]);
    const { rows: transfers } = await sql.query<{ kind: string; reference: string; amount: string }>(
      `select kind, reference, amount_minor::text as amount from ledger_transfers where reference like 'paystub:%' order by substring(reference from 9)::bigint, kind`,
    );
    expect(transfers).toEqual([
      { kind: 'PAYSTUB', reference: `paystub:${stubs[0]!.id}`, amount: '5005' },
      { kind: 'PAYSTUB', reference: `paystub:${stubs[1]!.id}`, amount: '1210' },
      { kind: 'PAYSTUB_FEE', reference: `paystub:${stubs[1]!.id}`, amount: '25' },
      { kind: 'PAYSTUB', reference: `paystub:${stubs[2]!.id}`, amount: '5500' },
      { kind: 'PAYSTUB_FEE', reference: `paystub:${stubs[2]!.id}`, amount: '2500' },
    ]);

    // The files: one pain.001.001.03 in USD (the US account and the wire to Germany), one PayPal CSV.
    const files = await storedFiles(sql, second.runId!);
    expect(files.map((f) => [f.format, f.currency, f.payments])).toEqual([
      ['PAIN_001_001_03', 'USD', 2],
      ['PAYPAL_PAYOUTS_CSV', 'USD', 1],
    ]);
    const pain = files[0]!;
    validatePain001OrThrow(pain);
    expect(pain.text).toContain('<NbOfTxs>2</NbOfTxs><CtrlSum>105.05</CtrlSum>');
    expect(pain.text).toContain(`<EndToEndId>PAYSTUB-${stubs[0]!.id}</EndToEndId>`);
    expect(pain.text).toContain('<MmbId>021000021</MmbId>');
    expect(pain.text).toContain('<IBAN>DE89370400440532013000</IBAN>');
    expect(pain.text).toContain('<Nm>Jürgen Müller</Nm>');
    expect(files[1]!.text).toBe(`jane.doe@example.com,12.10,USD,PAYSTUB-${stubs[1]!.id},"Lockstep payout, paystub ${stubs[1]!.id}",PAYPAL\r\n`);

    // A further run finds nothing to pay; the ledger and the paystubs reconcile.
    clock.advanceMs(2 * DAY_MS);
    expect(await runPayouts(ctx)).toMatchObject({ ran: true, paid: 0 });
    expect(await paystubs(sql)).toHaveLength(3);
    expect((await checkLedger(sql)).problems).toEqual([]);
    expect(await checkPayouts(sql)).toEqual([]);
  });

  it('EUR to a SEPA IBAN goes in a pain.001.001.09 SEPA file that validates against the EPC schema', async () => {
    const { db: sql, clock } = db();
    const ctx = { db: sql, clock };
    const w = await payoutWorld(ctx, clock, { partners: 2, currency: 'EUR' });
    await saveSettings(ctx, w.partners[0]!, ibanSettings('10.00', FRENCH_IBAN, 'Élodie Ŧrançois & Søn'));
    await saveSettings(ctx, w.partners[1]!, ibanSettings('10.00'));
    await makeAvailable(ctx, clock, w, [['250.00'], ['1000.00']]);
    await runPayouts(ctx);
    nextWeekday(clock, 4);
    const run = await runPayouts(ctx);
    expect(run).toMatchObject({ paid: 2, files: 1 });
    const [file] = await storedFiles(sql, run.runId!);
    expect(file).toMatchObject({ format: 'PAIN_001_001_09', currency: 'EUR', payments: 2 });
    validatePain001OrThrow(file!);
    expect(file!.text).toContain('<SvcLvl><Cd>SEPA</Cd></SvcLvl>');
    expect(file!.text).toContain('<Nm>Elodie Trancois + Son</Nm>');
    expect(file!.text).toContain('<CtrlSum>125.00</CtrlSum>');
    expect((await paystubs(sql)).map((p) => p.method)).toEqual(['EFT', 'EFT']);
  });

  it('failing between two partners and running again: the chunk that failed left nothing, every partner is paid exactly once', async () => {
    const { db: sql, clock } = db();
    const ctx = { db: sql, clock };
    const w = await payoutWorld(ctx, clock, { partners: 3 });
    for (const partner of w.partners) await saveSettings(ctx, partner, usSettings());
    await makeAvailable(ctx, clock, w, [['100.00'], ['200.00'], ['300.00']]);
    await runPayouts(ctx);
    clock.advanceMs(DAY_MS);
    // The run as the job starts it, one partner per chunk.
    const { runId, itemId } = await sql.transaction(async (tx) => {
      const run = (await createPayoutRun(tx, { kind: 'SCHEDULED', now: clock.now(), userId: null }))!;
      const id = await runPayoutsFlow.start(tx, ctx, { runId: run.id, autopay: true, partnersPerChunk: 1 }, INITIAL_RUN_STATE);
      await setRunWorkItem(tx, run.id, id);
      return { runId: run.id, itemId: id };
    });
    // A database that fails while paying the second partner, as a crash in the middle would.
    let inserts = 0;
    const failing: Db = {
      ...sql,
      transaction: (fn) =>
        sql.transaction((tx) =>
          fn({
            ...tx,
            query: async (text, params, options) => {
              if (/^\s*insert into paystubs/.test(text) && ++inserts === 2) throw new Error('the database went away');
              return tx.query(text, params, options);
            },
          } as typeof tx),
        ),
    };
    const failed = await runNow({ db: failing, clock }, itemId);
    expect(failed.state).toBe('FAILED');
    expect(failed.lastError).toContain('the database went away');
    // The first partner is paid (its chunk committed); the second's chunk left nothing.
    expect((await paystubs(sql)).map((p) => p.partner_account_id)).toEqual([w.partners[0]!.id]);
    expect(await available(ctx, w.partners[1]!)).toBe(2000n);
    const { rows: actionsOfSecond } = await sql.query<{ n: number }>('select count(*)::int as n from actions where partner_account_id = $1 and paystub_id is not null', [w.partners[1]!.id]);
    expect(actionsOfSecond[0]!.n).toBe(0);

    // The job, run again, finishes the run under way (once its retry is due) rather than starting another.
    await sql.query('update work_items set run_after = now() where id = $1', [itemId.toString()]);
    const resumed = await runPayouts(ctx);
    expect(resumed).toMatchObject({ ran: true, runId, state: 'DONE', paid: 3, files: 1 });
    const stubs = await paystubs(sql);
    expect(stubs.map((p) => [p.partner_account_id, p.gross_minor, p.run_id])).toEqual(w.partners.map((p, i) => [p.id, String((i + 1) * 1000), runId]));
    for (const partner of w.partners) expect(await available(ctx, partner)).toBe(0n);
    const [file] = await storedFiles(sql, runId);
    expect(file!.payments).toBe(3);
    for (const stub of stubs) expect(file!.text.split(`<EndToEndId>PAYSTUB-${stub.id}</EndToEndId>`)).toHaveLength(2);
    validatePain001OrThrow(file!);
    // And the next run has nothing left to pay.
    expect(await runPayouts(ctx)).toMatchObject({ paid: 0 });
    expect(await checkPayouts(sql)).toEqual([]);
  });

  it('a run that fails while writing its files writes them whole on the retry, each paystub in one file', async () => {
    const { db: sql, clock } = db();
    const ctx = { db: sql, clock };
    const w = await payoutWorld(ctx, clock, { partners: 2 });
    await saveSettings(ctx, w.partners[0]!, usSettings());
    await saveSettings(ctx, w.partners[1]!, paypalSettings());
    await makeAvailable(ctx, clock, w, [['100.00'], ['200.00']]);
    await runPayouts(ctx);
    clock.advanceMs(DAY_MS);
    const { itemId, runId } = await sql.transaction(async (tx) => {
      const run = (await createPayoutRun(tx, { kind: 'SCHEDULED', now: clock.now(), userId: null }))!;
      const id = await runPayoutsFlow.start(tx, ctx, { runId: run.id, autopay: true }, INITIAL_RUN_STATE);
      await setRunWorkItem(tx, run.id, id);
      return { runId: run.id, itemId: id };
    });
    let chunks = 0;
    const failing: Db = {
      ...sql,
      transaction: (fn) =>
        sql.transaction((tx) =>
          fn({
            ...tx,
            query: async (text, params, options) => {
              // The second file, after its first chunk: a half-written file.
              if (/^insert into payout_file_chunks/.test(text) && ++chunks === 2) throw new Error('disk full');
              return tx.query(text, params, options);
            },
          } as typeof tx),
        ),
    };
    expect((await runNow({ db: failing, clock }, itemId)).state).toBe('FAILED');
    expect((await storedFiles(sql, runId)).map((f) => f.format)).toEqual(['PAIN_001_001_03']);
    await sql.query('update work_items set run_after = now() where id = $1', [itemId.toString()]);
    expect(await runPayouts(ctx)).toMatchObject({ state: 'DONE', paid: 2, files: 2 });
    const files = await storedFiles(sql, runId);
    expect(files.map((f) => [f.format, f.payments])).toEqual([['PAIN_001_001_03', 1], ['PAYPAL_PAYOUTS_CSV', 1]]);
    expect(files[1]!.text.trim().split('\r\n')).toHaveLength(1);
    const { rows } = await sql.query<{ status: string }>('select status from payout_runs where id = $1', [runId]);
    expect(rows[0]!.status).toBe('READY');
  });

  it('a second run while one holds the lock does nothing; a bank change holds the partner for 48 hours, then it is paid to the new account', async () => {
    const { db: sql, clock } = db();
    const ctx = { db: sql, clock };
    const w = await payoutWorld(ctx, clock, { partners: 1 });
    const [partner] = w.partners as [typeof w.partners[0]];
    await saveSettings(ctx, partner, usSettings());
    await makeAvailable(ctx, clock, w, [['100.00']]);
    await runPayouts(ctx);
    // The partner changes bank details the day before it would be paid.
    await saveSettings(ctx, partner, usSettings('10.00', '000555444333'));
    clock.advanceMs(DAY_MS);
    const release = await sql.tryAdvisoryLock(7_350_300);
    expect(await runPayouts(ctx)).toMatchObject({ ran: false, paid: 0 });
    await release!();
    const held = await runPayouts(ctx);
    expect(held).toMatchObject({ ran: true, paid: 0, held: 1 });
    const { rows } = await sql.query<{ reason: string; available: string }>('select reason, available_minor::text as available from payout_run_holds where run_id = $1', [held.runId]);
    expect(rows).toEqual([{ reason: 'BANK_CHANGE_HOLD', available: '1000' }]);
    // Two days later (past the hold, a Thursday): due since Tuesday, paid now, to the new account.
    clock.advanceMs(2 * DAY_MS);
    const paid = await runPayouts(ctx);
    expect(paid).toMatchObject({ paid: 1 });
    const [file] = await storedFiles(sql, paid.runId!);
    expect(file!.text).toContain('<Id>000555444333</Id>');
    validatePain001OrThrow(file!);
  });

  it('FIXED_DAY pays on the 1st or 15th (the next business day after a weekend), once a period, catching up a missed day', async () => {
    const { db: sql, clock } = db();
    const ctx = { db: sql, clock };
    const w = await payoutWorld(ctx, clock, { partners: 1 });
    const [partner] = w.partners as [typeof w.partners[0]];
    await saveSettings(ctx, partner, { ...usSettings(), schedule: 'FIXED_DAY', paymentDay: 15, threshold: '' });
    await makeAvailable(ctx, clock, w, [['100.00']]);
    // 2 February: not the day (15 January is past, and more than 3 days ago).
    expect(clock.now().toISOString().slice(0, 10)).toBe('2026-02-02');
    expect(await runPayouts(ctx)).toMatchObject({ paid: 0 });
    // 15 February 2026 is a Sunday: due Monday the 16th.
    clock.set('2026-02-15T07:00:00Z');
    expect(await runPayouts(ctx)).toMatchObject({ paid: 0 });
    // No run on Monday (the server was down): Tuesday catches up.
    clock.set('2026-02-17T07:00:00Z');
    expect(await runPayouts(ctx)).toMatchObject({ paid: 1 });
    // Money that becomes available later in a period waits for the next payment day.
    await makeAvailable(ctx, clock, w, [['500.00']]);
    expect(clock.now().toISOString().slice(0, 10)).toBe('2026-04-02');
    expect(await runPayouts(ctx)).toMatchObject({ paid: 0 });
    clock.set('2026-04-14T07:00:00Z');
    expect(await runPayouts(ctx)).toMatchObject({ paid: 0 });
    clock.set('2026-04-15T07:00:00Z');
    expect(await runPayouts(ctx)).toMatchObject({ paid: 1 });
    clock.set('2026-04-16T07:00:00Z');
    expect(await runPayouts(ctx)).toMatchObject({ paid: 0 });
    expect((await paystubs(sql)).map((p) => p.gross_minor)).toEqual(['1000', '5000']);
  });

  it('holds a partner without settings, and one whose wire fee is not configured, saying why', async () => {
    const { db: sql, clock } = db();
    const ctx = { db: sql, clock };
    configureTestPayouts({ EUR: 2000n });
    const w = await payoutWorld(ctx, clock, { partners: 3 });
    await saveSettings(ctx, w.partners[1]!, ibanSettings());
    await saveSettings(ctx, w.partners[2]!, usSettings());
    await makeAvailable(ctx, clock, w, [['100.00'], ['500.00'], ['5.00']]);
    await runPayouts(ctx);
    clock.advanceMs(DAY_MS);
    const run = await runPayouts(ctx);
    expect(run).toMatchObject({ paid: 0, held: 2 });
    const { rows } = await sql.query<{ partner: number; reason: string }>('select partner_account_id as partner, reason from payout_run_holds where run_id = $1 order by 1', [run.runId]);
    // The third partner's 0.50 is below the minimum: not a hold, simply not due.
    expect(rows).toEqual([
      { partner: w.partners[0]!.id, reason: 'NO_WITHDRAWAL_SETTINGS' },
      { partner: w.partners[1]!.id, reason: 'NO_WIRE_FEE' },
    ]);
  });

  it('a balance whose actions are not all stamped cleared yet (a clearing under way) is held, and the rest of its chunk paid', async () => {
    const { db: sql, clock } = db();
    const ctx = { db: sql, clock };
    const w = await payoutWorld(ctx, clock, { partners: 3 });
    for (const partner of w.partners) await saveSettings(ctx, partner, usSettings());
    const actionIds = await makeAvailable(ctx, clock, w, [['100.00'], ['200.00', '300.00'], ['400.00']]);
    await runPayouts(ctx);
    clock.advanceMs(DAY_MS);
    // As a clearing's later chunk would leave it: the money is available, one action not yet stamped.
    await sql.query('update actions set cleared_at = null where id = $1', [actionIds[1]![1]!.toString()]);
    const run = await runPayouts(ctx);
    expect(run).toMatchObject({ paid: 2, held: 1 });
    const { rows: holds } = await sql.query<{ partner: number; reason: string; available: string }>(
      'select partner_account_id as partner, reason, available_minor::text as available from payout_run_holds where run_id = $1',
      [run.runId],
    );
    expect(holds).toEqual([{ partner: w.partners[1]!.id, reason: 'BALANCE_NOT_RECONCILED', available: '5000' }]);
    // Nothing of the held partner's was kept: no paystub, no action marked, the balance whole.
    expect(await paidActions(sql, actionIds[1]!)).toEqual([null, null]);
    expect(await available(ctx, w.partners[1]!)).toBe(5000n);
    expect((await paystubs(sql)).map((p) => [p.partner_account_id, p.gross_minor])).toEqual([
      [w.partners[0]!.id, '1000'],
      [w.partners[2]!.id, '4000'],
    ]);
    const { rows: events } = await sql.query<{ subject: string }>(`select subject from outbox_events where type = 'action.paid' order by subject`);
    expect(events.map((e) => e.subject).sort()).toEqual([`action:${actionIds[0]![0]}`, `action:${actionIds[2]![0]}`].sort());
    // Once the clearing has stamped it, the next run pays it all.
    await sql.query('update actions set cleared_at = $2 where id = $1', [actionIds[1]![1]!.toString(), clock.now()]);
    clock.advanceMs(DAY_MS);
    expect(await runPayouts(ctx)).toMatchObject({ paid: 1, held: 0 });
    expect(await available(ctx, w.partners[1]!)).toBe(0n);
    expect(await checkPayouts(sql)).toEqual([]);
    expect((await checkLedger(sql)).problems).toEqual([]);
  });

  it('a payment a bank file cannot carry fails the run without putting the bank details into its error', async () => {
    const { db: sql, clock } = db();
    const ctx = { db: sql, clock };
    const w = await payoutWorld(ctx, clock, { partners: 1 });
    await saveSettings(ctx, w.partners[0]!, usSettings());
    // A holder name of punctuation only (the settings refuse one now; an older row might hold it) has nothing a file can carry.
    const secret = encryptDestination(parseSecretsKeyOrThrow(TEST_SECRETS_KEY), {
      method: 'BANK_TRANSFER',
      bankCountry: 'US',
      holderName: '--- ---',
      account: { kind: 'US', accountNumber: '000123456789', routingNumber: '021000021' },
    });
    await sql.query('update withdrawal_settings set destination_secret = $2 where partner_account_id = $1', [w.partners[0]!.id, secret]);
    await makeAvailable(ctx, clock, w, [['100.00']]);
    await runPayouts(ctx);
    clock.advanceMs(DAY_MS);
    const run = await runPayouts(ctx);
    expect(run).toMatchObject({ paid: 1, state: 'FAILED' });
    const { rows } = await sql.query<{ error: string }>(`select last_error as error from work_items where kind = 'flow:run-payouts' and state <> 'DONE'`);
    expect(rows[0]!.error).toContain('has no letter or digit the file can carry');
    expect(rows[0]!.error).not.toContain('--- ---');
  });

  it('a PayPal partner earning in a currency PayPal does not pay in is held for it, and refused a manual paystub of it', async () => {
    const { db: sql, clock } = db();
    const ctx = { db: sql, clock };
    const w = await payoutWorld(ctx, clock, { partners: 1, currency: 'INR', partnerCurrency: 'USD' });
    await saveSettings(ctx, w.partners[0]!, paypalSettings());
    await makeAvailable(ctx, clock, w, [['10000.00']]);
    await runPayouts(ctx);
    clock.advanceMs(DAY_MS);
    const run = await runPayouts(ctx);
    expect(run).toMatchObject({ paid: 0, held: 1 });
    const { rows } = await sql.query<{ reason: string; currency: string }>('select reason, currency from payout_run_holds where run_id = $1', [run.runId]);
    expect(rows).toEqual([{ reason: 'CURRENCY_NOT_PAID_BY_METHOD', currency: 'INR' }]);
    await expect(grantManualPaystub(ctx, w.operator, { partnerAccountId: w.partners[0]!.id, currency: 'INR' })).rejects.toThrow(/PayPal does not pay out in INR/);
  });
});
