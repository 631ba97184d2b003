// The bridge's one store: a SQLite file in the state directory (better-sqlite3, WAL). Each service
// owns its tables and declares them through migrate(); writes are synchronous, so a state change is
// on disk before anyone is told about it.

import Database from "better-sqlite3";
import { mkdirSync } from "node:fs";
import path from "node:path";

export type Db = Database.Database;

export class StoreError extends Error {
  readonly code = "STORE_UNAVAILABLE";
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = "StoreError";
  }
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

export class Store {
  readonly db: Db;
  readonly file: string;

  private constructor(db: Db, file: string) {
    this.db = db;
    this.file = file;
  }

  /** Opens (or creates) <stateDir>/shipgate.db. A read-only or full state directory is a clear error. */
  static open(stateDir: string): Store {
    const file = path.join(stateDir, "shipgate.db");
    try {
      makeDirectory(stateDir);
      const db = new Database(file);
      db.pragma("journal_mode = WAL");
      // FULL: a decision acknowledged to anyone survives power loss, not only a process kill.
      db.pragma("synchronous = FULL");
      db.pragma("busy_timeout = 5000");
      db.exec("CREATE TABLE IF NOT EXISTS migrations (name TEXT PRIMARY KEY, applied_at INTEGER NOT NULL)");
      return new Store(db, file);
    } catch (err) {
      throw new StoreError(`cannot open the state database ${file}: ${(err as Error).message}`, { cause: err });
    }
  }

  static memory(): Store {
    const db = new Database(":memory:");
    db.exec("CREATE TABLE IF NOT EXISTS migrations (name TEXT PRIMARY KEY, applied_at INTEGER NOT NULL)");
    return new Store(db, ":memory:");
  }

  /** Applies each named migration once, in order, each in its own transaction. */
  migrate(owner: string, steps: readonly string[]): void {
    const applied = this.db.prepare("SELECT 1 FROM migrations WHERE name = ?");
    const record = this.db.prepare("INSERT INTO migrations (name, applied_at) VALUES (?, ?)");
    steps.forEach((sql, i) => {
      const name = `${owner}#${i + 1}`;
      if (applied.get(name) !== undefined) return;
      this.db.transaction(() => {
        this.db.exec(sql);
        record.run(name, Date.now());
      })();
    });
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
