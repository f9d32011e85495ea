import type { Db } from './types.js';
import { migrations } from './migrations/index.js';

// Any fixed number: every instance that starts at once waits on the same lock, so
// migrations run exactly once even with many app instances.
const MIGRATION_LOCK_KEY = 7_350_001;

/** Applies every migration not yet applied, in order, each in its own transaction. */
export async function migrate(db: Db, onApplied?: (id: string) => void): Promise<string[]> {
  const applied: string[] = [];
  await db.transaction(async (tx) => {
    await tx.query('select pg_advisory_xact_lock($1)', [MIGRATION_LOCK_KEY]);
    await tx.query(
      `create table if not exists schema_migrations (
         id text primary key,
         applied_at timestamptz not null default now()
       )`,
    );
    const done = new Set(
      (await tx.query<{ id: string }>('select id from schema_migrations')).rows.map((row) => row.id),
    );
    for (const migration of migrations) {
      if (done.has(migration.id)) continue;
      await tx.exec(migration.sql);
      await tx.query('insert into schema_migrations (id) values ($1)', [migration.id]);
      applied.push(migration.id);
      onApplied?.(migration.id);
    }
  });
  return applied;
}
