/**
 * Payout runs racing each other and racing a change of bank details, on PostgreSQL with
 * real connections (issue 12, races): two runs at once pay each partner once (the job's
 * lock keeps the second out; two run flows started past it still meet at the partners'
 * rows and balances, and the later one finds nothing); a bank-details change racing a run
 * either comes after the payment, which was made to the old details, or before it, and the
 * run holds the partner: never a payment to the new details inside the hold.
 */
import { afterEach, beforeEach, expect, it } from 'vitest';
import { decryptSecret, parseSecretsKeyOrThrow } from '../../src/core/secrets.js';
import type { Db, Sql } from '../../src/db/types.js';
import { INITIAL_RUN_STATE, runPayouts, runPayoutsFlow } from '../../src/flows/run-payouts.js';
import { checkLedger } from '../../src/modules/ledger/check-ledger.js';
import { checkPayouts } from '../../src/modules/payouts/check-payouts.js';
import { createPayoutRun, setRunWorkItem } from '../../src/modules/payouts/payout-runs.js';
import { saveWithdrawalSettingsInTx } from '../../src/modules/payouts/withdrawal-settings.js';
import { runNow } from '../../src/worker/index.js';
import { TEST_SECRETS_KEY } from '../support/app.js';
import { describePostgres } from '../support/db.js';
import { available, configureTestPayouts, DAY_MS, makeAvailable, payoutWorld, saveSettings, usSettings, validateEveryStoredPain001 } from './support.js';

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));
const OLD_ACCOUNT = '000123456789';
const NEW_ACCOUNT = '000555444333';

/** Paystubs per partner, with the account number each one pays (decrypted from its snapshot). */
async function paidAccounts(db: Db): Promise<Map<number, string[]>> {
  const key = parseSecretsKeyOrThrow(TEST_SECRETS_KEY);
  const { rows } = await db.query<{ partner: number; secret: string }>('select partner_account_id as partner, destination_secret as secret from paystubs order by id');
  const paid = new Map<number, string[]>();
  for (const row of rows) {
    const destination = JSON.parse(decryptSecret(key, row.secret)) as { account: { accountNumber: string } };
    paid.set(row.partner, [...(paid.get(row.partner) ?? []), destination.account.accountNumber]);
  }
  return paid;
}

/** A run's flow started past the job's lock (as a second instance without the lock would). */
async function startRunFlow(db: Db, clock: { now(): Date }, kind: 'SCHEDULED' | 'MANUAL'): Promise<bigint> {
  return db.transaction(async (tx) => {
    const run = (await createPayoutRun(tx, { kind, now: clock.now(), userId: null }))!;
    const id = await runPayoutsFlow.start(tx, { db, clock }, { runId: run.id, autopay: true, partnersPerChunk: 1 }, INITIAL_RUN_STATE);
    await setRunWorkItem(tx, run.id, id);
    return id;
  });
}

/** A Db whose transactions stop after locking a chunk's settings rows (lockWithdrawalSettings), until released. */
function pausingAtSettingsLock(db: Db): { db: Db; locked: Promise<void>; release(): void } {
  let onLocked!: () => void;
  let release!: () => void;
  const locked = new Promise<void>((resolve) => (onLocked = resolve));
  const gate = new Promise<void>((resolve) => (release = resolve));
  let paused = false;
  const wrapped: Db = {
    ...db,
    transaction: (fn) =>
      db.transaction((tx) =>
        fn({
          ...tx,
          query: async (text: string, params?: unknown[], options?: unknown) => {
            const result = await tx.query(text, params, options as never);
            if (!paused && /from withdrawal_settings where partner_account_id = any\(\$1::int\[\]\) order by partner_account_id for update/.test(text)) {
              paused = true;
              onLocked();
              await gate;
            }
            return result;
          },
        } as Sql as typeof tx),
      ),
  };
  return { db: wrapped, locked, release };
}

describePostgres('payout runs racing', (db) => {
  beforeEach(() => configureTestPayouts());
  // Every bank file a run of these tests wrote validates against its ISO 20022 schema.
  afterEach(async () => {
    await validateEveryStoredPain001(db().db);
  });

  it('two payout jobs at once: one runs, the other does nothing; two run flows past the lock pay each partner once', async () => {
    const { db: sql, clock } = db();
    const ctx = { db: sql, clock };
    const w = await payoutWorld(ctx, clock, { partners: 6 });
    for (const partner of w.partners) await saveSettings(ctx, partner, usSettings());
    await makeAvailable(ctx, clock, w, w.partners.map((_, i) => [`${(i + 1) * 100}.00`]));
    await runPayouts(ctx);
    clock.advanceMs(DAY_MS);

    const [a, b] = await Promise.all([runPayouts(ctx), runPayouts(ctx)]);
    expect([a.ran, b.ran].sort()).toEqual([false, true]);
    expect((a.ran ? a : b).paid).toBe(6);
    expect([...(await paidAccounts(sql)).values()].map((accounts) => accounts.length)).toEqual([1, 1, 1, 1, 1, 1]);

    // New money for everyone, and two run flows at once, one partner per chunk each.
    await makeAvailable(ctx, clock, w, w.partners.map(() => ['500.00']));
    await runPayouts(ctx);
    clock.advanceMs(2 * DAY_MS);
    const first = await startRunFlow(sql, clock, 'SCHEDULED');
    const second = await startRunFlow(sql, clock, 'MANUAL');
    const [r1, r2] = await Promise.all([runNow(ctx, first), runNow(ctx, second)]);
    expect([r1.state, r2.state]).toEqual(['DONE', 'DONE']);
    const paid = (r: typeof r1) => (r.progress as { state: { paid: number } }).state.paid;
    expect(paid(r1) + paid(r2)).toBe(6);
    expect([...(await paidAccounts(sql)).values()].map((accounts) => accounts.length)).toEqual([2, 2, 2, 2, 2, 2]);
    for (const partner of w.partners) expect(await available(ctx, partner)).toBe(0n);
    expect((await checkLedger(sql)).problems).toEqual([]);
    expect(await checkPayouts(sql)).toEqual([]);
  });

  it('a bank change that comes while the run holds the partner waits: the run pays the old details, then the change holds the next payout', async () => {
    const { db: sql, clock } = db();
    const ctx = { db: sql, clock };
    const w = await payoutWorld(ctx, clock, { partners: 1 });
    const [partner] = w.partners as [typeof w.partners[0]];
    await saveSettings(ctx, partner, usSettings('10.00', OLD_ACCOUNT));
    await makeAvailable(ctx, clock, w, [['100.00']]);
    await runPayouts(ctx);
    clock.advanceMs(DAY_MS);

    const pausing = pausingAtSettingsLock(sql);
    const run = runPayouts({ db: pausing.db, clock });
    await pausing.locked;
    let changed = false;
    const change = saveSettings(ctx, partner, usSettings('10.00', NEW_ACCOUNT)).then(() => (changed = true));
    await sleep(300);
    expect(changed).toBe(false);
    pausing.release();
    expect(await run).toMatchObject({ paid: 1 });
    await change;
    expect(await paidAccounts(sql)).toEqual(new Map([[partner.id, [OLD_ACCOUNT]]]));
    const { rows } = await sql.query<{ hold: Date }>('select hold_until as hold from withdrawal_settings where partner_account_id = $1', [partner.id]);
    expect(rows[0]!.hold.getTime()).toBe(clock.now().getTime() + 48 * 3_600_000);
  });

  it('a bank change that holds the row first makes the run wait, then hold the partner: nothing is paid inside the hold', async () => {
    const { db: sql, clock } = db();
    const ctx = { db: sql, clock };
    const w = await payoutWorld(ctx, clock, { partners: 1 });
    const [partner] = w.partners as [typeof w.partners[0]];
    await saveSettings(ctx, partner, usSettings('10.00', OLD_ACCOUNT));
    await makeAvailable(ctx, clock, w, [['100.00']]);
    await runPayouts(ctx);
    clock.advanceMs(DAY_MS);

    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    let saved!: () => void;
    const savedInTx = new Promise<void>((resolve) => (saved = resolve));
    const change = sql.transaction(async (tx) => {
      await saveWithdrawalSettingsInTx(tx, partner.actor, usSettings('10.00', NEW_ACCOUNT), clock.now());
      saved();
      await gate;
    });
    await savedInTx;
    let finished = false;
    const run = runPayouts(ctx).then((result) => {
      finished = true;
      return result;
    });
    await sleep(300);
    expect(finished).toBe(false);
    release();
    await change;
    const result = await run;
    expect(result).toMatchObject({ paid: 0, held: 1 });
    expect(await paidAccounts(sql)).toEqual(new Map());
    expect(await available(ctx, partner)).toBe(1000n);
  });

  it('bank changes racing runs, many times: each partner is paid the old details before its change, or held; never the new details inside the hold', async () => {
    const { db: sql, clock } = db();
    const ctx = { db: sql, clock };
    const w = await payoutWorld(ctx, clock, { partners: 8 });
    for (const partner of w.partners) await saveSettings(ctx, partner, usSettings('10.00', OLD_ACCOUNT));
    await makeAvailable(ctx, clock, w, w.partners.map(() => ['100.00']));
    await runPayouts(ctx);
    clock.advanceMs(DAY_MS);
    const changeAt = clock.now();
    await Promise.all([
      runPayouts(ctx, { partnersPerChunk: 1 }),
      ...w.partners.map(async (partner, i) => {
        await sleep(i * 15);
        await saveSettings(ctx, partner, usSettings('10.00', NEW_ACCOUNT));
      }),
    ]);
    const paid = await paidAccounts(sql);
    let paidOld = 0;
    let held = 0;
    for (const partner of w.partners) {
      const accounts = paid.get(partner.id) ?? [];
      if (accounts.length === 0) {
        held += 1;
        expect(await available(ctx, partner)).toBe(1000n);
      } else {
        paidOld += 1;
        expect(accounts).toEqual([OLD_ACCOUNT]);
      }
    }
    expect(paidOld + held).toBe(8);
    // After the hold, the held ones are paid to the new details.
    clock.set(new Date(changeAt.getTime() + 49 * 3_600_000));
    await runPayouts(ctx);
    const after = await paidAccounts(sql);
    for (const partner of w.partners) expect(after.get(partner.id)?.at(-1)).toBe(paid.has(partner.id) ? OLD_ACCOUNT : NEW_ACCOUNT);
    expect(await checkPayouts(sql)).toEqual([]);
  });
});
