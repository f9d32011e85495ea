/**
 * A Lockstep worker killed with -9 in the middle of a pull (downloading a file from a slow
 * FTP server): nothing half-pulled becomes a batch; another worker takes the pull over once
 * its lease expires, pulls the file again and applies it, exactly once. PostgreSQL (two
 * processes share the database).
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { requestPull } from '../../src/channels/pull/index.js';
import { systemClock } from '../../src/core/clock.js';
import { describePostgres } from '../support/db.js';
import { startFtpServer, type FtpServer } from '../support/pull-servers.js';
import { killWorkerProcessesAfterEach } from '../support/worker-process.js';
import { count, pullingWorld, sleep, startPullWorker, useTestSecretsKey, waitFor } from './pull-restart-support.js';

killWorkerProcessesAfterEach();
let ftpd: FtpServer;
beforeAll(async () => {
  useTestSecretsKey();
  // About 6 s for the file below: long enough to be killed in the middle.
  ftpd = await startFtpServer({ writeLimitBytesPerS: 40_000 });
}, 60_000);
afterAll(async () => ftpd?.stop());

describePostgres('pull: a worker killed with -9 mid-download', (context) => {
  it('leaves no batch behind; the pull is taken over and the file applied exactly once', async () => {
    const { db } = context();
    fs.mkdirSync(path.join(ftpd.root, 'in'), { recursive: true });
    const { world, ids, eventTypeId } = await pullingWorld(db, { Protocol: 'FTP', port: ftpd.port, username: ftpd.user, folder: '/in' }, { password: ftpd.password });
    // Three real rows, then many for actions that do not exist (NOT_FOUND), to make the file long.
    const filler = Array.from({ length: 12_000 }, (_, i) => `${900_000_000 + i},1.00,ITEM_RETURNED`);
    fs.writeFileSync(path.join(ftpd.root, 'in', 'returns_big.csv'), ['ActionId,Amount,Reason', ...ids.map((id) => `${id},30.00,ITEM_RETURNED`), ...filler, ''].join('\n'));

    const victim = await startPullWorker(db);
    await requestPull({ db, clock: systemClock }, world.brand.actor, eventTypeId);
    await waitFor('the pull to start', async () => (await count(db, `select 1 from returns_pull_runs where status = 'RUNNING'`)) > 0);
    await sleep(1500);
    expect(await count(db, 'select 1 from returns_batches')).toBe(0);
    victim.child.kill('SIGKILL');

    await startPullWorker(db);
    await waitFor('the batch to be applied', async () => (await count(db, `select 1 from returns_batches where status = 'DONE'`)) > 0, 110_000);
    await waitFor('the pull to finish', async () => (await count(db, `select 1 from work_items where kind = 'returns-pull' and state = 'DONE'`)) > 0);
    expect(await count(db, 'select 1 from returns_batches')).toBe(1);
    expect(await count(db, 'select 1 from returns_pulled_files')).toBe(1);
    const { rows: pull } = await db.query<{ attempts: number }>(`select attempts from work_items where kind = 'returns-pull'`);
    expect(pull).toEqual([{ attempts: 2 }]);
    const { rows: runs } = await db.query<{ status: string; error: string | null }>('select status, error from returns_pull_runs order by id');
    expect(runs.map((r) => r.status)).toEqual(['ERROR', 'OK']);
    expect(runs[0]!.error).toMatch(/Interrupted/);
    const { rows: actions } = await db.query<{ amount: string; mods: number }>(
      'select amount_minor::text as amount, modification_count as mods from actions where id = any($1::bigint[]) order by id',
      [ids.map(String)],
    );
    expect(actions).toEqual(ids.map(() => ({ amount: '3000', mods: 2 })));
    const { rows: batch } = await db.query<{ counts: Record<string, number> }>('select counts from returns_batches');
    expect(batch[0]!.counts).toMatchObject({ APPLIED: 3, NOT_FOUND: 12_000 });
  }, 180_000);
});
