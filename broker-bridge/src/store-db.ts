// What the services may ask of a store connection: the part of better-sqlite3's synchronous API
// that both backends give (better-sqlite3 itself for the SQLite file, ha/pg-sync-db.ts for
// PostgreSQL). Code written against this runs on either; anything SQLite-only (pragma, a second
// connection on the file) goes through Store and its dialect.

export interface RunResult {
  changes: number;
  lastInsertRowid: number | bigint;
}

export interface Statement<P extends unknown[] = unknown[], R = unknown> {
  run(...params: P): RunResult;
  get(...params: P): R | undefined;
  all(...params: P): R[];
  iterate(...params: P): IterableIterator<R>;
}

export interface Db {
  readonly open: boolean;
  readonly inTransaction: boolean;
  prepare<P extends unknown[] = unknown[], R = unknown>(sql: string): Statement<P, R>;
  exec(sql: string): unknown;
  /** SQLite only (PostgreSQL's facade throws): what tests and Store.open tune on the file. */
  pragma(source: string, options?: { simple?: boolean }): unknown;
  /** The returned function runs fn in a transaction (a savepoint when nested); it commits only if fn returns. */
  transaction<A extends unknown[], T>(fn: (...args: A) => T): (...args: A) => T;
  close(): void;
}

export type Dialect = "sqlite" | "postgres";

/** A migration step: SQL both dialects accept, or one text per dialect. */
export type MigrationStep = string | { sqlite: string; postgres: string };
