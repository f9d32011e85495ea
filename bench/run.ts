/**
 * `npm run bench`: runs every benchmark module in sequence and prints one table. Each
 * module exports `run(): Promise<BenchResult>`; to add one, import it and list it below.
 * The exit code is 1 when any target is missed. Names given as arguments run only those.
 */
import * as actionsAtScale from './actions-at-scale.js';
import * as clickRedirect from './click-redirect.js';
import * as clicksBehindBatch from './clicks-behind-batch.js';
import * as conversions from './conversions.js';
import * as payoutRun from './payout-run.js';
import * as returnsFile from './returns-file.js';
import * as reportExport from './report-export.js';
import * as returnsReader from './returns-reader.js';
import * as sftpUpload from './sftp-upload.js';
import * as webhookDelivery from './webhook-delivery.js';
import type { BenchResult } from './types.js';

const benches: Array<{ name: string; run: () => Promise<BenchResult> }> = [
  { name: 'click-redirect', run: clickRedirect.run },
  { name: 'conversions', run: conversions.run },
  { name: 'clicks-behind-batch', run: clicksBehindBatch.run },
  // Both use one dataset of BENCH_ACTIONS (default 1,000,000) actions on PostgreSQL: the
  // lock job locks the due ones, then the list is measured as the job left the data.
  { name: 'lock-job', run: actionsAtScale.runLockJob },
  { name: 'pending-payouts', run: actionsAtScale.runPendingPayouts },
  { name: 'statements', run: actionsAtScale.runStatements },
  // The same dataset (built again if an earlier benchmark dropped it), exported as files; drops it.
  { name: 'report-export', run: reportExport.run },
  // Its own dataset: 100,000 partners with available balances (BENCH_PAYOUT_PARTNERS).
  { name: 'payout-run', run: payoutRun.run },
  // No database: the returns file reader alone, against a bare line split in the same run.
  { name: 'returns-reader', run: returnsReader.run },
  // Its own dataset: BENCH_RETURNS_ROWS (default 1,000,000) pending actions and a file changing each.
  { name: 'returns-file', run: returnsFile.run },
  // Its own small dataset: a one-row file by SFTP until its result_ is readable, p95.
  { name: 'sftp-upload', run: sftpUpload.run },
  // Its own dataset: BENCH_WEBHOOK_EVENTS (default 20,000) outbox events delivered to a local receiver.
  { name: 'webhook-delivery', run: webhookDelivery.run },
];

function pad(value: string, width: number, right = false): string {
  return right ? value.padStart(width) : value.padEnd(width);
}

function printTable(results: BenchResult[]): void {
  const header = ['bench', 'case', 'req/s', 'p50 ms', 'p99 ms', 'ratio', 'note'];
  const lines: string[][] = [];
  for (const result of results) {
    for (const row of result.rows) {
      lines.push([
        result.name,
        row.case,
        Math.round(row.requestsPerSec).toLocaleString('en-US'),
        row.p50Ms.toFixed(2),
        row.p99Ms.toFixed(2),
        row.ratio === undefined ? '' : row.ratio.toFixed(2),
        row.note ?? '',
      ]);
    }
  }
  const widths = header.map((h, i) => Math.max(h.length, ...lines.map((line) => line[i]!.length)));
  const numeric = new Set([2, 3, 4, 5]);
  const format = (cells: string[]) => cells.map((cell, i) => pad(cell, widths[i]!, numeric.has(i))).join('  ');
  process.stdout.write(`\n${format(header)}\n${widths.map((w) => '-'.repeat(w)).join('  ')}\n`);
  for (const line of lines) process.stdout.write(`${format(line)}\n`);
  process.stdout.write('\n');
  for (const result of results) {
    process.stdout.write(`${result.passed ? 'PASS' : 'FAIL'}  ${result.name}: ${result.target}\n`);
    for (const check of result.checks) process.stdout.write(`      ${check}\n`);
  }
}

// `npm run bench -- conversions click-redirect` runs only the named benchmarks.
const only = process.argv.slice(2);
const unknown = only.filter((name) => !benches.some((bench) => bench.name === name));
if (unknown.length) {
  process.stderr.write(`unknown benchmark ${unknown.join(', ')}; known: ${benches.map((bench) => bench.name).join(', ')}\n`);
  process.exit(2);
}
const results: BenchResult[] = [];
for (const bench of benches.filter((b) => only.length === 0 || only.includes(b.name))) {
  process.stdout.write(`running ${bench.name}…\n`);
  try {
    results.push(await bench.run());
  } catch (error) {
    process.stderr.write(`${bench.name} failed: ${(error as Error).stack ?? String(error)}\n`);
    results.push({ name: bench.name, target: 'ran to the end', passed: false, rows: [], checks: [`error: ${(error as Error).message}`] });
  }
}
printTable(results);
process.exitCode = results.every((result) => result.passed) ? 0 : 1;
