/**
 * The SFTP server's host key: what clients pin in known_hosts, so it must outlive restarts.
 * Generated (ed25519, OpenSSH format) on first start at SFTP_HOST_KEY, or
 * `DATA_DIR/sftp_host_ed25519_key` when that is not set, with mode 0600 as sshd keeps its
 * own; read from then on. A key file that others can read, or that is not a private key,
 * fails the start with what to do.
 */
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import ssh2 from 'ssh2';
import { fingerprintOf } from '../../modules/sftp-access/public-keys.js';

const { utils } = ssh2;

export const HOST_KEY_FILE = 'sftp_host_ed25519_key';

export interface HostKey {
  /** The private key as ssh2 takes it. */
  privateKey: Buffer;
  file: string;
  /** SHA256:… as ssh-keygen -l and a client's first-connection prompt print it. */
  fingerprint: string;
  created: boolean;
}

function readHostKey(file: string, created: boolean): HostKey {
  const stat = fs.statSync(file);
  if (process.platform !== 'win32' && (stat.mode & 0o077) !== 0) {
    throw new Error(`The SFTP host key ${file} can be read by other users; run "chmod 600 ${file}" and start again.`);
  }
  const privateKey = fs.readFileSync(file);
  const parsed = utils.parseKey(privateKey);
  if (parsed instanceof Error || Array.isArray(parsed) || !parsed?.isPrivateKey()) {
    throw new Error(`${file} is not an unencrypted SSH private key; make one with ssh-keygen -t ed25519 -N '' -f ${file}, or remove the file to have one generated.`);
  }
  return { privateKey, file, fingerprint: fingerprintOf(parsed.getPublicSSH()), created };
}

export function loadOrCreateHostKey(options: { dataDir: string; hostKeyFile: string | undefined }): HostKey {
  const file = options.hostKeyFile ?? path.join(options.dataDir, HOST_KEY_FILE);
  if (fs.existsSync(file)) return readHostKey(file, false);
  fs.mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
  const pair = utils.generateKeyPairSync('ed25519', { comment: 'lockstep sftp host key' });
  // Written under a temporary name and linked into place: two processes starting at once agree on one key.
  const temporary = `${file}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`;
  fs.writeFileSync(temporary, pair.private, { mode: 0o600, flag: 'wx' });
  let created = true;
  try {
    fs.linkSync(temporary, file);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    created = false;
  } finally {
    fs.rmSync(temporary, { force: true });
  }
  return readHostKey(file, created);
}
