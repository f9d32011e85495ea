/**
 * One connection to a brand's server, whatever its protocol: list a folder's files,
 * download one (bounded), upload one, delete one. SFTP (ssh2-sftp-client) and FTP / FTPS
 * (basic-ftp) implement it (sftp-remote.ts, ftp-remote.ts). Every wait is bounded by the
 * pull timeout, and every failure is a PullError whose message tells the brand what went
 * wrong and what to check; it is what the UI shows with the connection.
 */
import type { Readable } from 'node:stream';
import type { PullSettings } from '../../modules/programs/returns-settings.js';

export type PullCredentials = { kind: 'PASSWORD'; password: string } | { kind: 'PRIVATE_KEY'; privateKey: string; passphrase: string | null };

export interface RemoteFile {
  name: string;
  size: number;
  /** The server's modification time; null when the server does not tell. */
  modifiedAt: Date | null;
}

/**
 * The key a server proved itself with: an SSH host key, or the TLS certificate of an FTPS
 * server that no certificate authority vouches for. `for` names the server it belongs to
 * (protocol, host and port): a key is only compared with one recorded for the same server.
 */
export interface ServerKey {
  for: string;
  /** `ssh-ed25519 SHA256:…` (as `ssh-keygen -l` prints it) or `TLS certificate SHA256:…`. */
  key: string;
}

export interface RemoteSession {
  /** The key the server presented and the pull trusted (recorded or about to be); null when nothing is pinned (plain FTP, or FTPS with a certificate a certificate authority vouches for). */
  readonly serverKey: ServerKey | null;
  /** How the server was trusted, for the UI: `pinned`, `certificate authority`, or `none` (plain FTP). */
  readonly trust: 'pinned' | 'certificate-authority' | 'none';
  /** The regular files of the folder (no folders, no links). */
  list(folder: string): Promise<RemoteFile[]>;
  /** The whole file; refused past `maxBytes`. */
  download(remotePath: string, maxBytes: number): Promise<Buffer>;
  upload(remotePath: string, content: Readable): Promise<void>;
  remove(remotePath: string): Promise<void>;
  close(): Promise<void>;
}

/** A failure to tell the brand as it is (no stack, no secret in it). */
export class PullError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'PullError';
  }
}

export interface OpenOptions {
  timeoutMs: number;
  /** The key recorded for this server on an earlier connection; a different one is refused. */
  recordedKey: ServerKey | null;
  /** The address the host was resolved to and checked (address.ts): the connection goes there. */
  address: string;
}

/** The server a key belongs to. */
export function serverKeyFor(settings: Pick<PullSettings, 'protocol' | 'host' | 'port'>): string {
  return `${settings.protocol.toLowerCase()}://${settings.host}:${settings.port}`;
}

export function remotePath(folder: string, name: string): string {
  return `${folder.replace(/\/+$/, '')}/${name}`;
}

export function hostKeyChanged(recorded: ServerKey, presented: string): PullError {
  return new PullError(
    `The server's key changed: ${recorded.for} was recorded with ${recorded.key}, and now presents ${presented}. Nothing was sent or pulled. ` +
      'If the server was re-installed or its key replaced on purpose, check the new key with its administrator, then choose "Forget the recorded key" and test the connection again.',
  );
}

/** A network error as the brand can act on it. */
export function describeConnectError(error: unknown, settings: Pick<PullSettings, 'host' | 'port'>, timeoutMs: number): PullError {
  if (error instanceof PullError) return error;
  const err = error as NodeJS.ErrnoException & { level?: string };
  const where = `${settings.host}:${settings.port}`;
  const code = err.code ?? '';
  const message = String(err.message ?? err);
  if (code === 'ECONNREFUSED' || /ECONNREFUSED/.test(message)) return new PullError(`Could not connect to ${where}: the connection was refused. Check the host and port, and that the server runs and accepts connections from the platform.`);
  if (code === 'ENOTFOUND' || code === 'EAI_AGAIN' || /ENOTFOUND|EAI_AGAIN/.test(message)) return new PullError(`Host ${settings.host} was not found (DNS). Check the host name.`);
  if (code === 'EHOSTUNREACH' || code === 'ENETUNREACH' || /EHOSTUNREACH|ENETUNREACH/.test(message)) return new PullError(`Host ${settings.host} cannot be reached from the platform (no route). Check the address and your firewall.`);
  if (code === 'ETIMEDOUT' || /timed out|timeout/i.test(message)) return new PullError(`No answer from ${where} within ${Math.round(timeoutMs / 1000)} s. Check the host and port, and that your firewall lets the platform in.`);
  if (code === 'ECONNRESET' || /ECONNRESET|socket hang up/.test(message)) return new PullError(`${where} closed the connection unexpectedly. Check that the protocol matches the server (SFTP, FTPS or FTP) and the port.`);
  return new PullError(`Could not connect to ${where}: ${message}`);
}

/** Rejects with a PullError after `ms` (and runs `onTimeout`, which closes the connection). */
export function withTimeout<T>(promise: Promise<T>, ms: number, what: string, onTimeout: () => void): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  return new Promise<T>((resolve, reject) => {
    timer = setTimeout(() => {
      onTimeout();
      reject(new PullError(`No answer from the server within ${Math.round(ms / 1000)} s while ${what}.`));
    }, ms);
    promise.then(resolve, reject).finally(() => clearTimeout(timer));
  });
}
