import { createSecretKey, randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import {
  SECRETS_KEY_FILE,
  SecretsError,
  decryptSecret,
  encryptSecret,
  generateSecretsKeyText,
  loadSecretsKey,
  parseSecretsKeyOrThrow,
} from '../../src/core/secrets.js';

const key = createSecretKey(randomBytes(32));
const posix = process.platform !== 'win32';

const dirs: string[] = [];
function tempDir(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lockstep-secrets-'));
  dirs.push(dir);
  return dir;
}
afterEach(() => {
  for (const dir of dirs.splice(0)) fs.rmSync(dir, { recursive: true, force: true });
});

/** Flips one bit of the base64 part `index` of a stored value. */
function tamper(text: string, index: number): string {
  const parts = text.split(':');
  const bytes = Buffer.from(parts[index]!, 'base64');
  bytes[0]! ^= 1;
  parts[index] = bytes.toString('base64');
  return parts.join(':');
}

describe('encryptSecret / decryptSecret', () => {
  it.each(['DE89370400440532013000', '', 'ünïcödé 山田 😀', 'x'.repeat(10_000)])('round-trips %j', (plaintext) => {
    const stored = encryptSecret(key, plaintext);
    expect(stored).toMatch(/^v1:[A-Za-z0-9+/]{16}:[A-Za-z0-9+/]{22}==:[A-Za-z0-9+/=]*$/);
    expect(decryptSecret(key, stored)).toBe(plaintext);
  });

  it('uses a fresh IV each time, so equal secrets are stored differently', () => {
    const a = encryptSecret(key, 'same');
    const b = encryptSecret(key, 'same');
    expect(a).not.toBe(b);
    expect(a.split(':')[1]).not.toBe(b.split(':')[1]);
  });

  it.each([
    ['the IV', 1],
    ['the tag', 2],
    ['the ciphertext', 3],
  ])('detects a change to %s', (_, index) => {
    const stored = encryptSecret(key, 'DE89370400440532013000');
    expect(() => decryptSecret(key, tamper(stored, index))).toThrow(/failed authentication: it was altered, or it was encrypted with another key/);
  });

  it('detects a wrong key', () => {
    const stored = encryptSecret(key, 'secret');
    expect(() => decryptSecret(createSecretKey(randomBytes(32)), stored)).toThrow(SecretsError);
  });

  it('detects a relabelled version and malformed values', () => {
    const stored = encryptSecret(key, 'secret');
    expect(() => decryptSecret(key, stored.replace(/^v1/, 'v2'))).toThrow('has version v2; this build reads v1 values');
    expect(() => decryptSecret(key, 'plain text')).toThrow('has no version');
    expect(() => decryptSecret(key, `${stored}:extra`)).toThrow('this one has 5');
    expect(() => decryptSecret(key, stored.split(':').slice(0, 3).join(':'))).toThrow('this one has 3');
    const [v, iv, tag, ct] = stored.split(':');
    expect(() => decryptSecret(key, [v, iv, tag, `${ct}!`].join(':'))).toThrow('its ciphertext is not base64');
    expect(() => decryptSecret(key, [v, 'AAAA', tag, ct].join(':'))).toThrow('its IV has 3 bytes instead of 12');
    expect(() => decryptSecret(key, [v, iv, tag!.slice(0, 8), ct].join(':'))).toThrow('its tag has 6 bytes instead of 16');
  });

  it('refuses a key that is not 32 bytes', () => {
    expect(() => encryptSecret(createSecretKey(randomBytes(16)), 'x')).toThrow('32-byte secret key');
  });
});

describe('parseSecretsKeyOrThrow', () => {
  const bytes = randomBytes(32);
  it.each([
    ['hex', bytes.toString('hex')],
    ['upper-case hex', bytes.toString('hex').toUpperCase()],
    ['base64', bytes.toString('base64')],
    ['base64url with padding', `${bytes.toString('base64url')}=`],
    ['hex with a trailing newline', `${bytes.toString('hex')}\n`],
  ])('reads %s', (_, text) => {
    expect(parseSecretsKeyOrThrow(text).export().equals(bytes)).toBe(true);
  });

  it.each([
    ['too short', 'abcd'],
    ['63 hex characters', 'a'.repeat(63)],
    ['a passphrase', 'correct horse battery staple correct horse battery'],
    ['base64 of 33 bytes', randomBytes(33).toString('base64')],
    ['base64 of 31 bytes', randomBytes(31).toString('base64')],
  ])('refuses %s without showing the value', (_, text) => {
    let message = '';
    try {
      parseSecretsKeyOrThrow(text);
    } catch (error) {
      message = (error as Error).message;
    }
    expect(message).toMatch(/^SECRETS_KEY must be 32 random bytes written as 64 hex characters or 44 base64 characters/);
    expect(message).not.toContain(text.trim());
  });
});

describe('loadSecretsKey', () => {
  it('uses SECRETS_KEY when it is set, and writes no file', () => {
    const dataDir = tempDir();
    const text = generateSecretsKeyText();
    const loaded = loadSecretsKey({ secretsKey: text, dataDir });
    expect(loaded).toMatchObject({ source: 'SECRETS_KEY', created: false });
    expect(loaded.key.export().toString('hex')).toBe(text);
    expect(fs.existsSync(path.join(dataDir, SECRETS_KEY_FILE))).toBe(false);
  });

  it('refuses a malformed SECRETS_KEY instead of falling back to the file', () => {
    expect(() => loadSecretsKey({ secretsKey: 'not-a-key', dataDir: tempDir() })).toThrow(/^SECRETS_KEY must be/);
  });

  it('creates the key file with mode 0600 on first use and reuses it afterwards', () => {
    const dataDir = path.join(tempDir(), 'data');
    const first = loadSecretsKey({ dataDir });
    const file = path.join(dataDir, SECRETS_KEY_FILE);
    expect(first).toMatchObject({ source: 'file', file, created: true });
    if (posix) expect(fs.statSync(file).mode & 0o777).toBe(0o600);
    expect(fs.readFileSync(file, 'utf8')).toMatch(/^[0-9a-f]{64}\n$/);
    expect(fs.readdirSync(dataDir)).toEqual([SECRETS_KEY_FILE]);

    const second = loadSecretsKey({ dataDir, secretsKey: '' });
    expect(second).toMatchObject({ source: 'file', created: false });
    expect(second.key.equals(first.key)).toBe(true);
    // What one process encrypted, the next one reads.
    expect(decryptSecret(second.key, encryptSecret(first.key, 'payout'))).toBe('payout');
  });

  it.skipIf(!posix)('refuses a key file other users can read', () => {
    const dataDir = tempDir();
    loadSecretsKey({ dataDir });
    const file = path.join(dataDir, SECRETS_KEY_FILE);
    fs.chmodSync(file, 0o644);
    expect(() => loadSecretsKey({ dataDir })).toThrow(`${file} can be read by other users (mode 0644); run "chmod 600 ${file}" (or set SECRETS_KEY instead)`);
  });

  it('refuses a key file that does not hold a key', () => {
    const dataDir = tempDir();
    const file = path.join(dataDir, SECRETS_KEY_FILE);
    fs.writeFileSync(file, 'garbage\n', { mode: 0o600 });
    expect(() => loadSecretsKey({ dataDir })).toThrow(`${file} must be 32 random bytes`);
  });
});
