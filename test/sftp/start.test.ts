/**
 * `lockstep start` with its SFTP server (PGlite, real processes, the demo data): it says
 * where the server listens and its host key's fingerprint; the demo brand's admin sets an
 * event type to SFTP upload and generates a password through the API, uploads a file with
 * OpenSSH's sftp, and reads its result back from the folder; the server stops on SIGTERM;
 * after a restart the host key is the same and the login still works.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { HOST_KEY_FILE } from '../../src/channels/sftp-server/host-key.js';
import { freePort } from '../support/pull-servers.js';
import { runSftp, tempDir } from './support.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

interface Started {
  child: ChildProcess;
  url: string;
  sftpPort: number;
  fingerprint: string;
  output: () => string;
}

const children: ChildProcess[] = [];

async function start(dataDir: string, httpPort: number, sftpPort: number): Promise<Started> {
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    DATA_DIR: dataDir,
    DATABASE_URL: '',
    HOST: '127.0.0.1',
    PORT: String(httpPort),
    SFTP_PORT: String(sftpPort),
    SMTP_PORT: '0',
    JOBS: 'false',
    LOG_LEVEL: 'warn',
    RATE_LIMIT_MAX: '100000',
  };
  delete env.NODE_OPTIONS;
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/cli/index.ts', 'start'], { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
  children.push(child);
  let output = '';
  child.stdout!.on('data', (c: Buffer) => (output += c.toString()));
  child.stderr!.on('data', (c: Buffer) => (output += c.toString()));
  const url = `http://127.0.0.1:${httpPort}`;
  for (const deadline = Date.now() + 120_000; ; ) {
    if (child.exitCode !== null) throw new Error(`lockstep start exited with ${child.exitCode}:\n${output}`);
    if (Date.now() > deadline) throw new Error(`lockstep start did not serve within 120 s:\n${output}`);
    const line = /SFTP \(returns files\): sftp -P (\d+) <username>@localhost {3}host key (SHA256:\S+)/.exec(output);
    if (line) {
      const health = await fetch(`${url}/health`).catch(() => undefined);
      if (health?.ok) return { child, url, sftpPort: Number(line[1]), fingerprint: line[2]!, output: () => output };
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

async function stop(server: Started): Promise<{ code: number | null; ms: number }> {
  const started = Date.now();
  server.child.kill('SIGTERM');
  const code = await new Promise<number | null>((resolve) => {
    if (server.child.exitCode !== null) resolve(server.child.exitCode);
    else server.child.once('exit', (c) => resolve(c));
  });
  return { code, ms: Date.now() - started };
}

describe('lockstep start with its SFTP server', () => {
  const dir = tempDir('lockstep-sftp-start-');
  afterAll(() => {
    for (const child of children) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('serves SFTP on SFTP_PORT with a host key kept across restarts; a file uploaded there is applied and its result read back', async () => {
    const dataDir = path.join(dir, 'data');
    const [httpPort, sftpPort] = [await freePort(), await freePort()];
    const first = await start(dataDir, httpPort, sftpPort);
    expect(first.sftpPort).toBe(sftpPort);
    expect(first.output()).toContain(`(new: ${path.join(dataDir, HOST_KEY_FILE)})`);
    expect(fs.statSync(path.join(dataDir, HOST_KEY_FILE)).mode & 0o777).toBe(0o600);

    // The demo brand's admin, as the Returns Processing panel does it.
    const login = await fetch(`${first.url}/api/v1/session`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ Email: 'brand@acme.test', Password: 'lockstep-demo' }),
    });
    expect(login.status).toBe(200);
    const cookie = /lockstep_session=[^;]+/.exec(login.headers.get('set-cookie') ?? '')![0];
    const accountId = ((await login.json()) as { Accounts: Array<{ Id: number; Kind: string }> }).Accounts.find((a) => a.Kind === 'BRAND')!.Id;
    const api = async (method: string, route: string, body?: unknown) => {
      const response = await fetch(`${first.url}${route}`, {
        method,
        headers: { cookie, 'lockstep-account': String(accountId), 'content-type': 'application/json' },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      });
      return { status: response.status, body: (await response.json()) as Record<string, unknown> };
    };
    const eventTypes = (await api('GET', '/api/v1/event-types')).body as unknown as Array<{ Id: number; Kind: string }>;
    const sale = eventTypes.find((e) => e.Kind === 'SALE')!;
    expect((await api('PUT', `/api/v1/event-types/${sale.Id}/returns-processing`, { Method: 'SFTP_UPLOAD' })).body).toMatchObject({
      ReturnsProcessing: { Method: 'SFTP_UPLOAD', ChannelRunning: true },
    });
    const issued = await api('POST', '/api/v1/sftp-access/password', {});
    expect(issued.status).toBe(201);
    const { Username: username, Password: password } = issued.body as { Username: string; Password: string };
    const folder = ((await api('GET', `/api/v1/event-types/${sale.Id}/sftp-files`)).body as { Folder: string }).Folder;

    const local = path.join(dir, 'from-the-nightly-job.csv');
    fs.writeFileSync(local, 'ActionId,Amount,Reason\n999999999,1.00,ORDER_UPDATE\n');
    const put = await runSftp(sftpPort, username, { password }, [`cd ${folder}`, `put ${local}`]);
    expect(put.stderr).toBe('');
    expect(put.code).toBe(0);
    for (const deadline = Date.now() + 30_000; ; ) {
      const get = await runSftp(sftpPort, username, { password }, [`get /${folder}/result_from-the-nightly-job.csv`], { cwd: dir });
      if (get.code === 0) break;
      if (Date.now() > deadline) throw new Error(`no result_ file: ${get.stdout} ${get.stderr}`);
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
    expect(fs.readFileSync(path.join(dir, 'result_from-the-nightly-job.csv'), 'utf8')).toContain('999999999,1.00,ORDER_UPDATE,NOT_FOUND');
    const files = (await api('GET', `/api/v1/event-types/${sale.Id}/sftp-files`)).body as { Files: Array<{ FileName: string; Status: string }> };
    expect(files.Files).toMatchObject([{ FileName: 'from-the-nightly-job.csv', Status: 'DONE' }]);

    const stopped = await stop(first);
    expect(stopped.code, first.output()).toBe(0);
    expect(stopped.ms).toBeLessThan(8_000);

    const second = await start(dataDir, httpPort, sftpPort);
    expect(second.fingerprint).toBe(first.fingerprint);
    expect(second.output()).not.toContain('(new:');
    const ls = await runSftp(sftpPort, username, { password }, [`ls -1 /${folder}`]);
    expect(ls.code).toBe(0);
    expect(ls.stdout).toContain(`/${folder}/result_from-the-nightly-job.csv`);
    expect((await stop(second)).code).toBe(0);
  }, 240_000);
});
