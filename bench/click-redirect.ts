/**
 * Click redirect throughput against a bare fastify 302 route measured in the same run.
 *
 * The server under test runs in this process; the load comes from a child process
 * (bench/load-generator.ts), so the two never share an event loop. Cases:
 *   bare      a fastify app with one route answering 302, nothing else
 *   pglite    the real Lockstep app on PGlite (fresh temporary DATA_DIR, migrated, one link)
 *   postgres  the real app on PostgreSQL, in a fresh schema dropped afterwards, when
 *             BENCH_DATABASE_URL or TEST_DATABASE_URL is set
 * Every click must be committed before its 302 is sent; at the end the number of click
 * rows must equal the number of 302s the generator received.
 *
 * Tunables: BENCH_CONNECTIONS (64), BENCH_WARMUP_MS (1000), BENCH_DURATION_MS (5000).
 */
import { fork } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import Fastify, { type FastifyInstance } from 'fastify';
import pg from 'pg';
import { pino } from 'pino';
import { systemClock } from '../src/core/clock.js';
import { loadConfig } from '../src/core/config.js';
import type { ServiceContext } from '../src/core/context.js';
import { openDb, quoteIdent } from '../src/db/connection.js';
import { migrate } from '../src/db/migrate.js';
import type { Db } from '../src/db/types.js';
import { buildApp } from '../src/http/app.js';
import { createLink } from '../src/modules/tracking/create-link.js';
import { makeAccount } from '../test/support/app.js';
import { makeContract, makeProgram } from '../test/support/programs.js';
import type { LoadReport, LoadSpec } from './load-generator.js';
import type { BenchResult, BenchRow } from './types.js';

const TARGET_RATIO = 0.5;

function intEnv(name: string, fallback: number): number {
  const raw = process.env[name];
  return raw ? Number(raw) : fallback;
}

const load = {
  connections: intEnv('BENCH_CONNECTIONS', 64),
  warmupMs: intEnv('BENCH_WARMUP_MS', 1_000),
  durationMs: intEnv('BENCH_DURATION_MS', 5_000),
};

function runLoad(port: number, urlPath: string): Promise<LoadReport> {
  const script = path.join(path.dirname(fileURLToPath(import.meta.url)), 'load-generator.ts');
  const child = fork(script, [], { execArgv: ['--import', 'tsx'], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  const spec: LoadSpec = {
    port,
    path: urlPath,
    ...load,
    headers: { 'User-Agent': 'lockstep-bench/1.0 (load generator)', Referer: 'https://blog.example/review?id=42' },
  };
  return new Promise((resolve, reject) => {
    child.once('message', (report) => resolve(report as LoadReport));
    child.once('error', reject);
    child.once('exit', (code) => {
      if (code !== 0) reject(new Error(`the load generator exited with code ${code}`));
    });
    child.send(spec);
  });
}

async function listen(app: FastifyInstance): Promise<number> {
  await app.listen({ port: 0, host: '127.0.0.1' });
  const address = app.server.address();
  if (!address || typeof address === 'string') throw new Error('no port');
  return address.port;
}

function row(name: string, report: LoadReport, note?: string): BenchRow {
  return { case: name, requestsPerSec: report.requestsPerSec, p50Ms: report.p50Ms, p99Ms: report.p99Ms, ...(note ? { note } : {}) };
}

async function measureBare(): Promise<LoadReport> {
  const app = Fastify({ logger: false });
  app.get('/c/:code', async (_request, reply) => reply.redirect('https://shop.example/landing?lsclickid=0123456789abcdefghijkl', 302));
  const port = await listen(app);
  try {
    return await runLoad(port, '/c/AbCdEfGhIjKl');
  } finally {
    await app.close();
  }
}

interface AppCase {
  report: LoadReport;
  clickRows: number;
  redirects: number;
}

/** The real app, with the production logger (to /dev/null) and one link to click. */
async function measureApp(db: Db, dataDir: string): Promise<AppCase> {
  const ctx: ServiceContext = { db, clock: systemClock };
  await migrate(db);
  const brand = await makeAccount(ctx, 'BRAND');
  const partner = await makeAccount(ctx, 'PARTNER');
  const program = await makeProgram(ctx, brand);
  await makeContract(ctx, partner, program);
  const link = await createLink(ctx, partner.actor, { programId: program.id, landingUrl: 'https://shop.example/landing?utm_source=bench#top' });
  const config = { ...loadConfig({}), dataDir, seedDemo: false, jobs: false };
  const app = await buildApp({ ctx, config, logger: { level: 'info', stream: pino.destination('/dev/null') } });
  const port = await listen(app);
  let report: LoadReport;
  try {
    report = await runLoad(port, `/c/${link.code}`);
  } finally {
    // Closing the app writes any click still buffered; every 302 was committed before it was sent.
    await app.close();
  }
  const { rows } = await db.query<{ n: number }>('select count(*)::int as n from clicks where link_id = $1', [link.id]);
  return { report, clickRows: rows[0]!.n, redirects: report.statusCounts['302'] ?? 0 };
}

async function measurePglite(): Promise<AppCase> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'lockstep-bench-'));
  const db = await openDb({ dataDir });
  try {
    return await measureApp(db, dataDir);
  } finally {
    await db.close();
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
}

async function measurePostgres(url: string): Promise<AppCase> {
  const schema = `bench_${randomBytes(5).toString('hex')}`;
  const admin = new pg.Client({ connectionString: url });
  await admin.connect();
  await admin.query(`create schema ${quoteIdent(schema)}`);
  const db = await openDb({ databaseUrl: url, searchPath: schema, poolSize: 10 });
  try {
    return await measureApp(db, os.tmpdir());
  } finally {
    await db.close();
    await admin.query(`drop schema ${quoteIdent(schema)} cascade`);
    await admin.end();
  }
}

export async function run(): Promise<BenchResult> {
  const checks: string[] = [
    `load: ${load.connections} keep-alive connections, ${load.warmupMs} ms warm-up, ${load.durationMs} ms measured, generator in a child process; ${os.cpus().length} CPU cores`,
  ];
  const bare = await measureBare();
  const rows: BenchRow[] = [row('bare fastify 302', bare, 'baseline')];
  let passed = bare.errors === 0;

  const appCases: Array<[string, () => Promise<AppCase>]> = [['Lockstep /c/:code on PGlite', measurePglite]];
  const postgresUrl = process.env.BENCH_DATABASE_URL || process.env.TEST_DATABASE_URL;
  if (postgresUrl) appCases.push(['Lockstep /c/:code on PostgreSQL', () => measurePostgres(postgresUrl)]);
  else checks.push('PostgreSQL case skipped: set BENCH_DATABASE_URL or TEST_DATABASE_URL');

  for (const [name, measure] of appCases) {
    const result = await measure();
    const ratio = result.report.requestsPerSec / bare.requestsPerSec;
    const others = Object.entries(result.report.statusCounts).filter(([status]) => status !== '302');
    const consistent = result.clickRows === result.redirects && others.length === 0 && result.report.errors === 0;
    rows.push({ ...row(name, result.report), ratio });
    checks.push(
      `${name}: ${result.redirects} redirects, ${result.clickRows} click rows${consistent ? ' (equal)' : ' MISMATCH'}` +
        (others.length ? `; other statuses ${JSON.stringify(Object.fromEntries(others))}` : '') +
        (result.report.errors ? `; ${result.report.errors} socket errors` : ''),
    );
    passed &&= consistent && ratio >= TARGET_RATIO;
  }
  return {
    name: 'click-redirect',
    target: `click redirect ≥ ${TARGET_RATIO} × bare fastify, every 302 backed by a committed click row`,
    passed,
    rows,
    checks,
  };
}
