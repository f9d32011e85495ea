/**
 * The SFTP server's tests: a brand whose sale event type takes returns by SFTP upload, its
 * generated password and an ed25519 key made with ssh-keygen, the server on a free port,
 * and Debian's OpenSSH client (/usr/bin/sftp) run in batch mode against it. A password is
 * given to OpenSSH through SSH_ASKPASS (sshpass is not used).
 */
import { execFileSync, spawn } from 'node:child_process';
import { afterEach, beforeEach } from 'vitest';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { loadOrCreateHostKey } from '../../src/channels/sftp-server/host-key.js';
import { startSftpServer, type SftpLogger, type SftpServerHandle } from '../../src/channels/sftp-server/server.js';
import type { ServiceContext } from '../../src/core/context.js';
import { setReturnsProcessing } from '../../src/modules/programs/set-returns-processing.js';
import { folderNameOf } from '../../src/modules/sftp-access/queries.js';
import { addSftpKey, issueSftpPassword } from '../../src/modules/sftp-access/sftp-credentials.js';
import { makeActionWorld, type ActionWorld } from '../support/action-helpers.js';
import { TEST_SECRETS_KEY, type TestAccount } from '../support/app.js';
import type { DbTestContext } from '../support/db.js';
import type { TestProgram } from '../support/programs.js';

export const SFTP = '/usr/bin/sftp';

export function tempDir(prefix: string): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), prefix));
}

/** An unencrypted key pair made by ssh-keygen: `file` is the private key, `${file}.pub` the public one. */
export function makeKey(dir: string, type: 'ed25519' | 'rsa' | 'ecdsa' = 'ed25519', bits?: number): { file: string; publicKey: string } {
  const file = path.join(dir, `id_${type}_${Math.random().toString(36).slice(2, 8)}`);
  execFileSync('ssh-keygen', ['-q', '-t', type, ...(bits ? ['-b', String(bits)] : []), '-N', '', '-C', 'tests@lockstep', '-f', file]);
  return { file, publicKey: fs.readFileSync(`${file}.pub`, 'utf8') };
}

export interface SftpBrand {
  username: string;
  password: string;
  key: { file: string; publicKey: string };
  eventTypeId: number;
  folder: string;
}

/** The brand's sale event type set to SFTP upload, with a password and a key. */
export async function giveSftpAccess(ctx: ServiceContext, brand: TestAccount, program: TestProgram, dir: string): Promise<SftpBrand> {
  const updated = await setReturnsProcessing(ctx, brand.actor, program.saleEventTypeId, { method: 'SFTP_UPLOAD' });
  const { username, password } = await issueSftpPassword(ctx, brand.actor);
  const key = makeKey(dir);
  await addSftpKey(ctx, brand.actor, { publicKey: key.publicKey, label: 'CI' });
  return { username, password, key, eventTypeId: program.saleEventTypeId, folder: folderNameOf(program.saleEventTypeId, updated.name) };
}

export interface LogLine {
  level: 'info' | 'warn' | 'error';
  obj: Record<string, unknown>;
  msg: string | undefined;
}

/** A logger that keeps what it is told, for tests that check what is logged. */
export function memoryLogger(): SftpLogger & { lines: LogLine[] } {
  const lines: LogLine[] = [];
  const at = (level: LogLine['level']) => (obj: object, msg?: string) => void lines.push({ level, obj: obj as Record<string, unknown>, msg });
  return { lines, info: at('info'), warn: at('warn'), error: at('error') };
}

export async function startTestSftp(ctx: ServiceContext, dataDir: string, logger: SftpLogger = memoryLogger()): Promise<SftpServerHandle> {
  const hostKey = loadOrCreateHostKey({ dataDir, hostKeyFile: undefined, secretsKey: TEST_SECRETS_KEY });
  return startSftpServer({ ctx, port: 0, host: '127.0.0.1', hostKey, dataDir, logger });
}

export interface SftpRun {
  code: number | null;
  stdout: string;
  stderr: string;
}

/**
 * Runs OpenSSH's sftp in batch mode (`-b`, the commands from a file) as `username`, with
 * a key or a password. BatchMode is set to no before -b so that ssh may ask SSH_ASKPASS for
 * the password (ssh takes the first value given for an option).
 */
export function runSftp(
  port: number,
  username: string,
  auth: { key: string } | { password: string },
  commands: string[],
  options: { cwd?: string; timeoutMs?: number } = {},
): Promise<SftpRun> {
  const dir = tempDir('lockstep-sftp-run-');
  const batch = path.join(dir, 'batch');
  fs.writeFileSync(batch, `${commands.join('\n')}\n`);
  const env: NodeJS.ProcessEnv = { ...process.env };
  const args = ['-P', String(port), '-o', 'StrictHostKeyChecking=no', '-o', 'UserKnownHostsFile=/dev/null', '-o', 'LogLevel=ERROR', '-o', 'ConnectTimeout=30'];
  if ('key' in auth) {
    args.push('-i', auth.key, '-o', 'IdentitiesOnly=yes', '-o', 'PreferredAuthentications=publickey', '-o', 'PasswordAuthentication=no');
  } else {
    const askpass = path.join(dir, 'askpass.sh');
    fs.writeFileSync(path.join(dir, 'password'), auth.password, { mode: 0o600 });
    fs.writeFileSync(askpass, `#!/bin/sh\ncat '${path.join(dir, 'password')}'\n`, { mode: 0o700 });
    env.SSH_ASKPASS = askpass;
    env.SSH_ASKPASS_REQUIRE = 'force';
    env.DISPLAY = env.DISPLAY ?? ':0';
    args.push('-o', 'BatchMode=no', '-o', 'PreferredAuthentications=password', '-o', 'PubkeyAuthentication=no', '-o', 'NumberOfPasswordPrompts=1');
  }
  args.push('-b', batch, `${username}@127.0.0.1`);
  return new Promise((resolve) => {
    const child = spawn(SFTP, args, { env, cwd: options.cwd ?? dir, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs ?? 60_000);
    child.on('close', (code) => {
      clearTimeout(timer);
      fs.rmSync(dir, { recursive: true, force: true });
      resolve({ code, stdout, stderr });
    });
  });
}

export interface SftpFixture {
  dir: string;
  server: SftpServerHandle;
  ctx: ServiceContext;
  world: ActionWorld;
  brand: SftpBrand;
  logger: ReturnType<typeof memoryLogger>;
}

/** For each test: a brand with SFTP access to its sale event type, and the server on a free port with its data folder in `dir`. */
export function useSftpFixture(context: () => DbTestContext): SftpFixture {
  const fixture = {} as SftpFixture;
  beforeEach(async () => {
    const { db, clock } = context();
    fixture.ctx = { db, clock };
    fixture.dir = tempDir('lockstep-sftp-');
    fixture.world = await makeActionWorld(fixture.ctx, clock);
    fixture.brand = await giveSftpAccess(fixture.ctx, fixture.world.brand, fixture.world.program, fixture.dir);
    fixture.logger = memoryLogger();
    fixture.server = await startTestSftp(fixture.ctx, fixture.dir, fixture.logger);
  });
  afterEach(async () => {
    await fixture.server.close();
    fs.rmSync(fixture.dir, { recursive: true, force: true });
  });
  return fixture;
}
