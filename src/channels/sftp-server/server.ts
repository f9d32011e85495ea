/**
 * The platform's own SFTP server (issue 14 item 1): brands upload returns files here, as
 * they did to impact.com's "system FTP server", and read back each file's receipt and
 * result. An edge: it authenticates, shows the account its own tree (folder-view.ts),
 * stores each file written there as a batch (submitReturnsBatch) and answers; the worker
 * applies the batch.
 *
 * - SFTP only: no shell, no exec, no port forwarding, no agent or X11 (ssh2 refuses every
 *   request nobody listens for, and nothing here listens for those).
 * - Logins: the account's generated username with its password or one of its public keys
 *   (src/modules/sftp-access). A closed account, a removed key or password is refused.
 *   Failed logins are throttled per username and per source address with the accounts
 *   module's throttle (a wait that doubles after five failures in a row), logged without
 *   the password, and a connection is dropped after MAX_AUTH_FAILURES.
 * - A written file is spooled to a temporary file under DATA_DIR (bounded by
 *   MAX_RETURNS_FILE_BYTES) and stored, bytes and work item in one transaction, when the
 *   client closes it; the close is answered after the commit, so "uploaded" means stored.
 *   A client that goes away before its close leaves nothing behind: the spool is removed
 *   and no batch exists.
 */
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import fsp from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import ssh2, { type AuthContext, type Connection, type SFTPWrapper } from 'ssh2';
import type { ServiceContext } from '../../core/context.js';
import { verifyPassword } from '../../core/crypto.js';
import { DomainError } from '../../core/errors.js';
import { submitReturnsBatch } from '../../flows/apply-returns-batch.js';
import {
  forgetFailures,
  recordFailure,
  sftpAddressThrottleKey,
  sftpUsernameThrottleKey,
  throttleWaitSeconds,
} from '../../modules/accounts/auth-throttle.js';
import { DUMMY_HASH } from '../../modules/accounts/log-in.js';
import { isReservedFileName, MAX_FILE_NAME_LENGTH, MAX_RETURNS_FILE_BYTES } from '../../modules/returns/receive-batch.js';
import { hideSftpBatch, showSftpBatch } from '../../modules/sftp-access/hide-sftp-file.js';
import { findSftpLogin, listSftpFolders, uploadActor } from '../../modules/sftp-access/queries.js';
import { markSftpKeyUsed } from '../../modules/sftp-access/sftp-credentials.js';
import { entryContent, entrySize, findFolder, folderEntries, type FolderEntry } from './folder-view.js';
import { readExportContent } from '../../modules/reports/exports.js';
import { hasSftpSchedules, listSftpReportFiles, type SftpReportFile } from '../../modules/reports/schedules.js';
import type { HostKey } from './host-key.js';
import { OutsideRootError, pathOf, segmentsOf } from './paths.js';

const { Server, utils } = ssh2;
const { STATUS_CODE, OPEN_MODE } = utils.sftp;

/** Failed attempts one connection may make before it is dropped (OpenSSH's MaxAuthTries is 6). */
export const MAX_AUTH_FAILURES = 6;
/** A connection that has not logged in by then is dropped (OpenSSH's LoginGraceTime is 120 s). */
const LOGIN_GRACE_MS = 60_000;
/** Files a session may have open at once (reading or writing). */
const MAX_OPEN_FILES = 16;
/** The most bytes one READ answers (clients ask for 32-256 KiB; a larger ask gets this much, as the protocol allows). */
const MAX_READ_BYTES = 256 * 1024;
/** Entries per READDIR answer. */
const DIR_PAGE = 200;
/** Where the account's scheduled reports delivered by SFTP appear (event types' folders start with their id, so never this). */
export const REPORTS_FOLDER = 'reports';

export interface SftpLogger {
  info(obj: object, msg?: string): void;
  warn(obj: object, msg?: string): void;
  error(obj: object, msg?: string): void;
}

export interface SftpServerOptions {
  ctx: ServiceContext;
  port: number;
  host: string;
  hostKey: HostKey;
  /** Spool files go in DATA_DIR/sftp-spool. */
  dataDir: string;
  logger: SftpLogger;
  /** Largest file taken (default MAX_RETURNS_FILE_BYTES). */
  maxFileBytes?: number;
}

export interface SftpServerHandle {
  port: number;
  host: string;
  close(): Promise<void>;
}

/** A refusal with the SFTP status code that says it and a message for the user. */
class Refusal extends Error {
  constructor(
    readonly code: number,
    message: string,
  ) {
    super(message);
  }
}

const noSuchFile = (p: string) => new Refusal(STATUS_CODE.NO_SUCH_FILE, `${p}: no such file or folder.`);

interface LoggedIn {
  accountId: number;
  /** The member who made the credential used: uploads act as them (uploadActor). */
  credentialUserId: number | null;
  username: string;
  address: string;
}

type Handle =
  | { type: 'dir'; entries: ssh2.FileEntry[]; at: number }
  | { type: 'read'; fd: fs.promises.FileHandle | null; buffer: Buffer | null; spool: string | null; size: number }
  | {
      type: 'write';
      eventTypeId: number;
      fileName: string;
      /** null: a receipt_ or result_ name, whose bytes are taken and thrown away (impact.com's rule). */
      fd: fs.promises.FileHandle | null;
      spool: string | null;
      size: number;
      tooLarge: boolean;
      pending: Set<Promise<unknown>>;
    };

const DIR_MODE = fs.constants.S_IFDIR | 0o755;
const FILE_MODE = fs.constants.S_IFREG | 0o644;

function attrsOf(mode: number, size: number, at: Date): ssh2.Attributes {
  const seconds = Math.floor(at.getTime() / 1000);
  return { mode, uid: 0, gid: 0, size, atime: seconds, mtime: seconds };
}

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/** A line of `ls -l`, as OpenSSH's sftp shows it for `ls -l`. */
function longnameOf(name: string, attrs: ssh2.Attributes): string {
  const isDir = (attrs.mode & fs.constants.S_IFMT) === fs.constants.S_IFDIR;
  const at = new Date(attrs.mtime * 1000);
  const when = `${MONTHS[at.getUTCMonth()]} ${String(at.getUTCDate()).padStart(2)} ${String(at.getUTCHours()).padStart(2, '0')}:${String(at.getUTCMinutes()).padStart(2, '0')}`;
  return `${isDir ? 'drwxr-xr-x' : '-rw-r--r--'}    1 lockstep lockstep ${String(attrs.size).padStart(10)} ${when} ${name}`;
}

function remoteAddressOf(info: { ip?: string }): string {
  return (info.ip ?? 'unknown').replace(/^::ffff:/, '');
}

export async function startSftpServer(options: SftpServerOptions): Promise<SftpServerHandle> {
  const { ctx, logger } = options;
  const maxFileBytes = options.maxFileBytes ?? MAX_RETURNS_FILE_BYTES;
  const spoolDir = path.join(options.dataDir, 'sftp-spool');
  fs.mkdirSync(spoolDir, { recursive: true, mode: 0o700 });
  removeStaleSpools(spoolDir);
  const clients = new Set<Connection>();

  const server = new Server({ hostKeys: [options.hostKey.privateKey], ident: 'Lockstep' }, (client, info) => {
    clients.add(client);
    const address = remoteAddressOf(info);
    let loggedIn: LoggedIn | undefined;
    let failures = 0;
    const grace = setTimeout(() => {
      if (!loggedIn) client.end();
    }, LOGIN_GRACE_MS);
    grace.unref();
    client.on('error', (error) => logger.warn({ sftp: 'connection_error', address, err: error.message }, 'SFTP connection error'));
    client.on('close', () => {
      clearTimeout(grace);
      clients.delete(client);
    });
    client.on('authentication', (auth) => {
      authenticate(ctx, auth, address, logger).then(
        (result) => {
          if (result.ok) {
            loggedIn = result.login;
            auth.accept();
            return;
          }
          if (result.counted) failures += 1;
          auth.reject(['publickey', 'password']);
          if (failures >= MAX_AUTH_FAILURES) client.end();
        },
        (error: unknown) => {
          logger.error({ sftp: 'login_error', address, err: (error as Error).message }, 'SFTP login could not be checked');
          auth.reject(['publickey', 'password']);
        },
      );
    });
    client.on('ready', () => {
      clearTimeout(grace);
      client.on('session', (accept) => {
        const session = accept();
        session.on('sftp', (acceptSftp) => {
          if (!loggedIn) return;
          new SftpSession(ctx, loggedIn, acceptSftp(), { spoolDir, maxFileBytes, logger }).attach();
        });
      });
    });
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  server.on('error', (error: Error) => logger.error({ sftp: 'server_error', err: error.message }, 'SFTP server error'));
  const bound = server.address() as AddressInfo;
  return {
    port: bound.port,
    host: options.host,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        for (const client of clients) client.end();
      }),
  };
}

/** Spool files left by a process that no longer runs (killed mid-upload): none of them was stored, so none is needed. */
function removeStaleSpools(spoolDir: string): void {
  for (const name of fs.readdirSync(spoolDir)) {
    const pid = Number(/^(\d+)-/.exec(name)?.[1]);
    let alive = false;
    if (pid === process.pid) continue;
    try {
      if (Number.isInteger(pid) && pid > 0) {
        process.kill(pid, 0);
        alive = true;
      }
    } catch {
      alive = false;
    }
    if (!alive) fs.rmSync(path.join(spoolDir, name), { force: true });
  }
}

type AuthResult = { ok: true; login: LoggedIn } | { ok: false; counted: boolean };

/**
 * One login attempt. A key or username under a wait is refused without its password or
 * signature being checked; a wrong password or signature is counted against the username
 * and the address; a success forgets the username's failures. A key offered without a
 * signature (the client asking whether the key would do) checks no secret and is not counted.
 */
async function authenticate(ctx: ServiceContext, auth: AuthContext, address: string, logger: SftpLogger): Promise<AuthResult> {
  const username = auth.username;
  const method = auth.method;
  if (method !== 'password' && method !== 'publickey') return { ok: false, counted: false };
  const userKey = sftpUsernameThrottleKey(username);
  const addressKey = sftpAddressThrottleKey(address);
  const failed = async (reason: string, count: boolean): Promise<AuthResult> => {
    logger.warn({ sftp: 'login_failed', username: username.slice(0, 100), address, method, reason }, 'SFTP login refused');
    if (count) {
      await recordFailure(ctx, userKey);
      await recordFailure(ctx, addressKey);
    }
    return { ok: false, counted: count };
  };
  const isQuery = method === 'publickey' && !auth.signature;
  if (!isQuery) {
    const wait = Math.max(await throttleWaitSeconds(ctx, userKey), await throttleWaitSeconds(ctx, addressKey));
    if (wait > 0) return failed(`throttled: too many failed logins, ${wait} s to wait`, false);
  }
  const login = username.length <= 100 ? await findSftpLogin(ctx.db, username) : undefined;
  if (method === 'password') {
    const password = auth.password;
    // An unknown username costs the same check as a known one, so the time taken tells nothing.
    const ok = await verifyPassword(login?.passwordHash ?? DUMMY_HASH, password);
    if (!login) return failed('unknown username', true);
    if (!login.passwordHash) return failed('password login is off for this account', true);
    if (!ok) return failed('wrong password', true);
    if (login.accountStatus !== 'ACTIVE' || login.accountKind !== 'BRAND') return failed('account closed', false);
    await forgetFailures(ctx, userKey);
    logger.info({ sftp: 'login', username, address, method, accountId: login.accountId }, 'SFTP login');
    return { ok: true, login: { accountId: login.accountId, credentialUserId: login.passwordSetBy, username, address } };
  }
  const offered = auth.key.data;
  const key = login?.keys.find((k) => k.blob.equals(offered));
  if (!login || !key) return failed(login ? 'key not registered' : 'unknown username', !isQuery);
  if (login.accountStatus !== 'ACTIVE' || login.accountKind !== 'BRAND') return failed('account closed', false);
  if (isQuery) return { ok: true, login: { accountId: login.accountId, credentialUserId: key.createdBy, username, address } };
  const publicKey = utils.parseKey(`${key.algorithm} ${key.blob.toString('base64')}`);
  if (publicKey instanceof Error || Array.isArray(publicKey)) return failed('stored key unreadable', false);
  const verified = auth.blob !== undefined && auth.signature !== undefined && publicKey.verify(auth.blob, auth.signature, auth.hashAlgo) === true;
  if (!verified) return failed('bad signature', true);
  await forgetFailures(ctx, userKey);
  await markSftpKeyUsed(ctx, key.id);
  logger.info({ sftp: 'login', username, address, method, accountId: login.accountId, keyId: key.id }, 'SFTP login');
  return { ok: true, login: { accountId: login.accountId, credentialUserId: key.createdBy, username, address } };
}

/** One SFTP session of a logged-in account: its handles, and the answers to each request. */
class SftpSession {
  private readonly handles = new Map<number, Handle>();
  private nextHandle = 1;
  private closed = false;

  constructor(
    private readonly ctx: ServiceContext,
    private readonly login: LoggedIn,
    private readonly sftp: SFTPWrapper,
    private readonly options: { spoolDir: string; maxFileBytes: number; logger: SftpLogger },
  ) {}

  attach(): void {
    const { sftp } = this;
    const on = <A extends unknown[]>(event: string, handler: (reqid: number, ...args: A) => Promise<void>) => {
      sftp.on(event as 'OPEN', ((reqid: number, ...args: A) => {
        handler(reqid, ...args).catch((error: unknown) => this.answerError(reqid, error));
      }) as never);
    };
    on('REALPATH', (reqid, p: string) => this.realpath(reqid, p));
    on('STAT', (reqid, p: string) => this.stat(reqid, p));
    on('LSTAT', (reqid, p: string) => this.stat(reqid, p));
    on('FSTAT', (reqid, h: Buffer) => this.fstat(reqid, h));
    on('OPENDIR', (reqid, p: string) => this.opendir(reqid, p));
    on('READDIR', (reqid, h: Buffer) => this.readdir(reqid, h));
    on('OPEN', (reqid, p: string, flags: number) => this.open(reqid, p, flags));
    on('READ', (reqid, h: Buffer, offset: number, length: number) => this.read(reqid, h, offset, length));
    on('WRITE', (reqid, h: Buffer, offset: number, data: Buffer) => this.write(reqid, h, offset, data));
    on('CLOSE', (reqid, h: Buffer) => this.close(reqid, h));
    on('REMOVE', (reqid, p: string) => this.remove(reqid, p));
    on('FSETSTAT', async (reqid, h: Buffer) => {
      // `put -p` sets the uploaded file's times: they are not kept (a file's time is when it was received), which changes nothing the brand relies on.
      this.handleOrThrow(h);
      this.status(reqid, STATUS_CODE.OK);
    });
    const refuse = (event: string, message: string) =>
      on(event, async (reqid) => {
        this.status(reqid, STATUS_CODE.PERMISSION_DENIED, message);
      });
    refuse('SETSTAT', 'Files here keep the time they were received.');
    refuse('RENAME', 'Files cannot be renamed here: upload the file under the name you want.');
    refuse('MKDIR', 'Folders cannot be made here: each event type set to SFTP upload has its folder.');
    refuse('RMDIR', "Folders cannot be removed here: an event type's folder goes when its Returns Processing is changed.");
    refuse('SYMLINK', 'Links cannot be made here.');
    refuse('READLINK', 'There are no links here.');
    // The client is done (EOF): close the channel, so that its ssh exits at once.
    sftp.on('end', () => {
      void this.cleanUp();
      try {
        sftp.end();
      } catch {
        // Already closed.
      }
    });
    sftp.on('close', () => void this.cleanUp());
    sftp.on('error', () => void this.cleanUp());
  }

  private status(reqid: number, code: number, message?: string): void {
    if (this.closed) return;
    try {
      this.sftp.status(reqid, code, message);
    } catch {
      // The channel went away: nobody is waiting for the answer.
    }
  }

  private answerError(reqid: number, error: unknown): void {
    if (error instanceof Refusal) this.status(reqid, error.code, error.message);
    else if (error instanceof OutsideRootError) this.status(reqid, STATUS_CODE.PERMISSION_DENIED, error.message);
    else if (error instanceof DomainError) this.status(reqid, STATUS_CODE.FAILURE, error.message);
    else this.failUnexpectedly(reqid, error);
  }

  private failUnexpectedly(reqid: number, error: unknown): void {
    this.options.logger.error({ sftp: 'request_error', accountId: this.login.accountId, err: (error as Error).message }, 'SFTP request failed');
    this.status(reqid, STATUS_CODE.FAILURE, 'The server could not do this; try again.');
  }

  private newHandle(handle: Handle): Buffer {
    const id = this.nextHandle++;
    this.handles.set(id, handle);
    const buffer = Buffer.alloc(4);
    buffer.writeUInt32BE(id);
    return buffer;
  }

  private handleOrThrow(h: Buffer): Handle {
    const handle = h.length === 4 ? this.handles.get(h.readUInt32BE(0)) : undefined;
    if (!handle) throw new Refusal(STATUS_CODE.FAILURE, 'No such open file.');
    return handle;
  }

  /** What a path names: the root, a folder, or an entry of a folder. */
  private async resolve(p: string): Promise<
    | { kind: 'root'; segments: string[] }
    | { kind: 'folder'; segments: string[]; eventTypeId: number; createdAt: Date }
    | { kind: 'entry'; segments: string[]; eventTypeId: number; entry: FolderEntry }
    | { kind: 'reports'; segments: string[] }
    | { kind: 'report'; segments: string[]; file: SftpReportFile }
  > {
    const segments = segmentsOf(p);
    if (segments.length === 0) return { kind: 'root', segments };
    if (segments[0] === REPORTS_FOLDER) {
      if (segments.length === 1) return { kind: 'reports', segments };
      const file = segments.length === 2 ? (await this.reportFiles()).find((f) => f.name === segments[1]) : undefined;
      if (!file) throw noSuchFile(pathOf(segments));
      return { kind: 'report', segments, file };
    }
    const folder = await findFolder(this.ctx.db, this.login.accountId, segments[0]!);
    if (!folder) throw noSuchFile(pathOf(segments));
    if (segments.length === 1) return { kind: 'folder', segments, eventTypeId: folder.eventTypeId, createdAt: folder.createdAt };
    if (segments.length > 2) throw noSuchFile(pathOf(segments));
    const entry = (await folderEntries(this.ctx.db, this.login.accountId, folder.eventTypeId)).get(segments[1]!);
    if (!entry) throw noSuchFile(pathOf(segments));
    return { kind: 'entry', segments, eventTypeId: folder.eventTypeId, entry };
  }

  /** The scheduled reports delivered into `/reports`, while they are kept. */
  private reportFiles(): Promise<SftpReportFile[]> {
    return listSftpReportFiles(this.ctx.db, this.login.accountId, this.ctx.clock.now());
  }

  private async attrsOfEntry(entry: FolderEntry): Promise<ssh2.Attributes> {
    return attrsOf(FILE_MODE, await entrySize(this.ctx.db, entry), entry.kind === 'result' ? (entry.file.completedAt ?? entry.file.receivedAt) : entry.file.receivedAt);
  }

  private async realpath(reqid: number, p: string): Promise<void> {
    const resolved = pathOf(segmentsOf(p));
    this.sftp.name(reqid, [{ filename: resolved, longname: resolved, attrs: attrsOf(DIR_MODE, 0, new Date()) }]);
  }

  private async stat(reqid: number, p: string): Promise<void> {
    const node = await this.resolve(p);
    if (node.kind === 'root') return void this.sftp.attrs(reqid, attrsOf(DIR_MODE, 0, new Date()));
    if (node.kind === 'folder') return void this.sftp.attrs(reqid, attrsOf(DIR_MODE, 0, node.createdAt));
    if (node.kind === 'reports') return void this.sftp.attrs(reqid, attrsOf(DIR_MODE, 0, new Date()));
    if (node.kind === 'report') return void this.sftp.attrs(reqid, attrsOf(FILE_MODE, node.file.bytes, node.file.completedAt));
    this.sftp.attrs(reqid, await this.attrsOfEntry(node.entry));
  }

  private async fstat(reqid: number, h: Buffer): Promise<void> {
    const handle = this.handleOrThrow(h);
    if (handle.type === 'dir') return void this.sftp.attrs(reqid, attrsOf(DIR_MODE, 0, new Date()));
    this.sftp.attrs(reqid, attrsOf(FILE_MODE, handle.size, new Date()));
  }

  private async opendir(reqid: number, p: string): Promise<void> {
    const node = await this.resolve(p);
    const entries: ssh2.FileEntry[] = [];
    const add = (filename: string, attrs: ssh2.Attributes) => entries.push({ filename, longname: longnameOf(filename, attrs), attrs });
    if (node.kind === 'entry' || node.kind === 'report') throw new Refusal(STATUS_CODE.FAILURE, `${pathOf(node.segments)} is a file, not a folder.`);
    if (node.kind === 'root') {
      for (const folder of await listSftpFolders(this.ctx.db, this.login.accountId)) add(folder.folder, attrsOf(DIR_MODE, 0, folder.createdAt));
      if (await hasSftpSchedules(this.ctx.db, this.login.accountId)) add(REPORTS_FOLDER, attrsOf(DIR_MODE, 0, new Date()));
    } else if (node.kind === 'reports') {
      for (const file of await this.reportFiles()) add(file.name, attrsOf(FILE_MODE, file.bytes, file.completedAt));
    } else {
      for (const entry of (await folderEntries(this.ctx.db, this.login.accountId, node.eventTypeId)).values()) add(entry.name, await this.attrsOfEntry(entry));
    }
    this.sftp.handle(reqid, this.newHandle({ type: 'dir', entries, at: 0 }));
  }

  private async readdir(reqid: number, h: Buffer): Promise<void> {
    const handle = this.handleOrThrow(h);
    if (handle.type !== 'dir') throw new Refusal(STATUS_CODE.FAILURE, 'Not a folder.');
    if (handle.at >= handle.entries.length) return this.status(reqid, STATUS_CODE.EOF);
    const page = handle.entries.slice(handle.at, handle.at + DIR_PAGE);
    handle.at += page.length;
    this.sftp.name(reqid, page);
  }

  private spoolPath(suffix: string): string {
    return path.join(this.options.spoolDir, `${process.pid}-${randomBytes(9).toString('hex')}.${suffix}`);
  }

  private assertRoomForAnotherFile(): void {
    const open = [...this.handles.values()].filter((h) => h.type !== 'dir').length;
    if (open >= MAX_OPEN_FILES) throw new Refusal(STATUS_CODE.FAILURE, `At most ${MAX_OPEN_FILES} files open at once per session; close one first.`);
  }

  private async open(reqid: number, p: string, flags: number): Promise<void> {
    if (flags & (OPEN_MODE.WRITE | OPEN_MODE.APPEND)) return this.openForWrite(reqid, p);
    this.assertRoomForAnotherFile();
    const node = await this.resolve(p);
    if (node.kind !== 'entry' && node.kind !== 'report') throw new Refusal(STATUS_CODE.FAILURE, `${pathOf(node.segments)} is a folder; open a file in it.`);
    const content = node.kind === 'report' ? Readable.from(readExportContent(this.ctx.db, node.file.exportId)) : await entryContent(this.ctx.db, node.entry);
    if (node.kind === 'entry' && node.entry.kind === 'receipt') {
      const chunks: Buffer[] = [];
      for await (const chunk of content) chunks.push(Buffer.from(chunk as Buffer));
      const buffer = Buffer.concat(chunks);
      this.sftp.handle(reqid, this.newHandle({ type: 'read', fd: null, buffer, spool: null, size: buffer.length }));
      return;
    }
    // Originals and results can be large: written to a spool file once, then read from it at whatever offsets the client asks.
    const spool = this.spoolPath('read');
    try {
      await pipeline(content, fs.createWriteStream(spool, { mode: 0o600 }));
      const fd = await fsp.open(spool, 'r');
      const size = (await fd.stat()).size;
      this.sftp.handle(reqid, this.newHandle({ type: 'read', fd, buffer: null, spool, size }));
    } catch (error) {
      await fsp.rm(spool, { force: true });
      throw error;
    }
  }

  private async openForWrite(reqid: number, p: string): Promise<void> {
    const segments = segmentsOf(p);
    if (segments[0] === REPORTS_FOLDER) {
      throw new Refusal(STATUS_CODE.PERMISSION_DENIED, `${pathOf([REPORTS_FOLDER])} holds your scheduled reports; returns files go into an event type's folder (ls /).`);
    }
    if (segments.length !== 2) {
      if (segments.length === 1 && !(await findFolder(this.ctx.db, this.login.accountId, segments[0]!))) {
        throw new Refusal(
          STATUS_CODE.PERMISSION_DENIED,
          `Files go into an event type's folder, not into ${pathOf([])}: ls / lists them (one per event type whose Returns Processing is SFTP upload).`,
        );
      }
      if (segments.length <= 1) {
        throw new Refusal(STATUS_CODE.PERMISSION_DENIED, `Files go into an event type's folder: ls / lists them, then put the file into one (cd 12-online-sale).`);
      }
      throw noSuchFile(pathOf(segments));
    }
    const folder = await findFolder(this.ctx.db, this.login.accountId, segments[0]!);
    if (!folder) throw noSuchFile(pathOf(segments.slice(0, 1)));
    const fileName = segments[1]!;
    if (fileName.length > MAX_FILE_NAME_LENGTH) throw new Refusal(STATUS_CODE.FAILURE, `File names have at most ${MAX_FILE_NAME_LENGTH} characters.`);
    this.assertRoomForAnotherFile();
    const base = { type: 'write' as const, eventTypeId: folder.eventTypeId, fileName, size: 0, tooLarge: false, pending: new Set<Promise<unknown>>() };
    if (isReservedFileName(fileName)) {
      this.sftp.handle(reqid, this.newHandle({ ...base, fd: null, spool: null }));
      return;
    }
    const spool = this.spoolPath('part');
    const fd = await fsp.open(spool, 'wx', 0o600);
    this.sftp.handle(reqid, this.newHandle({ ...base, fd, spool }));
  }

  private async read(reqid: number, h: Buffer, offset: number, length: number): Promise<void> {
    const handle = this.handleOrThrow(h);
    if (handle.type !== 'read') throw new Refusal(STATUS_CODE.FAILURE, 'This file is open for writing.');
    if (offset >= handle.size) return this.status(reqid, STATUS_CODE.EOF);
    const wanted = Math.min(length, MAX_READ_BYTES, handle.size - offset);
    if (handle.buffer) return void this.sftp.data(reqid, handle.buffer.subarray(offset, offset + wanted));
    const buffer = Buffer.alloc(wanted);
    const { bytesRead } = await handle.fd!.read(buffer, 0, wanted, offset);
    if (bytesRead === 0) return this.status(reqid, STATUS_CODE.EOF);
    this.sftp.data(reqid, buffer.subarray(0, bytesRead));
  }

  private async write(reqid: number, h: Buffer, offset: number, data: Buffer): Promise<void> {
    const handle = this.handleOrThrow(h);
    if (handle.type !== 'write') throw new Refusal(STATUS_CODE.PERMISSION_DENIED, 'Receipts, results and files already received cannot be changed; upload a new file.');
    const end = offset + data.length;
    if (end > this.options.maxFileBytes) {
      handle.tooLarge = true;
      throw new Refusal(STATUS_CODE.FAILURE, `The file is larger than ${this.options.maxFileBytes / 1024 / 1024} MiB; split it into several files.`);
    }
    if (!handle.fd) return this.status(reqid, STATUS_CODE.OK);
    const writing = handle.fd.write(data, 0, data.length, offset);
    handle.pending.add(writing);
    try {
      await writing;
    } finally {
      handle.pending.delete(writing);
    }
    handle.size = Math.max(handle.size, end);
    this.status(reqid, STATUS_CODE.OK);
  }

  private async close(reqid: number, h: Buffer): Promise<void> {
    const handle = this.handleOrThrow(h);
    this.handles.delete(h.readUInt32BE(0));
    if (handle.type === 'dir') return this.status(reqid, STATUS_CODE.OK);
    if (handle.type === 'read') {
      await handle.fd?.close();
      if (handle.spool) await fsp.rm(handle.spool, { force: true });
      return this.status(reqid, STATUS_CODE.OK);
    }
    // The spool is gone before the close is answered: what the client is told is done, is done.
    try {
      await Promise.allSettled([...handle.pending]);
      await handle.fd?.close();
      if (handle.tooLarge) throw new Refusal(STATUS_CODE.FAILURE, `The file is larger than ${this.options.maxFileBytes / 1024 / 1024} MiB and was not stored; split it into several files.`);
      if (handle.spool) await this.store(handle.eventTypeId, handle.fileName, handle.spool);
      else this.options.logger.info({ sftp: 'ignored', accountId: this.login.accountId, eventTypeId: handle.eventTypeId }, 'SFTP upload named receipt_/result_ ignored');
    } finally {
      if (handle.spool) await fsp.rm(handle.spool, { force: true });
    }
    this.status(reqid, STATUS_CODE.OK);
  }

  /** The spooled file, stored as a batch of the folder's event type (bytes and work item in one commit), in the name of the credential's member. */
  private async store(eventTypeId: number, fileName: string, spool: string): Promise<void> {
    const { ctx, login } = this;
    // The folder is checked again: the event type may have left SFTP upload while the file was on its way.
    if ((await listSftpFolders(ctx.db, login.accountId, eventTypeId)).length === 0) {
      throw new Refusal(STATUS_CODE.NO_SUCH_FILE, "This folder's event type no longer takes files by SFTP upload; the file was not stored.");
    }
    const actor = await uploadActor(ctx.db, login.accountId, login.credentialUserId);
    if (!actor) throw new Refusal(STATUS_CODE.PERMISSION_DENIED, 'This account is closed or has no active admin; the file was not stored.');
    const received = await submitReturnsBatch(ctx, actor, eventTypeId, { fileName, contentType: null, channel: 'SFTP', content: fs.createReadStream(spool) });
    if (received.ignored) return;
    // The same bytes again are the first batch: if it was deleted from the folder, it comes back (it is not applied twice).
    if (!received.created) await showSftpBatch(ctx.db, login.accountId, received.batch.id);
    this.options.logger.info(
      { sftp: 'stored', accountId: login.accountId, eventTypeId, batchId: received.batch.id.toString(), bytes: received.batch.bytes, created: received.created },
      'SFTP file stored',
    );
  }

  private async remove(reqid: number, p: string): Promise<void> {
    const node = await this.resolve(p);
    if (node.kind === 'report') {
      throw new Refusal(STATUS_CODE.PERMISSION_DENIED, `${node.file.name} is a scheduled report's file: it is kept 7 days and then removed; pause or delete the schedule in Reports → Schedules.`);
    }
    if (node.kind !== 'entry') throw new Refusal(STATUS_CODE.PERMISSION_DENIED, `${pathOf(node.segments)} is a folder; folders cannot be removed here.`);
    if (node.entry.kind !== 'original') {
      throw new Refusal(STATUS_CODE.PERMISSION_DENIED, `${node.entry.name} goes with ${node.entry.file.fileName}: remove ${node.entry.file.fileName} to remove all three.`);
    }
    await hideSftpBatch(this.ctx.db, this.login.accountId, node.entry.file.batchId, this.ctx.clock.now());
    this.status(reqid, STATUS_CODE.OK);
  }

  /** The session ended: open files are closed, and uploads never closed are dropped with their spools. */
  private async cleanUp(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    const handles = [...this.handles.values()];
    this.handles.clear();
    let dropped = 0;
    for (const handle of handles) {
      if (handle.type === 'dir') continue;
      if (handle.type === 'write') {
        await Promise.allSettled([...handle.pending]);
        if (handle.spool) dropped += 1;
      }
      await handle.fd?.close().catch(() => undefined);
      if (handle.spool) await fsp.rm(handle.spool, { force: true });
    }
    if (dropped > 0) {
      this.options.logger.warn({ sftp: 'upload_dropped', accountId: this.login.accountId, files: dropped }, 'SFTP session ended before its upload was closed; nothing stored');
    }
  }
}
