import type { Db, Migration } from './types.js';
import { migrations } from './migrations/index.js';

// Any fixed number: every instance that starts at once waits on the same lock, so
// migrations run exactly once even with many app instances.
const MIGRATION_LOCK_KEY = 7_350_001;

/**
 * Applies every migration not yet applied, in order, each in its own transaction: a
 * migration that fails rolls back alone and leaves the ones before it applied, and
 * the error names it. Each transaction first takes the migration lock, then checks
 * again whether its migration is still to do, so instances starting at once wait for
 * each other instead of applying anything twice.
 */
export async function migrate(db: Db, onApplied?: (id: string) => void, list: readonly Migration[] = migrations): Promise<string[]> {
  await db.transaction(async (tx) => {
    await tx.query('select pg_advisory_xact_lock($1)', [MIGRATION_LOCK_KEY]);
    await tx.query(
      `create table if not exists schema_migrations (
         id text primary key,
         applied_at timestamptz not null default now()
       )`,
    );
  });
  const applied: string[] = [];
  for (const migration of list) {
    const ran = await db
      .transaction(async (tx) => {
        await tx.query('select pg_advisory_xact_lock($1)', [MIGRATION_LOCK_KEY]);
        const done = await tx.query('select 1 from schema_migrations where id = $1', [migration.id]);
        if (done.rows.length) return false;
        await tx.exec(migration.sql);
        await tx.query('insert into schema_migrations (id) values ($1)', [migration.id]);
        return true;
      })
      .catch((error: unknown) => {
        throw new Error(`Migration ${migration.id} failed and was rolled back (the ones before it stay applied): ${(error as Error).message}`, {
          cause: error,
        });
      });
    if (ran) {
      applied.push(migration.id);
      onApplied?.(migration.id);
    }
  }
  return applied;
}
