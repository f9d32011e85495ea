/**
 * Pulls from a real OpenSSH server (Debian's sshd on a free port, its own config and host
 * key; the current user logs in with an ed25519 key that the test generates): the cases every protocol shares (pull-suite.ts). The host key and the
 * private keys are in pull-sftp-keys.test.ts.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll } from 'vitest';
import { sshKeygen, startSshd, type Sshd } from '../support/pull-servers.js';
import { pullSuite, type PullServerUnderTest } from './pull-suite.js';

let sshd: Sshd;
let under: PullServerUnderTest;
let keys: ReturnType<typeof sshKeygen>;

beforeAll(async () => {
  sshd = await startSshd();
  const clientDir = fs.mkdtempSync(path.join(os.tmpdir(), 'lockstep-sshkey-'));
  // A key without a passphrase (bcrypt-decrypting one costs a second of CPU a connection); one with a passphrase is in pull-sftp-keys.test.ts.
  keys = sshKeygen(clientDir, 'brand_key');
  sshd.authorize(keys.publicKey);
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

pullSuite('pull from an SFTP server (OpenSSH)', () => under);
