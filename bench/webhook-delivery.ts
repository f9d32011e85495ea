/**
 * `npm run bench -- webhook-delivery` (issue 16, Speed): webhooks delivered from the outbox
 * to a local receiver (node http on 127.0.0.1), by the worker's `deliver-webhooks` runs
 * (two at once, as the trigger allows), each event fanned out, signed (standardwebhooks),
 * POSTed and its outcome recorded; BENCH_WEBHOOK_EVENTS events (default 20,000), once each
 * about a resource of its own and once ten events a resource (ordered: a resource's next
 * event waits for the one before). The baseline is the same number of bare POSTs of the
 * same bodies to the same receiver through a keep-alive agent at the same concurrency.
 * Target: ≥ 1,000 events/s. PostgreSQL when BENCH_DATABASE_URL or TEST_DATABASE_URL is
 * set, else PGlite.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { ManualClock } from '../src/core/clock.js';
import type { ServiceContext } from '../src/core/context.js';
import '../src/http/event-payloads.js';
import { createAccount } from '../src/modules/accounts/create-account.js';
import type { AccountActor } from '../src/modules/accounts/actor.js';
import { SEND_CONCURRENCY } from '../src/modules/webhooks/deliver.js';
import { createEndpoint } from '../src/modules/webhooks/endpoints.js';
import { deliverWebhooksKind, MAX_CONCURRENT_RUNS } from '../src/modules/webhooks/pump.js';
import { configureWebhooks } from '../src/modules/webhooks/transport.js';
import { recordEvents } from '../src/outbox/record-events.js';
import { enqueue } from '../src/worker/index.js';
import { Worker } from '../src/worker/worker.js';
import { testConfig } from '../test/support/app.js';
import { benchDatabaseUrl, freshDb } from './fresh-db.js';
import type { BenchResult, BenchRow } from './types.js';

const EVENTS = Number(process.env.BENCH_WEBHOOK_EVENTS ?? 20_000);
const TARGET_EVENTS_PER_SEC = 1000;

async function startReceiver(): Promise<{ server: http.Server; port: number; count: () => number }> {
  let received = 0;
  const server = http.createServer((request, response) => {
    request.resume();
    request.on('end', () => {
      if (request.headers['webhook-signature']) received += 1;
      response.writeHead(200, { 'content-type': 'text/plain', 'content-length': '2' }).end('ok');
    });
  });
  server.keepAliveTimeout = 60_000;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  return { server, port: (server.address() as AddressInfo).port, count: () => received };
}

async function barePosts(port: number, bodies: readonly string[]): Promise<number> {
  const agent = new http.Agent({ keepAlive: true, maxSockets: 64 });
  let next = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: SEND_CONCURRENCY }, async () => {
      while (next < bodies.length) {
        const body = bodies[next++]!;
        await new Promise<void>((resolve, reject) => {
          const request = http.request({ host: '127.0.0.1', port, path: '/hooks', method: 'POST', agent, headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) } }, (response) => {
            response.resume();
            response.on('end', () => resolve());
          });
          request.on('error', reject);
          request.end(body);
        });
      }
    }),
  );
  agent.destroy();
  return bodies.length / ((performance.now() - started) / 1000);
}

export async function run(): Promise<BenchResult> {
  const name = 'webhook-delivery';
  const kind = benchDatabaseUrl() ? 'postgres' : 'pglite';
  const target = `≥ ${TARGET_EVENTS_PER_SEC.toLocaleString('en-US')} events/s from the outbox to a local receiver, signed, in order per resource (${kind})`;
  const { db, drop } = await freshDb(kind);
  const receiver = await startReceiver();
  try {
    const ctx: ServiceContext = { db, clock: new ManualClock(new Date()) };
    configureWebhooks(testConfig({ webhookAllowedHosts: ['127.0.0.1'] }));
    const created = await createAccount(ctx, null, {
      kind: 'BRAND',
      name: 'Webhook Brand',
      timeZone: 'UTC',
      currency: 'USD',
      admin: { email: 'webhook-bench@example.test', name: 'W', password: 'bench-password-1' },
    });
    const brand: AccountActor = { type: 'account', userId: created.adminUserId, accountId: created.id, accountKind: 'BRAND', accountTimeZone: 'UTC', role: 'ADMIN', via: 'session' };
    await createEndpoint(ctx, brand, { url: `http://127.0.0.1:${receiver.port}/hooks`, eventTypes: ['action.modified'] });
    const payload = (i: number) => ({ Id: String(i), State: 'PENDING', Amount: '100.00', Payout: '10.00', CampaignId: 1, MediaPartnerId: 2, OrderId: `ORDER-${i}`, Note: 'x'.repeat(400) });

    const rows: BenchRow[] = [];
    const checks: string[] = [];
    let passed = true;
    let base = 0;
    for (const [label, perResource] of [
      ['a resource per event', 1],
      ['10 events per resource', 10],
    ] as const) {
      const resources = Math.ceil(EVENTS / perResource);
      await db.transaction(async (tx) => {
        for (let step = 0; step < perResource; step++) {
          for (let from = 0; from < resources; from += 5000) {
            await recordEvents(
              tx,
              Array.from({ length: Math.min(5000, resources - from) }, (_, k) => ({
                type: 'action.modified' as const,
                subject: `action:${base + from + k}`,
                accountIds: [created.id],
                payload: { ...payload(base + from + k), Step: step },
                occurredAt: ctx.clock.now(),
              })),
            );
          }
        }
      });
      base += resources;
      const total = resources * perResource;
      const before = receiver.count();
      const worker = new Worker(ctx, { concurrency: MAX_CONCURRENT_RUNS, kinds: [deliverWebhooksKind.name] });
      const started = performance.now();
      for (let i = 0; i < MAX_CONCURRENT_RUNS; i++) await enqueue(db, deliverWebhooksKind, {});
      await worker.drain();
      const seconds = (performance.now() - started) / 1000;
      const delivered = receiver.count() - before;
      const rate = delivered / seconds;
      const { rows: states } = await db.query<{ n: number }>(`select count(*)::int as n from webhook_deliveries where state <> 'DELIVERED'`);
      const ok = delivered >= total && states[0]!.n === 0 && rate >= TARGET_EVENTS_PER_SEC;
      passed &&= ok;
      const bodies = Array.from({ length: Math.min(total, 20_000) }, (_, i) => JSON.stringify({ Id: String(i), Type: 'action.modified', Payload: payload(i) }));
      const bare = await barePosts(receiver.port, bodies);
      rows.push({ case: `bare keep-alive POSTs (${bodies.length.toLocaleString('en-US')})`, requestsPerSec: bare, p50Ms: 0, p99Ms: 0 });
      rows.push({
        case: `outbox → webhooks, ${label} (${total.toLocaleString('en-US')})`,
        requestsPerSec: rate,
        p50Ms: 0,
        p99Ms: 0,
        ratio: rate / bare,
        note: `${seconds.toFixed(2)} s`,
      });
      checks.push(`${ok ? 'ok  ' : 'MISS'} ${label}: ${delivered.toLocaleString('en-US')} of ${total.toLocaleString('en-US')} delivered in ${seconds.toFixed(2)} s = ${Math.round(rate).toLocaleString('en-US')} events/s (target ≥ ${TARGET_EVENTS_PER_SEC.toLocaleString('en-US')})`);
    }
    return { name, target, passed, rows, checks };
  } finally {
    receiver.server.closeAllConnections();
    receiver.server.close();
    await drop();
  }
}
