/**
 * The one database interface every module uses. It is deliberately small: a query
 * with positional parameters, and a transaction that hands out a handle of the same
 * shape. Every query inside a transaction must use that handle, never the outer db.
 */
export interface QueryResult<T> {
  rows: T[];
  rowCount: number;
}

export interface Sql {
  query<T = Record<string, unknown>>(text: string, params?: unknown[]): Promise<QueryResult<T>>;
  /** Runs a script of several statements with no parameters (migrations). */
  exec(text: string): Promise<void>;
}

export interface Db extends Sql {
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
