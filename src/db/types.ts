import type { CopyRows } from './copy-binary.js';

/**
 * The one database interface every module uses. It is deliberately small: a query
 * with positional parameters, and a transaction that hands out a handle of the same
 * shape. Every query inside a transaction must use that handle, never the outer db.
 */
export interface QueryResult<T> {
  rows: T[];
  rowCount: number;
}

export interface QueryOptions {
  /**
   * For a hot statement run many times a second: PostgreSQL keeps it prepared on each
   * connection under this name (parsed and planned once, not on every run). One name
   * for one text, everywhere. PGlite ignores it.
   */
  name?: string;
}

export interface Sql {
  query<T = Record<string, unknown>>(text: string, params?: unknown[], options?: QueryOptions): Promise<QueryResult<T>>;
  /** Runs a script of several statements with no parameters (migrations). */
  exec(text: string): Promise<void>;
}

/** Appending many rows at once, the way the click path stores its group commits. */
export interface BulkWriter {
  /**
   * Appends rows to a table with a binary COPY, in one statement that commits on its
   * own: far cheaper per row than an INSERT with parameters. The rows name their columns
   * (copy-binary.ts). All or nothing: a row the table refuses fails the whole call.
   * Resolves with the number of rows written.
   */
  copyRows(table: string, rows: CopyRows): Promise<number>;
}

export interface Db extends Sql, BulkWriter {
  readonly kind: 'pglite' | 'postgres';
  transaction<T>(fn: (tx: Sql) => Promise<T>): Promise<T>;
  /**
   * A session-level advisory lock for singleton jobs: resolves to a release function when
   * this caller got the lock, or null when another instance (or caller) holds it.
   */
  tryAdvisoryLock(key: number): Promise<(() => Promise<void>) | null>;
  close(): Promise<void>;
}

/** One schema change: SQL applied once, in order, and recorded by id. */
export interface Migration {
  id: string;
  sql: string;
}
