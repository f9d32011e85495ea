/**
 * Small secrets at rest (bank account numbers, third-party credentials): AES-256-GCM with a
 * key that never lives in the database. A database dump or backup without the key reveals
 * nothing, and GCM's tag makes any change to a stored value (or a wrong key) an error
 * instead of a silently wrong account number.
 *
 * The stored text is `v1:<iv>:<tag>:<ciphertext>`, each part base64. The version comes first
 * so a later format (another cipher, a key id for rotation) can be read next to this one;
 * it is also bound to the ciphertext as additional data, so it cannot be relabelled.
 */
import { createCipheriv, createDecipheriv, createSecretKey, randomBytes, type KeyObject } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';

const VERSION = 'v1';
const CIPHER = 'aes-256-gcm';
const KEY_BYTES = 32;
const IV_BYTES = 12;
const TAG_BYTES = 16;

/** The key file's name inside the data directory, used when SECRETS_KEY is not set. */
export const SECRETS_KEY_FILE = 'secrets.key';

/** The error of every function here: a bad key, a malformed value, or one that fails authentication. */
export class SecretsError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SecretsError';
  }
}

export interface SecretsKey {
  key: KeyObject;
  /** Where the key came from: the SECRETS_KEY setting, or the key file in the data directory. */
  source: 'SECRETS_KEY' | 'file';
  /** The key file's path when source is 'file'. */
  file?: string;
  /** True when this call generated the key file (the operator should back it up). */
  created: boolean;
}

function assertKey(key: KeyObject): void {
  if (key.type !== 'secret' || key.symmetricKeySize !== KEY_BYTES) {
    throw new SecretsError(`The secrets key must be a ${KEY_BYTES}-byte secret key.`);
  }
}

/** Encrypts `plaintext` (UTF-8) under `key` with a fresh random IV; returns the versioned text form. */
export function encryptSecret(key: KeyObject, plaintext: string): string {
  assertKey(key);
  const iv = randomBytes(IV_BYTES);
  const cipher = createCipheriv(CIPHER, key, iv, { authTagLength: TAG_BYTES });
  cipher.setAAD(Buffer.from(VERSION));
  const ciphertext = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
  return [VERSION, iv.toString('base64'), cipher.getAuthTag().toString('base64'), ciphertext.toString('base64')].join(':');
}

const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

function base64Part(text: string, name: string, bytes?: number): Buffer {
  if (!BASE64.test(text)) throw new SecretsError(`The stored secret is malformed: its ${name} is not base64.`);
  const buffer = Buffer.from(text, 'base64');
  if (bytes !== undefined && buffer.length !== bytes) {
    throw new SecretsError(`The stored secret is malformed: its ${name} has ${buffer.length} bytes instead of ${bytes}.`);
  }
  return buffer;
}

/**
 * Decrypts a value written by encryptSecret. A value that was changed, truncated, or
 * encrypted under another key throws SecretsError; nothing partial is ever returned.
 */
export function decryptSecret(key: KeyObject, text: string): string {
  assertKey(key);
  const parts = text.split(':');
  if (parts[0] !== VERSION) {
    const version = /^v[0-9]+$/.test(parts[0] ?? '') ? `version ${parts[0]}` : 'no version';
    throw new SecretsError(`The stored secret has ${version}; this build reads ${VERSION} values (v1:<iv>:<tag>:<ciphertext>).`);
  }
  if (parts.length !== 4) throw new SecretsError(`The stored secret is malformed: a ${VERSION} value has 4 parts separated by ":", this one has ${parts.length}.`);
  const iv = base64Part(parts[1]!, 'IV', IV_BYTES);
  const tag = base64Part(parts[2]!, 'tag', TAG_BYTES);
  const ciphertext = base64Part(parts[3]!, 'ciphertext');
  const decipher = createDecipheriv(CIPHER, key, iv, { authTagLength: TAG_BYTES });
  decipher.setAAD(Buffer.from(VERSION));
  decipher.setAuthTag(tag);
  try {
    return Buffer.concat([decipher.update(ciphertext), decipher.final()]).toString('utf8');
  } catch {
    throw new SecretsError(
      'The stored secret failed authentication: it was altered, or it was encrypted with another key. Check that SECRETS_KEY (or the secrets.key file) is the one this data was written with.',
    );
  }
}

/**
 * A key written as text: 64 hex characters or 44 base64 characters (standard or URL-safe
 * alphabet), either way 32 bytes. The value itself never appears in a message.
 */
export function parseSecretsKeyOrThrow(text: string, name = 'SECRETS_KEY'): KeyObject {
  const value = text.trim();
  let bytes: Buffer | undefined;
  if (/^[0-9a-fA-F]{64}$/.test(value)) {
    bytes = Buffer.from(value, 'hex');
  } else if (/^[A-Za-z0-9+/]{43}=$/.test(value) || /^[A-Za-z0-9_-]{43}=$/.test(value)) {
    bytes = Buffer.from(value.replace(/-/g, '+').replace(/_/g, '/'), 'base64');
  }
  if (bytes?.length !== KEY_BYTES) {
    throw new SecretsError(
      `${name} must be ${KEY_BYTES} random bytes written as 64 hex characters or 44 base64 characters (for example the output of "openssl rand -hex 32"); the value given has ${value.length} characters and is neither.`,
    );
  }
  return createSecretKey(bytes);
}

/** A new random key in the text form the key file and SECRETS_KEY use (64 hex characters). */
export function generateSecretsKeyText(): string {
  return randomBytes(KEY_BYTES).toString('hex');
}

/** Reads an existing key file, refusing one that other users of the machine can read. */
function readKeyFile(file: string): KeyObject {
  const stat = fs.statSync(file);
  if (process.platform !== 'win32' && (stat.mode & 0o077) !== 0) {
    throw new SecretsError(
      `${file} can be read by other users (mode ${(stat.mode & 0o777).toString(8).padStart(4, '0')}); run "chmod 600 ${file}" (or set SECRETS_KEY instead) and start again.`,
    );
  }
  return parseSecretsKeyOrThrow(fs.readFileSync(file, 'utf8'), file);
}

/**
 * The key for secrets at rest. SECRETS_KEY wins when it is set (an empty value counts as
 * unset, as for every setting); otherwise the key is `<dataDir>/secrets.key`, created on
 * first use with mode 0600 and read from then on. The file is written under a temporary
 * name and linked into place, so two processes starting at once agree on one key and
 * neither can read a half-written file.
 */
export function loadSecretsKey(options: { secretsKey?: string; dataDir: string }): SecretsKey {
  if (options.secretsKey !== undefined && options.secretsKey.trim() !== '') {
    return { key: parseSecretsKeyOrThrow(options.secretsKey), source: 'SECRETS_KEY', created: false };
  }
  const file = path.join(options.dataDir, SECRETS_KEY_FILE);
  if (fs.existsSync(file)) return { key: readKeyFile(file), source: 'file', file, created: false };

  fs.mkdirSync(options.dataDir, { recursive: true, mode: 0o700 });
  const temporary = `${file}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`;
  const fd = fs.openSync(temporary, 'wx', 0o600);
  try {
    fs.writeSync(fd, `${generateSecretsKeyText()}\n`);
    fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
  let created = true;
  try {
    placeExclusively(temporary, file);
  } catch (error) {
    // Another process created the file first: use its key.
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    created = false;
  } finally {
    fs.rmSync(temporary, { force: true });
  }
  return { key: readKeyFile(file), source: 'file', file, created };
}

/**
 * Gives the finished temporary file its final name unless that name exists (EEXIST then). A
 * hard link does it atomically; file systems without hard links get an exclusive copy.
 */
function placeExclusively(temporary: string, file: string): void {
  try {
    fs.linkSync(temporary, file);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code !== 'EPERM' && code !== 'ENOTSUP' && code !== 'ENOSYS') throw error;
    fs.copyFileSync(temporary, file, fs.constants.COPYFILE_EXCL);
  }
}
