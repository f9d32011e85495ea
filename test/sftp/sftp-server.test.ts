/**
 * The platform's own SFTP server (issue 14 item 1) with Debian's OpenSSH client: uploads
 * with a key and with a password, the receipt and result read back from the folder, the
 * same file twice, a wrong password logged without it, folders only for event types set to
 * SFTP upload (access.test.ts: paths, another account, refusals, the throttle;
 * large-files.test.ts: 50 MB, a client gone mid-upload).
 */
import fs from 'node:fs';
import path from 'node:path';
import { expect, it } from 'vitest';
import type { ServiceContext } from '../../src/core/context.js';
import { setReturnsProcessing } from '../../src/modules/programs/set-returns-processing.js';
import { Worker } from '../../src/worker/worker.js';
import { makeSales } from '../support/action-helpers.js';
import { describeDb } from '../support/db.js';
import { addSftpKey } from '../../src/modules/sftp-access/sftp-credentials.js';
import { makeKey, runSftp, useSftpFixture } from './support.js';

const drain = (ctx: ServiceContext) => new Worker(ctx, { kinds: ['returns-batch'] }).drain();

async function batches(ctx: ServiceContext) {
  const { rows } = await ctx.db.query<{ id: string; file_name: string; status: string; channel: string; counts: Record<string, number> }>(
    'select id::text, file_name, status, channel, counts from returns_batches order by id',
  );
  return rows;
}

/** What sftp printed, without its echo of each command. */
const listed = (run: { stdout: string }) => run.stdout.split('\n').filter((line) => line !== '' && !line.startsWith('sftp> '));

describeDb('the SFTP server', (context) => {
  const fixture = useSftpFixture(context);

  it('takes a file uploaded with a key, answers the close after the commit, and shows its receipt and then its result', async () => {
    const { ctx, world, brand, server, dir } = fixture;
    const [id] = await makeSales(ctx, world.brand, world.partner, world.program, 1, { amount: () => '100.00' });
    const local = path.join(dir, 'returns_2026_01_15.csv');
    fs.writeFileSync(local, `ActionId,Amount,Reason\n${id},40.00,ITEM_RETURNED\n`);
    const put = await runSftp(server.port, brand.username, { key: brand.key.file }, [`cd ${brand.folder}`, `put ${local}`, `put ${local} /${brand.folder}/`, 'ls -1']);
    expect(put.stderr).toBe('');
    expect(put.code).toBe(0);
    // The close was answered after the commit: the batch is there as soon as sftp exits.
    expect(await batches(ctx)).toMatchObject([{ file_name: 'returns_2026_01_15.csv', status: 'RECEIVED', channel: 'SFTP' }]);
    expect(put.stdout).toContain('receipt_returns_2026_01_15.txt');
    expect(put.stdout).not.toContain('result_returns_2026_01_15.csv');
    await drain(ctx);
    const get = await runSftp(server.port, brand.username, { key: brand.key.file }, [`cd /${brand.folder}`, 'ls -1', 'get result_returns_2026_01_15.csv', 'get receipt_returns_2026_01_15.txt', 'get returns_2026_01_15.csv back.csv'], { cwd: dir });
    expect(get.code).toBe(0);
    expect(get.stdout).toContain('result_returns_2026_01_15.csv');
    const result = fs.readFileSync(path.join(dir, 'result_returns_2026_01_15.csv'), 'utf8');
    expect(result.split('\n')[0]).toBe('ActionId,Amount,Reason,Outcome,ActionId,Message');
    expect(result).toContain(`${id},40.00,ITEM_RETURNED,APPLIED,${id}`);
    expect(fs.readFileSync(path.join(dir, 'receipt_returns_2026_01_15.txt'), 'utf8')).toMatch(/Status: DONE[\s\S]*APPLIED: 1/);
    expect(fs.readFileSync(path.join(dir, 'back.csv'), 'utf8')).toBe(fs.readFileSync(local, 'utf8'));
    const { rows } = await ctx.db.query<{ amount: string }>('select amount_minor::text as amount from actions where id = $1', [String(id)]);
    expect(rows[0]!.amount).toBe('4000');
  }, 60_000);

  it('takes a file uploaded with the generated password (OpenSSH asking SSH_ASKPASS); the same file again is the first batch, applied once', async () => {
    const { ctx, world, brand, server, dir, logger } = fixture;
    const [id] = await makeSales(ctx, world.brand, world.partner, world.program, 1, { amount: () => '100.00' });
    const local = path.join(dir, 'nightly.csv');
    fs.writeFileSync(local, `ActionId,Amount,Reason\n${id},70.00,ITEM_RETURNED\n`);
    const first = await runSftp(server.port, brand.username, { password: brand.password }, [`put ${local} /${brand.folder}/nightly.csv`]);
    expect(first.stderr).toBe('');
    expect(first.code).toBe(0);
    await drain(ctx);
    // The nightly job sends the same file again, under the same name and under another.
    const again = await runSftp(server.port, brand.username, { password: brand.password }, [
      `put ${local} /${brand.folder}/nightly.csv`,
      `put ${local} /${brand.folder}/nightly-copy.csv`,
      `ls -1 /${brand.folder}`,
    ]);
    expect(again.code).toBe(0);
    await drain(ctx);
    expect(await batches(ctx)).toMatchObject([{ file_name: 'nightly.csv', status: 'DONE', counts: { APPLIED: 1 } }]);
    expect(listed(again)).toEqual([`/${brand.folder}/nightly.csv`, `/${brand.folder}/receipt_nightly.txt`, `/${brand.folder}/result_nightly.csv`]);
    const { rows } = await ctx.db.query<{ amount: string; n: number }>(
      `select a.amount_minor::text as amount, (select count(*)::int from action_modifications m where m.action_id = a.id and m.operation = 'MODIFY_AMOUNT') as n
         from actions a where a.id = $1`,
      [String(id)],
    );
    expect(rows[0]).toEqual({ amount: '7000', n: 1 });
    // A wrong password is refused, and logged without it.
    const wrong = await runSftp(server.port, brand.username, { password: 'not-the-password' }, ['ls']);
    expect(wrong.code).not.toBe(0);
    const refused = logger.lines.filter((l) => l.obj.sftp === 'login_failed');
    expect(refused.map((l) => l.obj.reason)).toContain('wrong password');
    expect(JSON.stringify(logger.lines)).not.toContain('not-the-password');
    expect(JSON.stringify(logger.lines)).not.toContain(brand.password);
  }, 60_000);

  it('logs in with an RSA (3072 bits) and an ECDSA key as well as ed25519', async () => {
    const { ctx, world, brand, server, dir } = fixture;
    for (const [type, bits] of [['rsa', 3072], ['ecdsa', 256]] as const) {
      const key = makeKey(dir, type, bits);
      await addSftpKey(ctx, world.brand.actor, { publicKey: key.publicKey });
      const run = await runSftp(server.port, brand.username, { key: key.file }, ['ls -1 /']);
      expect(run.stderr, type).toBe('');
      expect(listed(run)).toEqual([`/${brand.folder}`]);
    }
  }, 60_000);

  it('lists a folder only for event types set to SFTP upload', async () => {
    const { ctx, world, brand, server } = fixture;
    await setReturnsProcessing(ctx, world.brand.actor, world.program.saleEventTypeId, { method: 'API' });
    const run = await runSftp(server.port, brand.username, { key: brand.key.file }, ['ls -1 /']);
    expect(run.code).toBe(0);
    expect(run.stdout).not.toContain(brand.folder);
    expect((await runSftp(server.port, brand.username, { key: brand.key.file }, [`ls /${brand.folder}`])).code).not.toBe(0);
  }, 60_000);
});
