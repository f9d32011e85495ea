/**
 * The SFTP server's host key: what clients pin in known_hosts, so it must outlive restarts.
 *
 * - SFTP_HOST_KEY set: that file, a private key in OpenSSH or PEM format without a
 *   passphrase, as sshd keeps its own (an operator's file, e.g. shared by every instance
 *   behind one address); generated there (ed25519, mode 0600) if it does not exist.
 * - Unset: `DATA_DIR/sftp_host_ed25519_key.enc`, generated on first start, encrypted at
 *   rest with the key of the bank details (src/core/secrets.ts: SECRETS_KEY, or the key
 *   file beside it), so a copy of the data folder or a backup without that key does not
 *   give away the server's identity.
 *
 * Either file must not be readable by others (mode 0600); one that is, or that does not
 * hold a private key, fails the start with what to do.
 */
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import ssh2 from 'ssh2';
import { decryptSecret, encryptSecret, loadSecretsKey } from '../../core/secrets.js';
import { fingerprintOf } from '../../modules/sftp-access/public-keys.js';

const { utils } = ssh2;

export const HOST_KEY_FILE = 'sftp_host_ed25519_key.enc';

export interface HostKey {
  /** The private key as ssh2 takes it. */
  privateKey: Buffer;
  file: string;
  /** SHA256:… as ssh-keygen -l and a client's first-connection prompt print it. */
  fingerprint: string;
  created: boolean;
}

export interface HostKeyOptions {
  dataDir: string;
  /** SFTP_HOST_KEY: a plain private key file; unset, the encrypted one under dataDir. */
  hostKeyFile: string | undefined;
  /** SECRETS_KEY, for the encrypted file. */
  secretsKey: string | undefined;
}

function assertPrivate(file: string): void {
  const stat = fs.statSync(file);
  if (process.platform !== 'win32' && (stat.mode & 0o077) !== 0) {
    throw new Error(`The SFTP host key ${file} can be read by other users; run "chmod 600 ${file}" and start again.`);
  }
}

function hostKeyOf(privateKey: Buffer, file: string, created: boolean): HostKey {
  const parsed = utils.parseKey(privateKey);
  if (parsed instanceof Error || Array.isArray(parsed) || !parsed?.isPrivateKey()) {
    throw new Error(`${file} is not an unencrypted SSH private key; make one with ssh-keygen -t ed25519 -N '' -f ${file}, or remove the file to have one generated.`);
  }
  return { privateKey, file, fingerprint: fingerprintOf(parsed.getPublicSSH()), created };
}

/** Writes `content` at `file` unless it exists (false then): under a temporary name, linked into place, so two processes starting at once agree on one key. */
function writeExclusively(file: string, content: string): boolean {
  fs.mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
  const temporary = `${file}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`;
  fs.writeFileSync(temporary, content, { mode: 0o600, flag: 'wx' });
  try {
    fs.linkSync(temporary, file);
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    return false;
  } finally {
    fs.rmSync(temporary, { force: true });
  }
}

const generate = () => utils.generateKeyPairSync('ed25519', { comment: 'lockstep sftp host key' }).private;

export function loadOrCreateHostKey(options: HostKeyOptions): HostKey {
  if (options.hostKeyFile !== undefined) {
    const file = options.hostKeyFile;
    const created = !fs.existsSync(file) && writeExclusively(file, generate());
    assertPrivate(file);
    return hostKeyOf(fs.readFileSync(file), file, created);
  }
  const file = path.join(options.dataDir, HOST_KEY_FILE);
  const { key } = loadSecretsKey({ dataDir: options.dataDir, ...(options.secretsKey !== undefined ? { secretsKey: options.secretsKey } : {}) });
  const created = !fs.existsSync(file) && writeExclusively(file, `${encryptSecret(key, generate())}\n`);
  assertPrivate(file);
  return hostKeyOf(Buffer.from(decryptSecret(key, fs.readFileSync(file, 'utf8').trim())), file, created);
}
