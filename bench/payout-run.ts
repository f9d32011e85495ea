/**
 * The payout run over 100,000 partners with available balances (issue 12, speed): every
 * partner's balance is due (balance threshold reached a week ago), a third of them to a US
 * account (EFT), a third to a German IBAN (a USD wire, 25.00), a third to PayPal (2%); the
 * run makes a paystub per partner with its postings, marks its actions paid with their
 * events, and writes its pain.001 and PayPal files, streamed into the database. The data
 * is written set-based (accounts, contracts, cleared actions with their action.cleared
 * events, their ledger balances, the encrypted withdrawal settings); the baseline is a bare INSERT … SELECT of one row per
 * due balance into a table of the paystubs' shape, in the same run. The process's RSS is
 * sampled while the run goes on: it must stay at most 256 MB.
 */
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ManualClock, systemClock } from '../src/core/clock.js';
import type { ServiceContext } from '../src/core/context.js';
import { runPayouts } from '../src/flows/run-payouts.js';
import type { AccountActor } from '../src/modules/accounts/actor.js';
import { createAccount } from '../src/modules/accounts/create-account.js';
import { recordActionEvents } from '../src/modules/actions/action-events.js';
import { checkLedger } from '../src/modules/ledger/check-ledger.js';
import { checkPayouts } from '../src/modules/payouts/check-payouts.js';
import { encryptDestination } from '../src/modules/payouts/destination.js';
import { configurePayouts, payoutConfigOrThrow } from '../src/modules/payouts/payout-config.js';
import { payoutFileContent } from '../src/modules/payouts/payout-runs.js';
import { createEventType } from '../src/modules/programs/create-event-type.js';
import { createProgram } from '../src/modules/programs/create-program.js';
import { createTemplateTerms } from '../src/modules/programs/template-terms.js';
import type { WithdrawalDestination } from '../src/payments/bank-details.js';
import '../src/http/event-payloads.js';
import { benchDatabaseUrl, freshDb } from './fresh-db.js';
import type { BenchResult } from './types.js';

const PARTNERS = Number(process.env.BENCH_PAYOUT_PARTNERS ?? 100_000);
const TARGET_PER_SEC = 5_000;
const RSS_LIMIT_MB = 256;
const SETTINGS_PER_INSERT = 10_000;
const SCHEMAS = path.resolve(import.meta.dirname, '../test/fixtures/iso20022');

const DESTINATIONS: WithdrawalDestination[] = [
  { method: 'BANK_TRANSFER', bankCountry: 'US', holderName: 'Jane Doe', account: { kind: 'US', accountNumber: '000123456789', routingNumber: '021000021', accountType: 'CHECKING' } },
  { method: 'BANK_TRANSFER', bankCountry: 'DE', holderName: 'Jürgen Müller', account: { kind: 'IBAN', iban: 'DE89370400440532013000', bic: 'COBADEFFXXX' } },
  { method: 'PAYPAL', paypalEmail: 'jane.doe@example.com' },
];

/** One brand and PARTNERS partners, each with one or two cleared USD actions, their available balance and its settings. */
export async function build(db: ServiceContext['db']): Promise<{ actions: number }> {
  const ctx: ServiceContext = { db, clock: new ManualClock(new Date(Date.now() - 60 * 86_400_000)) };
  const created = await createAccount(ctx, null, {
    kind: 'BRAND',
    name: 'Payout Bench Brand',
    timeZone: 'UTC',
    currency: 'USD',
    admin: { email: 'payout-bench@example.test', name: 'B', password: 'bench-password-1' },
  });
  const brand: AccountActor = { type: 'account', userId: created.adminUserId, accountId: created.id, accountKind: 'BRAND', accountTimeZone: 'UTC', role: 'ADMIN', via: 'session' };
  const program = await createProgram(ctx, brand, { name: 'Payout Bench', currency: 'USD', timeZone: 'UTC' });
  const sale = await createEventType(ctx, brand, program.id, { name: 'Sale', kind: 'SALE' });
  const terms = await createTemplateTerms(ctx, brand, program.id, {
    name: 'Bench terms',
    terms: { payouts: [{ eventTypeId: sale.id, payout: { kind: 'PERCENT', percent: '10' } }], locking: { form: 'DAYS', days: 7 }, payment: { months: 0, days: 19 } },
  });
  await db.query(
    `insert into accounts (kind, name, time_zone, currency, sid, created_at)
     select 'PARTNER', 'Bench Partner ' || g, 'UTC', 'USD', 'BENCHPARTNER' || lpad(g::text, 8, '0'), now() - interval '60 days' from generate_series(1, $1::int) g`,
    [PARTNERS],
  );
  await db.query(
    `insert into contracts (program_id, brand_account_id, partner_account_id, template_terms_id, terms, start_at)
     select $1, $2, a.id, t.id, t.terms, now() - interval '60 days' from accounts a, template_terms t where a.kind = 'PARTNER' and t.id = $3`,
    [program.id, brand.accountId, terms.id],
  );
  // One or two sales per partner, locked and cleared last month; payouts 10%.
  await db.query(
    `insert into conversions (brand_account_id, program_id, event_type_id, order_id, request_hash, event_at, partner_account_id, currency, amount_minor, status, created_at)
     select $2, $1, $3, 'B-' || c.id || '-' || n, md5(c.id || '-' || n), now() - interval '50 days', c.partner_account_id, 'USD',
            50000 + (c.id * 7919 + n) % 90000, 'ACCEPTED', now() - interval '50 days'
       from contracts c cross join lateral generate_series(1, 1 + c.id % 2) n where c.program_id = $1`,
    [program.id, brand.accountId, sale.id],
  );
  const { rowCount: actions } = await db.query(
    `insert into actions (conversion_id, program_id, brand_account_id, event_type_id, event_kind, partner_account_id, contract_id, state, order_id, currency,
                          amount_minor, payout_minor, original_amount_minor, original_payout_minor, event_at, locking_at, locked_at,
                          payment_due_at, cleared_at, modification_count, created_at, updated_at)
     select v.id, v.program_id, v.brand_account_id, v.event_type_id, 'SALE', v.partner_account_id, c.id, 'APPROVED', v.order_id, 'USD',
            v.amount_minor, v.amount_minor / 10, v.amount_minor, v.amount_minor / 10, v.event_at, v.event_at + interval '7 days',
            v.event_at + interval '7 days', now() - interval '12 days', now() - interval '10 days', 1, v.created_at, now() - interval '10 days'
       from conversions v join contracts c on c.partner_account_id = v.partner_account_id and c.program_id = v.program_id
      where v.program_id = $1`,
    [program.id],
  );
  // Each action has the action.cleared event its clearing wrote (a paid event starts from it), written in chunks as the clearing writes them.
  const { rows: ids } = await db.query<{ id: string }>('select id::text as id from actions order by id');
  for (let i = 0; i < ids.length; i += 20_000) {
    const chunk = ids.slice(i, i + 20_000);
    await db.transaction((tx) => recordActionEvents(tx, chunk.map(({ id }) => ({ id, type: 'action.cleared' as const })), ['USD'], ctx.clock.now()));
  }
  // The ledger as the lock, the brand's payment and the clearing leave it, in one transfer per partner.
  await db.query(
    `insert into ledger_accounts (code, owner_account_id, currency)
     select 'PARTNER_AVAILABLE', id, 'USD' from accounts where kind = 'PARTNER'
     union all select 'BRAND_PAYABLE', $1, 'USD'`,
    [brand.accountId],
  );
  await db.query(
    `with sums as (select partner_account_id as partner, sum(payout_minor) as amount from actions group by partner_account_id),
          payable as (select id from ledger_accounts where code = 'BRAND_PAYABLE' and owner_account_id = $1)
     insert into ledger_transfers (debit_account_id, credit_account_id, amount_minor, currency, kind, at)
     select payable.id, la.id, s.amount, 'USD', 'CLEARED', now() - interval '10 days'
       from sums s join ledger_accounts la on la.code = 'PARTNER_AVAILABLE' and la.owner_account_id = s.partner cross join payable`,
    [brand.accountId],
  );
  await db.query(
    `update ledger_accounts la set credits_posted_minor = s.c, debits_posted_minor = s.d from (
       select id, sum(c)::bigint as c, sum(d)::bigint as d from (
         select credit_account_id as id, amount_minor as c, 0::bigint as d from ledger_transfers
         union all select debit_account_id, 0, amount_minor from ledger_transfers) t group by id) s
      where la.id = s.id`,
  );
  // Withdrawal settings: the destinations encrypted here (one of three kinds each), threshold 10.00, reached a week ago.
  const key = payoutConfigOrThrow().secretsKey();
  const { rows: partners } = await db.query<{ id: number }>(`select id from accounts where kind = 'PARTNER' order by id`);
  for (let i = 0; i < partners.length; i += SETTINGS_PER_INSERT) {
    const ids = partners.slice(i, i + SETTINGS_PER_INSERT).map((p) => p.id);
    const destinations = ids.map((id) => DESTINATIONS[id % 3]!);
    await db.query(
      `insert into withdrawal_settings (partner_account_id, payment_method, bank_country, destination_secret, destination_masked, schedule,
          threshold_minor, schedule_since, destination_changed_at, version, updated_at)
       select u.id, u.method, u.country, u.secret, u.masked, 'BALANCE_THRESHOLD', 1000, current_date - 30, now() - interval '30 days', 1, now() - interval '30 days'
         from unnest($1::int[], $2::text[], $3::text[], $4::text[], $5::text[]) as u(id, method, country, secret, masked)`,
      [
        ids,
        destinations.map((d) => d.method),
        destinations.map((d) => (d.method === 'BANK_TRANSFER' ? d.bankCountry : null)),
        destinations.map((d) => encryptDestination(key, d)),
        destinations.map((d) => (d.method === 'PAYPAL' ? 'j•••@example.com' : '•••• 3000')),
      ],
    );
  }
  await db.query(
    `insert into payout_schedule_states (partner_account_id, currency, threshold_reached_on) select id, 'USD', current_date - 7 from accounts where kind = 'PARTNER'`,
  );
  await db.query('analyze');
  return { actions: actions ?? 0 };
}

/** Validates each stored pain.001 file of the run with xmllint, when it is installed; answers how many, or why none. */
async function validateFiles(db: ServiceContext['db'], runId: number): Promise<string> {
  if (spawnSync('xmllint', ['--version'], { stdio: 'ignore' }).status !== 0) return 'xmllint not installed: files not validated';
  const { rows } = await db.query<{ id: number; format: string; fileName: string }>(
    `select id, format, file_name as "fileName" from payout_files where run_id = $1 and format <> 'PAYPAL_PAYOUTS_CSV' order by id`,
    [runId],
  );
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lockstep-bench-files-'));
  try {
    for (const file of rows) {
      const target = path.join(dir, file.fileName);
      const out = fs.createWriteStream(target);
      for await (const chunk of payoutFileContent(db, file.id)) out.write(chunk);
      await new Promise<void>((resolve, reject) => out.end((error?: Error | null) => (error ? reject(error) : resolve())));
      const xsd = file.format === 'PAIN_001_001_09' ? 'pain.001.001.09-epc-sct.xsd' : 'pain.001.001.03.xsd';
      const result = spawnSync('xmllint', ['--noout', '--schema', path.join(SCHEMAS, xsd), target], { encoding: 'utf8' });
      if (result.status !== 0) return `${file.fileName} does not validate against ${xsd}: ${result.stderr.slice(0, 300)}`;
      fs.rmSync(target);
    }
    return `${rows.length} pain.001 file(s) validate with xmllint`;
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

export async function run(): Promise<BenchResult> {
  const name = 'payout-run';
  const target = `≥ ${TARGET_PER_SEC.toLocaleString('en-US')} paystubs/s over ${PARTNERS.toLocaleString('en-US')} partners, RSS ≤ ${RSS_LIMIT_MB} MB (PostgreSQL)`;
  if (!benchDatabaseUrl()) return { name, target, passed: true, rows: [], checks: ['skipped: set BENCH_DATABASE_URL or TEST_DATABASE_URL'] };
  configurePayouts({
    secretsKey: randomBytes(32).toString('hex'),
    dataDir: os.tmpdir(),
    wireFeesMinor: { USD: 2500n, EUR: 2000n },
    payoutDebtor: { name: 'Lockstep Payouts', iban: 'DE89370400440532013000', bic: 'COBADEFFXXX' },
  });
  const { db, drop } = await freshDb('postgres');
  try {
    let started = performance.now();
    const { actions } = await build(db);
    const loadSeconds = (performance.now() - started) / 1000;
    const due = (await db.query<{ n: number }>(`select count(*)::int as n from ledger_accounts where code = 'PARTNER_AVAILABLE' and credits_posted_minor > debits_posted_minor`)).rows[0]!.n;

    // Baseline: one bare INSERT … SELECT of a paystub-shaped row per due balance.
    await db.query('create table paystub_baseline (id bigint generated always as identity primary key, partner_account_id int, currency text, gross_minor bigint, created_at timestamptz)');
    started = performance.now();
    await db.query(
      `insert into paystub_baseline (partner_account_id, currency, gross_minor, created_at)
       select owner_account_id, currency, credits_posted_minor - debits_posted_minor, now() from ledger_accounts
        where code = 'PARTNER_AVAILABLE' and credits_posted_minor > debits_posted_minor`,
    );
    const bareSeconds = (performance.now() - started) / 1000;
    await db.query('drop table paystub_baseline');

    global.gc?.();
    const rssBeforeMb = process.memoryUsage().rss / 2 ** 20;
    let rssMaxMb = rssBeforeMb;
    let heapMaxMb = 0;
    const sampler = setInterval(() => {
      const usage = process.memoryUsage();
      rssMaxMb = Math.max(rssMaxMb, usage.rss / 2 ** 20);
      heapMaxMb = Math.max(heapMaxMb, usage.heapUsed / 2 ** 20);
    }, 25);
    started = performance.now();
    const result = await runPayouts({ db, clock: systemClock });
    const seconds = (performance.now() - started) / 1000;
    clearInterval(sampler);
    const { rows: steps } = await db.query<{ finished: Array<{ step: string; at: string }> }>(
      `select progress -> 'finished' as finished from work_items where id = (select work_item_id from payout_runs where id = $1)`,
      [result.runId],
    );
    const paidAt = steps[0]?.finished.find((f) => f.step === 'pay-partners')?.at;
    const paySeconds = paidAt ? (new Date(paidAt).getTime() - (Date.now() - (performance.now() - started))) / 1000 : Number.NaN;
    const { rows: files } = await db.query<{ n: number; payments: number; bytes: string }>(
      `select count(*)::int as n, coalesce(sum(payments), 0)::int as payments, coalesce(sum(bytes), 0)::text as bytes from payout_files where run_id = $1`,
      [result.runId],
    );
    const ledger = await checkLedger(db);
    const payouts = await checkPayouts(db);
    const validation = await validateFiles(db, result.runId!);
    const perSec = result.paid / seconds;
    const bareRate = due / bareSeconds;
    return {
      name,
      target,
      passed:
        perSec >= TARGET_PER_SEC && result.paid === due && files[0]!.payments === due && rssMaxMb <= RSS_LIMIT_MB && ledger.ok && payouts.length === 0 && !/does not validate/.test(validation),
      rows: [
        { case: `bare INSERT … SELECT of ${due.toLocaleString('en-US')} rows (baseline)`, requestsPerSec: bareRate, p50Ms: 0, p99Ms: 0, ratio: 1 },
        {
          case: `payout run: ${result.paid.toLocaleString('en-US')} paystubs, ${result.files} files`,
          requestsPerSec: perSec,
          p50Ms: 0,
          p99Ms: 0,
          ratio: perSec / bareRate,
          note: 'paystubs/s, each with its postings, actions paid with events, and its line in a bank file',
        },
      ],
      checks: [
        `data load: ${PARTNERS.toLocaleString('en-US')} partners, ${actions.toLocaleString('en-US')} cleared actions, settings and balances in ${loadSeconds.toFixed(1)} s`,
        `${due.toLocaleString('en-US')} due, ${result.paid.toLocaleString('en-US')} paid in ${seconds.toFixed(1)} s (paying ${paySeconds.toFixed(1)} s, the files the rest), ${result.held} held`,
        `files: ${files[0]!.n} holding ${files[0]!.payments.toLocaleString('en-US')} payments, ${(Number(files[0]!.bytes) / 2 ** 20).toFixed(1)} MB; ${validation}`,
        `RSS: ${rssBeforeMb.toFixed(0)} MB before the run, at most ${rssMaxMb.toFixed(0)} MB during it (JS heap in use at most ${heapMaxMb.toFixed(0)} MB)`,
        `ledger check: ${ledger.ok ? 'ok' : ledger.problems.join('; ')}; payouts check: ${payouts.length === 0 ? 'ok' : payouts.join('; ')}`,
      ],
    };
  } finally {
    await drop();
  }
}
