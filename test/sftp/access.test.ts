/**
 * Who may reach what on the SFTP server, with Debian's OpenSSH client: no path leaves the
 * account's tree, another account's folder cannot be listed, read or written, receipt_
 * uploads are ignored, rm hides a file and keeps its batch; a closed account, a removed or
 * unknown key and a wrong password are refused, and a username is throttled after five
 * failures in a row.
 */
import fs from 'node:fs';
import path from 'node:path';
import { Client } from 'ssh2';
import { expect, it } from 'vitest';
import type { ServiceContext } from '../../src/core/context.js';
import { getSftpAccess } from '../../src/modules/sftp-access/queries.js';
import { removeSftpKey } from '../../src/modules/sftp-access/sftp-credentials.js';
import { quickAccount } from '../support/api-helpers.js';
import { describeDb } from '../support/db.js';
import { makeProgram } from '../support/programs.js';
import { giveSftpAccess, makeKey, runSftp, useSftpFixture } from './support.js';

async function batches(ctx: ServiceContext) {
  const { rows } = await ctx.db.query<{ file_name: string }>('select file_name from returns_batches order by id');
  return rows;
}

/** What sftp printed, without its echo of each command. */
const listed = (run: { stdout: string }) => run.stdout.split('\n').filter((line) => line !== '' && !line.startsWith('sftp> '));

describeDb('the SFTP server: who reaches what', (context) => {
  const fixture = useSftpFixture(context);

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


  it('refuses a closed account, a removed key, a wrong key, and throttles a username and an address after five failures', async () => {
    const { ctx, world, brand, server, dir, logger } = fixture;
    const local = path.join(dir, 'f.csv');
    fs.writeFileSync(local, 'ActionId,Amount,Reason\n1,1.00,ORDER_UPDATE\n');
    // Another key, not registered.
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
    // Guesses at other usernames from the same address: the address waits too, whatever the username.
    const tryUser = (username: string) =>
      new Promise<boolean>((resolve) => {
        const client = new Client();
        client.once('ready', () => {
          client.end();
          resolve(true);
        });
        client.once('error', () => resolve(false));
        client.connect({ host: '127.0.0.1', port: server.port, username, password: 'guess', tryKeyboard: false });
      });
    expect(await tryUser('nobody-here')).toBe(false);
    expect(await tryPassword(brand.password)).toBe(false);
    const last = logger.lines.filter((l) => l.obj.sftp === 'login_failed').at(-1)!;
    expect(last.obj).toMatchObject({ username: brand.username, address: '127.0.0.1', method: 'password' });
    expect(String(last.obj.reason)).toMatch(/^throttled/);
  }, 120_000);

});
