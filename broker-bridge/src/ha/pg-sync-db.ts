// PostgreSQL behind the part of better-sqlite3's synchronous API that shipgate's services use
// (prepare → run/get/all/iterate, transaction, exec), so their synchronous code could run on a
// shared store unchanged. Each call blocks the main thread until the worker thread's pg client
// answers (synckit: Atomics.wait on a SharedArrayBuffer), bounded by the connection's timeout.
// Issue 17 design (B): see docs/deploy-ha.md for its figures and limits.
//
// What it does not hide (the services' SQL is written for both: see docs/deploy-ha.md):
// - run().lastInsertRowid is the first column of a RETURNING clause (0 without one);
// - iterate() reads every row first (no cursor; the audit export pages instead);
// - pragma() has no meaning here and throws;
// - the SQL itself must be PostgreSQL's (docs/deploy-ha.md lists what today's migrations need).

import { fileURLToPath } from "node:url";
import { lazyRequire } from "../lazy-require";
import { type TranslatedSql, bindValues, translatePlaceholders } from "./sql-placeholders";
import type { ConnectionSpec, Fence, SyncRequest, SyncResponse } from "./pg-sync-protocol";

/** The longest a synchronous call may block, whatever the worker does (ms): a safety net behind
 *  the pg timeouts, which answer first. */
export const SYNC_CALL_LIMIT_MS = 30_000;

// The worker is a sibling file: from source, a JavaScript entry that loads tsx first; once built
// (a build must emit pg-sync-worker.js as its own entry point), the built worker itself.
const FROM_SOURCE = import.meta.url.endsWith(".ts");
const WORKER = fileURLToPath(new URL(FROM_SOURCE ? "./pg-sync-worker-source.mjs" : "./pg-sync-worker.js", import.meta.url));

// Loaded on the first PostgreSQL store only: a bridge on its SQLite file never loads synckit (and
// pg lives in the worker thread alone).
const synckit = lazyRequire<typeof import("synckit")>("synckit");

let call: ((req: SyncRequest) => SyncResponse) | null = null;
const send = (req: SyncRequest): SyncResponse => {
  call ??= synckit().createSyncFn<(req: SyncRequest) => Promise<SyncResponse>>(WORKER, { timeout: SYNC_CALL_LIMIT_MS });
  return call(req);
};

export class PgStoreError extends Error {
  constructor(
    message: string,
    readonly code: string,
    readonly sql?: string,
  ) {
    super(message);
    this.name = "PgStoreError";
  }
}

export interface PgSyncOptions extends ConnectionSpec {
  /** The lease a write transaction must still hold; checked in the transaction itself. */
  fence?: () => Fence | null;
}

export interface RunResult {
  changes: number;
  lastInsertRowid: number | bigint;
}

let nextId = 1;

export class PgSyncDatabase {
  readonly #id = nextId++;
  readonly #fence: (() => Fence | null) | undefined;
  #open = true;
  #depth = 0;

  constructor(options: PgSyncOptions) {
    this.#fence = options.fence;
    this.#do({ op: "open", db: this.#id, spec: { url: options.url, applicationName: options.applicationName, timeoutMs: options.timeoutMs } });
  }

  get open(): boolean {
    return this.#open;
  }

  get inTransaction(): boolean {
    return this.#depth > 0;
  }

  prepare<P extends unknown[] = unknown[], R = Record<string, unknown>>(sql: string): PgSyncStatement<P, R> {
    return new PgSyncStatement<P, R>(this, sql);
  }

  exec(sql: string): this {
    this.#write(() => this.#do({ op: "exec", db: this.#id, sql }, sql));
    return this;
  }

  pragma(source: string, _options?: { simple?: boolean }): never {
    throw new PgStoreError(`pragma ${source}: PostgreSQL has no pragmas`, "UNSUPPORTED");
  }

  /** Like better-sqlite3's: the returned function runs fn in a transaction (a savepoint when
   *  nested); the outermost one first checks the fence, and commits only if fn returns. */
  transaction<A extends unknown[], T>(fn: (...args: A) => T): (...args: A) => T {
    return (...args: A): T => {
      const outer = this.#depth === 0;
      const savepoint = `sg_${this.#depth}`;
      this.#do(outer ? { op: "begin", db: this.#id, fence: this.#fence?.() ?? null } : { op: "savepoint", db: this.#id, name: savepoint });
      this.#depth += 1;
      let out: T;
      try {
        out = fn(...args);
      } catch (err) {
        this.#depth -= 1;
        try {
          this.#do(outer ? { op: "rollback", db: this.#id } : { op: "rollback-to", db: this.#id, name: savepoint });
        } catch {
          // The first error says what went wrong; the rollback's adds nothing.
        }
        throw err;
      }
      this.#depth -= 1;
      this.#do(outer ? { op: "commit", db: this.#id } : { op: "release", db: this.#id, name: savepoint });
      return out;
    };
  }

  close(): void {
    if (!this.#open) return;
    this.#open = false;
    send({ op: "close", db: this.#id });
  }

  /** @internal One statement; a write outside a transaction gets its own fenced one. */
  query(sql: string, params: unknown[], write: boolean): SyncResponse & { ok: true } {
    const req: SyncRequest = { op: "query", db: this.#id, sql, params };
    return write ? this.#write(() => this.#do(req, sql)) : this.#do(req, sql);
  }

  #write<T>(fn: () => T): T {
    if (this.#depth > 0 || this.#fence === undefined) return fn();
    return this.transaction(fn)();
  }

  #do(req: SyncRequest, sql?: string): SyncResponse & { ok: true } {
    if (!this.#open) throw new PgStoreError("the database connection is closed", "STORE_CLOSED", sql);
    let res: SyncResponse;
    try {
      res = send(req);
    } catch (err) {
      // synckit throws when its wait times out or the worker failed.
      throw new PgStoreError(`the PostgreSQL store worker failed (a call waits at most ${SYNC_CALL_LIMIT_MS} ms): ${(err as Error).message}`, "STORE_UNAVAILABLE", sql);
    }
    if (!res.ok) throw new PgStoreError(`PostgreSQL: ${res.message}${sql === undefined ? "" : ` (in: ${sql.slice(0, 120)})`}`, res.code, sql);
    return res;
  }
}

const READS = /^\s*(SELECT|WITH|VALUES|SHOW|EXPLAIN)\b/i;

export class PgSyncStatement<P extends unknown[] = unknown[], R = Record<string, unknown>> {
  readonly #db: PgSyncDatabase;
  readonly #sql: string;
  readonly #translated: TranslatedSql;
  readonly #write: boolean;

  constructor(db: PgSyncDatabase, sql: string) {
    this.#db = db;
    this.#sql = sql;
    this.#translated = translatePlaceholders(sql);
    this.#write = !READS.test(sql);
  }

  get source(): string {
    return this.#sql;
  }

  run(...params: P): RunResult {
    const r = this.#query(params);
    const first = r.rows[0];
    const id = first === undefined ? 0 : Object.values(first)[0];
    return { changes: r.rowCount, lastInsertRowid: typeof id === "number" || typeof id === "bigint" ? id : 0 };
  }

  get(...params: P): R | undefined {
    return this.#query(params).rows[0] as R | undefined;
  }

  all(...params: P): R[] {
    return this.#query(params).rows as R[];
  }

  iterate(...params: P): IterableIterator<R> {
    return (this.#query(params).rows as R[])[Symbol.iterator]();
  }

  #query(params: unknown[]) {
    return this.#db.query(this.#translated.text, bindValues(this.#translated, params, this.#sql), this.#write);
  }
}
