/**
 * A Lockstep worker killed with -9 as soon as a pulled file was stored, before it was
 * applied (the worker runs pulls only; SFTP, delete after pull, so the kill may also land
 * before the file is deleted on the server): after the restart the batch is applied
 * exactly once, the next pull does not store the file again, and the file is gone from the
 * server. PostgreSQL (two processes share the database).
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { requestPull } from '../../src/channels/pull/index.js';
import { systemClock } from '../../src/core/clock.js';
import { describePostgres } from '../support/db.js';
import { sshKeygen, startSshd, type Sshd } from '../support/pull-servers.js';
import { killWorkerProcessesAfterEach } from '../support/worker-process.js';
import { count, pullingWorld, startPullWorker, useTestSecretsKey, waitFor } from './pull-restart-support.js';

killWorkerProcessesAfterEach();
let sshd: Sshd;
let privateKey: string;
beforeAll(async () => {
  useTestSecretsKey();
  sshd = await startSshd();
  const keys = sshKeygen(fs.mkdtempSync(path.join(os.tmpdir(), 'lockstep-sshkey-')), 'key');
  sshd.authorize(keys.publicKey);
  privateKey = keys.privateKey;
}, 60_000);
afterAll(async () => sshd?.stop());

describePostgres('pull: a worker killed with -9 after storing a file, before applying it', (context) => {
  it('applies the file exactly once after the restart, and the next pull deletes it without storing it again', async () => {
    const { db } = context();
    const folder = path.join(sshd.dir, 'in');
    fs.mkdirSync(folder, { recursive: true });
    const { world, ids, eventTypeId } = await pullingWorld(db, { Protocol: 'SFTP', port: sshd.port, username: sshd.user, folder, deleteAfterPull: true }, { privateKey });
    const file = path.join(folder, 'returns_stored.csv');
    fs.writeFileSync(file, ['ActionId,Amount,Reason', ...ids.map((id) => `${id},60.00,ITEM_RETURNED`), ''].join('\n'));
    const ctx = { db, clock: systemClock };

    // This worker pulls but does not apply: killed as soon as the file is stored.
    const victim = await startPullWorker(db, ['returns-pull']);
    await requestPull(ctx, world.brand.actor, eventTypeId);
    await waitFor('the file to be stored', async () => (await count(db, 'select 1 from returns_batches')) > 0);
    victim.child.kill('SIGKILL');
    const { rows: stored } = await db.query<{ status: string }>('select status from returns_batches');
    expect(stored).toEqual([{ status: 'RECEIVED' }]);

    await startPullWorker(db);
    await requestPull(ctx, world.brand.actor, eventTypeId);
    await waitFor('the batch to be applied', async () => (await count(db, `select 1 from returns_batches where status = 'DONE'`)) > 0, 110_000);
    await waitFor(
      'both pulls to finish',
      async () => (await count(db, `select 1 from work_items where kind = 'returns-pull' and state = 'DONE'`)) >= 2,
      110_000,
    );
    expect(fs.existsSync(file)).toBe(false);
    expect(await count(db, 'select 1 from returns_batches')).toBe(1);
    const { rows: pulled } = await db.query<{ deleted: boolean }>('select deleted_at is not null as deleted from returns_pulled_files');
    expect(pulled).toEqual([{ deleted: true }]);
    const { rows: actions } = await db.query<{ amount: string; mods: number }>(
      'select amount_minor::text as amount, modification_count as mods from actions where id = any($1::bigint[]) order by id',
      [ids.map(String)],
    );
    expect(actions).toEqual(ids.map(() => ({ amount: '6000', mods: 2 })));
    const { rows: batch } = await db.query<{ counts: Record<string, number>; rows_done: number }>('select counts, rows_done from returns_batches');
    expect(batch[0]).toMatchObject({ rows_done: 3, counts: { APPLIED: 3 } });
  }, 180_000);
});
