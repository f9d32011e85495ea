import { TLSSocket } from 'node:tls';
import { Writable, type Readable } from 'node:stream';
import { Client, FTPError, type FileInfo } from 'basic-ftp';
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

function describeFtpError(error: unknown, what: string, path: string): PullError {
  if (error instanceof PullError) return error;
  if (error instanceof FTPError) {
    if (error.code === 550) return new PullError(`The server refused ${what} ${path}: ${error.message.replace(/^550 /, '')} (550). Check the folder and the account's rights on it.`);
    return new PullError(`The server refused ${what} ${path}: ${error.message}`);
  }
  const message = String((error as Error).message ?? error);
  if (/timeout/i.test(message)) return new PullError(`No answer from the server while ${what} ${path}.`);
  return new PullError(`The server failed ${what} ${path}: ${message}`);
}

/**
 * FTPS (explicit TLS, `AUTH TLS`) or plain FTP through basic-ftp. The steps of basic-ftp's
 * `access` are taken one by one so that the server's certificate is checked before the
 * password is sent: a certificate a certificate authority vouches for (for this host name)
 * is accepted as it renews; any other (a self-signed one) is trusted on first use and
 * pinned, like an SSH host key. basic-ftp's timeout bounds every wait on the control and
 * data connections.
 */
export async function openFtp(settings: PullSettings, credentials: PullCredentials, options: OpenOptions): Promise<RemoteSession> {
  if (credentials.kind !== 'PASSWORD') {
    throw new PullError(`${settings.protocol} logs in with a password; a private key is for SFTP. Save a password for this pull.`);
  }
  const timeoutMs = options.timeoutMs;
  const client = new Client(timeoutMs);
  const abort = () => client.close();
  let serverKey: ServerKey | null = null;
  let trust: RemoteSession['trust'] = 'none';
  try {
    await withTimeout(client.connect(options.address, settings.port), timeoutMs + 1000, 'connecting', abort);
    if (settings.protocol === 'FTPS') {
      try {
        // biome-ignore lint/correctness/useHookAtTopLevel: basic-ftp's method, not a React hook
        await client.useTLS({ host: settings.host, servername: /^[0-9.:]+$/.test(settings.host) ? '' : settings.host, rejectUnauthorized: false });
      } catch (error) {
        if (error instanceof FTPError) throw new PullError(`${settings.host}:${settings.port} does not offer FTPS (AUTH TLS was refused: ${error.message}). Choose plain FTP only if the server cannot do TLS.`);
        throw error;
      }
      const socket = client.ftp.socket;
      if (!(socket instanceof TLSSocket)) throw new PullError('The TLS connection to the server could not be established.');
      if (socket.authorized) trust = 'certificate-authority';
      else {
        const certificate = socket.getPeerCertificate();
        const key = `TLS certificate SHA256:${String(certificate.fingerprint256 ?? '').replace(/:/g, '').toLowerCase()}`;
        serverKey = { for: serverKeyFor(settings), key };
        if (options.recordedKey && options.recordedKey.for === serverKey.for && options.recordedKey.key !== key) throw hostKeyChanged(options.recordedKey, key);
        trust = 'pinned';
      }
    }
    await client.sendIgnoringError('OPTS UTF8 ON');
    try {
      await client.login(settings.username, credentials.password);
    } catch (error) {
      if (error instanceof FTPError && (error.code === 530 || error.code === 430)) {
        throw new PullError(`${settings.host}:${settings.port} refused the login of user ${settings.username}: ${error.message} (wrong password or no such user). Check the username and save the password again.`);
      }
      throw error;
    }
    // biome-ignore lint/correctness/useHookAtTopLevel: basic-ftp's method, not a React hook
    await client.useDefaultSettings();
  } catch (error) {
    client.close();
    throw describeConnectError(error, settings, timeoutMs);
  }

  const modifiedAt = async (info: FileInfo, path: string): Promise<Date | null> => {
    if (info.modifiedAt && !Number.isNaN(info.modifiedAt.getTime())) return info.modifiedAt;
    try {
      return await client.lastMod(path);
    } catch {
      return null;
    }
  };

  return {
    serverKey,
    trust,
    async list(folder) {
      let entries: FileInfo[];
      try {
        entries = await client.list(folder);
      } catch (error) {
        throw describeFtpError(error, 'listing', folder);
      }
      const files: RemoteFile[] = [];
      for (const entry of entries.filter((e) => e.isFile)) {
        files.push({ name: entry.name, size: entry.size, modifiedAt: await modifiedAt(entry, `${folder.replace(/\/+$/, '')}/${entry.name}`) });
      }
      return files;
    },
    async download(path, maxBytes) {
      const parts: Buffer[] = [];
      let bytes = 0;
      const sink = new Writable({
        write(chunk: Buffer, _encoding, callback) {
          bytes += chunk.length;
          if (bytes > maxBytes) return callback(new PullError(`${path} is larger than ${Math.floor(maxBytes / 1024 / 1024)} MiB; split it into smaller files.`));
          parts.push(chunk);
          callback();
        },
      });
      try {
        await client.downloadTo(sink, path);
      } catch (error) {
        throw describeFtpError(error, 'downloading', path);
      }
      return Buffer.concat(parts);
    },
    async upload(path, content: Readable) {
      try {
        await client.uploadFrom(content, path);
      } catch (error) {
        throw describeFtpError(error, 'uploading', path);
      }
    },
    async remove(path) {
      try {
        await client.remove(path);
      } catch (error) {
        throw describeFtpError(error, 'deleting', path);
      }
    },
    async close() {
      client.close();
    },
  };
}
