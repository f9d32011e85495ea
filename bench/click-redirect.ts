/**
 * Click redirect throughput against a bare fastify 302 route measured in the same run.
 *
 * The servers under test run in this process; the load comes from a child process
 * (bench/load-generator.ts), so the two never share an event loop. Cases:
 *   bare      a fastify app with one route answering 302, nothing else
 *   pglite    the real Lockstep app on PGlite (fresh temporary DATA_DIR, migrated, one link)
 *   postgres  the real app on PostgreSQL, in a fresh schema dropped afterwards, when
 *             BENCH_DATABASE_URL or TEST_DATABASE_URL is set
 * Every click is committed before its 302 is sent; at the end the number of click rows
 * must equal the number of 302s the generator received (warm-up included).
 *
 * The bare baseline and the app are measured in alternating rounds (bare, app, bare, app…)
 * and compared on their totals, so that a change in the machine's load during the run
 * (other processes, CPU frequency) hits both alike instead of skewing the ratio.
 *
 * Tunables: BENCH_CONNECTIONS (128), BENCH_WARMUP_MS (1000), BENCH_DURATION_MS (5000,
 * measured per case, split over BENCH_ROUNDS rounds, default 3).
 */
import { fork, type ChildProcess } from 'node:child_process';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import Fastify, { type FastifyInstance } from 'fastify';
import { pino } from 'pino';
import { systemClock } from '../src/core/clock.js';
import { loadConfig } from '../src/core/config.js';
import type { ServiceContext } from '../src/core/context.js';
import type { Db } from '../src/db/types.js';
import { buildApp } from '../src/http/app.js';
import { createLink } from '../src/modules/tracking/create-link.js';
import { makeAccount } from '../test/support/app.js';
import { makeContract, makeProgram } from '../test/support/programs.js';
import { benchDatabaseUrl, freshDb } from './fresh-db.js';
import { percentileMs, type LoadReport, type LoadSpec } from './load-generator.js';
import type { BenchResult, BenchRow } from './types.js';

const TARGET_RATIO = 0.5;

function intEnv(name: string, fallback: number): number {
  const raw = process.env[name];
  return raw ? Number(raw) : fallback;
}

const settings = {
  connections: intEnv('BENCH_CONNECTIONS', 128),
  warmupMs: intEnv('BENCH_WARMUP_MS', 1_000),
  durationMs: intEnv('BENCH_DURATION_MS', 5_000),
  rounds: intEnv('BENCH_ROUNDS', 3),
};
// Later rounds only need the connections re-established and the JIT settled again.
const ROUND_WARMUP_MS = 300;
const HEADERS = { 'User-Agent': 'lockstep-bench/1.0 (load generator)', Referer: 'https://blog.example/review?id=42' };

/** The load generator child: one process for the whole benchmark, one load per request. */
export class LoadGenerator {
  private readonly child: ChildProcess;
  private exited: Error | undefined;

  constructor() {
    const script = path.join(path.dirname(fileURLToPath(import.meta.url)), 'load-generator.ts');
    this.child = fork(script, [], { execArgv: ['--import', 'tsx'], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
    this.child.once('exit', (code) => {
      this.exited = new Error(`the load generator exited with code ${code}`);
    });
  }

  run(spec: LoadSpec): Promise<LoadReport> {
    if (this.exited) return Promise.reject(this.exited);
    return new Promise((resolve, reject) => {
      const onExit = () => reject(this.exited ?? new Error('the load generator exited'));
      this.child.once('exit', onExit);
      this.child.once('message', (report) => {
        this.child.off('exit', onExit);
        resolve(report as LoadReport);
      });
      this.child.send(spec);
    });
  }

  stop(): void {
    if (!this.exited) this.child.send('stop');
  }
}

/** The sum of several rounds against one server, and what this process spent serving them. */
class Totals {
  measured = 0;
  durationMs = 0;
  cpuUs = 0;
  readonly histogram = new Map<number, number>();
  readonly statusCounts: Record<string, number> = {};
  errors = 0;

  add(report: LoadReport, durationMs: number, cpuUs: number): void {
    this.measured += report.measured;
    this.durationMs += durationMs;
    this.cpuUs += cpuUs;
    for (const [bucket, count] of report.histogram) this.histogram.set(bucket, (this.histogram.get(bucket) ?? 0) + count);
    for (const [status, count] of Object.entries(report.statusCounts)) this.statusCounts[status] = (this.statusCounts[status] ?? 0) + count;
    this.errors += report.errors;
  }

  get requestsPerSec(): number {
    return this.measured / (this.durationMs / 1_000);
  }

  /** Server CPU (this process: HTTP, and on PGlite the database too) per answered request. */
  get cpuUsPerRequest(): number {
    const answered = Object.values(this.statusCounts).reduce((sum, n) => sum + n, 0);
    return answered ? this.cpuUs / answered : 0;
  }

  row(name: string, ratio?: number): BenchRow {
    const histogram = [...this.histogram.entries()];
    return {
      case: name,
      requestsPerSec: this.requestsPerSec,
      p50Ms: percentileMs(histogram, 50),
      p99Ms: percentileMs(histogram, 99),
      ...(ratio === undefined ? {} : { ratio }),
      note: `server CPU ${this.cpuUsPerRequest.toFixed(0)} µs/req`,
    };
  }
}

async function listen(app: FastifyInstance): Promise<number> {
  await app.listen({ port: 0, host: '127.0.0.1' });
  const address = app.server.address();
  if (!address || typeof address === 'string') throw new Error('no port');
  return address.port;
}

async function startBare(): Promise<{ port: number; close(): Promise<void> }> {
  const app = Fastify({ logger: false });
  app.get('/c/:code', async (_request, reply) => reply.redirect('https://shop.example/landing?lsclickid=0123456789abcdefghijkl', 302));
  const port = await listen(app);
  return { port, close: () => app.close() };
}

/** The real app, with the production logger (into /dev/null), and one link to click. */
async function startApp(db: Db): Promise<{ port: number; path: string; countClicks(): Promise<number>; close(): Promise<void> }> {
  const ctx: ServiceContext = { db, clock: systemClock };
  const brand = await makeAccount(ctx, 'BRAND');
  const partner = await makeAccount(ctx, 'PARTNER');
  const program = await makeProgram(ctx, brand);
  await makeContract(ctx, partner, program);
  const link = await createLink(ctx, partner.actor, {
    programId: program.id,
    landingUrl: 'https://shop.example/landing?utm_source=bench#top',
  });
  const config = { ...loadConfig({}), seedDemo: false, jobs: false };
  const app = await buildApp({ ctx, config, logger: { level: 'info', stream: pino.destination('/dev/null') } });
  const port = await listen(app);
  return {
    port,
    path: `/c/${link.code}`,
    countClicks: async () =>
      (await db.query<{ n: number }>('select count(*)::int as n from clicks where link_id = $1', [link.id])).rows[0]!.n,
    close: () => app.close(),
  };
}

async function measureRound(load: LoadGenerator, port: number, urlPath: string, warmupMs: number, totals: Totals): Promise<void> {
  const durationMs = Math.round(settings.durationMs / settings.rounds);
  const cpuBefore = process.cpuUsage();
  const report = await load.run({ port, path: urlPath, connections: settings.connections, warmupMs, durationMs, headers: HEADERS });
  const cpu = process.cpuUsage(cpuBefore);
  totals.add(report, durationMs, cpu.user + cpu.system);
}

interface PairResult {
  bare: Totals;
  app: Totals;
  clickRows: number;
}

/** Alternating rounds: bare, app, bare, app… The first round of each gets the full warm-up. */
async function measurePair(load: LoadGenerator, db: Db): Promise<PairResult> {
  const bareServer = await startBare();
  const appServer = await startApp(db);
  const bare = new Totals();
  const app = new Totals();
  try {
    for (let round = 0; round < settings.rounds; round++) {
      const warmupMs = round === 0 ? settings.warmupMs : ROUND_WARMUP_MS;
      await measureRound(load, bareServer.port, '/c/AbCdEfGhIjKl', warmupMs, bare);
      await measureRound(load, appServer.port, appServer.path, warmupMs, app);
    }
  } finally {
    await bareServer.close();
    // Closing the app writes any click still buffered; every 302 was committed before it was sent.
    await appServer.close();
  }
  return { bare, app, clickRows: await appServer.countClicks() };
}

export async function run(): Promise<BenchResult> {
  const checks: string[] = [
    `${settings.connections} keep-alive connections from a child process; per case ${settings.durationMs} ms measured in ${settings.rounds} rounds alternating with the bare baseline; ` +
      `${os.cpus().length} CPU cores, load average ${os.loadavg()[0]!.toFixed(1)} at start`,
  ];
  const kinds: Array<'pglite' | 'postgres'> = ['pglite'];
  if (benchDatabaseUrl()) kinds.push('postgres');
  else checks.push('PostgreSQL case skipped: set BENCH_DATABASE_URL or TEST_DATABASE_URL');

  const rows: BenchRow[] = [];
  let passed = true;
  const load = new LoadGenerator();
  try {
    for (const kind of kinds) {
      const label = kind === 'pglite' ? 'PGlite' : 'PostgreSQL';
      const { db, drop } = await freshDb(kind);
      let result: PairResult;
      try {
        result = await measurePair(load, db);
      } finally {
        await drop();
      }
      const ratio = result.app.requestsPerSec / result.bare.requestsPerSec;
      rows.push(result.bare.row(`bare fastify 302 (rounds with ${label})`));
      rows.push(result.app.row(`Lockstep /c/:code on ${label}`, ratio));
      const redirects = result.app.statusCounts['302'] ?? 0;
      const others = Object.entries(result.app.statusCounts).filter(([status]) => status !== '302');
      const consistent = result.clickRows === redirects && others.length === 0 && result.app.errors === 0;
      checks.push(
        `${label}: ${redirects} redirects, ${result.clickRows} click rows${consistent ? ' (equal)' : ' MISMATCH'}` +
          (others.length ? `; other statuses ${JSON.stringify(Object.fromEntries(others))}` : '') +
          (result.app.errors ? `; ${result.app.errors} socket errors` : '') +
          `; ratio ${ratio.toFixed(2)} (target ${TARGET_RATIO})`,
      );
      passed &&= consistent && result.bare.errors === 0 && ratio >= TARGET_RATIO;
    }
  } finally {
    load.stop();
  }
  return {
    name: 'click-redirect',
    target: `click redirect ≥ ${TARGET_RATIO} × bare fastify, every 302 backed by a committed click row`,
    passed,
    rows,
    checks,
  };
}
