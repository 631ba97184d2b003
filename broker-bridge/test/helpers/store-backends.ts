// The same test against both store backends: the embedded SQLite (as before) and PostgreSQL
// (SHIPGATE_TEST_PG_URL; skipped with one warning without it, an error under CI=true). Each
// PostgreSQL run gets a database of its own, created for it and dropped after.
//
// The PostgreSQL variants run serially (ava runs a file's serial tests before its concurrent
// ones), so the backend they set for freshStore() and storeConfig() is theirs alone; the SQLite
// variants run afterwards, concurrently, on the defaults they always had.

import test, { type ExecutionContext } from "ava";
import { Store } from "../../src/store";
import { tempDir } from "./bridge";
import { createTestDatabase, testPostgresUrl } from "./ha-postgres";

interface Current {
  url: string;
  opened: Store[];
}

let current: Current | null = null;

/** Generous for tests on a loaded machine; the bridge's own default is PG_STORE_TIMEOUT_MS. */
const TEST_TIMEOUT_MS = 5000;

/** A store for the running variant: in-memory SQLite, or a new connection to its PostgreSQL
 *  database (so two calls in one test see the same data, as a restart would). */
export function freshStore(): Store {
  if (current === null) return Store.memory();
  const store = Store.open(tempDir("shipgate-store-"), { url: current.url, timeoutMs: TEST_TIMEOUT_MS, applicationName: "shipgate-test" });
  current.opened.push(store);
  return store;
}

/** The config section a bridge in this variant gets: none (SQLite), or store.url. */
export function storeConfig(): { store?: { url: string } } {
  return current === null ? {} : { store: { url: current.url } };
}

/** The PostgreSQL URL of the running variant, or null on SQLite. */
export function storeUrl(): string | null {
  return current?.url ?? null;
}

export type StoreImpl = (t: ExecutionContext) => unknown;

/** Registers `title` for PostgreSQL only (what a shared store adds), skipped without a server. */
export function postgresOnly(title: string, impl: StoreImpl): void {
  register(`${title} (PostgreSQL)`, impl);
}

/** Registers `title` twice: on SQLite as `test` would, and "(PostgreSQL)" on a fresh database. */
export function bothStores(title: string, impl: StoreImpl): void {
  test(title, impl as (t: ExecutionContext) => void);
  register(`${title} (PostgreSQL)`, impl);
}

function register(title: string, impl: StoreImpl): void {
  const server = testPostgresUrl();
  if (server === null) {
    test.skip(title, () => undefined);
    return;
  }
  test.serial(title, async (t) => {
    const db = await createTestDatabase(server);
    // Unused here; a test that ends every session on its database must not crash the run.
    db.admin.on("error", () => undefined);
    current = { url: db.url, opened: [] };
    const mine = current;
    try {
      await (impl(t) as Promise<void> | undefined);
    } finally {
      current = null;
      for (const s of mine.opened) s.close();
      await db.drop();
    }
  });
}
