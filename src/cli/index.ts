#!/usr/bin/env node
import { Command } from 'commander';
import { loggerOptions } from '../core/logging.js';
import { pino } from 'pino';
import { loadConfig, type Config } from '../core/config.js';
import { systemClock } from '../core/clock.js';
import type { ServiceContext } from '../core/context.js';
import { randomSecret } from '../core/crypto.js';
import { openDb } from '../db/connection.js';
import { DataDirHeldError } from '../db/data-dir-lock.js';
import { migrate } from '../db/migrate.js';
import { createOperator } from '../modules/accounts/create-operator.js';
import { DEMO_PASSWORD, isDatabaseEmpty, seedDemo } from '../demo/seed-demo.js';
import { buildApp } from '../http/app.js';
import type { JobResult } from '../jobs/job.js';
import { findJobOrThrow, JOBS, startScheduler } from '../jobs/scheduler.js';
import { reconcile } from '../jobs/reconcile.js';
import type { LedgerCheck } from '../modules/ledger/check-ledger.js';
import { configurePayouts } from '../modules/payouts/payout-config.js';
import { runWithProgress, startProgress, type Progress } from './progress.js';
import { callServer, localUrlOf, readAdminFile, removeAdminFile, runJobOnServer, writeAdminFile, type ServerAdmin } from './server-admin.js';
import { exitOnSignals, WORKER_STOP_GRACE_MS } from './shutdown.js';
import './work-kinds.js';
import { Worker } from '../worker/worker.js';
import { smtpListenerOptionsOf, startSmtpListener } from '../channels/smtp/listener.js';
import { tailEvents, type ReadPage } from './events-tail.js';
import { registerReturnsCommands } from './returns.js';
import { startSftpFromConfig } from '../channels/sftp-server/index.js';
import { readEventsAfter } from '../outbox/read-events.js';
import { toWireEvent, type WireEvent } from '../outbox/wire.js';
import type { CreatedOperator, CreateOperatorBody, LedgerCheckResult } from '../http/contract/admin.js';

/** `command` names this process in the PGlite data folder's lock file, for whoever finds it held. */
async function openContext(config: Config, command: string): Promise<ServiceContext> {
  const db = await openDb({ databaseUrl: config.databaseUrl, dataDir: config.dataDir, command });
  return { db, clock: systemClock };
}

/**
 * The database, or (PGlite only) the server that holds the data folder: the command is
 * then sent to it. A folder held by anything but a serving Lockstep server (another
 * command, a server still starting) is an error saying what to do.
 */
async function openContextOrServer(config: Config, command: string): Promise<{ ctx: ServiceContext } | { server: ServerAdmin }> {
  try {
    return { ctx: await openContext(config, command) };
  } catch (error) {
    if (!(error instanceof DataDirHeldError)) throw error;
    const server = readAdminFile(error.dataDir, error.holder.pid);
    if (!server) throw heldAdvice(error, 'It is starting or stopping: wait until it serves and try again, or');
    process.stderr.write(`A Lockstep server (pid ${error.holder.pid}) holds the data folder ${error.dataDir}; this command runs through it.\n`);
    return { server };
  }
}

/** The folder's holder, and how to free the folder; `serverNote` is said when the holder is a server. */
function heldAdvice(error: unknown, serverNote: string): unknown {
  if (!(error instanceof DataDirHeldError)) return error;
  const { pid, command, startedAt } = error.holder;
  if (command !== 'lockstep start') {
    return new Error(`${error.message} Wait for it to finish, or stop it (kill ${pid}), then run this command again.`);
  }
  return new Error(
    `A Lockstep server (pid ${pid}, running since ${startedAt}) holds the data folder ${error.dataDir}; PGlite, the embedded ` +
      `database, lets only one process at a time open a folder. ${serverNote} stop the server first (Ctrl+C in its terminal, ` +
      `or kill ${pid}), then run this command again.`,
  );
}

function describeDatabase(config: Config): string {
  return config.databaseUrl ? 'PostgreSQL (DATABASE_URL)' : `PGlite, data in ${config.dataDir}`;
}

const program = new Command();
program.name('lockstep').description('Lockstep partnership platform');

program
  .command('start')
  .description('migrate, load demo data into an empty database, and serve the web UI and API')
  .action(async () => {
    const config = loadConfig();
    const logger = pino(loggerOptions(config.logLevel));
    const ctx = await openContext(config, 'lockstep start').catch((error: unknown) => {
      throw heldAdvice(error, 'For a second server, use another DATA_DIR; otherwise');
    });
    const applied = await migrate(ctx.db);
    if (applied.length) logger.info({ applied }, 'migrations applied');
    let demoLogins: Awaited<ReturnType<typeof seedDemo>> | undefined;
    if (config.seedDemo && (await isDatabaseEmpty(ctx))) {
      // The demo's payout runs read the bank details' key and the wire fees.
      configurePayouts(config);
      demoLogins = await seedDemo(ctx);
      logger.info('demo data loaded');
    }
    // With PGlite this server is the only process on the data folder, so the command line
    // runs its commands through it, with a secret of this start (see cli/server-admin.ts).
    const adminSecret = ctx.db.kind === 'pglite' ? randomSecret() : undefined;
    const app = await buildApp({ ctx, config, logger: { level: config.logLevel }, ...(adminSecret ? { adminSecret } : {}) });
    // The SFTP server for returns files (SFTP_PORT; 0: none) stops with the web server.
    const sftp = await startSftpFromConfig(ctx, config, logger);
    if (sftp) app.addHook('onClose', () => sftp.close());
    // The returns e-mail listener (SMTP_PORT; 0: none) closes with the app.
    const smtp = config.smtpPort > 0 ? await startSmtpListener(ctx, smtpListenerOptionsOf(config, logger)) : undefined;
    if (smtp) app.addHook('onClose', () => smtp.close());
    await app.listen({ port: config.port, host: config.host });
    if (adminSecret) writeAdminFile(config.dataDir, { pid: process.pid, url: localUrlOf(app.server.address()), secret: adminSecret });
    // Every instance runs the worker, each claiming its share of the work items.
    const worker = config.worker ? new Worker(ctx, { concurrency: config.workerConcurrency, logger }).start() : undefined;
    const scheduler = config.jobs ? startScheduler(ctx, logger) : undefined;
    const lines = [
      '',
      `  Lockstep is running on ${config.publicUrl}`,
      `  Database: ${describeDatabase(config)}`,
      `  API docs: ${config.publicUrl}/docs   Health: ${config.publicUrl}/health   Metrics: ${config.publicUrl}/metrics`,
      ...(sftp ? [sftp.describe(new URL(config.publicUrl).hostname)] : ['  SFTP: off (SFTP_PORT=0)']),
      smtp
        ? `  Returns by e-mail: SMTP on ${smtp.host}:${smtp.port}${smtp.tls ? ' (STARTTLS)' : ''}, addresses returns-<token>@${config.mailDomain}`
        : '  Returns by e-mail: off (SMTP_PORT=0)',
      '',
      `  Demo logins (password for all: ${DEMO_PASSWORD}):`,
      ...(demoLogins ?? [
        { email: 'operator@lockstep.test', role: 'operator' },
        { email: 'brand@acme.test', role: 'brand admin, Acme Outdoor (USD)' },
        { email: 'brand@bonjour.test', role: 'brand admin, Bonjour Mode (EUR)' },
        { email: 'partner@trail.test', role: 'partner admin, Trail Blog; user of Style Creator' },
        { email: 'partner@deals.test', role: 'partner admin, Deal Hunter Media' },
        { email: 'partner@style.test', role: 'partner admin, Style Creator' },
      ]).map((login) => `    ${login.email.padEnd(26)} ${login.role}`),
      demoLogins ? '' : '  (demo data was loaded on an earlier start; logins you changed since keep their changes)',
      '',
    ];
    process.stdout.write(`${lines.join('\n')}\n`);
    exitOnSignals(
      {
        app,
        db: ctx.db,
        ...(scheduler ? { stopScheduler: () => scheduler.stop() } : {}),
        ...(worker ? { stopWorker: () => worker.stop({ graceMs: WORKER_STOP_GRACE_MS }).then(() => undefined) } : {}),
        cleanUp: () => {
          if (adminSecret) removeAdminFile(config.dataDir);
        },
      },
      logger,
    );
  });

program
  .command('migrate')
  .description('apply database migrations')
  .action(async () => {
    const config = loadConfig();
    const ctx = await openContext(config, 'lockstep migrate').catch((error: unknown) => {
      throw heldAdvice(error, 'The server applied every migration when it started, so the database is up to date; to run this anyway,');
    });
    const applied = await migrate(ctx.db, (id) => process.stdout.write(`applied ${id}\n`));
    process.stdout.write(applied.length ? `${applied.length} migration(s) applied.\n` : 'The database is up to date.\n');
    await ctx.db.close();
  });

program
  .command('seed')
  .description('load the demo data (only into an empty database)')
  .action(async () => {
    const config = loadConfig();
    const ctx = await openContext(config, 'lockstep seed').catch((error: unknown) => {
      throw heldAdvice(error, 'A server loads the demo data itself when it starts on an empty database (SEED_DEMO); to run this anyway,');
    });
    await migrate(ctx.db);
    if (!(await isDatabaseEmpty(ctx))) {
      process.stderr.write('The database already holds data; demo data is loaded only into an empty database.\n');
      await ctx.db.close();
      process.exitCode = 1;
      return;
    }
    configurePayouts(config);
    const logins = await seedDemo(ctx);
    process.stdout.write(`Demo data loaded. Password for all: ${DEMO_PASSWORD}\n${logins.map((l) => `  ${l.email}  ${l.role}`).join('\n')}\n`);
    await ctx.db.close();
  });

program
  .command('create-operator')
  .description('create a platform operator login')
  .requiredOption('--email <email>')
  .requiredOption('--name <name>')
  .requiredOption('--password <password>')
  .action(async (options: { email: string; name: string; password: string }) => {
    const config = loadConfig();
    const opened = await openContextOrServer(config, 'lockstep create-operator');
    const input = { email: options.email, name: options.name, password: options.password };
    let userId: number;
    if ('server' in opened) {
      const body: CreateOperatorBody = { Email: input.email, Name: input.name, Password: input.password };
      ({ UserId: userId } = await callServer<CreatedOperator>(opened.server, '/api/v1/admin/operators', body));
    } else {
      await migrate(opened.ctx.db);
      ({ userId } = await createOperator(opened.ctx, input));
      await opened.ctx.db.close();
    }
    process.stdout.write(`Operator ${options.email} created (user ${userId}).\n`);
  });

const jobs = program.command('jobs').description('background jobs (the server runs them on a schedule)');

jobs
  .command('list')
  .description('list the jobs and their schedules')
  .action(() => {
    for (const job of JOBS) process.stdout.write(`${job.name.padEnd(20)} ${job.schedule.padEnd(12)} ${job.description}\n`);
  });

jobs
  .command('run <name>')
  .description('run one job now, with a progress bar')
  .action(async (name: string) => {
    const job = findJobOrThrow(name);
    const config = loadConfig();
    const opened = await openContextOrServer(config, `lockstep jobs run ${job.name}`);
    let result: JobResult;
    if ('server' in opened) {
      let progress: Progress | undefined;
      try {
        result = await runJobOnServer(opened.server, job.name, (total) => {
          progress = startProgress(job.name, total);
          return (done) => progress?.update(done);
        });
      } finally {
        progress?.stop();
      }
    } else {
      const { ctx } = opened;
      await migrate(ctx.db);
      configurePayouts(config);
      const total = job.count ? await job.count(ctx) : undefined;
      result = await runWithProgress(job.name, total, (onProgress) => job.run(ctx, { onProgress }));
      await ctx.db.close();
    }
    process.stdout.write(result.ran ? `${result.summary}.\n` : 'Another run of this job is going on right now (the scheduler, or another instance); nothing done.\n');
  });

program
  .command('check-ledger')
  .description('verify that every ledger posting balances, account balances equal their postings, and statements their lines and payments')
  .action(async () => {
    const config = loadConfig();
    const opened = await openContextOrServer(config, 'lockstep check-ledger');
    let result: LedgerCheck;
    if ('server' in opened) {
      const answer = await callServer<LedgerCheckResult>(opened.server, '/api/v1/admin/check-ledger');
      result = { ok: answer.Ok, transfers: answer.Transfers, problems: answer.Problems };
    } else {
      result = await reconcile(opened.ctx.db);
      await opened.ctx.db.close();
    }
    process.stdout.write(result.ok ? `Ledger OK: ${result.transfers} transfer(s), all balanced; statements match their lines and payments.\n` : `Ledger problems:\n${result.problems.join('\n')}\n`);
    process.exitCode = result.ok ? 0 : 1;
  });

const events = program.command('events').description("the outbox: every state change of an action or a contract, in order");

events
  .command('tail')
  .description('print the events after a cursor, one JSON document a line; --follow keeps printing new ones')
  .option('--after <id>', 'print the events after this id', '0')
  .option('--follow', 'keep polling for new events until stopped (Ctrl+C)', false)
  .option('--type <prefix>', 'only events whose type starts with this, e.g. action. or contract.expired')
  .option('--account <id>', 'only events that concern this account')
  .action(async (options: { after: string; follow: boolean; type?: string; account?: string }) => {
    if (!/^\d{1,18}$/.test(options.after)) throw new Error(`--after must be an event id (a whole number), not "${options.after}".`);
    if (options.account !== undefined && !/^\d{1,9}$/.test(options.account)) throw new Error(`--account must be an account id, not "${options.account}".`);
    const config = loadConfig();
    const opened = await openContextOrServer(config, 'lockstep events tail');
    const filter = { ...(options.type ? { typePrefix: options.type } : {}), ...(options.account ? { accountId: Number(options.account) } : {}) };
    const read: ReadPage =
      'server' in opened
        ? async (cursor) => {
            const page = await callServer<{ Events: WireEvent[]; Cursor: string }>(opened.server, '/api/v1/admin/events', {
              After: cursor.toString(),
              ...(filter.typePrefix ? { TypePrefix: filter.typePrefix } : {}),
              ...(filter.accountId ? { AccountId: filter.accountId } : {}),
            });
            return { events: page.Events, cursor: BigInt(page.Cursor) };
          }
        : async (cursor) => {
            const page = await readEventsAfter(opened.ctx.db, cursor, filter);
            return { events: page.events.map(toWireEvent), cursor: page.cursor };
          };
    const stop = new AbortController();
    process.once('SIGINT', () => stop.abort());
    process.once('SIGTERM', () => stop.abort());
    await tailEvents(read, { after: BigInt(options.after), follow: options.follow, signal: stop.signal });
    if (!('server' in opened)) await opened.ctx.db.close();
  });

registerReturnsCommands(program);

program.parseAsync().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
