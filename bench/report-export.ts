/**
 * Report exports of Pending Payouts Actions at scale (issue 16, Speed): the async export job
 * (the worker writing the file into the database a chunk at a time) of every action of the
 * one-million-action dataset, as CSV and as an Excel workbook, and the synchronous CSV
 * download streamed over a real HTTP connection. Each is timed and the process's RSS is
 * sampled while it runs: the peak above the RSS just before is what the export costs in
 * memory. Baseline: reading the same rows with the same export query and doing nothing with
 * them, in the same run.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { systemClock } from '../src/core/clock.js';
import type { ServiceContext } from '../src/core/context.js';
import { loadConfig } from '../src/core/config.js';
import { buildApp } from '../src/http/app.js';
import { requestReportExport } from '../src/http/routes/reports.js';
import '../src/http/reports/export-job.js';
import { exportActions } from '../src/modules/actions/list-actions.js';
import { issueApiToken } from '../src/modules/accounts/api-tokens.js';
import { getExportById } from '../src/modules/reports/exports.js';
import { Worker } from '../src/worker/worker.js';
import { dropScale, scale } from './actions-at-scale.js';
import { benchDatabaseUrl } from './fresh-db.js';
import type { BenchResult } from './types.js';

const CSV_TARGET_SECONDS = 15;
const XLSX_TARGET_SECONDS = 40;
const RSS_TARGET_MB = 128;

/** Runs `fn` while sampling RSS every 25 ms: its time and the peak RSS above the RSS at its start, in MB. */
async function measured<T>(fn: () => Promise<T>): Promise<{ value: T; seconds: number; peakMb: number }> {
  (globalThis as { gc?: () => void }).gc?.();
  const start = process.memoryUsage().rss;
  let peak = start;
  const timer = setInterval(() => {
    peak = Math.max(peak, process.memoryUsage().rss);
  }, 25);
  const started = performance.now();
  try {
    const value = await fn();
    peak = Math.max(peak, process.memoryUsage().rss);
    return { value, seconds: (performance.now() - started) / 1000, peakMb: (peak - start) / 1024 / 1024 };
  } finally {
    clearInterval(timer);
  }
}

export async function run(): Promise<BenchResult> {
  const name = 'report-export';
  const target = `export of every Pending Payouts action as CSV ≤ ${CSV_TARGET_SECONDS} s and Excel ≤ ${XLSX_TARGET_SECONDS} s, each ≤ ${RSS_TARGET_MB} MB above the RSS before it (PostgreSQL)`;
  if (!benchDatabaseUrl()) return { name, target, passed: true, rows: [], checks: ['skipped: set BENCH_DATABASE_URL or TEST_DATABASE_URL'] };
  const { db, brand } = await scale();
  const ctx: ServiceContext = { db, clock: systemClock };
  const total = (await db.query<{ n: number }>('select count(*)::int as n from actions')).rows[0]!.n;

  const bare = await measured(async () => {
    let rows = 0;
    for await (const chunk of exportActions(db, brand, {}, new Date())) rows += chunk.length;
    return rows;
  });

  const asyncExport = async (format: 'csv' | 'xlsx') =>
    measured(async () => {
      const { export: job } = await requestReportExport(ctx, brand, 'pending-payouts-actions', { Format: format, Filters: { order: 'desc' } });
      await new Worker(ctx, { kinds: ['report-export'] }).drain();
      return (await getExportById(db, job.id))!;
    });
  const csv = await asyncExport('csv');
  const xlsx = await asyncExport('xlsx');

  // The synchronous download, over HTTP, read by a client that keeps up.
  const app = await buildApp({ ctx, config: { ...loadConfig({ ...process.env, DATABASE_URL: benchDatabaseUrl() }), logLevel: 'silent' } });
  await app.listen({ port: 0, host: '127.0.0.1' });
  const token = await issueApiToken(ctx, brand, { label: 'bench' });
  const port = (app.server.address() as AddressInfo).port;
  const download = await measured(
    () =>
      new Promise<number>((resolve, reject) => {
        const request = http.get(
          { host: '127.0.0.1', port, path: '/api/v1/actions/export.csv', headers: { authorization: `Basic ${Buffer.from(`${token.accountSid}:${token.authToken}`).toString('base64')}` } },
          (response) => {
            let bytes = 0;
            response.on('data', (part: Buffer) => {
              bytes += part.byteLength;
            });
            response.on('end', () => (response.statusCode === 200 ? resolve(bytes) : reject(new Error(`download answered ${response.statusCode}`))));
            response.on('error', reject);
          },
        );
        request.on('error', reject);
      }),
  );
  await app.close();
  await dropScale();

  const perSec = (rows: number, seconds: number) => rows / seconds;
  const baseline = perSec(bare.value, bare.seconds);
  const mb = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(0)} MB`;
  const passed =
    csv.value.status === 'COMPLETED' &&
    xlsx.value.status === 'COMPLETED' &&
    csv.value.rowsWritten === total &&
    csv.seconds <= CSV_TARGET_SECONDS &&
    xlsx.seconds <= XLSX_TARGET_SECONDS &&
    Math.max(csv.peakMb, xlsx.peakMb, download.peakMb) <= RSS_TARGET_MB;
  return {
    name,
    target,
    passed,
    rows: [
      { case: `read ${bare.value.toLocaleString('en-US')} rows, write nothing (baseline)`, requestsPerSec: baseline, p50Ms: 0, p99Ms: 0, ratio: 1, note: `+${bare.peakMb.toFixed(0)} MB RSS` },
      {
        case: `async export, CSV (${mb(csv.value.bytes)})`,
        requestsPerSec: perSec(csv.value.rowsWritten, csv.seconds),
        p50Ms: 0,
        p99Ms: 0,
        ratio: perSec(csv.value.rowsWritten, csv.seconds) / baseline,
        note: `${csv.seconds.toFixed(1)} s, +${csv.peakMb.toFixed(0)} MB RSS`,
      },
      {
        case: `async export, Excel (${mb(xlsx.value.bytes)})`,
        requestsPerSec: perSec(xlsx.value.rowsWritten, xlsx.seconds),
        p50Ms: 0,
        p99Ms: 0,
        ratio: perSec(xlsx.value.rowsWritten, xlsx.seconds) / baseline,
        note: `${xlsx.seconds.toFixed(1)} s, +${xlsx.peakMb.toFixed(0)} MB RSS`,
      },
      {
        case: `download over HTTP, CSV (${mb(download.value)})`,
        requestsPerSec: perSec(total, download.seconds),
        p50Ms: 0,
        p99Ms: 0,
        ratio: perSec(total, download.seconds) / baseline,
        note: `${download.seconds.toFixed(1)} s, +${download.peakMb.toFixed(0)} MB RSS`,
      },
    ],
    checks: [
      `${total.toLocaleString('en-US')} actions; CSV ${csv.value.status} with ${csv.value.rowsWritten.toLocaleString('en-US')} rows, Excel ${xlsx.value.status}`,
      `CSV ${csv.seconds.toFixed(1)} s (≤ ${CSV_TARGET_SECONDS}), Excel ${xlsx.seconds.toFixed(1)} s (≤ ${XLSX_TARGET_SECONDS}); peak RSS above start: ${[csv, xlsx, download].map((m) => m.peakMb.toFixed(0)).join(', ')} MB (≤ ${RSS_TARGET_MB})`,
    ],
  };
}
