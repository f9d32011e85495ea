import fs from 'node:fs';
import path from 'node:path';
import { PGlite, type messages } from '@electric-sql/pglite';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import pg from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import type { CopyRows } from './copy-binary.js';
import { acquireDataDirLock } from './data-dir-lock.js';
import type { Db, QueryOptions, QueryResult, Sql } from './types.js';

// int8 (bigint) columns hold money in minor units: read them as BigInt, never as float.
const INT8_OID = 20;
pg.types.setTypeParser(INT8_OID, (value) => BigInt(value));

const RETRYABLE = new Set(['40P01', '40001']); // deadlock_detected, serialization_failure
const MAX_TX_ATTEMPTS = 5;

function isRetryable(error: unknown): boolean {
  return typeof error === 'object' && error !== null && RETRYABLE.has((error as { code?: string }).code ?? '');
}

export interface OpenOptions {
  databaseUrl?: string;
  dataDir?: string;
  /** A schema to use instead of public; tests get a fresh one each. */
  searchPath?: string;
  poolSize?: number;
  /** What this process is, for the data folder's lock file (e.g. "lockstep start"); PGlite with a dataDir only. */
  command?: string;
}

/**
 * PGlite in memory, or with its data under dataDir. A folder is opened by one process
 * at a time (see data-dir-lock.ts): the lock is taken before the engine touches the
 * folder, so a second process is refused before it can do harm, and released when the
 * engine has closed.
 */
/**
 * PostgreSQL's default 128 MB of shared buffers are allocated and written when the engine
 * starts, so inside this process they are resident from the first second: most of the
 * difference between the server's idle memory on PGlite and on PostgreSQL (measured after
 * the demo data: 443 MB against 322 MB with 16 MB and 344 MB with 32 MB of buffers).
 * The embedded engine's data files sit in the operating system's page cache anyway, so
 * fewer buffers cost a read call, not a disk read. 32 MB holds the demo's data and the hot
 * ends of the clicks and actions indexes.
 */
const PGLITE_SETTINGS = ['-c', 'shared_buffers=32MB'];

export async function openPglite(dataDir: string | undefined, searchPath?: string, command?: string): Promise<PGlite> {
  let release: (() => void) | undefined;
  if (dataDir) {
    fs.mkdirSync(dataDir, { recursive: true });
    release = acquireDataDirLock(dataDir, command ?? process.argv.slice(1).map((arg) => path.basename(arg)).join(' '));
  }
  let pglite: PGlite;
  try {
    pglite = await PGlite.create(dataDir ? path.join(dataDir, 'pglite') : undefined, {
      parsers: { [INT8_OID]: (value: string) => BigInt(value) },
      startParams: [...PGlite.defaultStartParams, ...PGLITE_SETTINGS],
    });
    if (searchPath) await pglite.exec(`set search_path to ${quoteIdent(searchPath)}`);
  } catch (error) {
    release?.();
    throw error;
  }
  if (release) {
    const closeEngine = pglite.close.bind(pglite);
    const releaseLock = release;
    pglite.close = async () => {
      try {
        await closeEngine();
      } finally {
        releaseLock();
      }
    };
  }
  return pglite;
}

const heldPgliteLocks = new Set<number>();

/**
 * The frontend messages of a whole COPY FROM STDIN in the simple protocol: Query,
 * CopyData (every row), CopyDone. Were a row refused, the server answers with an error
 * and ignores the copy messages that follow, as the protocol says; nothing is written.
 */
function copyInMessages(statement: string, data: Buffer): Uint8Array {
  const statementBytes = Buffer.byteLength(statement);
  const out = Buffer.allocUnsafe(5 + statementBytes + 1 + 5 + data.length + 5);
  let at = 0;
  out[at] = 0x51; // 'Q'
  out.writeInt32BE(4 + statementBytes + 1, at + 1);
  at += 5 + out.write(statement, at + 5, 'utf8');
  out[at++] = 0;
  out[at] = 0x64; // 'd'
  out.writeInt32BE(4 + data.length, at + 1);
  at += 5 + data.copy(out, at + 5);
  out[at] = 0x63; // 'c'
  out.writeInt32BE(4, at + 1);
  return out;
}

/** The row count of a COPY's CommandComplete ("COPY <n>"). */
function copiedRows(replies: readonly messages.BackendMessage[]): number {
  for (const reply of replies) {
    if (reply.name === 'commandComplete') {
      const match = /^COPY (\d+)$/.exec((reply as messages.CommandCompleteMessage).text);
      if (match) return Number(match[1]);
    }
  }
  throw new Error('PGlite did not confirm the COPY.');
}

export function wrapPglite(pglite: PGlite, options: { ownsInstance: boolean }): Db {
  const run = async <T>(target: Pick<PGlite, 'query'>, text: string, params?: unknown[]): Promise<QueryResult<T>> => {
    const result = await target.query<T>(text, params as unknown[] | undefined);
    return { rows: result.rows, rowCount: result.affectedRows ?? result.rows.length };
  };
  return {
    kind: 'pglite',
    query: (text, params) => run(pglite, text, params),
    // COPY … FROM STDIN spoken to the engine directly: the statement, the rows and the
    // end of the data go in as one message buffer, in one call. PGlite's own way
    // (exec with a Blob read from '/dev/blob') costs about a quarter more per row: the
    // Blob, its copy into the engine's in-memory file, and a second call for a Sync.
    // It takes the same two locks exec() takes, so it waits for a running transaction
    // instead of slipping its rows in between that transaction's statements.
    copyRows: async (table, rows) => {
      const message = copyInMessages(copyStatement(table, rows), rows.finish());
      const { messages } = await pglite._runExclusiveTransaction(() =>
        pglite._runExclusiveQuery(() => pglite.execProtocol(message, { throwOnError: true })),
      );
      return copiedRows(messages);
    },
    exec: async (text) => {
      await pglite.exec(text);
    },
    // PGlite is a single session: its transactions are serialized by PGlite itself,
    // so there is nothing to retry here.
    transaction: (fn) => pglite.transaction((tx) =>
        fn({
          query: (text, params) => run(tx, text, params),
          exec: async (text) => {
            await tx.exec(text);
          },
        }),
      ),
    // PGlite is one session inside one process, where an advisory lock would be
    // re-entrant; an in-process set gives the same mutual exclusion.
    tryAdvisoryLock: async (key) => {
      if (heldPgliteLocks.has(key)) return null;
      heldPgliteLocks.add(key);
      return async () => {
        heldPgliteLocks.delete(key);
      };
    },
    close: async () => {
      if (options.ownsInstance) await pglite.close();
    },
  };
}

export function wrapPool(pool: pg.Pool): Db {
  const run = async <T>(client: pg.Pool | pg.PoolClient, text: string, params?: unknown[], options?: QueryOptions): Promise<QueryResult<T>> => {
    const result = options?.name ? await client.query({ name: options.name, text, values: params }) : await client.query(text, params);
    return { rows: result.rows as T[], rowCount: result.rowCount ?? 0 };
  };
  return {
    kind: 'postgres',
    query: (text, params, options) => run(pool, text, params, options),
    async copyRows(table, rows) {
      const data = rows.finish();
      const client = await pool.connect();
      let failure: Error | undefined;
      try {
        const stream = client.query(copyFrom(copyStatement(table, rows)));
        await pipeline(Readable.from([data]), stream);
        return stream.rowCount;
      } catch (error) {
        failure = error instanceof Error ? error : new Error(String(error));
        throw error;
      } finally {
        // A connection that failed mid-COPY is closed rather than reused.
        client.release(failure);
      }
    },
    exec: async (text) => {
      await pool.query(text);
    },
    async transaction(fn) {
      // A deadlock or serialization failure aborts the whole transaction; it is safe to
      // run the function again from the start, a bounded number of times.
      for (let attempt = 1; ; attempt++) {
        const client = await pool.connect();
        try {
          await client.query('begin');
          const tx: Sql = {
            query: (text, params, options) => run(client, text, params, options),
            exec: async (text) => {
              await client.query(text);
            },
          };
          const value = await fn(tx);
          await client.query('commit');
          return value;
        } catch (error) {
          await client.query('rollback').catch(() => undefined);
          if (isRetryable(error) && attempt < MAX_TX_ATTEMPTS) {
            await new Promise((resolve) => setTimeout(resolve, 5 * attempt + Math.random() * 20));
            continue;
          }
          throw error;
        } finally {
          client.release();
        }
      }
    },
    async tryAdvisoryLock(key) {
      // The lock belongs to a session, so one connection is held for as long as the lock.
      const client = await pool.connect();
      try {
        // Keyed by the schema too: separate schemas in one database are separate datasets.
        const { rows } = await client.query<{ locked: boolean }>(
          'select pg_try_advisory_lock($1::int, hashtext(current_schema())) as locked',
          [key],
        );
        if (!rows[0]?.locked) {
          client.release();
          return null;
        }
      } catch (error) {
        client.release();
        throw error;
      }
      return async () => {
        try {
          await client.query('select pg_advisory_unlock($1::int, hashtext(current_schema()))', [key]);
        } finally {
          client.release();
        }
      };
    },
    close: () => pool.end(),
  };
}

export function quoteIdent(name: string): string {
  if (!/^[a-z_][a-z0-9_]*$/.test(name)) throw new Error(`Unsafe identifier "${name}".`);
  return `"${name}"`;
}

function copyStatement(table: string, rows: CopyRows): string {
  return `copy ${quoteIdent(table)} (${rows.columns.map((column) => quoteIdent(column.name)).join(', ')}) from stdin with (format binary)`;
}

/** PostgreSQL when a URL is given, otherwise PGlite with its data under dataDir. */
export async function openDb(options: OpenOptions): Promise<Db> {
  if (options.databaseUrl) {
    const pool = new pg.Pool({
      connectionString: options.databaseUrl,
      max: options.poolSize ?? 10,
      ...(options.searchPath ? { options: `-c search_path=${quoteIdent(options.searchPath)}` } : {}),
    });
    // An idle client that errors (server restart) must not crash the process.
    pool.on('error', () => undefined);
    return wrapPool(pool);
  }
  return wrapPglite(await openPglite(options.dataDir, options.searchPath, options.command), { ownsInstance: true });
}
