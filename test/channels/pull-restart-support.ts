/**
 * What the pull restart tests share: a brand whose sale event type pulls from a server,
 * set up through the services, and waiting on the database.
 */
import { configurePulls } from '../../src/channels/pull/index.js';
import { savePullCredentials } from '../../src/channels/pull/credentials.js';
import { systemClock } from '../../src/core/clock.js';
import { loadConfig } from '../../src/core/config.js';
import type { Db } from '../../src/db/types.js';
import { setReturnsProcessing } from '../../src/modules/programs/set-returns-processing.js';
import { makeActionWorld, makeSales, type ActionWorld } from '../support/action-helpers.js';
import { TEST_SECRETS_KEY } from '../support/app.js';
import { startWorkerProcess } from '../support/worker-process.js';

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** The worker processes read the same key of secrets at rest as this one, and may reach the test servers. */
export function useTestSecretsKey(): void {
  process.env.SECRETS_KEY = TEST_SECRETS_KEY;
  // The test servers listen on 127.0.0.1, which a pull refuses unless allowed.
  process.env.PULL_ALLOWED_HOSTS = '127.0.0.1';
  configurePulls({ ...loadConfig({}), secretsKey: TEST_SECRETS_KEY, pullAllowedHosts: ['127.0.0.1'] });
}

export async function startPullWorker(db: Db, kinds?: string[]) {
  const schema = (await db.query<{ s: string }>('select current_schema() as s')).rows[0]!.s;
  if (kinds) process.env.PULL_WORKER_KINDS = kinds.join(',');
  else delete process.env.PULL_WORKER_KINDS;
  return startWorkerProcess('test/channels/pull-worker-entry.ts', schema);
}

export async function pullingWorld(
  db: Db,
  pull: { Protocol: 'SFTP' | 'FTPS' | 'FTP'; port: number; username: string; folder: string; deleteAfterPull?: boolean },
  credentials: { password: string } | { privateKey: string },
): Promise<{ world: ActionWorld; ids: bigint[]; eventTypeId: number }> {
  const ctx = { db, clock: systemClock };
  const world = await makeActionWorld(ctx, { advanceMs: () => undefined });
  const ids = await makeSales(ctx, world.brand, world.partner, world.program, 3, { amount: () => '100.00' });
  const eventTypeId = world.program.saleEventTypeId;
  await setReturnsProcessing(ctx, world.brand.actor, eventTypeId, {
    method: 'SFTP_PULL',
    pull: {
      protocol: pull.Protocol,
      host: '127.0.0.1',
      port: pull.port,
      username: pull.username,
      folder: pull.folder,
      filePattern: 'returns_*.csv',
      deleteAfterPull: pull.deleteAfterPull ?? false,
    },
  });
  await savePullCredentials(ctx, world.brand.actor, eventTypeId, credentials);
  return { world, ids, eventTypeId };
}

export async function waitFor<T>(what: string, read: () => Promise<T | undefined | null | false>, timeoutMs = 90_000): Promise<T> {
  for (const deadline = Date.now() + timeoutMs; ; ) {
    const value = await read();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`Timed out waiting for ${what}.`);
    await sleep(50);
  }
}

export async function count(db: Db, sql: string, params: unknown[] = []): Promise<number> {
  return (await db.query<{ n: number }>(`select count(*)::int as n from (${sql}) q`, params)).rows[0]!.n;
}
