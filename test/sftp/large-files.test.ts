/**
 * Large and broken uploads to the SFTP server: a 50 MB file with OpenSSH's sftp, stored
 * whole; a client that goes away mid-upload, which leaves nothing behind.
 */
import fs from 'node:fs';
import path from 'node:path';
import { Client, type SFTPWrapper } from 'ssh2';
import { expect, it } from 'vitest';
import type { ServiceContext } from '../../src/core/context.js';
import { describeDb } from '../support/db.js';
import { runSftp, useSftpFixture } from './support.js';

async function batches(ctx: ServiceContext) {
  const { rows } = await ctx.db.query<{ id: string; file_name: string }>('select id::text, file_name from returns_batches order by id');
  return rows;
}

describeDb('the SFTP server, large and broken uploads', (context) => {
  const fixture = useSftpFixture(context);

  it('stores a 50 MB file whole (bytes and SHA-256 as sent)', async () => {
    const { ctx, brand, server, dir } = fixture;
    const local = path.join(dir, 'big.csv');
    const line = '900000001,1.00,ORDER_UPDATE\n';
    const rows = Math.ceil((50 * 1024 * 1024) / line.length);
    fs.writeFileSync(local, `ActionId,Amount,Reason\n${line.repeat(rows)}`);
    const bytes = fs.statSync(local).size;
    expect(bytes).toBeGreaterThan(50 * 1024 * 1024);
    const put = await runSftp(server.port, brand.username, { key: brand.key.file }, [`put ${local} ${brand.folder}/big.csv`], { timeoutMs: 120_000 });
    expect(put.stderr).toBe('');
    expect(put.code).toBe(0);
    const { rows: stored } = await ctx.db.query<{ bytes: string; hash: string; chunks: number; total: string }>(
      `select b.bytes::text as bytes, b.content_hash as hash, count(c.seq)::int as chunks, sum(length(c.content))::text as total
         from returns_batches b join returns_batch_content c on c.batch_id = b.id group by b.id`,
    );
    const hash = (await import('node:crypto')).createHash('sha256').update(fs.readFileSync(local)).digest('hex');
    expect(stored).toEqual([{ bytes: String(bytes), hash, chunks: 51, total: String(bytes) }]);
    expect(fs.readdirSync(path.join(dir, 'sftp-spool'))).toEqual([]);
  }, 180_000);


  it('a client that goes away mid-upload leaves nothing: no batch, no work item, no spool', async () => {
    const { ctx, brand, server, dir, logger } = fixture;
    const client = new Client();
    await new Promise<void>((resolve, reject) => {
      client.once('ready', resolve).once('error', reject);
      client.connect({ host: '127.0.0.1', port: server.port, username: brand.username, password: brand.password });
    });
    const sftp = await new Promise<SFTPWrapper>((resolve, reject) => client.sftp((error, s) => (error ? reject(error) : resolve(s))));
    const stream = sftp.createWriteStream(`/${brand.folder}/half.csv`);
    stream.write('ActionId,Amount,Reason\n');
    const chunk = Buffer.from('900000001,1.00,ORDER_UPDATE\n'.repeat(40_000));
    for (let i = 0; i < 4; i++) stream.write(chunk);
    // Wait until the server has a good part of the file in its spool, then drop the connection without closing the file.
    const spoolDir = path.join(dir, 'sftp-spool');
    for (const deadline = Date.now() + 30_000; ; ) {
      const parts = fs.readdirSync(spoolDir).filter((f) => f.endsWith('.part'));
      if (parts.length === 1 && fs.statSync(path.join(spoolDir, parts[0]!)).size > 1_000_000) break;
      if (Date.now() > deadline) throw new Error('the upload did not reach the spool');
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    (client as unknown as { _sock: import('node:net').Socket })._sock.destroy();
    for (const deadline = Date.now() + 10_000; fs.readdirSync(spoolDir).length > 0; ) {
      if (Date.now() > deadline) throw new Error(`the spool was not removed: ${fs.readdirSync(spoolDir).join(', ')}`);
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    expect(await batches(ctx)).toEqual([]);
    const { rows } = await ctx.db.query<{ n: number }>(`select count(*)::int as n from work_items where kind = 'returns-batch'`);
    expect(rows[0]!.n).toBe(0);
    expect(logger.lines.some((l) => l.obj.sftp === 'upload_dropped')).toBe(true);
  }, 60_000);

});
