/**
 * One process per PGlite data folder, with real processes: a server on a temporary
 * DATA_DIR, and the lockstep command line run next to it on the same folder. The
 * command line runs from source (node --import tsx), so no build is needed.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADMIN_FILE } from '../../src/cli/server-admin.js';
import { acquireDataDirLock, DataDirHeldError, dataDirHolder, LOCK_FILE } from '../../src/db/data-dir-lock.js';
import { lockDueActionsJob } from '../../src/jobs/lock-due-actions.js';
import { lockDueActions } from '../../src/modules/actions/lock-due-actions.js';
import { makeActionWorld, makeSales } from '../support/action-helpers.js';
import { describeDb } from '../support/db.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
/** Above the largest pid Linux hands out (2^22): a process that cannot exist. */
const DEAD_PID = 4_194_304 + 12_345;

function lockOf(pid: number, command = 'lockstep start'): string {
  return `${JSON.stringify({ pid, command, startedAt: '2026-01-01T00:00:00.000Z', token: 'earlier-life' })}\n`;
}

describe('the data folder lock', () => {
  const dirs: string[] = [];
  const tempDir = () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lockstep-lock-'));
    dirs.push(dir);
    return dir;
  };
  afterAll(() => {
    for (const dir of dirs) fs.rmSync(dir, { recursive: true, force: true });
  });

  it('is taken atomically, refused to a second taker while held, and removed on release', () => {
    const dir = tempDir();
    const release = acquireDataDirLock(dir, 'lockstep test');
    const content = JSON.parse(fs.readFileSync(path.join(dir, LOCK_FILE), 'utf8'));
    expect(content).toMatchObject({ pid: process.pid, command: 'lockstep test' });
    expect(fs.statSync(path.join(dir, LOCK_FILE)).mode & 0o777).toBe(0o600);
    expect(() => acquireDataDirLock(dir, 'lockstep again')).toThrow(DataDirHeldError);
    expect(dataDirHolder(dir)).toMatchObject({ pid: process.pid });
    release();
    expect(fs.existsSync(path.join(dir, LOCK_FILE))).toBe(false);
    expect(dataDirHolder(dir)).toBeUndefined();
  });

  it('takes over a lock whose process no longer runs, one left by an earlier life of this pid, and a garbled one', () => {
    for (const stale of [lockOf(DEAD_PID), lockOf(process.pid), 'not a lock']) {
      const dir = tempDir();
      const file = path.join(dir, LOCK_FILE);
      fs.writeFileSync(file, stale);
      // A garbled lock counts as stale once it is older than a lock being written can be.
      const old = new Date(Date.now() - 60_000);
      fs.utimesSync(file, old, old);
      expect(dataDirHolder(dir)).toBeUndefined();
      const release = acquireDataDirLock(dir, 'lockstep test');
      expect(JSON.parse(fs.readFileSync(file, 'utf8'))).toMatchObject({ pid: process.pid });
      release();
      expect(fs.existsSync(file)).toBe(false);
    }
  });

  it('refuses while the holding process runs, naming its pid and command', async () => {
    const dir = tempDir();
    const holder = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 60000)'], { stdio: 'ignore' });
    try {
      fs.writeFileSync(path.join(dir, LOCK_FILE), lockOf(holder.pid!, 'lockstep jobs run lock-due-actions'));
      let error: unknown;
      try {
        acquireDataDirLock(dir, 'lockstep test');
      } catch (caught) {
        error = caught;
      }
      expect(error).toBeInstanceOf(DataDirHeldError);
      expect((error as Error).message).toContain(`lockstep jobs run lock-due-actions (pid ${holder.pid}`);
      // The holder's lock is left as it was.
      expect(JSON.parse(fs.readFileSync(path.join(dir, LOCK_FILE), 'utf8'))).toMatchObject({ pid: holder.pid });
    } finally {
      holder.kill('SIGKILL');
    }
  });
});

describeDb('a shutdown stops a job between chunks', (db) => {
  it('keeps what the chunks before it locked, and the next run does the rest', async () => {
    const { clock } = db();
    const ctx = { db: db().db, clock };
    const world = await makeActionWorld(ctx, clock);
    const ids = await makeSales(ctx, world.brand, world.partner, world.program, 3);
    clock.advanceMs(400 * 86_400_000);
    expect(await lockDueActionsJob.count!(ctx)).toBe(ids.length);
    // On PostgreSQL the job's advisory lock is database-wide: another suite may hold it a moment.
    const untilItRuns = async <T extends { ran: boolean }>(attempt: () => Promise<T>): Promise<T> => {
      for (;;) {
        const result = await attempt();
        if (result.ran) return result;
        await new Promise((resolve) => setTimeout(resolve, 25));
      }
    };
    // Chunks of one; the server starts shutting down during the first.
    const stopping = new AbortController();
    const stopped = await untilItRuns(() => lockDueActions(ctx, { chunkSize: 1, signal: stopping.signal, onProgress: () => stopping.abort() }));
    // PostgreSQL runs two workers side by side: each stops after its chunk in flight.
    expect(stopped.locked).toBeGreaterThanOrEqual(1);
    expect(stopped.locked).toBeLessThan(ids.length);
    const rest = await untilItRuns(() => lockDueActionsJob.run(ctx));
    expect(rest.done).toBe(ids.length - stopped.locked);
    expect(await lockDueActionsJob.count!(ctx)).toBe(0);
    // The job's summary says when a shutdown stopped it.
    const aborted = new AbortController();
    aborted.abort();
    const note = await untilItRuns(() => lockDueActionsJob.run(ctx, { signal: aborted.signal }));
    expect(note.summary).toMatch(/^0 action\(s\) locked \(stopped early: the server is shutting down/);
  });
});

// ---------------------------------------------------------------------------
// Real processes
// ---------------------------------------------------------------------------

interface Exit {
  code: number | null;
  signal: NodeJS.Signals | null;
}

interface Server {
  child: ChildProcess;
  pid: number;
  url: string;
  exited: Promise<Exit>;
  output: () => string;
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = net.createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as net.AddressInfo;
      probe.close(() => resolve(port));
    });
  });
}

function envFor(dataDir: string, extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    DATA_DIR: dataDir,
    DATABASE_URL: '',
    HOST: '127.0.0.1',
    JOBS: 'false',
    LOG_LEVEL: 'warn',
    RATE_LIMIT_MAX: '100000',
    // The returns channels' listeners would take 2222 and 2525, which another test (or a
    // server on this machine) may hold; test/sftp/start.test.ts tests them on ports of its own.
    SFTP_PORT: '0',
    SMTP_PORT: '0',
    ...extra,
  };
  delete env.NODE_OPTIONS;
  return env;
}

function lockstep(args: string[], env: NodeJS.ProcessEnv): ChildProcess {
  return spawn(process.execPath, ['--import', 'tsx', 'src/cli/index.ts', ...args], { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
}

function exitOf(child: ChildProcess): Promise<Exit> {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) resolve({ code: child.exitCode, signal: child.signalCode });
    else child.once('exit', (code, signal) => resolve({ code, signal }));
  });
}

/** Runs a command to its end: its exit, what it printed, and how long it took. */
async function run(args: string[], env: NodeJS.ProcessEnv, timeoutMs = 45_000): Promise<Exit & { stdout: string; stderr: string; ms: number }> {
  const started = Date.now();
  const child = lockstep(args, env);
  let stdout = '';
  let stderr = '';
  child.stdout!.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
  const exit = await exitOf(child);
  clearTimeout(timer);
  return { ...exit, stdout, stderr, ms: Date.now() - started };
}

async function startServer(dataDir: string, seedDemo: boolean): Promise<Server> {
  const port = await freePort();
  const child = lockstep(['start'], envFor(dataDir, { PORT: String(port), SEED_DEMO: String(seedDemo) }));
  let output = '';
  child.stdout!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exited = exitOf(child);
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 90_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`The server exited with ${child.exitCode} before serving:\n${output}`);
    if (Date.now() > deadline) throw new Error(`The server did not answer /health within 90 s:\n${output}`);
    try {
      const response = await fetch(`${url}/health`, { signal: AbortSignal.timeout(2000) });
      // Health answers before the admin file is written only by a hair: wait for both.
      if (response.ok && fs.existsSync(path.join(dataDir, ADMIN_FILE))) break;
    } catch {
      // Not listening yet.
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  return { child, pid: child.pid!, url, exited, output: () => output };
}

/** Sends SIGTERM and returns how long the server took to exit, and how. */
async function stop(server: Server, signal: NodeJS.Signals = 'SIGTERM'): Promise<Exit & { ms: number }> {
  const started = Date.now();
  server.child.kill(signal);
  const exit = await server.exited;
  return { ...exit, ms: Date.now() - started };
}

/** A brand's session on the demo data: Acme Outdoor, its program and sale event type. */
async function brandSession(url: string) {
  const login = await fetch(`${url}/api/v1/session`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ Email: 'brand@acme.test', Password: 'lockstep-demo' }),
  });
  expect(login.status).toBe(200);
  const cookie = /lockstep_session=[^;]+/.exec(login.headers.get('set-cookie') ?? '')![0];
  const accountId = ((await login.json()) as { Accounts: Array<{ Id: number; Kind: string }> }).Accounts.find((a) => a.Kind === 'BRAND')!.Id;
  const headers = { cookie, 'lockstep-account': String(accountId), 'content-type': 'application/json' };
  const api = async (method: string, route: string, body?: unknown) => {
    const response = await fetch(`${url}${route}`, { method, headers, ...(body === undefined ? {} : { body: JSON.stringify(body) }) });
    return { status: response.status, body: (await response.json()) as Record<string, unknown> };
  };
  // A list is an array or a page of items.
  const itemsOf = (body: unknown) => (Array.isArray(body) ? body : (body as { Items: unknown[] }).Items) as Array<Record<string, unknown>>;
  const programId = itemsOf((await api('GET', '/api/v1/programs')).body)[0]!.Id as number;
  const eventTypes = itemsOf((await api('GET', `/api/v1/programs/${programId}/event-types`)).body);
  const eventTypeId = (eventTypes.find((e) => e.Kind === 'SALE') ?? eventTypes[0]!).Id as number;
  return { cookie, accountId, eventTypeId, api };
}

type Session = Awaited<ReturnType<typeof brandSession>>;

const conversion = (s: Session, orderId: string, eventDate: string) => ({
  ActionTrackerId: s.eventTypeId,
  OrderId: orderId,
  EventDate: eventDate,
  Amount: '12.50',
});

async function conversionCount(s: Session, query: string): Promise<number> {
  const answer = await s.api('GET', `/api/v1/conversions?pageSize=1&${query}`);
  expect(answer.status).toBe(200);
  return answer.body.Total as number;
}

/** POSTs a large body; resolves `sent` once the whole body has left, `answer` with the response (or the failure). */
function postLarge(url: string, route: string, headers: Record<string, string>, body: string) {
  let sent!: () => void;
  const sentPromise = new Promise<void>((resolve) => (sent = resolve));
  const answer = new Promise<{ status: number; body: string } | { error: string }>((resolve) => {
    const request = http.request(`${url}${route}`, { method: 'POST', headers: { ...headers, 'content-length': Buffer.byteLength(body) } }, (response) => {
      let text = '';
      response.on('data', (chunk: Buffer) => (text += chunk.toString()));
      response.on('end', () => resolve({ status: response.statusCode!, body: text }));
      response.on('error', (error) => resolve({ error: error.message }));
    });
    request.on('error', (error) => resolve({ error: error.message }));
    request.end(body, () => sent());
  });
  return { sent: sentPromise, answer };
}

describe('one process per PGlite data folder', () => {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'lockstep-data-dir-'));
  const env = envFor(dataDir);
  let server: Server | undefined;
  let session: Session;
  // Event dates of this test's conversions, each group its own second, so each can be counted.
  const BEFORE = '2026-11-20T10:00:00Z';
  const BATCH = '2026-11-20T11:00:00Z';
  const BATCH2 = '2026-11-20T12:00:00Z';
  const after = (iso: string) => new Date(Date.parse(iso) + 1000).toISOString();
  const window = (iso: string) => `from=${encodeURIComponent(iso)}&to=${encodeURIComponent(after(iso))}`;
  /** What the first batch left committed, for the test after it. */
  let batchRows = 0;

  beforeAll(async () => {
    server = await startServer(dataDir, true);
    session = await brandSession(server.url);
  }, 120_000);

  afterAll(async () => {
    if (server && server.child.exitCode === null && server.child.signalCode === null) server.child.kill('SIGKILL');
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  it('holds the folder with its pid and writes an admin secret only its user can read', () => {
    expect(JSON.parse(fs.readFileSync(path.join(dataDir, LOCK_FILE), 'utf8'))).toMatchObject({ pid: server!.pid, command: 'lockstep start' });
    const admin = JSON.parse(fs.readFileSync(path.join(dataDir, ADMIN_FILE), 'utf8'));
    expect(admin).toMatchObject({ pid: server!.pid, url: server!.url });
    expect(Buffer.from(admin.secret, 'base64url')).toHaveLength(32);
    expect(fs.statSync(path.join(dataDir, ADMIN_FILE)).mode & 0o777).toBe(0o600);
  });

  it('runs `jobs run`, `check-ledger` and `create-operator` through the server, which keeps answering and loses nothing', async () => {
    expect((await session.api('POST', '/api/v1/conversions', conversion(session, 'BEFORE-JOB', BEFORE))).status).toBe(201);

    let healthFailures = 0;
    let polling = true;
    const poller = (async () => {
      while (polling) {
        const ok = await fetch(`${server!.url}/health`, { signal: AbortSignal.timeout(5000) }).then((r) => r.ok, () => false);
        if (!ok) healthFailures += 1;
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
    })();
    const [job, ledger, operator] = await Promise.all([
      run(['jobs', 'run', 'lock-due-actions'], env),
      run(['check-ledger'], env),
      run(['create-operator', '--email', 'cli-operator@example.test', '--name', 'CLI Operator', '--password', 'cli-operator-password'], env),
    ]);
    polling = false;
    await poller;

    expect(job.stderr).toContain(`A Lockstep server (pid ${server!.pid}) holds the data folder`);
    expect({ code: job.code, stdout: job.stdout }).toMatchObject({ code: 0, stdout: expect.stringMatching(/\d+ action\(s\) locked\.\n$/) });
    expect({ code: ledger.code, stdout: ledger.stdout }).toMatchObject({ code: 0, stdout: expect.stringMatching(/^Ledger OK: \d+ transfer\(s\)/) });
    expect({ code: operator.code, stdout: operator.stdout }).toMatchObject({ code: 0, stdout: expect.stringMatching(/^Operator cli-operator@example\.test created/) });
    expect(healthFailures).toBe(0);
    const operatorLogin = await fetch(`${server!.url}/api/v1/session`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ Email: 'cli-operator@example.test', Password: 'cli-operator-password' }),
    });
    expect(operatorLogin.status).toBe(200);

    expect((await session.api('POST', '/api/v1/conversions', conversion(session, 'AFTER-JOB', BEFORE))).status).toBe(201);
    expect(await conversionCount(session, window(BEFORE))).toBe(2);
    // The server still holds the folder: the commands never opened it.
    expect(dataDirHolder(dataDir)).toMatchObject({ pid: server!.pid });
  }, 90_000);

  it('refuses `migrate` and `seed` at once, naming the server and how to stop it', async () => {
    const [migrate, seed] = await Promise.all([run(['migrate'], env), run(['seed'], env)]);
    for (const refused of [migrate, seed]) {
      expect(refused.code).toBe(1);
      expect(refused.stderr).toContain(`A Lockstep server (pid ${server!.pid}`);
      expect(refused.stderr).toContain(`kill ${server!.pid}`);
      // Refused before opening the database (which alone takes seconds).
      expect(refused.ms).toBeLessThan(15_000);
    }
    expect(migrate.stderr).toContain('applied every migration');
    expect((await fetch(`${server!.url}/health`)).status).toBe(200);
  }, 60_000);

  it('admin endpoints take the admin secret and nothing else, and are not in /docs', async () => {
    const secret = JSON.parse(fs.readFileSync(path.join(dataDir, ADMIN_FILE), 'utf8')).secret as string;
    const token = await session.api('POST', '/api/v1/credentials', { Label: 'admin-check' });
    expect(token.status).toBe(201);
    const basic = `Basic ${Buffer.from(`${token.body.AccountSid}:${token.body.AuthToken}`).toString('base64')}`;
    const attempts: Array<[string, Record<string, string>, number]> = [
      ['no credentials', {}, 401],
      ['a wrong secret', { authorization: `Bearer ${secret.slice(0, -1)}${secret.endsWith('A') ? 'B' : 'A'}` }, 401],
      ['a session cookie', { cookie: session.cookie }, 403],
      ['an API token', { authorization: basic }, 403],
      ['the secret', { authorization: `Bearer ${secret}` }, 200],
    ];
    for (const [who, headers, status] of attempts) {
      const response = await fetch(`${server!.url}/api/v1/admin/check-ledger`, { method: 'POST', headers });
      expect({ who, status: response.status }).toEqual({ who, status });
      if (status >= 400) {
        expect(response.headers.get('content-type')).toMatch(/^application\/problem\+json/);
        expect(((await response.json()) as { detail: string }).detail).toMatch(/admin secret/);
      }
    }
    // The secret is no credential anywhere else.
    const elsewhere = await fetch(`${server!.url}/api/v1/actions`, { headers: { authorization: `Bearer ${secret}` } });
    expect(elsewhere.status).toBe(401);
    const docs = await (await fetch(`${server!.url}/docs/json`)).text();
    expect(docs).not.toContain('/admin/');
  }, 30_000);

  it('exits within 10 s of SIGTERM during a 10,000-conversion batch, and reopens with everything committed', async () => {
    const body = JSON.stringify({
      Conversions: Array.from({ length: 10_000 }, (_, i) => conversion(session, `BATCH-${i}`, BATCH)),
    });
    const batch = postLarge(server!.url, '/api/v1/conversions/batch', { cookie: session.cookie, 'lockstep-account': String(session.accountId), 'content-type': 'application/json' }, body);
    await batch.sent;
    await new Promise((resolve) => setTimeout(resolve, 150));
    const exit = await stop(server!);
    const answer = await batch.answer;
    expect(exit.ms, server!.output()).toBeLessThan(10_000);
    expect(exit.signal).toBeNull();
    const answered = 'status' in answer && answer.status === 200;
    if (answered) {
      // The batch in flight finished within the deadline: answered, then a clean exit.
      expect(exit.code, server!.output()).toBe(0);
    } else {
      // On a loaded machine a 10,000-row batch on PGlite can outlast the deadline: the
      // server exits anyway, saying so, and the chunks it had committed stay committed.
      expect(exit.code).toBe(1);
      expect(server!.output()).toContain('shutdown deadline passed');
    }
    // Both ways the lock and the admin secret go with the process.
    expect(fs.existsSync(path.join(dataDir, LOCK_FILE))).toBe(false);
    expect(fs.existsSync(path.join(dataDir, ADMIN_FILE))).toBe(false);

    server = await startServer(dataDir, false);
    session = await brandSession(server.url);
    expect(await conversionCount(session, window(BEFORE))).toBe(2);
    batchRows = await conversionCount(session, window(BATCH));
    if (answered) expect(batchRows).toBe(10_000);
    else expect(batchRows).toBeLessThanOrEqual(10_000);
  }, 90_000);

  it('a second signal forces the exit; a server then takes over a stale lock and opens the folder fine', async () => {
    const body = JSON.stringify({
      Conversions: Array.from({ length: 10_000 }, (_, i) => conversion(session, `BATCH2-${i}`, BATCH2)),
    });
    const batch = postLarge(server!.url, '/api/v1/conversions/batch', { cookie: session.cookie, 'lockstep-account': String(session.accountId), 'content-type': 'application/json' }, body);
    await batch.sent;
    await new Promise((resolve) => setTimeout(resolve, 150));
    server!.child.kill('SIGTERM');
    await new Promise((resolve) => setTimeout(resolve, 100));
    const secondSignal = Date.now();
    server!.child.kill('SIGTERM');
    const exit = await server!.exited;
    await batch.answer;
    // At once, not at the deadline (unless the batch had finished before the second signal).
    expect(Date.now() - secondSignal, server!.output()).toBeLessThan(5000);
    if (exit.code !== 0) {
      expect(exit.code).toBe(1);
      expect(server!.output()).toContain('second signal');
    }

    // Even a forced exit releases the lock; a killed process (SIGKILL) leaves its lock
    // behind, which the next process takes over.
    expect(fs.existsSync(path.join(dataDir, LOCK_FILE))).toBe(false);
    fs.writeFileSync(path.join(dataDir, LOCK_FILE), lockOf(DEAD_PID));

    server = await startServer(dataDir, false);
    session = await brandSession(server.url);
    expect(await conversionCount(session, window(BEFORE))).toBe(2);
    expect(await conversionCount(session, window(BATCH))).toBe(batchRows);
    // The forced batch keeps the chunks it had committed (each its own transaction), never more.
    expect(await conversionCount(session, window(BATCH2))).toBeLessThanOrEqual(10_000);
    expect(JSON.parse(fs.readFileSync(path.join(dataDir, LOCK_FILE), 'utf8'))).toMatchObject({ pid: server.pid });
    expect((await stop(server)).code).toBe(0);
  }, 120_000);
});
