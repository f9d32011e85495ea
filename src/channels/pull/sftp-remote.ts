import { createHash } from 'node:crypto';
import { Writable, type Readable } from 'node:stream';
import SftpClient from 'ssh2-sftp-client';
import type { PullSettings } from '../../modules/programs/returns-settings.js';
import {
  describeConnectError,
  hostKeyChanged,
  PullError,
  serverKeyFor,
  withTimeout,
  type OpenOptions,
  type PullCredentials,
  type RemoteFile,
  type RemoteSession,
  type ServerKey,
} from './remote.js';

/** `ssh-ed25519 SHA256:…`: the key's type (the first string of its wire form) and its SHA-256, as `ssh-keygen -l` prints them. */
export function sshKeyFingerprint(blob: Buffer): string {
  const typeLength = blob.length >= 4 ? blob.readUInt32BE(0) : 0;
  const type = typeLength > 0 && typeLength < 64 && blob.length >= 4 + typeLength ? blob.subarray(4, 4 + typeLength).toString('latin1') : 'ssh';
  return `${type} SHA256:${createHash('sha256').update(blob).digest('base64').replace(/=+$/, '')}`;
}

/** Calls `onIdle` when `touch` was not called for `ms` (a transfer that stalls); `timedOut` tells it happened. */
function idleTimer(ms: number, onIdle: () => void) {
  let timer: NodeJS.Timeout | undefined;
  const state = {
    timedOut: false,
    touch() {
      clearTimeout(timer);
      timer = setTimeout(() => {
        state.timedOut = true;
        onIdle();
      }, ms);
    },
    clear() {
      clearTimeout(timer);
    },
  };
  return state;
}

function describeSftpError(error: unknown, what: string, path: string): PullError {
  if (error instanceof PullError) return error;
  const err = error as { code?: number | string; message?: string };
  const message = String(err.message ?? error);
  if (err.code === 2 || /No such file/i.test(message)) return new PullError(`${path} does not exist on the server (while ${what}). Check the folder.`);
  if (err.code === 3 || /Permission denied/i.test(message)) return new PullError(`The server refused ${what} ${path}: permission denied. Check the account's rights on the folder.`);
  return new PullError(`The server failed ${what} ${path}: ${message.replace(/^[a-zA-Z]+: /, '')}`);
}

export async function openSftp(settings: PullSettings, credentials: PullCredentials, options: OpenOptions): Promise<RemoteSession> {
  const client = new SftpClient('lockstep-pull');
  const keyFor = serverKeyFor(settings);
  let presented: ServerKey | null = null;
  let refused: PullError | null = null;
  const timeoutMs = options.timeoutMs;
  try {
    await withTimeout(
      client.connect({
        host: options.address,
        port: settings.port,
        username: settings.username,
        ...(credentials.kind === 'PASSWORD'
          ? { password: credentials.password }
          : { privateKey: credentials.privateKey, ...(credentials.passphrase ? { passphrase: credentials.passphrase } : {}) }),
        readyTimeout: timeoutMs,
        // Trust on first use: the key is compared before any credential is sent.
        hostVerifier: (key: Buffer) => {
          presented = { for: keyFor, key: sshKeyFingerprint(key) };
          if (options.recordedKey && options.recordedKey.for === keyFor && options.recordedKey.key !== presented.key) {
            refused = hostKeyChanged(options.recordedKey, presented.key);
            return false;
          }
          return true;
        },
        retries: 0,
      } as SftpClient.ConnectOptions),
      timeoutMs + 1000,
      'connecting',
      () => void client.end().catch(() => undefined),
    );
  } catch (error) {
    await client.end().catch(() => undefined);
    if (refused) throw refused;
    const message = String((error as Error).message ?? error);
    if (/authentication methods failed|authentication failed/i.test(message)) {
      throw new PullError(
        `${settings.host}:${settings.port} refused the login of user ${settings.username}: ${credentials.kind === 'PASSWORD' ? 'wrong password' : 'the server does not accept this private key'} (or the user does not exist). Check the username and save the credentials again.`,
      );
    }
    if (/passphrase|encrypted private key|Cannot parse privateKey/i.test(message)) {
      throw new PullError('The private key cannot be read: a wrong passphrase, or not an OpenSSH or PEM private key. Save the key again.');
    }
    throw describeConnectError(error, settings, timeoutMs);
  }
  const abort = () => void client.end().catch(() => undefined);
  const session: RemoteSession = {
    serverKey: presented,
    trust: 'pinned',
    async list(folder) {
      let entries: SftpClient.FileInfo[];
      try {
        entries = await withTimeout(client.list(folder), timeoutMs, `listing ${folder}`, abort);
      } catch (error) {
        throw describeSftpError(error, 'listing', folder);
      }
      return entries
        .filter((e) => e.type === '-')
        .map((e): RemoteFile => ({ name: e.name, size: e.size, modifiedAt: Number.isFinite(e.modifyTime) ? new Date(e.modifyTime) : null }));
    },
    async download(path, maxBytes) {
      const parts: Buffer[] = [];
      let bytes = 0;
      const idle = idleTimer(timeoutMs, abort);
      const sink = new Writable({
        write(chunk: Buffer, _encoding, callback) {
          idle.touch();
          bytes += chunk.length;
          if (bytes > maxBytes) return callback(new PullError(`${path} is larger than ${Math.floor(maxBytes / 1024 / 1024)} MiB; split it into smaller files.`));
          parts.push(chunk);
          callback();
        },
      });
      idle.touch();
      try {
        await client.get(path, sink);
      } catch (error) {
        if (idle.timedOut) throw new PullError(`The download of ${path} stalled: no data for ${Math.round(timeoutMs / 1000)} s.`);
        throw describeSftpError(error, 'downloading', path);
      } finally {
        idle.clear();
      }
      if (idle.timedOut) throw new PullError(`The download of ${path} stalled: no data for ${Math.round(timeoutMs / 1000)} s.`);
      return Buffer.concat(parts);
    },
    async upload(path, content: Readable) {
      const idle = idleTimer(timeoutMs, abort);
      content.on('data', () => idle.touch());
      idle.touch();
      try {
        await client.put(content, path);
      } catch (error) {
        if (idle.timedOut) throw new PullError(`The upload of ${path} stalled: no progress for ${Math.round(timeoutMs / 1000)} s.`);
        throw describeSftpError(error, 'uploading', path);
      } finally {
        idle.clear();
      }
    },
    async remove(path) {
      try {
        await withTimeout(client.delete(path, true), timeoutMs, `deleting ${path}`, abort);
      } catch (error) {
        throw describeSftpError(error, 'deleting', path);
      }
    },
    async close() {
      await client.end().catch(() => undefined);
    },
  };
  return session;
}
