/**
 * The SFTP server killed with -9 after an upload was acknowledged and before it was
 * applied (PostgreSQL, real processes): the file was stored with its work item before the
 * close was answered, so the next instance applies it, and its result is then in the
 * folder. The host key survives the restart, so clients that pinned it connect again.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, expect, it } from 'vitest';
import { systemClock } from '../../src/core/clock.js';
import { makeActionWorld, makeSales } from '../support/action-helpers.js';
import { describePostgres } from '../support/db.js';
import { giveSftpAccess, runSftp, tempDir } from './support.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const started: ChildProcess[] = [];
afterEach(() => {
  for (const child of started.splice(0)) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
});

function startInstance(schema: string, dataDir: string, worker: boolean): Promise<{ child: ChildProcess; port: number; fingerprint: string }> {
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    DATABASE_URL: process.env.TEST_DATABASE_URL,
    LOCKSTEP_TEST_SCHEMA: schema,
    DATA_DIR: dataDir,
    SFTP_TEST_WORKER: String(worker),
    LOG_LEVEL: 'warn',
  };
  delete env.NODE_OPTIONS;
  const child = spawn(process.execPath, ['--import', 'tsx', 'test/sftp/sftp-server-entry.ts'], { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
  started.push(child);
  let output = '';
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`The SFTP instance did not start within 60 s:\n${output}`)), 60_000);
    child.stdout!.on('data', (chunk: Buffer) => {
      output += chunk.toString();
      const ready = /^ready (\d+) (\S+)$/m.exec(output);
      if (ready) {
        clearTimeout(timer);
        resolve({ child, port: Number(ready[1]), fingerprint: ready[2]! });
      }
    });
    child.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.on('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`The SFTP instance exited with ${code}:\n${output}`));
    });
  });
}

describePostgres('the SFTP server, killed with -9', (context) => {
  it('an upload acknowledged before the kill is applied after the restart, and its result_ file is in the folder', async () => {
    const { db } = context();
    const ctx = { db, clock: systemClock };
    const dir = tempDir('lockstep-sftp-kill-');
    try {
      const world = await makeActionWorld(ctx, { advanceMs: () => undefined });
      const brand = await giveSftpAccess(ctx, world.brand, world.program, dir);
      const ids = await makeSales(ctx, world.brand, world.partner, world.program, 3, { amount: () => '100.00' });
      const schema = (await db.query<{ s: string }>('select current_schema() as s')).rows[0]!.s;
      const dataDir = path.join(dir, 'data');
      // The first instance takes files and applies nothing (no worker): the file waits in the queue.
      const first = await startInstance(schema, dataDir, false);
      const local = path.join(dir, 'before-the-kill.csv');
      fs.writeFileSync(local, `ActionId,Amount,Reason\n${ids.map((id) => `${id},25.00,ITEM_RETURNED`).join('\n')}\n`);
      const put = await runSftp(first.port, brand.username, { key: brand.key.file }, [`put ${local} /${brand.folder}/before-the-kill.csv`]);
      expect(put.stderr).toBe('');
      expect(put.code).toBe(0);
      first.child.kill('SIGKILL');
      await new Promise((resolve) => first.child.once('exit', resolve));
      const { rows: stored } = await db.query<{ status: string; state: string }>(
        `select b.status, w.state from returns_batches b join work_items w on w.id = b.work_item_id where b.file_name = 'before-the-kill.csv'`,
      );
      expect(stored).toEqual([{ status: 'RECEIVED', state: 'QUEUED' }]);

      // What a process killed mid-upload leaves in the spool (a pid that runs no more) is removed at the next start.
      const stale = path.join(dataDir, 'sftp-spool', `${4_194_304 + 4321}-deadbeef.part`);
      fs.writeFileSync(stale, 'half a file');
      const second = await startInstance(schema, dataDir, true);
      expect(fs.existsSync(stale)).toBe(false);
      expect(second.fingerprint).toBe(first.fingerprint);
      for (const deadline = Date.now() + 60_000; ; ) {
        const { rows } = await db.query<{ status: string }>(`select status from returns_batches where file_name = 'before-the-kill.csv'`);
        if (rows[0]?.status === 'DONE') break;
        if (Date.now() > deadline) throw new Error(`The batch was not applied after the restart: ${JSON.stringify(rows)}`);
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
      const get = await runSftp(second.port, brand.username, { key: brand.key.file }, [`get /${brand.folder}/result_before-the-kill.csv`], { cwd: dir });
      expect(get.code).toBe(0);
      const result = fs.readFileSync(path.join(dir, 'result_before-the-kill.csv'), 'utf8');
      expect(result.trim().split('\n').slice(1).map((line) => line.split(',')[3])).toEqual(['APPLIED', 'APPLIED', 'APPLIED']);
      const { rows: actions } = await db.query<{ amount: string; n: number }>(
        `select amount_minor::text as amount, count(*)::int as n from actions where id = any($1::bigint[]) group by 1`,
        [ids.map(String)],
      );
      expect(actions).toEqual([{ amount: '2500', n: 3 }]);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  }, 180_000);
});
