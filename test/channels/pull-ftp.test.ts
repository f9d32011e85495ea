/**
 * Pulls from a real plain FTP server (pyftpdlib): the cases every protocol shares
 * (pull-suite.ts). Plain FTP sends the password in the clear; it is there for servers
 * that cannot do TLS, and the UI says so.
 */
import net from 'node:net';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { configurePulls } from '../../src/channels/pull/index.js';
import { expectOk } from '../support/api-helpers.js';
import { testConfig } from '../support/app.js';
import { startFtpServer, type FtpServer } from '../support/pull-servers.js';
import { amountsOf, PULL_TEST_HOSTS, configurePull, ftpUnderTest, pullNow, pullSuite, pullWorld, saveCredentials, writeRemote, type PullServerUnderTest } from './pull-suite.js';

let ftpd: FtpServer;
let under: PullServerUnderTest;

beforeAll(async () => {
  ftpd = await startFtpServer();
  under = ftpUnderTest(ftpd, 'FTP');
}, 60_000);
afterAll(async () => ftpd?.stop());

pullSuite('pull from a plain FTP server (pyftpdlib)', () => under, (context) => {
  it('trusts nothing it could pin, and refuses a private key: FTP logs in with a password', async () => {
    const { t, clock } = context();
    const w = await pullWorld(t, clock);
    await configurePull(w, under);
    await saveCredentials(w, under.credentials);
    const test = expectOk(await w.client.post(`/api/v1/event-types/${w.eventTypeId}/pull/test`));
    expect(test).toMatchObject({ Ok: true, Trust: 'none', ServerKey: null, Matches: [] });
    const keyPair = (await import('ssh2')).default.utils.generateKeyPairSync('ed25519');
    await saveCredentials(w, { PrivateKey: keyPair.private });
    const withKey = expectOk(await w.client.post(`/api/v1/event-types/${w.eventTypeId}/pull/test`));
    expect(withKey).toMatchObject({ Ok: false });
    expect(withKey.Error).toMatch(/FTP logs in with a password/);
  });

  it('refuses a host at an internal address unless the operator allows it (PULL_ALLOWED_HOSTS)', async () => {
    const { t, clock } = context();
    const w = await pullWorld(t, clock);
    await saveCredentials(w, under.credentials);
    configurePulls(testConfig());
    try {
      for (const host of ['127.0.0.1', 'localhost', '169.254.169.254', '10.1.2.3']) {
        await configurePull(w, under, {}, host);
        const test = expectOk(await w.client.post(`/api/v1/event-types/${w.eventTypeId}/pull/test`));
        expect(test.Error, host).toMatch(/is an internal address of the platform's network/);
      }
    } finally {
      configurePulls(testConfig({ pullAllowedHosts: PULL_TEST_HOSTS }));
    }
  });

  it('bounds every wait (a server that accepts the connection and never answers) and takes at most PULL_MAX_FILES new files a pull', async () => {
    const { t, clock } = context();
    const w = await pullWorld(t, clock);
    const silent = net.createServer(() => undefined);
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    configurePulls({ ...testConfig({ pullAllowedHosts: PULL_TEST_HOSTS }), pullTimeoutMs: 1000, pullMaxFiles: 1 });
    try {
      await configurePull(w, { ...under, port: (silent.address() as net.AddressInfo).port });
      await saveCredentials(w, under.credentials);
      const started = Date.now();
      const test = expectOk(await w.client.post(`/api/v1/event-types/${w.eventTypeId}/pull/test`));
      expect(test.Error).toMatch(/No answer from 127\.0\.0\.1:\d+ within 1 s/);
      expect(Date.now() - started).toBeLessThan(10_000);

      await configurePull(w, under);
      writeRemote(under, 'returns_m1.csv', `ActionId,Amount,Reason\n${w.ids[0]},11.00,ITEM_RETURNED\n`, new Date('2026-01-01T00:00:00Z'));
      writeRemote(under, 'returns_m2.csv', `ActionId,Amount,Reason\n${w.ids[1]},12.00,ITEM_RETURNED\n`, new Date('2026-01-02T00:00:00Z'));
      const first = await pullNow(w);
      expect(first.Runs[0]).toMatchObject({ Status: 'OK', FilesMatched: 2, FilesPulled: 1 });
      expect(first.Files.map((f: { FileName: string }) => f.FileName)).toEqual(['returns_m1.csv']);
      const second = await pullNow(w);
      expect(second.Runs[0]).toMatchObject({ Status: 'OK', FilesMatched: 2, FilesPulled: 1, FilesSkipped: 1 });
      expect(await amountsOf(t.ctx.db, w.ids.slice(0, 2))).toEqual(['1100', '1200']);
    } finally {
      configurePulls(testConfig({ pullAllowedHosts: PULL_TEST_HOSTS }));
      silent.close();
    }
  });
});
