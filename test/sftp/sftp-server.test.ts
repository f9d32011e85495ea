/**
 * The platform's own SFTP server (issue 14 item 1) with Debian's OpenSSH client: uploads
 * with a key and with a password, the receipt and result read back from the folder, the
 * same file twice, a 50 MB file, a client gone mid-upload, paths that try to leave the
 * account's tree, another account's folder, a closed account, and the login throttle.
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, expect, it } from 'vitest';
import type { SftpServerHandle } from '../../src/channels/sftp-server/server.js';
import type { ServiceContext } from '../../src/core/context.js';
import { setReturnsProcessing } from '../../src/modules/programs/set-returns-processing.js';
import { removeSftpKey } from '../../src/modules/sftp-access/sftp-credentials.js';
import { getSftpAccess } from '../../src/modules/sftp-access/queries.js';
import { Worker } from '../../src/worker/worker.js';
import { makeActionWorld, makeSales, type ActionWorld } from '../support/action-helpers.js';
import { quickAccount } from '../support/api-helpers.js';
import { describeDb } from '../support/db.js';
import { makeProgram } from '../support/programs.js';
import { giveSftpAccess, memoryLogger, runSftp, startTestSftp, tempDir, type SftpBrand } from './support.js';
import { Client } from 'ssh2';

const drain = (ctx: ServiceContext) => new Worker(ctx, { kinds: ['returns-batch'] }).drain();

async function batches(ctx: ServiceContext) {
  const { rows } = await ctx.db.query<{ id: string; file_name: string; status: string; channel: string; counts: Record<string, number> }>(
    'select id::text, file_name, status, channel, counts from returns_batches order by id',
  );
  return rows;
}

describeDb('the SFTP server', (context) => {
  let dir: string;
  let server: SftpServerHandle;
  let ctx: ServiceContext;
  let world: ActionWorld;
  let brand: SftpBrand;
  let logger: ReturnType<typeof memoryLogger>;

  beforeEach(async () => {
    const { db, clock } = context();
    ctx = { db, clock };
    dir = tempDir('lockstep-sftp-');
    world = await makeActionWorld(ctx, clock);
    brand = await giveSftpAccess(ctx, world.brand, world.program, dir);
    logger = memoryLogger();
    server = await startTestSftp(ctx, dir, logger);
  });
  afterEach(async () => {
    await server.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('takes a file uploaded with a key, answers the close after the commit, and shows its receipt and then its result', async () => {
    const [id] = await makeSales(ctx, world.brand, world.partner, world.program, 1, { amount: () => '100.00' });
    const local = path.join(dir, 'returns_2026_01_15.csv');
    fs.writeFileSync(local, `ActionId,Amount,Reason\n${id},40.00,ITEM_RETURNED\n`);
    const put = await runSftp(server.port, brand.username, { key: brand.key.file }, [`cd ${brand.folder}`, `put ${local}`, 'ls -1']);
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
});
