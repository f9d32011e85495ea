import { type ChildProcess, spawn } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';

/**
 * A Lockstep server of a spec's own: the built app (dist/) on a free port, with its own
 * data folder (the demo data loaded at start) and the settings the spec needs (jobs on,
 * SMTP_RELAY_URL, WEBHOOK_ALLOWED_HOSTS…). The shared servers of playwright.config.ts run
 * without jobs and send nothing out, so their data stays still for the specs that count it.
 */
export interface OwnServer {
  baseURL: string;
  /** What the server wrote to stderr lately, for a failure's message. */
  log(): string;
  stop(): Promise<void>;
}

export async function freePort(): Promise<number> {
  const probe = net.createServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
  const port = (probe.address() as net.AddressInfo).port;
  await new Promise<void>((resolve) => probe.close(() => resolve()));
  return port;
}

export async function startOwnServer(name: string, env: Record<string, string>, timeoutMs = 150_000): Promise<OwnServer> {
  const port = await freePort();
  const baseURL = `http://127.0.0.1:${port}`;
  const parent = process.env.LOCKSTEP_BROWSER_DATA_DIR ?? os.tmpdir();
  const dataDir = fs.mkdtempSync(path.join(parent, `${name}-server-`));
  let stderr = '';
  // Playwright runs from the repository's root, where dist/ is.
  const server: ChildProcess = spawn(process.execPath, ['dist/src/cli/index.js', 'start'], {
    cwd: process.cwd(),
    env: {
      ...process.env,
      DATA_DIR: dataDir,
      PORT: String(port),
      HOST: '127.0.0.1',
      PUBLIC_URL: baseURL,
      COOKIE_SECURE: 'false',
      LOG_LEVEL: 'warn',
      RATE_LIMIT_MAX: '10000',
      LOGIN_RATE_LIMIT_MAX: '1000',
      // No listeners beside the web server (the shared servers' ports are theirs).
      SMTP_PORT: '0',
      SFTP_PORT: '0',
      DATABASE_URL: '',
      ...env,
    },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  server.stderr?.on('data', (chunk: Buffer) => {
    stderr = `${stderr}${chunk.toString('utf8')}`.slice(-20_000);
  });
  const stop = async () => {
    if (server.exitCode === null) {
      const exited = new Promise<void>((resolve) => server.once('exit', () => resolve()));
      server.kill('SIGTERM');
      const timer = setTimeout(() => server.kill('SIGKILL'), 15_000);
      await exited;
      clearTimeout(timer);
    }
    fs.rmSync(dataDir, { recursive: true, force: true });
  };
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (server.exitCode !== null) throw new Error(`The ${name} server exited (${server.exitCode}):\n${stderr}`);
    try {
      if ((await fetch(`${baseURL}/health`)).ok) break;
    } catch {
      // Not listening yet.
    }
    if (Date.now() > deadline) {
      await stop();
      throw new Error(`The ${name} server did not answer /health within ${timeoutMs} ms:\n${stderr}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
  return { baseURL, log: () => stderr, stop };
}
