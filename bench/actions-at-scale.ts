import { ManualClock, systemClock } from '../src/core/clock.js';
import type { ServiceContext } from '../src/core/context.js';
import type { Db } from '../src/db/types.js';
import type { AccountActor } from '../src/modules/accounts/actor.js';
import { createAccount } from '../src/modules/accounts/create-account.js';
import { recordActionEvents } from '../src/modules/actions/action-events.js';
import { listActions, totalActions } from '../src/modules/actions/list-actions.js';
import { lockDueActions } from '../src/modules/actions/lock-due-actions.js';
import { acceptTerms } from '../src/modules/contracts/accept-terms.js';
import { checkStatements } from '../src/modules/billing/check-statements.js';
import { issueStatements } from '../src/modules/billing/issue-statements.js';
import { checkLedger } from '../src/modules/ledger/check-ledger.js';
import { createEventType } from '../src/modules/programs/create-event-type.js';
import { createProgram } from '../src/modules/programs/create-program.js';
import { createTemplateTerms } from '../src/modules/programs/template-terms.js';
import '../src/http/event-payloads.js';
import { benchDatabaseUrl, freshDb, percentileMs } from './fresh-db.js';
import type { BenchResult } from './types.js';

const ACTIONS = Number(process.env.BENCH_ACTIONS ?? 1_000_000);
const PARTNERS = 50;
const LIST_SAMPLES = 200;
const LOCK_TARGET_PER_SEC = 20_000;
const LIST_TARGET_P95_MS = 50;

interface Scale {
  db: Db;
  drop(): Promise<void>;
  brand: AccountActor;
  partnerIds: number[];
  eventTypeIds: number[];
  loadSeconds: number;
}

/** One brand, 50 partners and ACTIONS pending actions over 90 days, written set-based. */
async function build(): Promise<Scale> {
  const { db, drop } = await freshDb('postgres');
  const ctx: ServiceContext = { db, clock: new ManualClock(new Date(Date.now() - 100 * 86_400_000)) };
  const created = await createAccount(ctx, null, {
    kind: 'BRAND',
    name: 'Scale Brand',
    timeZone: 'America/New_York',
    currency: 'USD',
    admin: { email: 'scale@example.test', name: 'S', password: 'bench-password-1' },
  });
  const brand: AccountActor = { type: 'account', userId: created.adminUserId, accountId: created.id, accountKind: 'BRAND', accountTimeZone: 'America/New_York', role: 'ADMIN', via: 'session' };
  const program = await createProgram(ctx, brand, { name: 'Scale', currency: 'USD', timeZone: 'America/New_York' });
  const sale = await createEventType(ctx, brand, program.id, { name: 'Sale', kind: 'SALE' });
  const lead = await createEventType(ctx, brand, program.id, { name: 'Lead', kind: 'LEAD' });
  const terms = await createTemplateTerms(ctx, brand, program.id, {
    name: 'Scale terms',
    terms: {
      payouts: [
        { eventTypeId: sale.id, payout: { kind: 'PERCENT', percent: '10' } },
        { eventTypeId: lead.id, payout: { kind: 'FIXED', amount: '2.00' } },
      ],
      locking: { form: 'DAYS', days: 7 },
      payment: { months: 0, days: 19 },
    },
  });
  const partnerIds: number[] = [];
  const contractIds: number[] = [];
  for (let i = 0; i < PARTNERS; i++) {
    const partner = await createAccount(ctx, null, {
      kind: 'PARTNER',
      name: `Scale Partner ${String(i).padStart(2, '0')}`,
      timeZone: 'UTC',
      currency: 'USD',
      admin: { email: `scale-partner-${i}@example.test`, name: 'P', password: 'bench-password-1' },
    });
    const contract = await acceptTerms(ctx, { type: 'account', userId: partner.adminUserId, accountId: partner.id, accountKind: 'PARTNER', accountTimeZone: 'UTC', role: 'ADMIN', via: 'session' }, terms.id);
    partnerIds.push(partner.id);
    contractIds.push(contract.id);
  }
  const started = performance.now();
  // Event dates spread evenly over the last 90 days and stored in the order they happened,
  // as a live program records conversions (within hours of the event); all of them are
  // due to lock (7 days after the event day) except the most recent week.
  await db.query(
    `insert into conversions (brand_account_id, program_id, event_type_id, order_id, request_hash, event_at, partner_account_id,
                              currency, amount_minor, status, created_at)
     select $1::int, $2::int, case when g % 10 = 0 then $4::int else $3::int end, 'S-' || g, md5(g::text),
            now() - interval '90 days' * (1 - g::float8 / $6::int),
            ($5::int[])[1 + g % ${PARTNERS}], 'USD', case when g % 10 = 0 then 0 else 500 + (g * 37) % 50000 end, 'ACCEPTED', now()
       from generate_series(1, $6::int) g`,
    [brand.accountId, program.id, sale.id, lead.id, partnerIds, ACTIONS],
  );
  await db.query(
    `insert into actions (conversion_id, program_id, brand_account_id, event_type_id, event_kind, partner_account_id, contract_id, state,
                          order_id, currency, amount_minor, payout_minor, original_amount_minor, original_payout_minor, event_at,
                          locking_at, payment_due_at, modification_count, created_at, updated_at)
     select c.id, c.program_id, c.brand_account_id, c.event_type_id, case when c.event_type_id = $2::int then 'LEAD' else 'SALE' end,
            c.partner_account_id, ($3::int[])[array_position($4::int[], c.partner_account_id)], 'PENDING', c.order_id, 'USD',
            c.amount_minor, case when c.event_type_id = $2::int then 200 else round(c.amount_minor / 10.0) end, c.amount_minor,
            case when c.event_type_id = $2::int then 200 else round(c.amount_minor / 10.0) end, c.event_at,
            date_trunc('day', c.event_at) + interval '8 days', date_trunc('month', c.event_at) + interval '2 months', 1, now(), now()
       from conversions c where c.brand_account_id = $1::int`,
    [brand.accountId, lead.id, contractIds, partnerIds],
  );
  // Each action has the action.created event insertActions writes with it in a live
  // system (the lock job's events start from it), written here in chunks as batches of
  // conversions write them.
  const ids = (await db.query<{ id: string }>('select id::text as id from actions order by id')).rows.map((row) => row.id);
  for (let i = 0; i < ids.length; i += 20_000) {
    const chunk = ids.slice(i, i + 20_000);
    await db.transaction((tx) => recordActionEvents(tx, chunk.map((id) => ({ id, type: 'action.created' as const })), ['USD'], ctx.clock.now()));
  }
  await db.query('analyze');
  return { db, drop, brand, partnerIds, eventTypeIds: [sale.id, lead.id], loadSeconds: (performance.now() - started) / 1000 };
}

let built: Promise<Scale> | undefined;
export const scale = () => (built ??= build());

/** Drops the dataset (the last benchmark of those that share it). */
export async function dropScale(): Promise<void> {
  if (!built) return;
  const { drop } = await built;
  built = undefined;
  await drop();
}

/**
 * The Pending Payouts page: one filtered, sorted page with its row count, as the UI asks
 * for it, over the dataset as the lock job left it (run after runLockJob): a million
 * actions of which the last week's are still pending. Drops the data afterwards.
 */
export async function runPendingPayouts(): Promise<BenchResult> {
  const name = 'pending-payouts';
  const target = `one filtered page over ${ACTIONS.toLocaleString('en-US')} actions, p95 ≤ ${LIST_TARGET_P95_MS} ms (PostgreSQL)`;
  if (!benchDatabaseUrl()) return { name, target, passed: true, rows: [], checks: ['skipped: set BENCH_DATABASE_URL or TEST_DATABASE_URL'] };
  const { db, drop, brand, partnerIds, eventTypeIds } = await scale();
  try {
    return await measurePages(db, brand, partnerIds, eventTypeIds, name, target);
  } finally {
    await drop();
    built = undefined;
  }
}

async function measurePages(db: Db, brand: AccountActor, partnerIds: number[], eventTypeIds: number[], name: string, target: string): Promise<BenchResult> {
  // What autovacuum does within a minute of a lock job that rewrote most of the table:
  // without it the planner would still believe every action is pending.
  await db.query('vacuum analyze actions');
  const now = systemClock.now();
  const pending = (await db.query<{ n: number }>(`select count(*)::int as n from actions where state = 'PENDING'`)).rows[0]!.n;
  const filters = [
    () => ({ state: 'PENDING' as const }),
    () => ({ state: 'PENDING' as const, partnerAccountId: partnerIds[Math.floor(Math.random() * partnerIds.length)]! }),
    () => ({ eventTypeId: eventTypeIds[1]!, state: 'PENDING' as const }),
    () => ({ statusDetail: 'Pending', from: new Date(now.getTime() - 30 * 86_400_000), to: now }),
    () => ({ orderId: `S-${1 + Math.floor(Math.random() * ACTIONS)}` }),
    () => ({ state: 'PENDING' as const, sort: 'Payout', order: 'desc' as const }),
  ];
  const timings: number[] = [];
  const totals: number[] = [];
  const baseline: number[] = [];
  for (let i = 0; i < LIST_SAMPLES; i++) {
    const filter = filters[i % filters.length]!();
    const page = 1 + (i % 5);
    let started = performance.now();
    await listActions(db, brand, { page, pageSize: 50, ...filter }, now);
    timings.push(performance.now() - started);
    // The totals above the table (per currency, over every matching row), a request of their own.
    if (i < LIST_SAMPLES / 4) {
      started = performance.now();
      await totalActions(db, brand, filter, now);
      totals.push(performance.now() - started);
    }
    // Baseline: the bare indexed read of one page of the brand's actions, no joins, no count.
    started = performance.now();
    await db.query(
      `select * from actions where brand_account_id = $1 and state = 'PENDING' order by event_at desc, id desc limit 50 offset $2`,
      [brand.accountId, (page - 1) * 50],
    );
    baseline.push(performance.now() - started);
  }
  const p95 = percentileMs(timings, 95);
  const bareP95 = percentileMs(baseline, 95);
  return {
    name,
    target,
    passed: p95 <= LIST_TARGET_P95_MS,
    rows: [
      { case: 'bare indexed page read (baseline)', requestsPerSec: 1000 / (baseline.reduce((a, b) => a + b, 0) / baseline.length), p50Ms: percentileMs(baseline, 50), p99Ms: percentileMs(baseline, 99), ratio: 1 },
      {
        case: `Pending Payouts page (6 filter shapes, with row count), p95 ${p95.toFixed(1)} ms`,
        requestsPerSec: 1000 / (timings.reduce((a, b) => a + b, 0) / timings.length),
        p50Ms: percentileMs(timings, 50),
        p99Ms: percentileMs(timings, 99),
        ratio: bareP95 / p95,
        note: 'ratio = baseline p95 / page p95',
      },
      {
        case: `totals of the filtered rows per currency (its own request), p95 ${percentileMs(totals, 95).toFixed(1)} ms`,
        requestsPerSec: 1000 / (totals.reduce((a, b) => a + b, 0) / totals.length),
        p50Ms: percentileMs(totals, 50),
        p99Ms: percentileMs(totals, 99),
        note: 'no target: shown above the table once they arrive',
      },
    ],
    checks: [
      `${LIST_SAMPLES} pages over ${ACTIONS.toLocaleString('en-US')} actions (${pending.toLocaleString('en-US')} pending); p95 ${p95.toFixed(1)} ms (baseline p95 ${bareP95.toFixed(1)} ms)`,
    ],
  };
}

/** A checkpoint, when the benchmark's role may ask for one (a superuser or pg_checkpoint's member). */
async function checkpoint(db: Db): Promise<void> {
  try {
    await db.query('checkpoint');
  } catch {
    // Not allowed: the step then starts wherever the server's own checkpoints are.
  }
}

/** The lock job over every due action, then a full ledger check. The data stays for runPendingPayouts. */
export async function runLockJob(): Promise<BenchResult> {
  const name = 'lock-job';
  const target = `≥ ${LOCK_TARGET_PER_SEC.toLocaleString('en-US')} actions locked/s with ${ACTIONS.toLocaleString('en-US')} actions (PostgreSQL)`;
  if (!benchDatabaseUrl()) return { name, target, passed: true, rows: [], checks: ['skipped: set BENCH_DATABASE_URL or TEST_DATABASE_URL'] };
  const { db, loadSeconds } = await scale();
  {
    const due = (await db.query<{ n: number }>(`select count(*)::int as n from actions where state = 'PENDING' and locking_at <= now()`)).rows[0]!.n;
    // Baseline: one bare UPDATE of the same number of rows in a copy of the table.
    await db.query(`create table lock_baseline as select id, state, locked_at, locking_at from actions`);
    // Each measured step starts right after a checkpoint, so that neither pays for the
    // data load's dirty pages being written out under it, and both pay alike for the
    // first change to each page after a checkpoint (a full page image in the WAL).
    await checkpoint(db);
    let started = performance.now();
    await db.query(`update lock_baseline set state = 'APPROVED', locked_at = locking_at where state = 'PENDING' and locking_at <= now()`);
    const bareSeconds = (performance.now() - started) / 1000;
    await db.query('drop table lock_baseline');

    await checkpoint(db);
    started = performance.now();
    const result = await lockDueActions({ db, clock: systemClock });
    const seconds = (performance.now() - started) / 1000;
    const checkStarted = performance.now();
    const ledger = await checkLedger(db);
    const checkSeconds = (performance.now() - checkStarted) / 1000;
    const perSec = result.locked / seconds;
    return {
      name,
      target,
      passed: perSec >= LOCK_TARGET_PER_SEC && result.locked === due && ledger.ok,
      rows: [
        { case: `bare UPDATE of ${due.toLocaleString('en-US')} rows (baseline)`, requestsPerSec: due / bareSeconds, p50Ms: 0, p99Ms: 0, ratio: 1 },
        {
          case: `lock job: ${result.locked.toLocaleString('en-US')} actions in ${result.chunks} chunks`,
          requestsPerSec: perSec,
          p50Ms: 0,
          p99Ms: 0,
          ratio: perSec / (due / bareSeconds),
          note: 'actions/s, each with a LOCK record and a ledger transfer',
        },
      ],
      checks: [
        `data load: ${ACTIONS.toLocaleString('en-US')} conversions + actions in ${loadSeconds.toFixed(1)} s`,
        `${due.toLocaleString('en-US')} due, ${result.locked.toLocaleString('en-US')} locked in ${seconds.toFixed(1)} s`,
        `ledger check: ${ledger.ok ? 'ok' : ledger.problems.join('; ')} (${ledger.transfers.toLocaleString('en-US')} transfers, ${checkSeconds.toFixed(2)} s)`,
      ],
    };
  }
}

const STATEMENT_TARGET_PER_SEC = 100_000;

/**
 * Statement generation over the locked actions (the lock job's benchmark locks them; run
 * alone, this one locks them first): every action that locked in a month now over is
 * billed on its statement, set-based. Baseline: one bare INSERT … SELECT of the same rows
 * into a table of the same shape.
 */
export async function runStatements(): Promise<BenchResult> {
  const name = 'statements';
  const target = `≥ ${STATEMENT_TARGET_PER_SEC.toLocaleString('en-US')} actions billed/s over the locked actions of ${ACTIONS.toLocaleString('en-US')} (PostgreSQL)`;
  if (!benchDatabaseUrl()) return { name, target, passed: true, rows: [], checks: ['skipped: set BENCH_DATABASE_URL or TEST_DATABASE_URL'] };
  const { db } = await scale();
  await lockDueActions({ db, clock: systemClock });
  const due = (
    await db.query<{ n: number }>(
      `select count(*)::int as n from actions a join programs p on p.id = a.program_id
        where a.state = 'APPROVED' and a.locked_at < (date_trunc('month', now() at time zone p.time_zone) at time zone p.time_zone)
          and not exists (select 1 from statement_lines l where l.action_id = a.id)`,
    )
  ).rows[0]!.n;
  await db.query('create table statement_baseline (action_id bigint primary key, statement_id int, partner_account_id int, event_type_id int, amount_minor bigint, payout_minor bigint, locked_at timestamptz)');
  let started = performance.now();
  await db.query(
    `insert into statement_baseline select a.id, 1, a.partner_account_id, a.event_type_id, a.amount_minor, a.payout_minor, a.locked_at
       from actions a join programs p on p.id = a.program_id
      where a.state = 'APPROVED' and a.locked_at < (date_trunc('month', now() at time zone p.time_zone) at time zone p.time_zone)`,
  );
  const bareSeconds = (performance.now() - started) / 1000;
  await db.query('drop table statement_baseline');
  started = performance.now();
  const result = await issueStatements({ db, clock: systemClock });
  const seconds = (performance.now() - started) / 1000;
  const perSec = result.lines / seconds;
  const problems = await checkStatements(db);
  return {
    name,
    target,
    passed: perSec >= STATEMENT_TARGET_PER_SEC && result.lines === due && problems.length === 0,
    rows: [
      { case: `bare INSERT … SELECT of ${due.toLocaleString('en-US')} rows (baseline)`, requestsPerSec: due / bareSeconds, p50Ms: 0, p99Ms: 0, ratio: 1 },
      {
        case: `issue statements: ${result.statements} statement(s), ${result.lines.toLocaleString('en-US')} actions`,
        requestsPerSec: perSec,
        p50Ms: 0,
        p99Ms: 0,
        ratio: perSec / (due / bareSeconds),
        note: 'actions billed/s, each a statement line, totals per statement',
      },
    ],
    checks: [
      `${due.toLocaleString('en-US')} locked in months over, ${result.lines.toLocaleString('en-US')} billed in ${seconds.toFixed(1)} s`,
      `statements check: ${problems.length === 0 ? 'ok' : problems.join('; ')}`,
    ],
  };
}
