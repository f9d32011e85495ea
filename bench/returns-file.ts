/**
 * `npm run bench -- returns-file` (issue 13, Speed): a 1,000,000-row order-level returns
 * file (BENCH_RETURNS_ROWS) applied on PostgreSQL by the batch engine, each row with its
 * outcome, modification record and event, against a raw-SQL baseline in the same run (COPY
 * of the same file into a table and one UPDATE … FROM of a copy of the actions); the
 * process's RSS sampled while it applies; and a one-row file through the API, from the
 * upload to its result being ready, p95 over BENCH_RETURNS_SAMPLES uploads.
 */
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import pg from 'pg';
import copyStreams from 'pg-copy-streams';
import { ManualClock, systemClock } from '../src/core/clock.js';
import type { ServiceContext } from '../src/core/context.js';
import { quoteIdent } from '../src/db/connection.js';
import { submitReturnsBatch } from '../src/flows/apply-returns-batch.js';
import { buildApp } from '../src/http/app.js';
import { issueApiToken } from '../src/modules/accounts/api-tokens.js';
import type { AccountActor } from '../src/modules/accounts/actor.js';
import { createAccount } from '../src/modules/accounts/create-account.js';
import { acceptTerms } from '../src/modules/contracts/accept-terms.js';
import { createEventType } from '../src/modules/programs/create-event-type.js';
import { createProgram } from '../src/modules/programs/create-program.js';
import { createTemplateTerms } from '../src/modules/programs/template-terms.js';
import { getBatchById } from '../src/modules/returns/queries.js';
import { runNow } from '../src/worker/index.js';
import { Worker } from '../src/worker/worker.js';
import { testConfig } from '../test/support/app.js';
import { benchDatabaseUrl, freshDb, percentileMs } from './fresh-db.js';
import type { BenchResult } from './types.js';

const ROWS = Number(process.env.BENCH_RETURNS_ROWS ?? 1_000_000);
const SAMPLES = Number(process.env.BENCH_RETURNS_SAMPLES ?? 40);
const TARGET_ROWS_PER_SEC = 20_000;
const TARGET_RSS_MB = 256;
const TARGET_ONE_ROW_P95_MS = 1000;
const PARTNERS = 20;

export async function run(): Promise<BenchResult> {
  const name = 'returns-file';
  const target = `≥ ${TARGET_ROWS_PER_SEC.toLocaleString('en-US')} rows/s for a ${ROWS.toLocaleString('en-US')}-row order-level file, RSS ≤ ${TARGET_RSS_MB} MB; one row through the API applied and its result ready in ≤ ${TARGET_ONE_ROW_P95_MS} ms p95 (PostgreSQL)`;
  if (!benchDatabaseUrl()) return { name, target, passed: true, rows: [], checks: ['skipped: set BENCH_DATABASE_URL or TEST_DATABASE_URL'] };
  const { db, drop } = await freshDb('postgres');
  try {
    const ctx: ServiceContext = { db, clock: new ManualClock(new Date(Date.now() - 2 * 86_400_000)) };
    const created = await createAccount(ctx, null, {
      kind: 'BRAND',
      name: 'Returns Brand',
      timeZone: 'UTC',
      currency: 'USD',
      admin: { email: 'returns-bench@example.test', name: 'R', password: 'bench-password-1' },
    });
    const brand: AccountActor = { type: 'account', userId: created.adminUserId, accountId: created.id, accountKind: 'BRAND', accountTimeZone: 'UTC', role: 'ADMIN', via: 'token' };
    const program = await createProgram(ctx, brand, { name: 'Returns', currency: 'USD', timeZone: 'UTC' });
    const sale = await createEventType(ctx, brand, program.id, { name: 'Sale', kind: 'SALE' });
    const terms = await createTemplateTerms(ctx, brand, program.id, {
      name: 'Returns terms',
      terms: { payouts: [{ eventTypeId: sale.id, payout: { kind: 'PERCENT', percent: '10' } }], locking: { form: 'DAYS', days: 27 }, payment: { months: 0, days: 19 } },
    });
    const partnerIds: number[] = [];
    const contractIds: number[] = [];
    for (let i = 0; i < PARTNERS; i++) {
      const partner = await createAccount(ctx, null, {
        kind: 'PARTNER',
        name: `Returns Partner ${i}`,
        timeZone: 'UTC',
        currency: 'USD',
        admin: { email: `returns-partner-${i}@example.test`, name: 'P', password: 'bench-password-1' },
      });
      const contract = await acceptTerms(ctx, { type: 'account', userId: partner.adminUserId, accountId: partner.id, accountKind: 'PARTNER', accountTimeZone: 'UTC', role: 'ADMIN', via: 'session' }, terms.id);
      partnerIds.push(partner.id);
      contractIds.push(contract.id);
    }
    // ROWS pending actions (of today, locking in 27 days), set-based as the other benchmarks load them.
    await db.query(
      `insert into conversions (brand_account_id, program_id, event_type_id, order_id, request_hash, event_at, partner_account_id, currency, amount_minor, status, created_at)
       select $1::int, $2::int, $3::int, 'R-' || g, md5(g::text), now(), ($4::int[])[1 + g % ${PARTNERS}], 'USD', 1000 + g % 90000, 'ACCEPTED', now()
         from generate_series(1, $5::int) g`,
      [brand.accountId, program.id, sale.id, partnerIds, ROWS + SAMPLES + 10],
    );
    await db.query(
      `insert into actions (conversion_id, program_id, brand_account_id, event_type_id, event_kind, partner_account_id, contract_id, state, order_id,
                            currency, amount_minor, payout_minor, original_amount_minor, original_payout_minor, event_at, locking_at, payment_due_at,
                            modification_count, created_at, updated_at)
       select c.id, c.program_id, c.brand_account_id, c.event_type_id, 'SALE', c.partner_account_id, ($2::int[])[array_position($3::int[], c.partner_account_id)],
              'PENDING', c.order_id, 'USD', c.amount_minor, round(c.amount_minor / 10.0), c.amount_minor, round(c.amount_minor / 10.0), c.event_at,
              now() + interval '27 days', now() + interval '60 days', 1, now(), now()
         from conversions c where c.brand_account_id = $1::int`,
      [brand.accountId, contractIds, partnerIds],
    );
    await db.query('analyze');

    // The file: every action by Oid + ActionTrackerId, a new amount, a reason.
    const lines: string[] = ['Oid,ActionTrackerId,Amount,Reason'];
    for (let g = 1; g <= ROWS; g++) lines.push(`R-${g},${sale.id},${((500 + (g % 40000)) / 100).toFixed(2)},ITEM_RETURNED`);
    const file = Buffer.from(`${lines.join('\n')}\n`);
    lines.length = 0;

    // Baseline: COPY the file into a table, then one UPDATE … FROM of a copy of the actions (indexed the same way).
    await db.query('create table returns_baseline_actions as select id, event_type_id, order_id, amount_minor from actions');
    await db.query('create index on returns_baseline_actions (event_type_id, order_id)');
    await db.query('create table returns_baseline_rows (oid text, tracker int, amount numeric, reason text)');
    const schema = (await db.query<{ s: string }>('select current_schema() as s')).rows[0]!.s;
    const client = new pg.Client({ connectionString: benchDatabaseUrl() });
    await client.connect();
    let baselineSeconds: number;
    try {
      await client.query(`set search_path to ${quoteIdent(schema)}`);
      const started = performance.now();
      await pipeline(Readable.from([file]), client.query(copyStreams.from('copy returns_baseline_rows from stdin with (format csv, header true)')));
      await client.query(
        `update returns_baseline_actions a set amount_minor = (r.amount * 100)::bigint
           from returns_baseline_rows r where a.event_type_id = r.tracker and a.order_id = r.oid`,
      );
      baselineSeconds = (performance.now() - started) / 1000;
    } finally {
      await client.end();
    }
    await db.query('drop table returns_baseline_actions; drop table returns_baseline_rows');

    // The engine: stored (bytes and hash), then its work item run here, RSS sampled while it applies.
    const live: ServiceContext = { db, clock: systemClock };
    const receiveStarted = performance.now();
    const received = await submitReturnsBatch(live, brand, sale.id, { fileName: 'bench.csv', contentType: 'text/csv', channel: 'API', content: file });
    const receiveSeconds = (performance.now() - receiveStarted) / 1000;
    if (received.ignored || !received.created) throw new Error('the file was not received');
    const rssSamples: number[] = [];
    const sampler = setInterval(() => rssSamples.push(process.memoryUsage().rss / 1024 / 1024), 200);
    const applyStarted = performance.now();
    await runNow(live, received.batch.workItemId!);
    const applySeconds = (performance.now() - applyStarted) / 1000;
    clearInterval(sampler);
    const batch = (await getBatchById(db, received.batch.id))!;
    const records = (await db.query<{ n: number }>(`select count(*)::int as n from action_modifications where operation = 'MODIFY_AMOUNT'`)).rows[0]!.n;
    const outcomes = (await db.query<{ n: number }>('select count(*)::int as n from returns_batch_rows where batch_id = $1', [batch.id.toString()])).rows[0]!.n;
    const perSec = ROWS / applySeconds;
    const baselinePerSec = ROWS / baselineSeconds;
    const rssMax = Math.max(...rssSamples);

    // One row through the API: the upload, the worker's nudge, the result ready.
    const app = await buildApp({ ctx: live, config: testConfig() });
    await app.ready();
    const worker = new Worker(live, { kinds: ['returns-batch'] }).start();
    const token = await issueApiToken(live, { ...brand, via: 'session' }, { label: 'bench' });
    const auth = `Basic ${Buffer.from(`${token.accountSid}:${token.authToken}`).toString('base64')}`;
    const latencies: number[] = [];
    try {
      for (let i = 0; i < SAMPLES; i++) {
        const started = performance.now();
        const answer = await app.inject({
          method: 'POST',
          url: `/api/v1/event-types/${sale.id}/returns-batches?fileName=one-${i}.csv`,
          headers: { authorization: auth, 'content-type': 'text/csv' },
          payload: `Oid,ActionTrackerId,Amount,Reason\nR-${ROWS + 1 + i},${sale.id},1.00,ORDER_UPDATE\n`,
        });
        if (answer.statusCode !== 202) throw new Error(`upload answered ${answer.statusCode}: ${answer.body}`);
        const id = answer.json().Id as string;
        for (;;) {
          const result = await app.inject({ method: 'GET', url: `/api/v1/returns-batches/${id}/result.csv`, headers: { authorization: auth } });
          if (result.statusCode === 200) break;
          await new Promise((resolve) => setTimeout(resolve, 5));
        }
        latencies.push(performance.now() - started);
      }
    } finally {
      await worker.stop();
      await app.close();
    }
    const p95 = percentileMs(latencies, 95);
    const passed =
      batch.status === 'DONE' && batch.counts.APPLIED === ROWS && records === ROWS && outcomes === ROWS && perSec >= TARGET_ROWS_PER_SEC && rssMax <= TARGET_RSS_MB && p95 <= TARGET_ONE_ROW_P95_MS;
    return {
      name,
      target,
      passed,
      rows: [
        { case: `COPY + one UPDATE … FROM of ${ROWS.toLocaleString('en-US')} rows (baseline)`, requestsPerSec: baselinePerSec, p50Ms: 0, p99Ms: 0, ratio: 1 },
        {
          case: `returns engine: ${ROWS.toLocaleString('en-US')} rows by Oid`,
          requestsPerSec: perSec,
          p50Ms: 0,
          p99Ms: 0,
          ratio: perSec / baselinePerSec,
          note: 'rows/s, each with its outcome, modification record and event',
        },
        { case: `one-row file through the API, upload to result (${SAMPLES} uploads)`, requestsPerSec: 1000 / (latencies.reduce((a, b) => a + b, 0) / latencies.length), p50Ms: percentileMs(latencies, 50), p99Ms: percentileMs(latencies, 99) },
      ],
      checks: [
        `file ${(file.length / 1024 / 1024).toFixed(1)} MB stored in ${receiveSeconds.toFixed(1)} s; applied in ${applySeconds.toFixed(1)} s: ${JSON.stringify(batch.counts)}`,
        `${records.toLocaleString('en-US')} modification records, ${outcomes.toLocaleString('en-US')} outcomes`,
        `RSS while applying: max ${rssMax.toFixed(0)} MB, first ${rssSamples[0]?.toFixed(0)} MB, last ${rssSamples.at(-1)?.toFixed(0)} MB (${rssSamples.length} samples)`,
        `one row through the API: p50 ${percentileMs(latencies, 50).toFixed(0)} ms, p95 ${p95.toFixed(0)} ms`,
      ],
    };
  } finally {
    await drop();
  }
}
