/**
 * The returns e-mail tests' harness (test/channels/smtp*.test.ts): Debian's swaks as the
 * sending client, and per test an app whose outgoing mail goes to a capture SMTP server
 * (SMTP_RELAY_URL), the listener on a free port, a folder for the files to attach.
 */
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach } from 'vitest';
import { startSmtpListener, type SmtpListener } from '../../src/channels/smtp/listener.js';
import { getBrandEventTypeOrThrow } from '../../src/modules/programs/brand-event-types.js';
import { setReturnsProcessing, type SetReturnsProcessingInput } from '../../src/modules/programs/set-returns-processing.js';
import { Worker } from '../../src/worker/worker.js';
import type { ActionWorld } from './action-helpers.js';
import { startTestApp, type TestApp } from './app.js';
import type { DbTestContext } from './db.js';
import { startSmtp, type TestSmtp } from './smtp.js';

export const DOMAIN = 'mail.lockstep.test';
export const SENDER = 'ops@acme.example';

export interface Swaks {
  code: number;
  output: string;
}

/** Runs /usr/bin/swaks against a listener; never throws on a refusal (the exit code says which step failed). */
export function swaks(listener: { port: number }, args: string[]): Promise<Swaks> {
  return new Promise((resolve) => {
    execFile(
      '/usr/bin/swaks',
      ['--server', `127.0.0.1:${listener.port}`, '--from', SENDER, '--helo', 'client.acme.example', '--timeout', '30', ...args],
      { timeout: 60_000 },
      (error, stdout, stderr) => resolve({ code: error ? ((error as { code?: number }).code ?? 1) : 0, output: `${stdout}${stderr}` }),
    );
  });
}

/** The server's answers swaks printed (`<-  250 …`, `<** 550 …`, `<~ ` inside TLS), one a line. */
export const answers = (run: Swaks) =>
  run.output
    .split('\n')
    .filter((line) => /^<[-~*]+ /.test(line))
    .map((line) => line.replace(/^<[-~*]+ +/, ''));

export interface EmailHarness {
  readonly t: TestApp;
  readonly listener: SmtpListener;
  readonly capture: TestSmtp;
  start(options?: { relay?: boolean; maxMessageBytes?: number; tls?: { cert: Buffer; key: Buffer } }): Promise<void>;
  /** The world's sale event type set to E-mail with these settings, and its address. */
  emailEventType(world: ActionWorld, email?: SetReturnsProcessingInput['email']): Promise<{ eventTypeId: number; address: string }>;
  /** A file of the test's folder, to attach. */
  file(name: string, content: string): string;
  /** Runs the batches and the e-mails queued until none is left. */
  drain(): Promise<void>;
  count(table: string): Promise<number>;
  readonly dir: string;
}

/** Call once in a describeDb body: each test gets its own folder; what a test started is closed after it. */
export function emailHarness(db: () => DbTestContext): EmailHarness {
  let t: TestApp | undefined;
  let capture: TestSmtp | undefined;
  let listener: SmtpListener | undefined;
  let dir = '';
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lockstep-smtp-'));
  });
  afterEach(async () => {
    await listener?.close();
    await t?.close();
    await capture?.close();
    listener = undefined;
    t = undefined;
    capture = undefined;
    fs.rmSync(dir, { recursive: true, force: true });
  });
  const started = <T>(value: T | undefined, what: string): T => {
    if (value === undefined) throw new Error(`${what} is not started: call start() first.`);
    return value;
  };
  return {
    get t() {
      return started(t, 'The app');
    },
    get listener() {
      return started(listener, 'The listener');
    },
    get capture() {
      return started(capture, 'The capture SMTP server');
    },
    get dir() {
      return dir;
    },
    async start(options = {}) {
      if (options.relay !== false) capture = await startSmtp();
      t = await startTestApp(db(), {
        publicUrl: 'https://lockstep.example',
        mailFrom: 'Lockstep <no-reply@lockstep.example>',
        mailDomain: DOMAIN,
        smtpPort: 2525,
        smtpRelayUrl: capture ? `smtp://127.0.0.1:${capture.port}` : undefined,
      });
      listener = await startSmtpListener(t.ctx, {
        port: 0,
        host: '127.0.0.1',
        mailDomain: DOMAIN,
        tls: options.tls,
        maxMessageBytes: options.maxMessageBytes ?? 256 * 1024,
        maxAttachments: 4,
        maxRecipients: 2,
      });
    },
    async emailEventType(world, email = {}) {
      const app = started(t, 'The app');
      const eventTypeId = world.program.saleEventTypeId;
      await setReturnsProcessing(app.ctx, world.brand.actor, eventTypeId, { method: 'EMAIL', email });
      const row = await getBrandEventTypeOrThrow(app.ctx.db, world.brand.id, eventTypeId);
      return { eventTypeId, address: `returns-${row.returnsEmailToken}@${DOMAIN}` };
    },
    file(name, content) {
      const at = path.join(dir, name);
      fs.writeFileSync(at, content);
      return at;
    },
    drain: () => new Worker(started(t, 'The app').ctx, { kinds: ['returns-batch', 'send-email'], pollMs: 20 }).drain(),
    async count(table) {
      return (await started(t, 'The app').ctx.db.query<{ n: number }>(`select count(*)::int as n from ${table}`)).rows[0]!.n;
    },
  };
}
