import { systemClock } from '../src/core/clock.js';
import type { ServiceContext } from '../src/core/context.js';
import type { Db } from '../src/db/types.js';
import { buildApp } from '../src/http/app.js';
import { loadConfig } from '../src/core/config.js';
import { issueApiToken } from '../src/modules/accounts/api-tokens.js';
import { createAccount } from '../src/modules/accounts/create-account.js';
import type { AccountActor } from '../src/modules/accounts/actor.js';
import { acceptTerms } from '../src/modules/contracts/accept-terms.js';
import { createEventType } from '../src/modules/programs/create-event-type.js';
import { createProgram } from '../src/modules/programs/create-program.js';
import { createTemplateTerms } from '../src/modules/programs/template-terms.js';
import { benchDatabaseUrl, freshDb } from './fresh-db.js';
import type { BenchResult, BenchRow } from './types.js';

const BATCH = 5000;
const TARGET_POSTGRES_PER_SEC = 5000;

async function setUp(db: Db, clicks: number) {
  const ctx: ServiceContext = { db, clock: systemClock };
  const brand = await createAccount(ctx, null, {
    kind: 'BRAND',
    name: 'Bench Brand',
    timeZone: 'America/New_York',
    currency: 'USD',
    admin: { email: 'bench-brand@example.test', name: 'Bench', password: 'bench-password-1' },
  });
  const brandActor: AccountActor = { type: 'account', userId: brand.adminUserId, accountId: brand.id, accountKind: 'BRAND', accountTimeZone: 'America/New_York', role: 'ADMIN', via: 'token' };
  const program = await createProgram(ctx, brandActor, { name: 'Bench', currency: 'USD', timeZone: 'America/New_York' });
  const sale = await createEventType(ctx, brandActor, program.id, { name: 'Sale', kind: 'SALE' });
  const terms = await createTemplateTerms(ctx, brandActor, program.id, {
    name: 'Bench terms',
    terms: {
      payouts: [{ eventTypeId: sale.id, payout: { kind: 'PERCENT', percent: '8' }, groups: [{ name: 'Tents', match: { categories: ['Tents'] }, payout: { kind: 'PERCENT', percent: '12.5' } }] }],
      locking: { form: 'MONTHS', months: 0, days: 27 },
      payment: { months: 0, days: 19 },
    },
  });
  const partners: number[] = [];
  for (let i = 0; i < 5; i++) {
    const partner = await createAccount(ctx, null, {
      kind: 'PARTNER',
      name: `Bench Partner ${i}`,
      timeZone: 'UTC',
      currency: 'USD',
      admin: { email: `bench-partner-${i}@example.test`, name: 'P', password: 'bench-password-1' },
    });
    await acceptTerms(ctx, { type: 'account', userId: partner.adminUserId, accountId: partner.id, accountKind: 'PARTNER', accountTimeZone: 'UTC', role: 'ADMIN', via: 'token' }, terms.id);
    partners.push(partner.id);
  }
  await db.query(
    `insert into tracking_links (code, partner_account_id, program_id, landing_url, created_at)
     select 'benchlink' || i, p, $1, 'https://shop.example/', now() - interval '1 day' from unnest($2::int[]) with ordinality as u(p, i)`,
    [program.id, partners],
  );
  await db.query(
    `insert into clicks (click_id, link_id, program_id, partner_account_id, at)
     select 'bc' || g, l.id, $1, l.partner_account_id, now() - interval '2 hours'
       from generate_series(1, $2) g join tracking_links l on l.code = 'benchlink' || (1 + g % 5)`,
    [program.id, clicks],
  );
  const token = await issueApiToken(ctx, { ...brandActor, via: 'session' }, { label: 'bench' });
  return { ctx, sale, token };
}

function batchBody(eventTypeId: number, from: number, count: number, eventDate: string) {
  const conversions = [];
  for (let i = from; i < from + count; i++) {
    conversions.push(
      i % 3 === 0
        ? { ActionTrackerId: eventTypeId, OrderId: `O-${i}`, EventDate: eventDate, ClickId: `bc${i + 1}`, Items: [{ Sku: `S${i % 100}`, Category: i % 2 ? 'Tents' : 'Boots', Quantity: 1, Amount: '120.00' }, { Sku: 'X', Category: 'Socks', Quantity: 2, Amount: '15.50' }] }
        : { ActionTrackerId: eventTypeId, OrderId: `O-${i}`, EventDate: eventDate, ClickId: `bc${i + 1}`, Amount: `${(i % 500) + 10}.99` },
    );
  }
  return { Conversions: conversions };
}

async function measure(kind: 'pglite' | 'postgres', total: number): Promise<{ perSec: number; baselinePerSec: number; actions: number }> {
  const { db, drop } = await freshDb(kind);
  try {
    const { ctx, sale, token } = await setUp(db, total);
    const app = await buildApp({ ctx, config: { ...loadConfig({}), rateLimitMax: 1_000_000, seedDemo: false, jobs: false } });
    await app.ready();
    const auth = `Basic ${Buffer.from(`${token.accountSid}:${token.authToken}`).toString('base64')}`;
    const eventDate = new Date().toISOString(); // after every contract started
    const bodies: string[] = [];
    for (let from = 0; from < total; from += BATCH) bodies.push(JSON.stringify(batchBody(sale.id, from, Math.min(BATCH, total - from), eventDate)));
    // Two requests in flight, as a client streaming a backlog would do: one batch is
    // parsed and priced while the other is being written.
    const started = performance.now();
    let next = 0;
    const worker = async () => {
      while (next < bodies.length) {
        const payload = bodies[next++]!;
        const response = await app.inject({ method: 'POST', url: '/api/v1/conversions/batch', payload, headers: { authorization: auth, 'content-type': 'application/json' } });
        if (response.statusCode !== 200) throw new Error(`batch failed: ${response.statusCode} ${response.body.slice(0, 300)}`);
      }
    };
    await Promise.all([worker(), worker()]);
    const seconds = (performance.now() - started) / 1000;
    await app.close();
    const actions = (await db.query<{ n: number }>('select count(*)::int as n from actions')).rows[0]!.n;
    if (actions !== total) {
      const reasons = await db.query('select status, reject_reason, count(*)::int as n from conversions group by 1, 2');
      process.stderr.write(`${kind}: conversions by outcome ${JSON.stringify(reasons.rows)}\n`);
    }

    // Baseline, same run and database: the bare insert of as many conversion-shaped rows.
    await db.query('create table bench_baseline (like conversions including all)');
    const baselineStarted = performance.now();
    for (let from = 0; from < total; from += BATCH) {
      const n = Math.min(BATCH, total - from);
      const ids = Array.from({ length: n }, (_, i) => from + i);
      await db.query(
        `insert into bench_baseline (brand_account_id, program_id, event_type_id, order_id, request_hash, event_at, click_id, currency, amount_minor, status, created_at)
         select 1, 1, 1, 'O-' || i, md5(i::text), now(), 'bc' || i, 'USD', 1099, 'ACCEPTED', now() from unnest($1::int[]) as u(i)`,
        [ids],
      );
    }
    const baselineSeconds = (performance.now() - baselineStarted) / 1000;
    return { perSec: total / seconds, baselinePerSec: total / baselineSeconds, actions };
  } finally {
    await drop();
  }
}

export async function run(): Promise<BenchResult> {
  const rows: BenchRow[] = [];
  const checks: string[] = [];
  let passed = true;
  const cases: Array<['pglite' | 'postgres', number]> = [['pglite', 20_000]];
  if (benchDatabaseUrl()) cases.push(['postgres', 100_000]);
  else checks.push('PostgreSQL case skipped: set BENCH_DATABASE_URL or TEST_DATABASE_URL');
  for (const [kind, total] of cases) {
    const result = await measure(kind, total);
    rows.push({ case: `${kind}: bare insert of ${total.toLocaleString('en-US')} rows (baseline)`, requestsPerSec: result.baselinePerSec, p50Ms: 0, p99Ms: 0, ratio: 1 });
    rows.push({
      case: `${kind}: batch endpoint, ${total.toLocaleString('en-US')} conversions, batches of ${BATCH}, 2 in flight`,
      requestsPerSec: result.perSec,
      p50Ms: 0,
      p99Ms: 0,
      ratio: result.perSec / result.baselinePerSec,
      note: 'conversions/s, attributed, priced, with actions and history',
    });
    checks.push(`${kind}: ${result.actions.toLocaleString('en-US')} actions created for ${total.toLocaleString('en-US')} conversions`);
    if (result.actions !== total) passed = false;
    if (kind === 'postgres' && result.perSec < TARGET_POSTGRES_PER_SEC) passed = false;
  }
  return { name: 'conversions', target: `≥ ${TARGET_POSTGRES_PER_SEC.toLocaleString('en-US')} conversions/s through the batch endpoint on PostgreSQL`, passed, rows, checks };
}
