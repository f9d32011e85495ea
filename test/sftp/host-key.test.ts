/**
 * The SFTP server's host key: generated once and kept, encrypted at rest under DATA_DIR
 * with the key of the bank details, or the operator's own OpenSSH key file (SFTP_HOST_KEY),
 * whose fingerprint is the one ssh-keygen prints; a key file others can read is refused.
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { HOST_KEY_FILE, loadOrCreateHostKey } from '../../src/channels/sftp-server/host-key.js';
import { generateSecretsKeyText } from '../../src/core/secrets.js';
import { tempDir } from './support.js';

describe('the SFTP host key', () => {
  const dir = tempDir('lockstep-host-key-');
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('is generated under DATA_DIR encrypted with SECRETS_KEY, the same at every start, and unreadable with another key', () => {
    const dataDir = path.join(dir, 'data');
    const secretsKey = generateSecretsKeyText();
    const first = loadOrCreateHostKey({ dataDir, hostKeyFile: undefined, secretsKey });
    expect(first).toMatchObject({ created: true, file: path.join(dataDir, HOST_KEY_FILE) });
    expect(first.fingerprint).toMatch(/^SHA256:[A-Za-z0-9+/]{43}$/);
    const stored = fs.readFileSync(first.file, 'utf8');
    expect(stored).toMatch(/^v1:/);
    expect(stored).not.toContain('PRIVATE KEY');
    expect(fs.statSync(first.file).mode & 0o777).toBe(0o600);
    const again = loadOrCreateHostKey({ dataDir, hostKeyFile: undefined, secretsKey });
    expect(again).toMatchObject({ created: false, fingerprint: first.fingerprint });
    expect(() => loadOrCreateHostKey({ dataDir, hostKeyFile: undefined, secretsKey: generateSecretsKeyText() })).toThrow(/another key/);
  });

  it('takes an OpenSSH key file given as SFTP_HOST_KEY, and refuses one that others can read', () => {
    const file = path.join(dir, 'ssh_host_ed25519_key');
    execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', file]);
    const printed = execFileSync('ssh-keygen', ['-l', '-E', 'sha256', '-f', `${file}.pub`]).toString().split(' ')[1];
    expect(loadOrCreateHostKey({ dataDir: dir, hostKeyFile: file, secretsKey: undefined })).toMatchObject({ created: false, fingerprint: printed });
    fs.chmodSync(file, 0o644);
    expect(() => loadOrCreateHostKey({ dataDir: dir, hostKeyFile: file, secretsKey: undefined })).toThrow(/chmod 600/);
    const missing = path.join(dir, 'keys', 'generated_key');
    const made = loadOrCreateHostKey({ dataDir: dir, hostKeyFile: missing, secretsKey: undefined });
    expect(made.created).toBe(true);
    expect(fs.readFileSync(missing, 'utf8')).toContain('BEGIN OPENSSH PRIVATE KEY');
    fs.writeFileSync(path.join(dir, 'not-a-key'), 'hello', { mode: 0o600 });
    expect(() => loadOrCreateHostKey({ dataDir: dir, hostKeyFile: path.join(dir, 'not-a-key'), secretsKey: undefined })).toThrow(/not an unencrypted SSH private key/);
  });
});
