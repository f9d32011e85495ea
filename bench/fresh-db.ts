import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { openDb, quoteIdent } from '../src/db/connection.js';
import { migrate } from '../src/db/migrate.js';
import type { Db } from '../src/db/types.js';

export function benchDatabaseUrl(): string | undefined {
  return process.env.BENCH_DATABASE_URL || process.env.TEST_DATABASE_URL || undefined;
}

/** A freshly migrated database for one benchmark: a temp PGlite folder, or a new PostgreSQL schema. */
export async function freshDb(kind: 'pglite' | 'postgres'): Promise<{ db: Db; drop(): Promise<void> }> {
  if (kind === 'pglite') {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lockstep-bench-'));
    const db = await openDb({ dataDir: dir });
    await migrate(db);
    return {
      db,
      drop: async () => {
        await db.close();
        fs.rmSync(dir, { recursive: true, force: true });
      },
    };
  }
  const url = benchDatabaseUrl();
  if (!url) throw new Error('No PostgreSQL for the benchmark: set BENCH_DATABASE_URL or TEST_DATABASE_URL.');
  const schema = `bench_${randomBytes(5).toString('hex')}`;
  const admin = new pg.Client({ connectionString: url });
  await admin.connect();
  await admin.query(`create schema ${quoteIdent(schema)}`);
  await admin.end();
  const db = await openDb({ databaseUrl: url, searchPath: schema, poolSize: 8 });
  await migrate(db);
  return {
    db,
    drop: async () => {
      await db.close();
      const client = new pg.Client({ connectionString: url });
      await client.connect();
      await client.query(`drop schema ${quoteIdent(schema)} cascade`);
      await client.end();
    },
  };
}

export function percentileMs(samples: number[], p: number): number {
  const sorted = [...samples].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? 0;
}
