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
 * The bare baseline and the app are measured in alternating rounds (bare, jobs off, jobs
 * on, bare, …) and compared on their totals, so that a change in the machine's load during
 * the run (other processes, CPU frequency) hits all alike instead of skewing the ratio.
 * Each engine is measured at 16 and at 128 connections.
 *
 * "Jobs on" is the app as `lockstep start` runs it: the worker and the scheduler running in
 * the server's process, and the credit-clicks job firing during the load. Before each such
 * round a backlog of uncredited clicks (BENCH_CLICK_BACKLOG, 200,000 on PostgreSQL and
 * 50,000 on PGlite) is written, older than the job's lag; once the load has warmed up, the
 * job's run is enqueued as the scheduler enqueues it, and the worker runs it while the load
 * goes on. Its rate (clicks credited per second of its run, from its work item) is reported
 * with the share of its run that overlapped the load.
 *
 * Tunables: BENCH_CONNECTIONS (16,128), BENCH_WARMUP_MS (1000), BENCH_DURATION_MS (5000,
 * measured per case, split over BENCH_ROUNDS rounds, default 3), BENCH_CLICK_BACKLOG.
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
import { creditClicksJob } from '../src/jobs/credit-clicks.js';
import { startScheduler } from '../src/jobs/scheduler.js';
import { createLink } from '../src/modules/tracking/create-link.js';
import { CREDIT_LAG_MS } from '../src/modules/tracking/credit-clicks.js';
import { enqueue } from '../src/worker/enqueue.js';
import { Worker } from '../src/worker/worker.js';
import '../src/cli/work-kinds.js';
import { makeAccount } from '../test/support/app.js';
import { makeContract, makeProgram } from '../test/support/programs.js';
import { type BacklogLink, writeClickBacklog } from './click-backlog.js';
import { benchDatabaseUrl, freshDb } from './fresh-db.js';
import { percentileMs, type LoadReport, type LoadSpec } from './load-generator.js';
import type { BenchResult, BenchRow } from './types.js';

const TARGET_RATIO = 0.5;

function intEnv(name: string, fallback: number): number {
  const raw = process.env[name];
  return raw ? Number(raw) : fallback;
}

const settings = {
  connections: (process.env.BENCH_CONNECTIONS ?? '16,128').split(',').map(Number),
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

interface AppServer {
  port: number;
  path: string;
  ctx: ServiceContext;
  link: BacklogLink;
  /** Where the last credit run left its cursor (about): a backlog goes after it. */
  cursorAt: number;
  countClicks(): Promise<number>;
  close(): Promise<void>;
}

/** The real app, with the production logger (into /dev/null), and one link to click. */
async function startApp(db: Db): Promise<AppServer> {
  const ctx: ServiceContext = { db, clock: systemClock };
  const brand = await makeAccount(ctx, 'BRAND');
  const partner = await makeAccount(ctx, 'PARTNER');
  const program = await makeProgram(ctx, brand);
  await makeContract(ctx, partner, program);
  // The backlogs of the jobs-on rounds are clicks of the last minutes: under the contract.
  await db.query(`update contracts set start_at = start_at - interval '1 day'`);
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
    ctx,
    link: { linkId: link.id, programId: program.id, partnerAccountId: partner.id },
    cursorAt: 0,
    countClicks: async () =>
      (await db.query<{ n: number }>('select count(*)::int as n from clicks where link_id = $1', [link.id])).rows[0]!.n,
    close: () => app.close(),
  };
}

async function measureRound(
  load: LoadGenerator,
  port: number,
  urlPath: string,
  connections: number,
  warmupMs: number,
  totals: Totals,
): Promise<void> {
  const durationMs = Math.round(settings.durationMs / settings.rounds);
  const cpuBefore = process.cpuUsage();
  const report = await load.run({ port, path: urlPath, connections, warmupMs, durationMs, headers: HEADERS });
  const cpu = process.cpuUsage(cpuBefore);
  totals.add(report, durationMs, cpu.user + cpu.system);
}

/** One run of the credit job during a jobs-on round. */
interface CreditRun {
  clicks: number;
  seconds: number;
  /** The part of the run during which the load was on. */
  overlap: number;
}

function backlogSize(db: Db): number {
  return intEnv('BENCH_CLICK_BACKLOG', db.kind === 'postgres' ? 200_000 : 50_000);
}

const JOB_LOGGER = pino({ level: 'warn' }, pino.destination('/dev/null'));

/**
 * A jobs-on round: a backlog, the worker and the scheduler started as `lockstep start`
 * starts them, the job's run enqueued once the load has warmed up, then the round; the
 * worker is stopped once the run is done.
 */
async function measureJobsOnRound(
  load: LoadGenerator,
  app: AppServer,
  connections: number,
  warmupMs: number,
  totals: Totals,
): Promise<CreditRun> {
  const backlog = backlogSize(app.ctx.db);
  // Older than the lag when the run starts, newer than where the previous run left its cursor.
  const to = Date.now() - CREDIT_LAG_MS - 1_000;
  await writeClickBacklog(app.ctx.db, [app.link], backlog, new Date(Math.max(to - backlog / 50, app.cursorAt + 1)), new Date(to));
  const worker = new Worker(app.ctx, { concurrency: 4, logger: JOB_LOGGER }).start();
  const scheduler = startScheduler(app.ctx, JOB_LOGGER);
  let itemId: bigint | undefined;
  const enqueueTimer = setTimeout(() => {
    void enqueue(app.ctx.db, creditClicksJob.name, { scheduledFor: new Date().toISOString() }).then((item) => {
      itemId = item.id;
    });
  }, warmupMs);
  const loadStart = Date.now() + warmupMs;
  try {
    await measureRound(load, app.port, app.path, connections, warmupMs, totals);
    const loadEnd = Date.now();
    for (let i = 0; i < 1_200; i++) {
      if (itemId !== undefined) {
        const { rows } = await app.ctx.db.query<{ state: string; startedAt: Date | null; finishedAt: Date | null; progress: { done?: number } | null }>(
          'select state, started_at as "startedAt", finished_at as "finishedAt", progress from work_items where id = $1',
          [itemId.toString()],
        );
        const item = rows[0];
        if (item && item.state === 'DONE' && item.startedAt && item.finishedAt) {
          const start = item.startedAt.getTime();
          const end = item.finishedAt.getTime();
          app.cursorAt = start - CREDIT_LAG_MS;
          const overlapMs = Math.max(0, Math.min(end, loadEnd) - Math.max(start, loadStart));
          return { clicks: item.progress?.done ?? 0, seconds: (end - start) / 1_000, overlap: end > start ? overlapMs / (end - start) : 0 };
        }
        if (item && (item.state === 'DEAD' || item.state === 'FAILED')) throw new Error(`the credit job's run failed: ${JSON.stringify(item)}`);
      }
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    throw new Error("the credit job's run did not finish within 2 minutes");
  } finally {
    clearTimeout(enqueueTimer);
    await scheduler.stop();
    await worker.stop({ graceMs: 5_000 });
  }
}

interface PairResult {
  connections: number;
  bare: Totals;
  off: Totals;
  on: Totals;
  credits: CreditRun[];
}

/** Alternating rounds: bare, jobs off, jobs on, bare… The first round of each gets the full warm-up. */
async function measureRounds(load: LoadGenerator, bareServer: { port: number }, app: AppServer, connections: number): Promise<PairResult> {
  const result: PairResult = { connections, bare: new Totals(), off: new Totals(), on: new Totals(), credits: [] };
  for (let round = 0; round < settings.rounds; round++) {
    const warmupMs = round === 0 ? settings.warmupMs : ROUND_WARMUP_MS;
    await measureRound(load, bareServer.port, '/c/AbCdEfGhIjKl', connections, warmupMs, result.bare);
    await measureRound(load, app.port, app.path, connections, warmupMs, result.off);
    result.credits.push(await measureJobsOnRound(load, app, connections, warmupMs, result.on));
  }
  return result;
}

export async function run(): Promise<BenchResult> {
  const checks: string[] = [
    `${settings.connections.join(' and ')} keep-alive connections from a child process; per case ${settings.durationMs} ms measured in ${settings.rounds} rounds alternating with the bare baseline; ` +
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
      const results: PairResult[] = [];
      let clickRows = 0;
      let backlogRows = 0;
      try {
        const bareServer = await startBare();
        const app = await startApp(db);
        try {
          for (const connections of settings.connections) results.push(await measureRounds(load, bareServer, app, connections));
        } finally {
          await bareServer.close();
          // Closing the app writes any click still buffered; every 302 was committed before it was sent.
          await app.close();
        }
        clickRows = await app.countClicks();
        backlogRows = results.reduce((sum, r) => sum + r.credits.length, 0) * backlogSize(db);
      } finally {
        await drop();
      }
      let redirects = 0;
      let problems = '';
      for (const result of results) {
        const c = result.connections;
        const off = result.off.requestsPerSec / result.bare.requestsPerSec;
        const on = result.on.requestsPerSec / result.bare.requestsPerSec;
        const credited = result.credits.reduce((sum, run) => sum + run.clicks, 0);
        const seconds = result.credits.reduce((sum, run) => sum + run.seconds, 0);
        const rate = seconds > 0 ? credited / seconds : 0;
        const peak = Math.max(result.off.requestsPerSec, result.on.requestsPerSec);
        rows.push(result.bare.row(`bare fastify 302, ${c} conn (rounds with ${label})`));
        rows.push(result.off.row(`Lockstep /c/:code on ${label}, ${c} conn, jobs off`, off));
        rows.push(result.on.row(`Lockstep /c/:code on ${label}, ${c} conn, jobs on`, on));
        rows.push({
          case: `credit-clicks job on ${label} during the jobs-on rounds, ${c} conn`,
          requestsPerSec: rate,
          p50Ms: 0,
          p99Ms: 0,
          ratio: peak > 0 ? rate / peak : 0,
          note: `${credited} clicks in ${seconds.toFixed(1)} s; ${Math.round((100 * result.credits.reduce((sum, run) => sum + run.overlap * run.seconds, 0)) / Math.max(seconds, 1e-9))}% of it under load; ratio to the redirect's rate`,
        });
        for (const totals of [result.off, result.on]) {
          redirects += totals.statusCounts['302'] ?? 0;
          const others = Object.entries(totals.statusCounts).filter(([status]) => status !== '302');
          if (others.length) problems += `; other statuses ${JSON.stringify(Object.fromEntries(others))}`;
          if (totals.errors) problems += `; ${totals.errors} socket errors`;
        }
        const jobTarget = kind === 'postgres' ? Math.max(3 * peak, 90_000) : 3 * peak;
        checks.push(
          `${label}, ${c} connections: ratio jobs off ${off.toFixed(2)}, jobs on ${on.toFixed(2)}` +
            (c >= 128 ? ` (target ${TARGET_RATIO})` : ' (no target at 16)') +
            `; credit job ${Math.round(rate).toLocaleString('en-US')} clicks/s = ${(rate / Math.max(peak, 1)).toFixed(1)}× the redirect (target ${Math.round(jobTarget).toLocaleString('en-US')}/s)`,
        );
        if (c >= 128) passed &&= off >= TARGET_RATIO && on >= TARGET_RATIO;
        passed &&= rate >= jobTarget && result.bare.errors === 0;
      }
      const consistent = clickRows === redirects + backlogRows && problems === '';
      checks.push(
        `${label}: ${redirects} redirects + ${backlogRows} backlog clicks, ${clickRows} click rows${consistent ? ' (equal)' : ' MISMATCH'}${problems}`,
      );
      passed &&= consistent;
    }
  } finally {
    load.stop();
  }
  return {
    name: 'click-redirect',
    target: `click redirect ≥ ${TARGET_RATIO} × bare fastify at 128 connections with the jobs off and on, every 302 backed by a committed click row; the credit job ≥ 3× the redirect's rate (≥ 90,000/s on PostgreSQL)`,
    passed,
    rows,
    checks,
  };
}
