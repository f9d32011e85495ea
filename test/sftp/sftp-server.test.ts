/**
 * The platform's own SFTP server (issue 14 item 1) with Debian's OpenSSH client: uploads
 * with a key and with a password, the receipt and result read back from the folder, the
 * same file twice, paths that try to leave the account's tree, another account's folder,
 * receipt_ uploads, rm, a closed account, a removed key, and the login throttle
 * (large-files.test.ts: 50 MB, a client gone mid-upload).
 */
import fs from 'node:fs';
import path from 'node:path';
import { expect, it } from 'vitest';
import type { ServiceContext } from '../../src/core/context.js';
import { setReturnsProcessing } from '../../src/modules/programs/set-returns-processing.js';
import { removeSftpKey } from '../../src/modules/sftp-access/sftp-credentials.js';
import { getSftpAccess } from '../../src/modules/sftp-access/queries.js';
import { Worker } from '../../src/worker/worker.js';
import { makeSales } from '../support/action-helpers.js';
import { quickAccount } from '../support/api-helpers.js';
import { describeDb } from '../support/db.js';
import { makeProgram } from '../support/programs.js';
import { giveSftpAccess, runSftp, useSftpFixture } from './support.js';
import { Client } from 'ssh2';

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

  it('no path leaves the account’s tree, another account’s folder cannot be reached, receipt_ uploads are ignored, rm hides a file and keeps its batch', async () => {
    const { ctx, brand, server, dir } = fixture;
    // Brand B, with its own folder and file.
    const other = await quickAccount(ctx, 'BRAND');
    const otherProgram = await makeProgram(ctx, other);
    const otherBrand = await giveSftpAccess(ctx, other, otherProgram, dir);
    const secret = path.join(dir, 'b-secret.csv');
    fs.writeFileSync(secret, 'ActionId,Amount,Reason\n1,1.00,ORDER_UPDATE\n');
    expect((await runSftp(server.port, otherBrand.username, { key: otherBrand.key.file }, [`put ${secret} /${otherBrand.folder}/b-secret.csv`])).code).toBe(0);
    const attempts = [
      `ls /${otherBrand.folder}`,
      `get /${otherBrand.folder}/b-secret.csv`,
      `get /${otherBrand.folder}/receipt_b-secret.txt`,
      `put ${secret} /${otherBrand.folder}/planted.csv`,
      `get ../${otherBrand.folder}/b-secret.csv`,
      `ls /..`,
      `ls ../../etc`,
      `get /../../../etc/passwd`,
      `cd ${brand.folder}\nget ../../${otherBrand.folder}/b-secret.csv`,
      `cd ${brand.folder}\nget ../${otherBrand.folder}/b-secret.csv`,
      'get /etc/passwd',
      `symlink /etc/passwd /${brand.folder}/passwd`,
      `rename x y`,
      `mkdir /new-folder`,
      `put ${secret} /loose.csv`,
    ];
    for (const command of attempts) {
      const run = await runSftp(server.port, brand.username, { key: brand.key.file }, command.split('\n'));
      expect(run.code, `${command}: ${run.stdout} ${run.stderr}`).not.toBe(0);
      expect(run.stdout + run.stderr).not.toContain('root:');
    }
    // Only B's own file, stored once, and nothing of A's was added to B.
    expect((await batches(ctx)).map((b) => b.file_name)).toEqual(['b-secret.csv']);
    // receipt_/result_ names are taken and thrown away.
    const reserved = path.join(dir, 'receipt_fake.txt');
    fs.writeFileSync(reserved, 'ActionId,Amount,Reason\n1,1.00,ORDER_UPDATE\n');
    const mine = path.join(dir, 'mine.csv');
    fs.writeFileSync(mine, 'ActionId,Amount,Reason\n2,1.00,ORDER_UPDATE\n');
    const ok = await runSftp(server.port, brand.username, { key: brand.key.file }, [`cd ${brand.folder}`, `put ${reserved}`, `put ${mine}`, 'ls -1']);
    expect(ok.code).toBe(0);
    expect((await batches(ctx)).map((b) => b.file_name)).toEqual(['b-secret.csv', 'mine.csv']);
    // rm of a receipt is refused; rm of the file hides all three; the batch stays.
    expect((await runSftp(server.port, brand.username, { key: brand.key.file }, [`rm /${brand.folder}/receipt_mine.txt`])).code).not.toBe(0);
    const rm = await runSftp(server.port, brand.username, { key: brand.key.file }, [`rm /${brand.folder}/mine.csv`, `ls -1 /${brand.folder}`]);
    expect(rm.code).toBe(0);
    expect(listed(rm)).toEqual([]);
    expect((await batches(ctx)).map((b) => b.file_name)).toEqual(['b-secret.csv', 'mine.csv']);
    // B's listing never showed A's file.
    const bList = await runSftp(server.port, otherBrand.username, { key: otherBrand.key.file }, ['ls -1 /', `ls -1 /${otherBrand.folder}`]);
    expect(listed(bList)).toEqual([`/${otherBrand.folder}`, `/${otherBrand.folder}/b-secret.csv`, `/${otherBrand.folder}/receipt_b-secret.txt`]);
  }, 120_000);

  it('refuses a closed account, a removed key, a wrong key, and throttles a username after five failures', async () => {
    const { ctx, world, brand, server, dir, logger } = fixture;
    const local = path.join(dir, 'f.csv');
    fs.writeFileSync(local, 'ActionId,Amount,Reason\n1,1.00,ORDER_UPDATE\n');
    // Another key, not registered.
    const { makeKey } = await import('./support.js');
    const stranger = makeKey(dir);
    expect((await runSftp(server.port, brand.username, { key: stranger.file }, ['ls'])).code).not.toBe(0);
    // The key, removed.
    const access = await getSftpAccess(ctx.db, world.brand.id);
    await removeSftpKey(ctx, world.brand.actor, access!.keys[0]!.id);
    expect((await runSftp(server.port, brand.username, { key: brand.key.file }, ['ls'])).code).not.toBe(0);
    // The account, closed: its right password is refused too.
    expect((await runSftp(server.port, brand.username, { password: brand.password }, ['ls'])).code).toBe(0);
    await ctx.db.query(`update accounts set status = 'CLOSED', closed_at = now() where id = $1`, [world.brand.id]);
    expect((await runSftp(server.port, brand.username, { password: brand.password }, [`put ${local} /${brand.folder}/f.csv`])).code).not.toBe(0);
    expect(logger.lines.filter((l) => l.obj.reason === 'account closed')).not.toHaveLength(0);
    expect(await batches(ctx)).toEqual([]);
    await ctx.db.query(`update accounts set status = 'ACTIVE', closed_at = null where id = $1`, [world.brand.id]);
    // Five wrong passwords cost nothing; after them the username waits, and even the right password is refused unchecked.
    const tryPassword = (password: string) =>
      new Promise<boolean>((resolve) => {
        const client = new Client();
        client.once('ready', () => {
          client.end();
          resolve(true);
        });
        client.once('error', () => resolve(false));
        client.connect({ host: '127.0.0.1', port: server.port, username: brand.username, password, tryKeyboard: false });
      });
    for (let i = 0; i < 5; i++) expect(await tryPassword(`guess-${i}`)).toBe(false);
    expect(await tryPassword(brand.password)).toBe(false);
    expect(logger.lines.some((l) => String(l.obj.reason).startsWith('throttled'))).toBe(true);
    // The wait passes: the right password works again.
    context().clock.advanceMs(60_000);
    expect(await tryPassword(brand.password)).toBe(true);
  }, 120_000);

  it('lists a folder only for event types set to SFTP upload', async () => {
    const { ctx, world, brand, server } = fixture;
    await setReturnsProcessing(ctx, world.brand.actor, world.program.saleEventTypeId, { method: 'API' });
    const run = await runSftp(server.port, brand.username, { key: brand.key.file }, ['ls -1 /']);
    expect(run.code).toBe(0);
    expect(run.stdout).not.toContain(brand.folder);
    expect((await runSftp(server.port, brand.username, { key: brand.key.file }, [`ls /${brand.folder}`])).code).not.toBe(0);
  }, 60_000);
});
