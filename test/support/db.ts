import { randomBytes } from 'node:crypto';
import type { PGlite } from '@electric-sql/pglite';
import pg from 'pg';
import { afterEach, beforeEach, describe } from 'vitest';
import { ManualClock } from '../../src/core/clock.js';
import { openDb, openPglite, quoteIdent, wrapPglite } from '../../src/db/connection.js';
import { migrate } from '../../src/db/migrate.js';
import type { Db } from '../../src/db/types.js';

export type DbKind = 'pglite' | 'postgres';

export interface DbTestContext {
  kind: DbKind;
  db: Db;
  clock: ManualClock;
}

const postgresUrl = process.env.TEST_DATABASE_URL;

// Opening PGlite takes seconds, so one instance serves every test in a worker; each
// test gets a fresh schema in it, which is what isolates tests from each other.
const shared = globalThis as unknown as { __lockstepPglite?: Promise<PGlite>; __lockstepAdmin?: pg.Pool };

function sharedPglite(): Promise<PGlite> {
  shared.__lockstepPglite ??= openPglite(undefined);
  return shared.__lockstepPglite;
}

function adminPool(): pg.Pool {
  shared.__lockstepAdmin ??= new pg.Pool({ connectionString: postgresUrl, max: 2 });
  return shared.__lockstepAdmin;
}

async function createIsolatedDb(kind: DbKind, schema: string): Promise<Db> {
  if (kind === 'pglite') {
    const pglite = await sharedPglite();
    await pglite.exec(`create schema ${quoteIdent(schema)}; set search_path to ${quoteIdent(schema)}`);
    return wrapPglite(pglite, { ownsInstance: false });
  }
  await adminPool().query(`create schema ${quoteIdent(schema)}`);
  return openDb({ databaseUrl: postgresUrl, searchPath: schema, poolSize: 20 });
}

async function dropIsolatedDb(kind: DbKind, schema: string, db: Db): Promise<void> {
  await db.close();
  if (kind === 'pglite') {
    const pglite = await sharedPglite();
    await pglite.exec(`set search_path to public; drop schema ${quoteIdent(schema)} cascade`);
  } else {
    await adminPool().query(`drop schema ${quoteIdent(schema)} cascade`);
  }
}

export const postgresAvailable = Boolean(postgresUrl);

/**
 * Runs a suite once on PGlite and again on PostgreSQL when TEST_DATABASE_URL is set.
 * Every test gets a freshly migrated schema of its own and a manual clock.
 */
export function describeDb(
  name: string,
  body: (ctx: () => DbTestContext) => void,
  options: { kinds?: DbKind[] } = {},
): void {
  const kinds = options.kinds ?? ['pglite', 'postgres'];
  for (const kind of kinds) {
    const enabled = kind === 'pglite' || postgresAvailable;
    const label = enabled ? `${name} [${kind}]` : `${name} [${kind}: skipped, TEST_DATABASE_URL not set]`;
    describe.skipIf(!enabled)(label, () => {
      let current: DbTestContext | undefined;
      let schema = '';
      beforeEach(async () => {
        schema = `t_${randomBytes(6).toString('hex')}`;
        const db = await createIsolatedDb(kind, schema);
        await migrate(db);
        current = { kind, db, clock: new ManualClock('2026-01-15T12:00:00Z') };
      });
      afterEach(async () => {
        if (current) await dropIsolatedDb(kind, schema, current.db);
        current = undefined;
      });
      body(() => {
        if (!current) throw new Error('Database context used outside a test.');
        return current;
      });
    });
  }
}

/** For suites that only make sense with many connections (concurrency). */
export function describePostgres(name: string, body: (ctx: () => DbTestContext) => void): void {
  describeDb(name, body, { kinds: ['postgres'] });
}
