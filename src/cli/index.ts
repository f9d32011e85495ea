#!/usr/bin/env node
import { Command } from 'commander';
import { pino } from 'pino';
import { loadConfig, type Config } from '../core/config.js';
import { systemClock } from '../core/clock.js';
import type { ServiceContext } from '../core/context.js';
import { openDb } from '../db/connection.js';
import { migrate } from '../db/migrate.js';
import { createOperator } from '../modules/accounts/create-operator.js';
import { DEMO_PASSWORD, isDatabaseEmpty, seedDemo } from '../demo/seed-demo.js';
import { buildApp } from '../http/app.js';
import { JOBS, startScheduler } from '../jobs/scheduler.js';
import { countDueActions } from '../modules/actions/lock-due-actions.js';
import { checkLedger } from '../modules/ledger/check-ledger.js';
import { runWithProgress } from './progress.js';

async function openContext(config: Config): Promise<ServiceContext> {
  const db = await openDb({ databaseUrl: config.databaseUrl, dataDir: config.dataDir });
  return { db, clock: systemClock };
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
    const logger = pino({ level: config.logLevel });
    const ctx = await openContext(config);
    const applied = await migrate(ctx.db);
    if (applied.length) logger.info({ applied }, 'migrations applied');
    let demoLogins: Awaited<ReturnType<typeof seedDemo>> | undefined;
    if (config.seedDemo && (await isDatabaseEmpty(ctx))) {
      demoLogins = await seedDemo(ctx);
      logger.info('demo data loaded');
    }
    const app = await buildApp({ ctx, config, logger: { level: config.logLevel } });
    await app.listen({ port: config.port, host: config.host });
    const scheduler = config.jobs ? startScheduler(ctx, logger) : undefined;
    const lines = [
      '',
      `  Lockstep is running on ${config.publicUrl}`,
      `  Database: ${describeDatabase(config)}`,
      `  API docs: ${config.publicUrl}/docs   Health: ${config.publicUrl}/health   Metrics: ${config.publicUrl}/metrics`,
      '',
      '  Demo logins (password for all: ' + DEMO_PASSWORD + '):',
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
    process.stdout.write(lines.join('\n') + '\n');
    const shutdown = async () => {
      scheduler?.stop();
      await app.close();
      await ctx.db.close();
      process.exit(0);
    };
    process.once('SIGINT', shutdown);
    process.once('SIGTERM', shutdown);
  });

program
  .command('migrate')
  .description('apply database migrations')
  .action(async () => {
    const config = loadConfig();
    const ctx = await openContext(config);
    const applied = await migrate(ctx.db, (id) => process.stdout.write(`applied ${id}\n`));
    process.stdout.write(applied.length ? `${applied.length} migration(s) applied.\n` : 'The database is up to date.\n');
    await ctx.db.close();
  });

program
  .command('seed')
  .description('load the demo data (only into an empty database)')
  .action(async () => {
    const config = loadConfig();
    const ctx = await openContext(config);
    await migrate(ctx.db);
    if (!(await isDatabaseEmpty(ctx))) {
      process.stderr.write('The database already holds data; demo data is loaded only into an empty database.\n');
      await ctx.db.close();
      process.exitCode = 1;
      return;
    }
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
    const ctx = await openContext(config);
    await migrate(ctx.db);
    const { userId } = await createOperator(ctx, options);
    process.stdout.write(`Operator ${options.email} created (user ${userId}).\n`);
    await ctx.db.close();
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
    const job = JOBS.find((j) => j.name === name);
    if (!job) throw new Error(`Unknown job "${name}"; one of: ${JOBS.map((j) => j.name).join(', ')}.`);
    const config = loadConfig();
    const ctx = await openContext(config);
    await migrate(ctx.db);
    const total = job.name === 'lock-due-actions' ? await countDueActions(ctx) : undefined;
    const result = await runWithProgress(job.name, total, (onProgress) => job.run(ctx, onProgress));
    process.stdout.write(result.ran ? `${result.summary}.\n` : 'Another instance is running this job right now; nothing done.\n');
    await ctx.db.close();
  });

program
  .command('check-ledger')
  .description('verify that every ledger posting balances and account balances equal their postings')
  .action(async () => {
    const config = loadConfig();
    const ctx = await openContext(config);
    const result = await checkLedger(ctx.db);
    process.stdout.write(result.ok ? `Ledger OK: ${result.transfers} transfer(s), all balanced.\n` : `Ledger problems:\n${result.problems.join('\n')}\n`);
    process.exitCode = result.ok ? 0 : 1;
    await ctx.db.close();
  });

program.parseAsync().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
