/**
 * `lockstep returns import FILE --event-type ID [--user EMAIL]`: applies a returns file with
 * the same engine as an upload (the file is stored as a batch, channel CLI, and its work item
 * is run here, in this process, through the worker's machinery), with a progress bar and the
 * counts by outcome at the end. Exit code 1 when the file could not be read or any row was not
 * applied (anything but APPLIED and UNCHANGED); 0 otherwise.
 */
import fs from 'node:fs';
import path from 'node:path';
import { InvalidArgumentError, type Command } from 'commander';
import { systemClock } from '../core/clock.js';
import { loadConfig } from '../core/config.js';
import type { ServiceContext } from '../core/context.js';
import { openDb } from '../db/connection.js';
import { DataDirHeldError } from '../db/data-dir-lock.js';
import { migrate } from '../db/migrate.js';
import { submitReturnsBatch } from '../flows/apply-returns-batch.js';
import { getBatchById, importActorOrThrow, type BatchRow } from '../modules/returns/queries.js';
import { RETURNS_OUTCOMES } from '../modules/returns/types.js';
import { runNow } from '../worker/index.js';
import { startProgress } from './progress.js';

const eventTypeId = (value: string): number => {
  if (!/^[1-9]\d{0,9}$/.test(value) || Number(value) > 2_147_483_647) throw new InvalidArgumentError('--event-type is an event type id (a number).');
  return Number(value);
};

/** The counts as the command prints them: every outcome with rows, and the total. */
export function countsReport(batch: BatchRow): string {
  const lines = RETURNS_OUTCOMES.filter((outcome) => batch.counts[outcome] > 0).map((outcome) => `  ${outcome.padEnd(18)} ${batch.counts[outcome].toLocaleString('en-US')}`);
  return [`Batch ${batch.id} (${batch.fileName}): ${batch.status}, ${batch.rowsDone.toLocaleString('en-US')} of ${(batch.rowsTotal ?? 0).toLocaleString('en-US')} rows`, ...lines].join('\n');
}

/** Whether every row was applied or changed nothing (what exit code 0 means). */
export function batchSucceeded(batch: BatchRow): boolean {
  return batch.status === 'DONE' && RETURNS_OUTCOMES.every((outcome) => outcome === 'APPLIED' || outcome === 'UNCHANGED' || batch.counts[outcome] === 0);
}

export async function importReturnsFile(ctx: ServiceContext, file: string, options: { eventType: number; user?: string }): Promise<BatchRow> {
  const actor = await importActorOrThrow(ctx.db, options.eventType, options.user);
  const received = await submitReturnsBatch(ctx, actor, options.eventType, {
    fileName: path.basename(file),
    contentType: null,
    channel: 'CLI',
    content: fs.createReadStream(file),
  });
  if (received.ignored) throw new Error(received.message);
  if (!received.created) {
    process.stderr.write(`This file was already received for event type ${options.eventType} as batch ${received.batch.id}; nothing more is applied.\n`);
    return received.batch;
  }
  const batchId = received.batch.id;
  const progress = startProgress(`Applying ${path.basename(file)}`, undefined);
  let total: number | null = null;
  const timer = setInterval(async () => {
    const now = await getBatchById(ctx.db, batchId).catch(() => undefined);
    if (!now) return;
    if (total === null && now.rowsTotal !== null) total = now.rowsTotal;
    progress.update(now.rowsDone);
  }, 250);
  try {
    await runNow(ctx, received.batch.workItemId!);
  } finally {
    clearInterval(timer);
    progress.stop();
  }
  return (await getBatchById(ctx.db, batchId))!;
}

export function addReturnsImportCommand(returns: Command): void {
  returns
    .command('import')
    .description('apply a returns file (CSV or XML) to an event type\'s actions, with the same engine as an upload; exit 1 when any row was not applied')
    .argument('<file>', 'the returns file')
    .requiredOption('--event-type <id>', 'the event type (ActionTrackerId) the file is for', eventTypeId)
    .option('--user <email>', "the brand user the changes are made as (default: the brand's first admin)")
    .action(async (file: string, options: { eventType: number; user?: string }) => {
      if (!fs.existsSync(file)) throw new Error(`${file}: no such file.`);
      const config = loadConfig();
      const db = await openDb({ databaseUrl: config.databaseUrl, dataDir: config.dataDir, command: 'lockstep returns import' }).catch((error: unknown) => {
        if (error instanceof DataDirHeldError) {
          throw new Error(
            `A Lockstep server (pid ${error.holder.pid}) holds the data folder ${error.dataDir}; upload the file through it instead ` +
              `(POST /api/v1/event-types/${options.eventType}/returns-batches, or Transactions → Returns batches), or stop it first.`,
          );
        }
        throw error;
      });
      try {
        await migrate(db);
        const batch = await importReturnsFile({ db, clock: systemClock }, file, options);
        process.stdout.write(`${countsReport(batch)}\n`);
        if (batch.error) process.stdout.write(`The file could not be read: ${batch.error}\n`);
        process.exitCode = batchSucceeded(batch) ? 0 : 1;
      } finally {
        await db.close();
      }
    });
}
