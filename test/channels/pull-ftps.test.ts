/**
 * Pulls from a real FTPS server (pyftpdlib with TLS required on the control and data
 * connections, explicit AUTH TLS, a self-signed certificate made by openssl): the cases
 * every protocol shares (pull-suite.ts), and the certificate, which no certificate
 * authority vouches for, trusted on first use and pinned.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { expectOk } from '../support/api-helpers.js';
import { startFtpServer, type FtpServer } from '../support/pull-servers.js';
import { configurePull, ftpUnderTest, pullSuite, pullWorld, saveCredentials, type PullServerUnderTest } from './pull-suite.js';

let ftpd: FtpServer;
let under: PullServerUnderTest;

beforeAll(async () => {
  ftpd = await startFtpServer({ tls: true });
  under = ftpUnderTest(ftpd, 'FTPS');
}, 60_000);
afterAll(async () => ftpd?.stop());

pullSuite('pull from an FTPS server (pyftpdlib, TLS)', () => under, (context) => {
  it('pins the self-signed certificate on first connect; plain FTP to a TLS-only server is refused', async () => {
    const { t, clock } = context();
    const w = await pullWorld(t, clock);
    await configurePull(w, under);
    await saveCredentials(w, under.credentials);
    const test = expectOk(await w.client.post(`/api/v1/event-types/${w.eventTypeId}/pull/test`));
    expect(test).toMatchObject({ Ok: true, Trust: 'pinned', ServerKey: { Server: `ftps://127.0.0.1:${ftpd.port}`, RecordedNow: true } });
    expect(test.ServerKey.Key).toMatch(/^TLS certificate SHA256:[0-9a-f]{64}$/);
    // The server requires TLS: logging in without it is refused, and said so.
    await configurePull(w, { ...under, protocol: 'FTP' });
    const plain = expectOk(await w.client.post(`/api/v1/event-types/${w.eventTypeId}/pull/test`));
    expect(plain.Ok).toBe(false);
    expect(plain.Error).toMatch(/refused the login|TLS|SSL/i);
  });
});
