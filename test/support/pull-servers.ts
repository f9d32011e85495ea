/**
 * Real servers for the pull tests, on free ports of 127.0.0.1, each in a folder of its
 * own: Debian's OpenSSH (`/usr/sbin/sshd -D -e -f <config>`, its own host key, the
 * current user logging in with a key the test generates) and pyftpdlib through
 * /usr/bin/python3 (test/support/ftp-server.py; FTP, or FTPS with a certificate made by
 * openssl). Stop them with `stop()`, or `kill()` for a kill -9.
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const HERE = path.dirname(fileURLToPath(import.meta.url));

export interface RunningServer {
  port: number;
  child: ChildProcess;
  /** The output so far (for failure messages). */
  output(): string;
  stop(): Promise<void>;
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

function waitForOutput(child: ChildProcess, pattern: RegExp, what: string, timeoutMs = 30_000): Promise<{ match: RegExpExecArray; output: () => string }> {
  let output = '';
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${what} did not start within ${timeoutMs / 1000} s:\n${output}`)), timeoutMs);
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      const match = pattern.exec(output);
      if (match) {
        clearTimeout(timer);
        resolve({ match, output: () => output });
      }
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', onData);
    child.on('exit', (code, signal) => {
      clearTimeout(timer);
      reject(new Error(`${what} exited (${code ?? signal}) before it was ready:\n${output}`));
    });
  });
}

function stopper(child: ChildProcess): () => Promise<void> {
  return () =>
    new Promise((resolve) => {
      if (child.exitCode !== null || child.signalCode !== null) return resolve();
      child.once('exit', () => resolve());
      child.kill('SIGKILL');
    });
}

export interface SshKeyPair {
  privateKey: string;
  publicKey: string;
}

/** An ed25519 key pair made by ssh-keygen (optionally with a passphrase). */
export function sshKeygen(dir: string, name: string, passphrase = ''): SshKeyPair & { file: string } {
  const file = path.join(dir, name);
  execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', passphrase, '-C', `lockstep-test-${name}`, '-f', file]);
  return { file, privateKey: fs.readFileSync(file, 'utf8'), publicKey: fs.readFileSync(`${file}.pub`, 'utf8') };
}

/** `ssh-ed25519 SHA256:…` of a public key file, as ssh-keygen prints it. */
export function sshFingerprint(publicKeyFile: string): string {
  const [, , fingerprint, , type] = /^(\d+) (SHA256:\S+) (.*) \((\S+)\)$/.exec(execFileSync('ssh-keygen', ['-l', '-f', publicKeyFile]).toString().trim()) ?? [];
  return `ssh-${(type ?? '').toLowerCase()} ${fingerprint}`;
}

export interface Sshd extends RunningServer {
  dir: string;
  user: string;
  hostKeyFile: string;
  /** The folder files are pulled from, and results uploaded to (absolute paths). */
  authorize(publicKey: string): void;
  /** Starts sshd again on the same port (after stop), with a new host key when asked. */
  restart(options?: { newHostKey?: boolean }): Promise<void>;
}

export async function startSshd(): Promise<Sshd> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lockstep-sshd-'));
  if (process.getuid?.() === 0) fs.mkdirSync('/run/sshd', { recursive: true });
  const hostKeyFile = path.join(dir, 'host_ed25519');
  execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', hostKeyFile]);
  const authorizedKeys = path.join(dir, 'authorized_keys');
  fs.writeFileSync(authorizedKeys, '', { mode: 0o600 });
  const port = await freePort();
  const config = path.join(dir, 'sshd_config');
  fs.writeFileSync(
    config,
    [
      `Port ${port}`,
      'ListenAddress 127.0.0.1',
      `HostKey ${hostKeyFile}`,
      `PidFile ${path.join(dir, 'sshd.pid')}`,
      `AuthorizedKeysFile ${authorizedKeys}`,
      'Subsystem sftp internal-sftp',
      'StrictModes no',
      'UsePAM no',
      'PermitRootLogin yes',
      'PasswordAuthentication yes',
      'KbdInteractiveAuthentication no',
      'MaxStartups 50',
      'LogLevel INFO',
      '',
    ].join('\n'),
  );
  let child!: ChildProcess;
  let output = () => '';
  const start = async () => {
    child = spawn('/usr/sbin/sshd', ['-D', '-e', '-f', config], { stdio: ['ignore', 'pipe', 'pipe'] });
    output = (await waitForOutput(child, /Server listening on 127\.0\.0\.1 port \d+/, 'sshd')).output;
  };
  await start();
  const server: Sshd = {
    port,
    dir,
    user: os.userInfo().username,
    hostKeyFile,
    get child() {
      return child;
    },
    output: () => output(),
    authorize(publicKey) {
      fs.appendFileSync(authorizedKeys, `${publicKey.trim()}\n`);
    },
    stop: () => stopper(child)(),
    async restart(options = {}) {
      await stopper(child)();
      if (options.newHostKey) {
        fs.rmSync(hostKeyFile, { force: true });
        fs.rmSync(`${hostKeyFile}.pub`, { force: true });
        execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', hostKeyFile]);
      }
      await start();
    },
  };
  return server;
}

export interface FtpServer extends RunningServer {
  root: string;
  user: string;
  password: string;
}

/** A pyftpdlib server whose user's home is `root` (FTP paths start at it: `/in` is `<root>/in`). */
export async function startFtpServer(options: { tls?: boolean; writeLimitBytesPerS?: number; root?: string } = {}): Promise<FtpServer> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lockstep-ftpd-'));
  const root = options.root ?? path.join(dir, 'home');
  fs.mkdirSync(root, { recursive: true });
  const user = 'brand';
  const password = `pw-${Math.random().toString(36).slice(2, 12)}`;
  const args = [path.join(HERE, 'ftp-server.py'), '--root', root, '--user', user, '--password', password];
  if (options.tls) {
    const cert = path.join(dir, 'cert.pem');
    const key = path.join(dir, 'key.pem');
    execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-subj', '/CN=localhost', '-days', '2', '-keyout', key, '-out', cert], { stdio: 'ignore' });
    args.push('--cert', cert, '--key', key);
  }
  if (options.writeLimitBytesPerS) args.push('--write-limit', String(options.writeLimitBytesPerS));
  const child = spawn('/usr/bin/python3', args, { stdio: ['ignore', 'pipe', 'pipe'] });
  const { match, output } = await waitForOutput(child, /^port (\d+)$/m, 'pyftpdlib');
  return { port: Number(match[1]), child, output, root, user, password, stop: stopper(child) };
}
