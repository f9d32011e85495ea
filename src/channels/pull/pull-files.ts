/**
 * One pull of an event type's files from the brand's server, as a work item
 * (`returns-pull`, one per event type and schedule slot, or per "Pull now"):
 *
 * 1. connect (the server's key checked, recorded on first use), list the folder, keep the
 *    regular files whose names match the pattern (`receipt_*` and `result_*`, the
 *    platform's own replies, never);
 * 2. for each file not pulled before (same name, size and modification time), at most
 *    PULL_MAX_FILES a pull: download it, and store it with receiveReturnsBatch (channel
 *    PULL): the bytes, the batch, its work item and the record of the pulled file commit in
 *    one transaction, so a worker killed at any point either stored the file and will apply
 *    it, or did not and the next attempt pulls it again. The same bytes under another name
 *    or time are the first batch, recorded as pulled and not applied twice;
 * 3. with "delete after pull", delete each stored file on the server (a file stored by an
 *    earlier pull that died before deleting it is deleted by the next).
 *
 * A failure of the server (refused, wrong password, changed key, missing folder, timeout)
 * is kept with the run and the connection and shown; the item itself is done, and the next
 * scheduled pull tries again. A crash is retried by the worker (a few attempts).
 */
import { createHash } from 'node:crypto';
import type { ServiceContext } from '../../core/context.js';
import { conflict, DomainError } from '../../core/errors.js';
import { returnsBatchKind } from '../../flows/apply-returns-batch.js';
import { requireAccountActor, requireAccountAdmin, type Actor } from '../../modules/accounts/actor.js';
import { isReservedFileName, MAX_RETURNS_FILE_BYTES, receiveReturnsBatch } from '../../modules/returns/receive-batch.js';
import { enqueue, LeaseLostError, registerKind, wake, WorkerStoppingError, type WorkContext } from '../../worker/index.js';
import { filePatternRegExp } from './glob.js';
import { pullConfigOrThrow } from './pull-config.js';
import { PullError, remotePath, type RemoteFile, type RemoteSession } from './remote.js';
import { findPulledFile, finishRun, markPulledFileDeleted, recordPulledFile, startRun, type PullTrigger, type RunCounts } from './store.js';
import { connectTarget, pullActorOrThrow, pullTargetOrThrow, type PullTarget } from './target.js';
// Whatever runs pulls also answers them: the result upload and the PULL channel's result delivery register with it.
import './result-upload.js';

export interface PullPayload {
  eventTypeId: number;
  brandAccountId: number;
  trigger: PullTrigger;
  /** "Pull now": the member who asked; the changes are made in their name. */
  requestedByUserId?: number;
}

export interface PullProgress {
  runId?: string;
  pulled?: number;
  summary?: string;
}

/** How long a pull holds its item between heartbeats; a worker killed mid-pull hands it over this long after. */
export const PULL_LEASE_MS = 20_000;

/** Two pulls of one event type never overlap (a scheduled one and "Pull now"): a session advisory lock per event type, in a key space of its own (negative keys). */
export function pullLockKey(eventTypeId: number): number {
  return -eventTypeId;
}

export const pullKind = registerKind<PullPayload, PullProgress>('returns-pull', (ctx) => runPullItem(ctx), {
  maxAttempts: 3,
  leaseMs: PULL_LEASE_MS,
  backoff: { baseMs: 5_000, maxMs: 300_000 },
});

/** The files of a listing a pull takes, oldest first: regular files matching the pattern, never the platform's own replies. */
export function matchingFiles(files: readonly RemoteFile[], pattern: string): RemoteFile[] {
  const regExp = filePatternRegExp(pattern);
  return files
    .filter((file) => regExp.test(file.name) && !isReservedFileName(file.name))
    .sort((a, b) => (a.modifiedAt?.getTime() ?? 0) - (b.modifiedAt?.getTime() ?? 0) || a.name.localeCompare(b.name));
}

/** Renews the item's lease while network work runs between database steps; a failure (lease lost, stopping) is thrown at the next check. */
function heartbeat(ctx: WorkContext<PullPayload, PullProgress>, progress: () => PullProgress) {
  let chain: Promise<void> = Promise.resolve();
  let failure: unknown;
  const timer = setInterval(() => {
    chain = chain.then(() => ctx.checkpoint(progress())).catch((error) => {
      failure ??= error;
    });
  }, Math.floor(PULL_LEASE_MS / 4));
  return {
    check() {
      if (failure !== undefined) throw failure;
    },
    async stop() {
      clearInterval(timer);
      await chain;
    },
  };
}

async function runPullItem(ctx: WorkContext<PullPayload, PullProgress>): Promise<PullProgress> {
  const { eventTypeId, brandAccountId } = ctx.payload;
  const release = await ctx.db.tryAdvisoryLock(pullLockKey(eventTypeId));
  if (!release) {
    // "Pull now" while another pull runs: asked for, so it comes once that one is done; a scheduled one is that pull's twin and is dropped.
    if (ctx.payload.trigger === 'MANUAL') {
      await enqueue(ctx.db, pullKind, ctx.payload, { delayMs: 15_000 });
      return { summary: 'another pull of this event type was running; this one runs again in 15 s' };
    }
    return { summary: 'another pull of this event type was running; it takes the same files' };
  }
  try {
    let target: PullTarget;
    try {
      target = await pullTargetOrThrow(ctx.db, brandAccountId, eventTypeId);
    } catch (error) {
      if (error instanceof DomainError) return { summary: `nothing to pull: ${error.message}` };
      throw error;
    }
    if (target.eventType.returnsProcessing !== 'SFTP_PULL') return { summary: 'nothing to pull: Returns Processing is no longer SFTP_PULL' };
    return await pullOnce(ctx, target);
  } finally {
    await release();
  }
}

async function pullOnce(ctx: WorkContext<PullPayload, PullProgress>, target: PullTarget): Promise<PullProgress> {
  const { eventTypeId, brandAccountId } = ctx.payload;
  const config = pullConfigOrThrow();
  const runId = await startRun(ctx.db, { eventTypeId, brandAccountId, trigger: ctx.payload.trigger, workItemId: ctx.item.id, now: ctx.clock.now() });
  const counts: RunCounts = { matched: 0, pulled: 0, skipped: 0 };
  const fileErrors: string[] = [];
  let deferred = 0;
  const beat = heartbeat(ctx, () => ({ runId: runId.toString(), pulled: counts.pulled }));
  let session: RemoteSession | undefined;
  let failure: string | null = null;
  try {
    const actor = await pullActorOrThrow(ctx.db, brandAccountId, [ctx.payload.requestedByUserId, target.connection?.credentialsSavedByUserId]);
    session = (await connectTarget(ctx, target)).session;
    const settings = target.settings;
    const files = matchingFiles(await session.list(settings.folder), settings.filePattern);
    counts.matched = files.length;
    let taken = 0;
    for (const file of files) {
      beat.check();
      const path = remotePath(settings.folder, file.name);
      const known = await findPulledFile(ctx.db, eventTypeId, file);
      if (known) {
        counts.skipped += 1;
        if (settings.deleteAfterPull && known.deletedAt === null) {
          await session.remove(path);
          await markPulledFileDeleted(ctx.db, known.id, ctx.clock.now());
        }
        continue;
      }
      if (taken >= config.maxFiles) {
        deferred += 1;
        continue;
      }
      if (file.size > MAX_RETURNS_FILE_BYTES) {
        fileErrors.push(`${file.name}: larger than ${MAX_RETURNS_FILE_BYTES / 1024 / 1024} MiB; split it into smaller files.`);
        continue;
      }
      taken += 1;
      let content: Buffer;
      try {
        content = await session.download(path, MAX_RETURNS_FILE_BYTES);
      } catch (error) {
        if (!(error instanceof PullError)) throw error;
        fileErrors.push(`${file.name}: ${error.message}`);
        continue;
      }
      const contentHash = createHash('sha256').update(content).digest('hex');
      const now = ctx.clock.now();
      const record = { eventTypeId, brandAccountId, runId, file, contentHash, now };
      let received: Awaited<ReturnType<typeof receiveReturnsBatch>>;
      try {
        received = await receiveReturnsBatch(
          ctx.db,
          { brandAccountId, programId: target.eventType.programId, eventTypeId, userId: ctx.payload.requestedByUserId ?? null, now },
          { fileName: file.name, contentType: null, channel: 'PULL', content },
          async (tx, batchId) => {
            const item = await enqueue(tx, returnsBatchKind, { batchId: batchId.toString(), actor });
            await recordPulledFile(tx, { ...record, batchId });
            return item.id;
          },
        );
      } catch (error) {
        if (!(error instanceof DomainError)) throw error;
        fileErrors.push(`${file.name}: ${error.message}`);
        continue;
      }
      if (received.ignored) {
        counts.skipped += 1;
        continue;
      }
      if (received.created) {
        counts.pulled += 1;
        wake();
      } else {
        // The same bytes arrived before (under this or another name): the first batch stands, and this file is now known too.
        counts.skipped += 1;
        await recordPulledFile(ctx.db, { ...record, batchId: received.batch.id });
      }
      if (settings.deleteAfterPull) {
        const known = await findPulledFile(ctx.db, eventTypeId, file);
        await session.remove(path);
        if (known) await markPulledFileDeleted(ctx.db, known.id, ctx.clock.now());
      }
    }
  } catch (error) {
    if (error instanceof LeaseLostError || error instanceof WorkerStoppingError) throw error;
    if (!(error instanceof PullError)) {
      await beat.stop();
      await session?.close();
      await finishRun(ctx.db, { runId, eventTypeId, brandAccountId, counts, error: 'The pull failed unexpectedly; it is tried again shortly.', now: ctx.clock.now() });
      throw error;
    }
    failure = error.message;
  } finally {
    await beat.stop();
    await session?.close();
  }
  beat.check();
  if (fileErrors.length > 0) {
    const listed = fileErrors.slice(0, 10).join(' ');
    const more = fileErrors.length > 10 ? ` (and ${fileErrors.length - 10} more)` : '';
    failure = failure ?? `${fileErrors.length} file(s) could not be pulled: ${listed}${more}`;
  }
  await finishRun(ctx.db, { runId, eventTypeId, brandAccountId, counts, error: failure, now: ctx.clock.now() });
  const waiting = deferred > 0 ? `; ${deferred} more wait for the next pull (PULL_MAX_FILES)` : '';
  const summary = failure
    ? `pull failed: ${failure}`
    : `${counts.matched} file(s) matched, ${counts.pulled} pulled, ${counts.skipped} pulled before${waiting}`;
  if (failure) ctx.log.warn({ eventTypeId, item: ctx.item.id.toString() }, 'pull failed; the error is kept with the connection');
  return { runId: runId.toString(), pulled: counts.pulled, summary };
}

/**
 * "Pull now": a pull of the event type as soon as a worker is free, in the name of the
 * admin who asked. Needs the SFTP_PULL method and saved credentials.
 */
export async function requestPull(ctx: ServiceContext, actor: Actor, eventTypeId: number): Promise<{ workItemId: bigint }> {
  const admin = requireAccountAdmin(requireAccountActor(actor, 'BRAND'));
  const target = await pullTargetOrThrow(ctx.db, admin.accountId, eventTypeId);
  if (target.eventType.returnsProcessing !== 'SFTP_PULL') {
    throw conflict(`Returns Processing of event type ${eventTypeId} is ${target.eventType.returnsProcessing}; choose SFTP_PULL to pull from your server.`);
  }
  if (!target.connection?.credentialsEncrypted) throw conflict('No password or private key is saved for this pull; save one first.');
  const item = await enqueue(ctx.db, pullKind, { eventTypeId, brandAccountId: admin.accountId, trigger: 'MANUAL', requestedByUserId: admin.userId });
  return { workItemId: item.id };
}
