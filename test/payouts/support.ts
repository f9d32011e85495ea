/**
 * Helpers for the payout suites: partners with available balances reached the way a live
 * system reaches them (sales, the lock job, the statement job, the brand's payment and
 * the clearing), withdrawal settings saved through the service, and the bank files a run
 * stored, read back and validated against the ISO 20022 schemas.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { ManualClock } from '../../src/core/clock.js';
import type { ServiceContext } from '../../src/core/context.js';
import type { Db } from '../../src/db/types.js';
import { recordPaymentAndClear } from '../../src/flows/clear-statement.js';
import type { OperatorActor } from '../../src/modules/accounts/actor.js';
import { issueStatements } from '../../src/modules/billing/issue-statements.js';
import { ledgerBalanceMinor } from '../../src/modules/ledger/queries.js';
import { configurePayouts } from '../../src/modules/payouts/payout-config.js';
import { saveWithdrawalSettingsInTx, type WithdrawalSettingsChange } from '../../src/modules/payouts/withdrawal-settings.js';
import { payoutFileContent } from '../../src/modules/payouts/payout-runs.js';
import { formatMinor } from '../../src/money/index.js';
import { makeSales, runLockJob } from '../support/action-helpers.js';
import { makeAccount, makeOperator, TEST_SECRETS_KEY, type TestAccount } from '../support/app.js';
import { makeContract, makeProgram, type TestProgram } from '../support/programs.js';

export const DAY_MS = 86_400_000;

/** Payouts configured as a test app configures them, for suites that call the services without an app. */
export function configureTestPayouts(wireFeesMinor: Record<string, bigint> = { USD: 2500n, EUR: 2000n, GBP: 2000n }): void {
  configurePayouts({
    secretsKey: TEST_SECRETS_KEY,
    dataDir: path.join(os.tmpdir(), 'lockstep-payout-tests-unused'),
    wireFeesMinor,
    payoutDebtor: { name: 'Lockstep Payouts GmbH', iban: 'DE89370400440532013000', bic: 'COBADEFFXXX' },
  });
}

export interface PayoutWorld {
  brand: TestAccount;
  program: TestProgram;
  partners: TestAccount[];
  operator: OperatorActor;
}

/** A brand with a program in `currency` and `count` partners under contract, the clock an hour later. */
export async function payoutWorld(
  ctx: ServiceContext,
  clock: ManualClock,
  options: { partners: number; currency?: string; partnerCurrency?: string; partnerTimeZone?: string },
): Promise<PayoutWorld> {
  const currency = options.currency ?? 'USD';
  const brand = await makeAccount(ctx, 'BRAND', { currency, timeZone: 'UTC' });
  const program = await makeProgram(ctx, brand, { currency, timeZone: 'UTC' });
  const partners: TestAccount[] = [];
  for (let i = 0; i < options.partners; i++) {
    const partner = await makeAccount(ctx, 'PARTNER', { currency: options.partnerCurrency ?? currency, timeZone: options.partnerTimeZone ?? 'UTC' });
    await makeContract(ctx, partner, program);
    partners.push(partner);
  }
  clock.advanceMs(3_600_000);
  const operator: OperatorActor = { type: 'operator', userId: (await makeOperator(ctx)).userId };
  return { brand, program, partners, operator };
}

/**
 * Sales for each partner now (sale amounts per partner: a 10% payout each), then the
 * month locked, billed and paid by the brand: every payout cleared and available. The
 * clock ends on the 2nd of the month after the lock at 13:00 UTC, or 18 days on if later.
 */
export async function makeAvailable(ctx: ServiceContext, clock: ManualClock, world: PayoutWorld, amounts: ReadonlyArray<readonly string[]>): Promise<bigint[][]> {
  const ids: bigint[][] = [];
  for (const [i, partner] of world.partners.entries()) {
    const sales = amounts[i] ?? [];
    ids.push(sales.length ? await makeSales(ctx, world.brand, partner, world.program, sales.length, { amount: (n) => sales[n]! }) : []);
  }
  clock.advanceMs(15 * DAY_MS);
  await runLockJob(ctx);
  // The statement job bills the months that are over: on to the 2nd of the month after the last lock (at least 3 days on).
  const { rows } = await ctx.db.query<{ lockedAt: Date }>('select max(locked_at) as "lockedAt" from actions where state = \'APPROVED\'');
  const lockedAt = rows[0]!.lockedAt ?? clock.now();
  const billing = new Date(Date.UTC(lockedAt.getUTCFullYear(), lockedAt.getUTCMonth() + 1, 2, 13));
  clock.set(new Date(Math.max(billing.getTime(), clock.now().getTime() + 3 * DAY_MS)));
  await issueStatements(ctx);
  await payAllStatements(ctx, world);
  return ids;
}

/** Pays every open statement of the world's brand in full, as the operator records it. */
export async function payAllStatements(ctx: ServiceContext, world: PayoutWorld): Promise<void> {
  const { rows } = await ctx.db.query<{ id: number; owed: bigint; currency: string }>(
    'select id, total_minor - paid_minor as owed, currency from statements where brand_account_id = $1 and paid_minor < total_minor order by id',
    [world.brand.id],
  );
  for (const statement of rows) {
    await recordPaymentAndClear(
      ctx,
      world.operator,
      statement.id,
      { amount: formatMinor(statement.owed, statement.currency), receivedOn: ctx.clock.now().toISOString().slice(0, 10), reference: `PAY-${statement.id}` },
      'OPERATOR',
    );
  }
}

export function available(ctx: ServiceContext, partner: TestAccount, currency = partner.currency): Promise<bigint> {
  return ledgerBalanceMinor(ctx.db, 'PARTNER_AVAILABLE', partner.id, currency);
}

export const GERMAN_IBAN = 'DE89 3704 0044 0532 0130 00';
export const FRENCH_IBAN = 'FR14 2004 1010 0505 0001 3M02 606';

/** Bank transfer to a German IBAN (EFT for EUR, a wire for USD), balance threshold `threshold`. */
export function ibanSettings(threshold = '10.00', iban = GERMAN_IBAN, holder = 'Jürgen Müller'): WithdrawalSettingsChange {
  return {
    destination: { PaymentMethod: 'BANK_TRANSFER', BankCountry: iban.slice(0, 2), BeneficiaryAccountName: holder, BankAccountNumber: iban, SwiftCode: 'COBADEFFXXX' },
    schedule: 'BALANCE_THRESHOLD',
    threshold,
  };
}

/** A US checking account (EFT for USD). */
export function usSettings(threshold = '10.00', account = '000123456789'): WithdrawalSettingsChange {
  return {
    destination: { PaymentMethod: 'BANK_TRANSFER', BankCountry: 'US', BeneficiaryAccountName: 'Jane Doe', BankAccountNumber: account, RoutingCode: '021000021', BankAccountType: 'CHECKING' },
    schedule: 'BALANCE_THRESHOLD',
    threshold,
  };
}

export function paypalSettings(threshold = '10.00', email = 'jane.doe@example.com'): WithdrawalSettingsChange {
  return { destination: { PaymentMethod: 'PAYPAL', PaypalEmailAddress: email }, schedule: 'BALANCE_THRESHOLD', threshold };
}

/** Saves settings through the service, as the partner's admin (the route confirms the password first). */
export async function saveSettings(ctx: ServiceContext, partner: TestAccount, change: WithdrawalSettingsChange): Promise<void> {
  await ctx.db.transaction((tx) => saveWithdrawalSettingsInTx(tx, partner.actor, change, ctx.clock.now()));
}

/** Moves the clock past the 48-hour hold of a bank change. */
export function pastHold(clock: ManualClock): void {
  clock.advanceMs(49 * 3_600_000);
}

/** Moves the clock to the next day of the week (0 Sunday … 6 Saturday) at 07:00 UTC, at least a day on. */
export function nextWeekday(clock: ManualClock, weekday: number): void {
  clock.advanceMs(DAY_MS);
  for (;;) {
    const now = clock.now();
    if (now.getUTCDay() === weekday) {
      clock.set(`${now.toISOString().slice(0, 10)}T07:00:00Z`);
      return;
    }
    clock.advanceMs(DAY_MS);
  }
}

export interface StoredFile {
  id: number;
  format: string;
  currency: string;
  fileName: string;
  payments: number;
  text: string;
}

export async function storedFiles(db: Db, runId: number): Promise<StoredFile[]> {
  const { rows } = await db.query<{ id: number; format: string; currency: string; fileName: string; payments: number }>(
    'select id, format, currency, file_name as "fileName", payments from payout_files where run_id = $1 order by format, currency, part',
    [runId],
  );
  const files: StoredFile[] = [];
  for (const row of rows) {
    let text = '';
    for await (const chunk of payoutFileContent(db, row.id)) text += chunk;
    files.push({ ...row, text });
  }
  return files;
}

// ---------------------------------------------------------------------------
// xmllint, as test/payments/pain001.test.ts runs it
// ---------------------------------------------------------------------------

const SCHEMAS = path.resolve(import.meta.dirname, '../fixtures/iso20022');
export const hasXmllint = spawnSync('xmllint', ['--version'], { stdio: 'ignore' }).status === 0;
const inCi = Boolean(process.env.CI) && !['0', 'false'].includes(process.env.CI!.toLowerCase());
/** Whether the schema checks run: with xmllint, or (failing) under CI without it. */
export const schemaChecksRun = hasXmllint || inCi;

/**
 * Validates a stored pain.001 file with xmllint against its schema (both for a SEPA file:
 * the EPC's pain.001.001.09 and nothing else). Without xmllint it does nothing on a
 * developer's machine and throws under CI, which must not pass without checking.
 */
export function validatePain001OrThrow(file: StoredFile): void {
  if (!schemaChecksRun) return;
  if (!hasXmllint) throw new Error('xmllint is not installed and CI is set: install libxml2-utils so that payment files are checked against their schemas.');
  const xsd = file.format === 'PAIN_001_001_09' ? 'pain.001.001.09-epc-sct.xsd' : 'pain.001.001.03.xsd';
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lockstep-payout-file-'));
  try {
    const target = path.join(dir, file.fileName);
    fs.writeFileSync(target, file.text);
    const result = spawnSync('xmllint', ['--noout', '--schema', path.join(SCHEMAS, xsd), target], { encoding: 'utf8' });
    if (result.status !== 0) throw new Error(`${file.fileName} does not validate against ${xsd}:\n${result.stderr.slice(0, 4000)}`);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

/** Every pain.001 file the test's runs stored, validated against its schema (the PayPal CSVs are checked by their tests). */
export async function validateEveryStoredPain001(db: Db): Promise<number> {
  const { rows } = await db.query<{ runId: number }>(`select distinct run_id as "runId" from payout_files where format <> 'PAYPAL_PAYOUTS_CSV' order by 1`);
  let validated = 0;
  for (const { runId } of rows) {
    for (const file of await storedFiles(db, runId)) {
      if (file.format === 'PAYPAL_PAYOUTS_CSV') continue;
      validatePain001OrThrow(file);
      validated += 1;
    }
  }
  return validated;
}
