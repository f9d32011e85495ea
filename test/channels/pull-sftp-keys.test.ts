/**
 * Pulls from a real OpenSSH server (Debian's sshd on a free port, its own config and host
 * key; the current user logs in with an ed25519 key with a passphrase that the test
 * generates): the host key, recorded on first connect, a changed one refused, forgotten
 * on request; and the private keys a brand saves.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, expect, it } from 'vitest';
import { expectOk } from '../support/api-helpers.js';
import { sshFingerprint, sshKeygen, startSshd, type Sshd } from '../support/pull-servers.js';
import { configurePull, PULL_TEST_HOSTS, pullNow, pullWorld, saveCredentials, writeRemote, type PullServerUnderTest } from './pull-suite.js';
import { startTestApp, type TestApp } from '../support/app.js';
import { describeDb } from '../support/db.js';

let sshd: Sshd;
let under: PullServerUnderTest;
let keys: ReturnType<typeof sshKeygen>;
let protectedKeys: ReturnType<typeof sshKeygen>;

beforeAll(async () => {
  sshd = await startSshd();
  const clientDir = fs.mkdtempSync(path.join(os.tmpdir(), 'lockstep-sshkey-'));
  // The suite logs in with a key without a passphrase (bcrypt-decrypting one costs a second of CPU a connection); one with a passphrase is tested below.
  keys = sshKeygen(clientDir, 'brand_key');
  protectedKeys = sshKeygen(clientDir, 'brand_key_protected', 'a passphrase');
  sshd.authorize(keys.publicKey);
  sshd.authorize(protectedKeys.publicKey);
  const base = path.join(sshd.dir, 'brand');
  under = {
    protocol: 'SFTP',
    port: sshd.port,
    username: sshd.user,
    localPath: (remote) => remote,
    folder: path.join(base, 'in'),
    resultFolder: path.join(base, 'out'),
    credentials: { PrivateKey: keys.privateKey },
    wrongCredentials: { Password: 'not-the-password' },
  };
}, 60_000);
afterAll(async () => sshd?.stop());

describeDb('pull from an SFTP server (OpenSSH): keys', (db) => {
  let app: TestApp;
  beforeEach(async () => {
    app = await startTestApp(db(), { pullAllowedHosts: PULL_TEST_HOSTS });
    fs.rmSync(under.folder, { recursive: true, force: true });
    fs.mkdirSync(under.folder, { recursive: true });
  });
  afterEach(async () => app.close());
  const context = () => ({ t: app, clock: db().clock });

  it("records the server's host key on first connect, refuses a changed one, and records anew once it is forgotten", async () => {
    const { t, clock } = context();
    const w = await pullWorld(t, clock);
    await configurePull(w, under);
    await saveCredentials(w, under.credentials);
    writeRemote(under, 'returns_k.csv', `ActionId,Amount,Reason\n${w.ids[0]},20.00,ITEM_RETURNED\n`);
    const first = expectOk(await w.client.post(`/api/v1/event-types/${w.eventTypeId}/pull/test`));
    const fingerprint = sshFingerprint(`${sshd.hostKeyFile}.pub`);
    expect(first).toMatchObject({ Ok: true, Trust: 'pinned', ServerKey: { Server: `sftp://127.0.0.1:${sshd.port}`, Key: fingerprint, RecordedNow: true } });
    const status = expectOk(await w.client.get(`/api/v1/event-types/${w.eventTypeId}/pull`));
    expect(status.ServerKey).toMatchObject({ Key: fingerprint });
    expect(expectOk(await w.client.post(`/api/v1/event-types/${w.eventTypeId}/pull/test`)).ServerKey).toMatchObject({ RecordedNow: false });

    await sshd.restart({ newHostKey: true });
    const changed = sshFingerprint(`${sshd.hostKeyFile}.pub`);
    expect(changed).not.toBe(fingerprint);
    const refused = await pullNow(w);
    expect(refused.LastError).toContain("The server's key changed");
    expect(refused.LastError).toContain(fingerprint);
    expect(refused.LastError).toContain(changed);
    expect((await t.ctx.db.query('select id from returns_batches')).rows).toEqual([]);
    expect(expectOk(await w.client.get(`/api/v1/event-types/${w.eventTypeId}/pull`)).ServerKey.Key).toBe(fingerprint);

    const forgotten = expectOk(await w.client.delete(`/api/v1/event-types/${w.eventTypeId}/pull/server-key`));
    expect(forgotten.ServerKey).toBeNull();
    const pulled = await pullNow(w);
    expect(pulled).toMatchObject({ LastPullStatus: 'OK', ServerKey: { Key: changed } });
    expect(pulled.Runs[0]).toMatchObject({ FilesPulled: 1 });
  }, 60_000);

  it('logs in with a key protected by a passphrase, and refuses a private key that cannot be read', async () => {
    const { t, clock } = context();
    const w = await pullWorld(t, clock);
    await configurePull(w, under);
    const bad = await w.client.request({ method: 'PUT', url: `/api/v1/event-types/${w.eventTypeId}/pull/credentials`, payload: { PrivateKey: protectedKeys.privateKey, Passphrase: 'wrong' } });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().detail).toMatch(/passphrase/);
    const none = await w.client.request({ method: 'PUT', url: `/api/v1/event-types/${w.eventTypeId}/pull/credentials`, payload: { PrivateKey: protectedKeys.privateKey } });
    expect(none.statusCode).toBe(400);
    const pub = await w.client.request({ method: 'PUT', url: `/api/v1/event-types/${w.eventTypeId}/pull/credentials`, payload: { PrivateKey: keys.publicKey } });
    expect(pub.statusCode).toBe(400);
    const both = await w.client.request({ method: 'PUT', url: `/api/v1/event-types/${w.eventTypeId}/pull/credentials`, payload: { Password: 'x', PrivateKey: keys.privateKey } });
    expect(both.statusCode).toBe(400);
    expect((await t.ctx.db.query('select * from returns_pull_connections')).rows).toEqual([]);
    await saveCredentials(w, { PrivateKey: protectedKeys.privateKey, Passphrase: 'a passphrase' });
    expect(expectOk(await w.client.post(`/api/v1/event-types/${w.eventTypeId}/pull/test`))).toMatchObject({ Ok: true, Error: null });
  });
});
