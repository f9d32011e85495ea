/**
 * `npm run bench -- sftp-upload` (issue 14, Speed): a one-row returns file uploaded to the
 * platform's SFTP server, from the start of the upload until its `result_` file is read
 * back from the folder, p95 over BENCH_SFTP_SAMPLES uploads (each a file of its own, so
 * each is a new batch), with the worker running in the same process as the server, as
 * `lockstep start` runs them. Each sample is its own SFTP session (a brand's nightly job
 * connects, uploads, then polls for the result), with ssh2's client and the brand's key.
 * On PGlite (what `npm start` uses) and on PostgreSQL when BENCH_DATABASE_URL or
 * TEST_DATABASE_URL is set.
 */
import fs from 'node:fs';
import { Client, type SFTPWrapper } from 'ssh2';
import { startSftpServer } from '../src/channels/sftp-server/server.js';
import { loadOrCreateHostKey } from '../src/channels/sftp-server/host-key.js';
import { ManualClock, systemClock } from '../src/core/clock.js';
import type { ServiceContext } from '../src/core/context.js';
import '../src/flows/apply-returns-batch.js';
import { Worker } from '../src/worker/worker.js';
import { makeActionWorld, makeSales } from '../test/support/action-helpers.js';
import { giveSftpAccess, tempDir } from '../test/sftp/support.js';
import { benchDatabaseUrl, freshDb, percentileMs } from './fresh-db.js';
import type { BenchResult, BenchRow } from './types.js';

const SAMPLES = Number(process.env.BENCH_SFTP_SAMPLES ?? 30);
const TARGET_P95_MS = 2000;
const quiet = { info() {}, warn() {}, error() {} };

function connect(port: number, username: string, privateKey: Buffer): Promise<{ client: Client; sftp: SFTPWrapper }> {
  return new Promise((resolve, reject) => {
    const client = new Client();
    client.once('error', reject);
    client.once('ready', () => client.sftp((error: Error | undefined, sftp: SFTPWrapper) => (error ? reject(error) : resolve({ client, sftp }))));
    client.connect({ host: '127.0.0.1', port, username, privateKey });
  });
}

const writeFile = (sftp: SFTPWrapper, remote: string, content: string) =>
  new Promise<void>((resolve, reject) => sftp.writeFile(remote, content, (error) => (error ? reject(error) : resolve())));
const readFile = (sftp: SFTPWrapper, remote: string) =>
  new Promise<Buffer | null>((resolve) => sftp.readFile(remote, (error: Error | null | undefined, data: Buffer) => resolve(error ? null : data)));

async function measure(kind: 'pglite' | 'postgres'): Promise<{ row: BenchRow; p95: number }> {
  const { db, drop } = await freshDb(kind);
  const dir = tempDir('lockstep-bench-sftp-');
  try {
    const setupClock = new ManualClock(new Date(Date.now() - 2 * 86_400_000));
    const setup: ServiceContext = { db, clock: setupClock };
    const world = await makeActionWorld(setup, setupClock);
    const brand = await giveSftpAccess(setup, world.brand, world.program, dir);
    const ids = await makeSales(setup, world.brand, world.partner, world.program, SAMPLES + 1, { amount: () => '100.00' });
    const ctx: ServiceContext = { db, clock: systemClock };
    const worker = new Worker(ctx, { kinds: ['returns-batch'] }).start();
    const server = await startSftpServer({ ctx, port: 0, host: '127.0.0.1', hostKey: loadOrCreateHostKey({ dataDir: dir, hostKeyFile: undefined, secretsKey: undefined }), dataDir: dir, logger: quiet });
    const privateKey = fs.readFileSync(brand.key.file);
    const latencies: number[] = [];
    try {
      // One warm-up file (code paths, the database's plans), not counted.
      for (let i = 0; i <= SAMPLES; i++) {
        const started = performance.now();
        const { client, sftp } = await connect(server.port, brand.username, privateKey);
        await writeFile(sftp, `/${brand.folder}/one-row-${i}.csv`, `ActionId,Amount,Reason\n${ids[i]},${50 + i}.00,ITEM_RETURNED\n`);
        let result: Buffer | null = null;
        for (const deadline = Date.now() + 30_000; result === null; ) {
          result = await readFile(sftp, `/${brand.folder}/result_one-row-${i}.csv`);
          if (result === null) {
            if (Date.now() > deadline) throw new Error(`result_one-row-${i}.csv did not appear within 30 s`);
            await new Promise((resolve) => setTimeout(resolve, 25));
          }
        }
        if (!result.toString().includes('APPLIED')) throw new Error(`one-row-${i}: ${result.toString()}`);
        client.end();
        if (i > 0) latencies.push(performance.now() - started);
      }
    } finally {
      await server.close();
      await worker.stop({ graceMs: 2000 });
    }
    const p95 = percentileMs(latencies, 95);
    const mean = latencies.reduce((a, b) => a + b, 0) / latencies.length;
    return {
      p95,
      row: {
        case: `one-row file by SFTP to result_ readable, ${kind} (${SAMPLES} sessions)`,
        requestsPerSec: 1000 / mean,
        p50Ms: percentileMs(latencies, 50),
        p99Ms: percentileMs(latencies, 99),
        note: `p95 ${p95.toFixed(0)} ms`,
      },
    };
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
    await drop();
  }
}

export async function run(): Promise<BenchResult> {
  const name = 'sftp-upload';
  const target = `a one-row file uploaded by SFTP: applied and its result_ file readable in the folder in ≤ ${TARGET_P95_MS} ms p95`;
  const kinds: Array<'pglite' | 'postgres'> = benchDatabaseUrl() ? ['pglite', 'postgres'] : ['pglite'];
  const rows: BenchRow[] = [];
  const checks: string[] = [];
  let passed = true;
  for (const kind of kinds) {
    const { row, p95 } = await measure(kind);
    rows.push(row);
    const ok = p95 <= TARGET_P95_MS;
    passed &&= ok;
    checks.push(`${kind}: p50 ${row.p50Ms.toFixed(0)} ms, p95 ${p95.toFixed(0)} ms (target ≤ ${TARGET_P95_MS} ms): ${ok ? 'met' : 'MISSED'}`);
  }
  if (kinds.length === 1) checks.push('postgres: skipped, set BENCH_DATABASE_URL or TEST_DATABASE_URL');
  return { name, target, passed, rows, checks };
}
