/**
 * 100 SFTP sessions at once, each uploading a small file of its own (ssh2's client, with
 * the brand's key): every file is stored as its own batch with its work item, none lost,
 * none twice, and every close was answered only after its commit.
 */
import fs from 'node:fs';
import { Client, type SFTPWrapper } from 'ssh2';
import { expect, it } from 'vitest';
import { describeDb } from '../support/db.js';
import { useSftpFixture } from './support.js';

const SESSIONS = 100;

function uploadOne(port: number, username: string, privateKey: Buffer, remotePath: string, content: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const client = new Client();
    client.once('error', reject);
    client.once('ready', () => {
      client.sftp((error: Error | undefined, sftp: SFTPWrapper) => {
        if (error) return reject(error);
        // writeFile opens, writes and closes: its callback runs once the close is answered, that is once the file is stored.
        sftp.writeFile(remotePath, content, (writeError) => {
          client.end();
          if (writeError) reject(writeError);
          else resolve();
        });
      });
    });
    client.connect({ host: '127.0.0.1', port, username, privateKey, readyTimeout: 120_000 });
  });
}

describeDb('the SFTP server, 100 sessions at once', (context) => {
  const fixture = useSftpFixture(context);

  it(`${SESSIONS} concurrent sessions uploading small files: all stored, none lost`, async () => {
    const { ctx, brand, server } = fixture;
    const privateKey = fs.readFileSync(brand.key.file);
    const started = Date.now();
    const results = await Promise.allSettled(
      Array.from({ length: SESSIONS }, (_, i) =>
        uploadOne(server.port, brand.username, privateKey, `/${brand.folder}/returns_${i}.csv`, `ActionId,Amount,Reason\n${900_000_000 + i},1.00,ORDER_UPDATE\n`),
      ),
    );
    const failed = results.flatMap((r, i) => (r.status === 'rejected' ? [`${i}: ${(r.reason as Error).message}`] : []));
    expect(failed).toEqual([]);
    const { rows } = await ctx.db.query<{ n: number; names: number; items: number }>(
      `select count(*)::int as n, count(distinct file_name)::int as names, count(distinct work_item_id)::int as items from returns_batches where channel = 'SFTP'`,
    );
    expect(rows[0]).toEqual({ n: SESSIONS, names: SESSIONS, items: SESSIONS });
    expect(Date.now() - started).toBeLessThan(120_000);
  }, 180_000);
});
