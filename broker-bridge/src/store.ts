// The bridge's one store. By default a SQLite file in the state directory (better-sqlite3, WAL);
// with `store.url` (SHIPGATE_STORE_URL) a PostgreSQL database that several bridges share, behind a
// synchronous facade (ha/pg-sync-db.ts) with the same calls. Each service owns its tables and
// declares them through migrate(); writes are synchronous, so a state change is committed before
// anyone is told about it. pg itself only loads (in the facade's worker thread) when a PostgreSQL
// URL is configured: `npm start` on the SQLite file never touches it.

import Database from "better-sqlite3";
import { mkdirSync } from "node:fs";
import path from "node:path";
import { PgSyncDatabase } from "./ha/pg-sync-db";
import type { Fence } from "./ha/pg-sync-protocol";
import type { Db, Dialect, MigrationStep } from "./store-db";
import { redactStoreUrl } from "./store-url";

export type { Db, Dialect, MigrationStep, RunResult, Statement } from "./store-db";
export type { Fence } from "./ha/pg-sync-protocol";

/** The longest a PostgreSQL connect, answer or statement may take (ms). It stays well under the
 *  lease's session timeout (3 s): each call blocks the bridge's thread (docs/deploy-ha.md). */
export const PG_STORE_TIMEOUT_MS = 1500;

/** The advisory lock two bridges starting together take around each migration. */
const MIGRATION_LOCK = 0x5_6a7e_0001;

export class StoreError extends Error {
  readonly code = "STORE_UNAVAILABLE";
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = "StoreError";
  }
}

export interface StoreOptions {
  /** postgres://... for a shared PostgreSQL store; absent or null: the SQLite file in stateDir. */
  url?: string | null;
  /** PostgreSQL only: called at the start of every write transaction. Null: no check; a fence
   *  with token null (a standby) or a stale token makes the write fail with FENCED_OUT
   *  (ha/fence.ts). Migrations are never fenced: they are idempotent and serialized by a lock. */
  fence?: () => Fence | null;
  /** pg_stat_activity.application_name of the store's session. */
  applicationName?: string;
  timeoutMs?: number;
}

/** mkdir -p, one level at a time. Node's recursive mkdirSync spins forever on some paths that
 *  refuse creation with ENOENT while their parent exists (under /proc, for one); this fails instead. */
export function makeDirectory(dir: string): void {
  const absolute = path.resolve(dir);
  let current = path.parse(absolute).root;
  for (const part of absolute
    .slice(current.length)
    .split(path.sep)
    .filter((p) => p.length > 0)) {
    current = path.join(current, part);
    try {
      mkdirSync(current, { mode: 0o700 });
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== "EEXIST") throw err;
    }
  }
}

const MIGRATIONS_TABLE = "CREATE TABLE IF NOT EXISTS migrations (name TEXT PRIMARY KEY, applied_at BIGINT NOT NULL)";

export class Store {
  readonly db: Db;
  /** The SQLite file, or the PostgreSQL URL without its password. */
  readonly file: string;
  readonly dialect: Dialect;
  /** The PostgreSQL URL (with its password: for a second connection), or null on SQLite. */
  readonly url: string | null;
  readonly #unfenced: { on: boolean };

  private constructor(db: Db, file: string, dialect: Dialect, url: string | null, unfenced: { on: boolean }) {
    this.db = db;
    this.file = file;
    this.dialect = dialect;
    this.url = url;
    this.#unfenced = unfenced;
  }

  /** Opens (or creates) <stateDir>/shipgate.db, or connects to options.url; either way the state
   *  directory exists afterwards. A read-only or full state directory, or an unreachable
   *  PostgreSQL, is a clear error naming it. */
  static open(stateDir: string, options: StoreOptions = {}): Store {
    if (options.url !== undefined && options.url !== null) return Store.#openPostgres(stateDir, options.url, options);
    const file = path.join(stateDir, "shipgate.db");
    try {
      makeDirectory(stateDir);
      const db = new Database(file);
      db.pragma("journal_mode = WAL");
      // FULL: a decision acknowledged to anyone survives power loss, not only a process kill.
      db.pragma("synchronous = FULL");
      db.pragma("busy_timeout = 5000");
      db.exec(MIGRATIONS_TABLE);
      return new Store(db as unknown as Db, file, "sqlite", null, { on: false });
    } catch (err) {
      throw new StoreError(`cannot open the state database ${file}: ${(err as Error).message}`, { cause: err });
    }
  }

  static #openPostgres(stateDir: string, url: string, options: StoreOptions): Store {
    const shown = redactStoreUrl(url);
    const unfenced = { on: false };
    const fence = options.fence;
    const db = new PgSyncDatabase({
      url,
      applicationName: options.applicationName ?? "shipgate-store",
      timeoutMs: options.timeoutMs ?? PG_STORE_TIMEOUT_MS,
      ...(fence === undefined ? {} : { fence: () => (unfenced.on ? null : fence()) }),
    });
    const store = new Store(db, shown, "postgres", url, unfenced);
    try {
      store.#migrationStep(() => db.exec(MIGRATIONS_TABLE));
      // The state directory still holds this machine's files (local-admin.json, local gadgets);
      // made once the server answered, so a refused start leaves nothing behind.
      makeDirectory(stateDir);
      return store;
    } catch (err) {
      db.close();
      throw new StoreError(`cannot open the PostgreSQL store ${shown}: ${(err as Error).message}`, { cause: err });
    }
  }

  static memory(): Store {
    const db = new Database(":memory:");
    db.exec(MIGRATIONS_TABLE);
    return new Store(db as unknown as Db, ":memory:", "sqlite", null, { on: false });
  }

  /** Applies each named migration once, in order, each in its own transaction (on PostgreSQL under
   *  an advisory lock, so bridges starting together do not both create a table). */
  migrate(owner: string, steps: readonly MigrationStep[]): void {
    const applied = this.db.prepare("SELECT 1 FROM migrations WHERE name = ?");
    const record = this.db.prepare("INSERT INTO migrations (name, applied_at) VALUES (?, ?)");
    steps.forEach((step, i) => {
      const name = `${owner}#${i + 1}`;
      if (applied.get(name) !== undefined) return;
      this.#migrationStep(() => {
        if (applied.get(name) !== undefined) return;
        this.db.exec(typeof step === "string" ? step : step[this.dialect]);
        record.run(name, Date.now());
      });
    });
  }

  /** Runs fn in a transaction outside the fence, holding the migration lock on PostgreSQL. */
  #migrationStep(fn: () => void): void {
    this.#unfenced.on = true;
    try {
      this.db.transaction(() => {
        if (this.dialect === "postgres") this.db.prepare("SELECT pg_advisory_xact_lock(?)").get(MIGRATION_LOCK);
        fn();
      })();
    } finally {
      this.#unfenced.on = false;
    }
  }

  /** A small key-value table for services' scalar state (cursors, the mode, counters). */
  kv(): KeyValue {
    this.migrate("kv", ["CREATE TABLE kv (key TEXT PRIMARY KEY, value TEXT NOT NULL)"]);
    const get = this.db.prepare<[string], { value: string }>("SELECT value FROM kv WHERE key = ?");
    const put = this.db.prepare("INSERT INTO kv (key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value");
    const del = this.db.prepare("DELETE FROM kv WHERE key = ?");
    return {
      get: <T>(key: string) => {
        const row = get.get(key);
        return row === undefined ? undefined : (JSON.parse(row.value) as T);
      },
      set: (key, value) => void put.run(key, JSON.stringify(value)),
      delete: (key) => void del.run(key),
    };
  }

  close(): void {
    if (this.db.open) this.db.close();
  }
}

export interface KeyValue {
  get<T>(key: string): T | undefined;
  set(key: string, value: unknown): void;
  delete(key: string): void;
}
