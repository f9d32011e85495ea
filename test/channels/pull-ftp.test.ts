/**
 * Pulls from a real plain FTP server (pyftpdlib): the cases every protocol shares
 * (pull-suite.ts). Plain FTP sends the password in the clear; it is there for servers
 * that cannot do TLS, and the UI says so.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { expectOk } from '../support/api-helpers.js';
import { startFtpServer, type FtpServer } from '../support/pull-servers.js';
import { configurePull, ftpUnderTest, pullSuite, pullWorld, saveCredentials, type PullServerUnderTest } from './pull-suite.js';

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
});
