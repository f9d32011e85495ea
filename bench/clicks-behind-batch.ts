/**
 * How long a click waits behind a big conversions batch on PGlite, where the engine runs
 * one statement at a time for the whole process. Target: a redirect's p99 stays within
 * 100 ms while 10,000-conversion batches are written back to back (the batch is written
 * in chunks, each its own short transaction, so a click's commit waits behind one chunk
 * rather than the whole batch). Baseline in the same run: the same click load with no
 * batch. The clicks come from a child process (bench/load-generator.ts); the batches are
 * posted in this process, through the API (parsing and validation included).
 */
import { pino } from 'pino';
import { systemClock } from '../src/core/clock.js';
import { loadConfig } from '../src/core/config.js';
import type { ServiceContext } from '../src/core/context.js';
import { buildApp } from '../src/http/app.js';
import { issueApiToken } from '../src/modules/accounts/api-tokens.js';
import { createLink } from '../src/modules/tracking/create-link.js';
import { makeAccount } from '../test/support/app.js';
import { makeContract, makeProgram } from '../test/support/programs.js';
import { LoadGenerator } from './click-redirect.js';
import { freshDb } from './fresh-db.js';
import type { BenchResult } from './types.js';

const TARGET_P99_MS = 100;
const BATCH = 10_000;
const CONNECTIONS = 4;
const WINDOW_MS = 6_000;
/** Batches prepared: more than the window can hold on this machine. */
const BATCHES_MAX = 6;

export async function run(): Promise<BenchResult> {
  const { db, drop } = await freshDb('pglite');
  const load = new LoadGenerator();
  try {
    const ctx: ServiceContext = { db, clock: systemClock };
    const brand = await makeAccount(ctx, 'BRAND');
    const partner = await makeAccount(ctx, 'PARTNER');
    const program = await makeProgram(ctx, brand);
    await makeContract(ctx, partner, program);
    const link = await createLink(ctx, partner.actor, { programId: program.id, landingUrl: 'https://shop.example/landing' });
    // Enough clicks to attribute every conversion of the batches the window can hold.
    await db.query(
      `insert into clicks (click_id, link_id, program_id, partner_account_id, at)
       select 'bb' || g, $1, $2, $3, now() - interval '1 hour' from generate_series(1, $4) g`,
      [link.id, program.id, partner.id, BATCH * BATCHES_MAX],
    );
    const token = await issueApiToken(ctx, brand.actor, { label: 'bench' });
    const auth = `Basic ${Buffer.from(`${token.accountSid}:${token.authToken}`).toString('base64')}`;
    const app = await buildApp({
      ctx,
      config: { ...loadConfig({}), rateLimitMax: 1_000_000, seedDemo: false, jobs: false },
      logger: { level: 'info', stream: pino.destination('/dev/null') },
    });
    await app.listen({ port: 0, host: '127.0.0.1' });
    const address = app.server.address();
    if (!address || typeof address === 'string') throw new Error('no port');
    const spec = { port: address.port, path: `/c/${link.code}`, connections: CONNECTIONS, warmupMs: 500, durationMs: WINDOW_MS };

    const idle = await load.run(spec);

    // The bodies are built before the window: a client's own work is not the server's.
    const eventDate = new Date().toISOString();
    const bodies = Array.from({ length: BATCHES_MAX }, (_, b) =>
      JSON.stringify({
        Conversions: Array.from({ length: BATCH }, (_, i) => ({
          ActionTrackerId: program.saleEventTypeId,
          OrderId: `BB-${b * BATCH + i}`,
          EventDate: eventDate,
          ClickId: `bb${b * BATCH + i + 1}`,
          Amount: `${((b * BATCH + i) % 400) + 10}.99`,
        })),
      }),
    );
    let batches = 0;
    let batchMs = 0;
    let stop = false;
    const poster = (async () => {
      while (!stop && batches < BATCHES_MAX) {
        const started = performance.now();
        const response = await app.inject({
          method: 'POST',
          url: '/api/v1/conversions/batch',
          payload: bodies[batches]!,
          headers: { authorization: auth, 'content-type': 'application/json' },
        });
        if (response.statusCode !== 200) throw new Error(`batch failed: ${response.statusCode} ${response.body.slice(0, 300)}`);
        batchMs += performance.now() - started;
        batches += 1;
      }
    })();
    const busy = await load.run(spec);
    stop = true;
    await poster;
    await app.close();

    const actions = (await db.query<{ n: number }>('select count(*)::int as n from actions')).rows[0]!.n;
    const passed = busy.p99Ms <= TARGET_P99_MS && actions === batches * BATCH && busy.errors === 0;
    return {
      name: 'clicks-behind-batch',
      target: `PGlite: click redirect p99 ≤ ${TARGET_P99_MS} ms while ${BATCH.toLocaleString('en-US')}-conversion batches are written`,
      passed,
      rows: [
        { case: 'PGlite: clicks, no batch (baseline)', requestsPerSec: idle.requestsPerSec, p50Ms: idle.p50Ms, p99Ms: idle.p99Ms },
        {
          case: `PGlite: clicks during ${batches} batches of ${BATCH.toLocaleString('en-US')}`,
          requestsPerSec: busy.requestsPerSec,
          p50Ms: busy.p50Ms,
          p99Ms: busy.p99Ms,
          note: `batch ${(batchMs / Math.max(batches, 1) / 1000).toFixed(2)} s each`,
        },
      ],
      checks: [
        `${CONNECTIONS} keep-alive connections clicking; ${WINDOW_MS} ms measured each way`,
        `${actions.toLocaleString('en-US')} actions for ${(batches * BATCH).toLocaleString('en-US')} conversions posted; p99 ${busy.p99Ms.toFixed(1)} ms against ${idle.p99Ms.toFixed(1)} ms idle`,
      ],
    };
  } finally {
    load.stop();
    await drop();
  }
}
