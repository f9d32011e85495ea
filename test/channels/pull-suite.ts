/**
 * The pull channel against a real server (issue 14 item 2), the same cases for each
 * protocol: test/channels/pull-sftp.test.ts (OpenSSH), pull-ftps.test.ts and
 * pull-ftp.test.ts (pyftpdlib). Everything goes through the HTTP API a brand admin uses
 * (settings, credentials, Test connection, Pull now, the status), and the worker runs the
 * pulls, the batches and the result uploads.
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, expect, it } from 'vitest';
import type { Db } from '../../src/db/types.js';
import { Worker } from '../../src/worker/worker.js';
import { accountClient, makeActionWorld, makeSales, type ActionWorld } from '../support/action-helpers.js';
import { expectOk } from '../support/api-helpers.js';
import { startTestApp, TEST_SECRETS_KEY, type Client, type TestApp } from '../support/app.js';
import { describeDb } from '../support/db.js';
import { freePort } from '../support/pull-servers.js';

export const PULL_KINDS = ['returns-pull', 'returns-batch', 'returns-pull-result'];
export const PULL_TEST_HOSTS = ['127.0.0.1'];

export interface PullServerUnderTest {
  protocol: 'SFTP' | 'FTPS' | 'FTP';
  port: number;
  username: string;
  /** Where a path in the pull settings (`/in`) is on this machine. */
  localPath(remote: string): string;
  /** The folder paths the settings name (absolute on the server). */
  folder: string;
  resultFolder: string;
  /** What a brand admin saves as the credentials. */
  credentials: Record<string, string>;
  wrongCredentials: Record<string, string>;
}

/** A pyftpdlib server as the suite sees it: FTP paths start at the user's home. */
export function ftpUnderTest(ftpd: { port: number; user: string; password: string; root: string }, protocol: 'FTP' | 'FTPS'): PullServerUnderTest {
  return {
    protocol,
    port: ftpd.port,
    username: ftpd.user,
    localPath: (remote) => path.join(ftpd.root, remote),
    folder: '/in',
    resultFolder: '/out',
    credentials: { Password: ftpd.password },
    wrongCredentials: { Password: 'not-the-password' },
  };
}

export async function drain(t: TestApp): Promise<void> {
  // The result upload is enqueued by the batch's last step: drain until nothing is left.
  for (let round = 0; round < 3; round++) await new Worker(t.ctx, { kinds: PULL_KINDS }).drain();
}

export interface PullWorld {
  t: TestApp;
  world: ActionWorld;
  client: Client;
  eventTypeId: number;
  ids: bigint[];
}

export async function pullWorld(t: TestApp, clock: { advanceMs(ms: number): void }, sales = 3): Promise<PullWorld> {
  const world = await makeActionWorld(t.ctx, clock);
  const ids = await makeSales(t.ctx, world.brand, world.partner, world.program, sales, { amount: () => '100.00' });
  return { t, world, client: await accountClient(t, world.brand), eventTypeId: world.program.saleEventTypeId, ids };
}

export async function configurePull(w: PullWorld, server: PullServerUnderTest, extra: Record<string, unknown> = {}, host = '127.0.0.1'): Promise<void> {
  expectOk(
    await w.client.request({
      method: 'PUT',
      url: `/api/v1/event-types/${w.eventTypeId}/returns-processing`,
      payload: {
        Method: 'SFTP_PULL',
        Pull: { Protocol: server.protocol, Host: host, Port: server.port, Username: server.username, Folder: server.folder, FilePattern: 'returns_*.csv', ...extra },
      },
    }),
  );
}

export async function saveCredentials(w: PullWorld, credentials: Record<string, string>) {
  return expectOk(await w.client.request({ method: 'PUT', url: `/api/v1/event-types/${w.eventTypeId}/pull/credentials`, payload: credentials }));
}

export async function pullNow(w: PullWorld) {
  expectOk(await w.client.post(`/api/v1/event-types/${w.eventTypeId}/pull/run`), 202);
  await drain(w.t);
  return expectOk(await w.client.get(`/api/v1/event-types/${w.eventTypeId}/pull`));
}

export async function amountsOf(db: Db, ids: bigint[]): Promise<string[]> {
  const { rows } = await db.query<{ amount: string }>('select amount_minor::text as amount from actions where id = any($1::bigint[]) order by id', [ids.map(String)]);
  return rows.map((r) => r.amount);
}

export function writeRemote(server: PullServerUnderTest, name: string, content: string, mtime?: Date): string {
  const file = path.join(server.localPath(server.folder), name);
  fs.writeFileSync(file, content);
  if (mtime) fs.utimesSync(file, mtime, mtime);
  return file;
}

export function pullSuite(name: string, server: () => PullServerUnderTest, more?: (context: () => { t: TestApp; clock: { advanceMs(ms: number): void } }) => void): void {
  describeDb(name, (db) => {
    let t: TestApp;
    beforeEach(async () => {
      // The test servers listen on 127.0.0.1, an internal address a pull refuses unless allowed.
      t = await startTestApp(db(), { pullAllowedHosts: PULL_TEST_HOSTS });
      const s = server();
      for (const folder of [s.folder, s.resultFolder]) {
        fs.rmSync(s.localPath(folder), { recursive: true, force: true });
        fs.mkdirSync(s.localPath(folder), { recursive: true });
      }
    });
    afterEach(async () => t.close());

    it('pulls the files the pattern matches and applies them, uploads the result, and never applies a file left in place twice', async () => {
      const s = server();
      const w = await pullWorld(t, db().clock);
      await configurePull(w, s, { ResultFolder: s.resultFolder });
      const saved = await saveCredentials(w, s.credentials);
      expect(saved.Credentials).toMatchObject({ Set: true });
      writeRemote(s, 'returns_1.csv', `ActionId,Amount,Reason\n${w.ids[0]},40.00,ITEM_RETURNED\n${w.ids[1]},25.00,ITEM_RETURNED\n`);
      writeRemote(s, 'other.csv', `ActionId,Amount,Reason\n${w.ids[2]},1.00,ITEM_RETURNED\n`);
      writeRemote(s, 'result_returns_0.csv', 'not a returns file\n');

      const test = expectOk(await w.client.post(`/api/v1/event-types/${w.eventTypeId}/pull/test`));
      expect(test).toMatchObject({ Ok: true, Error: null });
      expect(test.Matches.map((m: { FileName: string }) => m.FileName)).toEqual(['returns_1.csv']);
      expect(test.Matches[0]).toMatchObject({ AlreadyPulled: false });
      // Testing pulls nothing.
      expect((await t.ctx.db.query('select id from returns_batches')).rows).toEqual([]);

      const status = await pullNow(w);
      expect(status.Runs[0]).toMatchObject({ Trigger: 'MANUAL', Status: 'OK', FilesMatched: 1, FilesPulled: 1, FilesSkipped: 0, Error: null });
      expect(status).toMatchObject({ LastPullStatus: 'OK', LastError: null });
      expect(status.Files).toHaveLength(1);
      expect(status.Files[0]).toMatchObject({ FileName: 'returns_1.csv', DeletedDate: null });
      expect(status.Files[0].ResultUploadedDate).not.toBeNull();
      expect(await amountsOf(t.ctx.db, w.ids)).toEqual(['4000', '2500', '10000']);
      const { rows: batches } = await t.ctx.db.query<{ channel: string; status: string; file_name: string }>('select channel, status, file_name from returns_batches');
      expect(batches).toEqual([{ channel: 'PULL', status: 'DONE', file_name: 'returns_1.csv' }]);
      // The file stays where it was (no delete), and its result and receipt are in the result folder.
      expect(fs.existsSync(path.join(s.localPath(s.folder), 'returns_1.csv'))).toBe(true);
      const result = fs.readFileSync(path.join(s.localPath(s.resultFolder), 'result_returns_1.csv'), 'utf8');
      expect(result.split('\n')[0]).toBe('ActionId,Amount,Reason,Outcome,ActionId,Message');
      expect(result).toContain(`${w.ids[0]},40.00,ITEM_RETURNED,APPLIED`);
      expect(fs.readFileSync(path.join(s.localPath(s.resultFolder), 'receipt_returns_1.txt'), 'utf8')).toContain('Status: DONE');

      // Left in place: the next pull skips it; the same bytes under another name are not applied again either.
      const again = await pullNow(w);
      expect(again.Runs[0]).toMatchObject({ Status: 'OK', FilesMatched: 1, FilesPulled: 0, FilesSkipped: 1 });
      fs.copyFileSync(path.join(s.localPath(s.folder), 'returns_1.csv'), path.join(s.localPath(s.folder), 'returns_1_copy.csv'));
      const copied = await pullNow(w);
      expect(copied.Runs[0]).toMatchObject({ Status: 'OK', FilesMatched: 2, FilesPulled: 0, FilesSkipped: 2 });
      expect(copied.Files.map((f: { FileName: string; BatchId: string }) => [f.FileName, f.BatchId])).toEqual([
        ['returns_1_copy.csv', status.Files[0].BatchId],
        ['returns_1.csv', status.Files[0].BatchId],
      ]);
      const retest = expectOk(await w.client.post(`/api/v1/event-types/${w.eventTypeId}/pull/test`));
      expect(retest.Matches.map((m: { AlreadyPulled: boolean }) => m.AlreadyPulled)).toEqual([true, true]);
      expect((await t.ctx.db.query('select id from returns_batches')).rows).toHaveLength(1);
      expect(await amountsOf(t.ctx.db, w.ids)).toEqual(['4000', '2500', '10000']);
      // A new file is pulled at the next pull.
      writeRemote(s, 'returns_2.csv', `ActionId,Amount,Reason\n${w.ids[2]},55.00,ITEM_RETURNED\n`);
      const next = await pullNow(w);
      expect(next.Runs[0]).toMatchObject({ FilesMatched: 3, FilesPulled: 1, FilesSkipped: 2 });
      expect(await amountsOf(t.ctx.db, w.ids)).toEqual(['4000', '2500', '5500']);
    });

    it('deletes each pulled file on the server when asked to', async () => {
      const s = server();
      const w = await pullWorld(t, db().clock);
      await configurePull(w, s, { DeleteAfterPull: true });
      await saveCredentials(w, s.credentials);
      const file = writeRemote(s, 'returns_a.csv', `ActionId,Amount,Reason\n${w.ids[0]},10.00,ITEM_RETURNED\n`);
      const status = await pullNow(w);
      expect(status.Runs[0]).toMatchObject({ Status: 'OK', FilesPulled: 1 });
      expect(fs.existsSync(file)).toBe(false);
      expect(status.Files[0].DeletedDate).not.toBeNull();
      // No result folder: nothing uploaded.
      expect(status.Files[0].ResultUploadedDate).toBeNull();
      expect(fs.readdirSync(s.localPath(s.resultFolder))).toEqual([]);
      expect(await amountsOf(t.ctx.db, w.ids.slice(0, 1))).toEqual(['1000']);
    });

    it('a wrong password, or a host that does not answer, is a clear error kept with the connection and shown by the API', async () => {
      const s = server();
      const w = await pullWorld(t, db().clock);
      await configurePull(w, s);
      await saveCredentials(w, s.wrongCredentials);
      writeRemote(s, 'returns_x.csv', `ActionId,Amount,Reason\n${w.ids[0]},10.00,ITEM_RETURNED\n`);
      const refused = await pullNow(w);
      expect(refused.LastPullStatus).toBe('ERROR');
      expect(refused.LastError).toMatch(new RegExp(`refused the login of user ${s.username}`));
      expect(refused.Runs[0]).toMatchObject({ Status: 'ERROR', FilesPulled: 0 });
      expect(refused.Runs[0].Error).toBe(refused.LastError);
      const test = expectOk(await w.client.post(`/api/v1/event-types/${w.eventTypeId}/pull/test`));
      expect(test).toMatchObject({ Ok: false, Matches: [] });
      expect(test.Error).toMatch(/refused the login/);

      // Nothing listens on this port.
      await configurePull(w, { ...s, port: await freePort() });
      await saveCredentials(w, s.credentials);
      const unreachable = await pullNow(w);
      expect(unreachable.LastError).toMatch(/connection was refused/);
      // An unknown host.
      await configurePull(w, s, {}, 'no-such-host.invalid');
      const unknown = await pullNow(w);
      expect(unknown.LastError).toMatch(/was not found \(DNS\)/);
      // A folder that does not exist.
      await configurePull(w, s, { Folder: `${s.folder}/missing` });
      const missing = await pullNow(w);
      expect(missing.LastError).toMatch(/missing/);
      expect(missing.Runs.map((r: { Status: string }) => r.Status)).toEqual(['ERROR', 'ERROR', 'ERROR', 'ERROR']);
      // Fixed: the next pull works and the error is gone.
      await configurePull(w, s);
      const fixed = await pullNow(w);
      expect(fixed).toMatchObject({ LastPullStatus: 'OK', LastError: null });
      expect(fixed.Runs[0]).toMatchObject({ FilesPulled: 1 });
      expect((await t.ctx.db.query('select id from returns_batches')).rows).toHaveLength(1);
    });

    it('keeps the credentials encrypted and never returns them', async () => {
      const s = server();
      const w = await pullWorld(t, db().clock);
      await configurePull(w, s);
      const answers = [await saveCredentials(w, s.credentials)];
      answers.push(expectOk(await w.client.get(`/api/v1/event-types/${w.eventTypeId}/pull`)));
      answers.push(expectOk(await w.client.get(`/api/v1/event-types/${w.eventTypeId}`)));
      const secrets = Object.values(s.credentials).map((v) => v.trim().split('\n').slice(1, 2).join('') || v);
      for (const answer of answers) for (const secret of secrets) expect(JSON.stringify(answer)).not.toContain(secret);
      const { rows } = await t.ctx.db.query<{ secret: string; kind: string }>('select credentials_encrypted as secret, credentials_kind as kind from returns_pull_connections');
      expect(rows).toHaveLength(1);
      expect(rows[0]!.secret).toMatch(/^v1:/);
      for (const secret of secrets) expect(rows[0]!.secret).not.toContain(secret);
      const { rows: audit } = await t.ctx.db.query<{ detail: unknown }>(`select detail from audit_events where action = 'event_type.pull_credentials_saved'`);
      expect(audit).toHaveLength(1);
      for (const secret of secrets) expect(JSON.stringify(audit)).not.toContain(secret);
      // The key of secrets at rest decrypts it (the test app's SECRETS_KEY).
      expect(TEST_SECRETS_KEY).toHaveLength(64);
      // Removing them: pulls fail, saying so.
      const removed = expectOk(await w.client.delete(`/api/v1/event-types/${w.eventTypeId}/pull/credentials`));
      expect(removed.Credentials).toMatchObject({ Set: false, Kind: null });
      const test = expectOk(await w.client.post(`/api/v1/event-types/${w.eventTypeId}/pull/test`));
      expect(test.Error).toMatch(/No password or private key is saved/);
    });

    more?.(() => ({ t, clock: db().clock }));
  });
}
