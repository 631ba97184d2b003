// The synchronous PostgreSQL facade (design B of issue 17) against a real PostgreSQL: the
// better-sqlite3 calls the services make, transactions, the fence, and what a dead or unreachable
// server does to a caller (a clear error within the timeout, never a hang).

import test from "ava";
import { PgStoreError, PgSyncDatabase } from "../src/ha/pg-sync-db";
import { type TestDatabase, createTestDatabase, testPostgresUrl } from "./helpers/ha-postgres";
import { startProxyProcess } from "./helpers/ha-tcp-proxy";
import { startThrowawayPostgres } from "./helpers/ha-throwaway-postgres";

const SERVER = testPostgresUrl();
const pgTest = SERVER === null ? test.skip : test.serial;
const TIMEOUT_MS = 1500;

let db: TestDatabase;
test.before(async () => {
  if (SERVER === null) return;
  db = await createTestDatabase(SERVER);
  await db.admin.query(`CREATE TABLE shipgate_lease (name TEXT PRIMARY KEY, holder TEXT NOT NULL, token BIGINT NOT NULL, since TIMESTAMPTZ NOT NULL);
    INSERT INTO shipgate_lease VALUES ('bridge', 'me', 7, now());
    CREATE TABLE items (seq BIGSERIAL PRIMARY KEY, id TEXT NOT NULL UNIQUE, at BIGINT NOT NULL, note TEXT)`);
});
test.after.always(async () => {
  await db?.drop();
});

const open = (url = db.url, fence?: () => { lease: string; token: number | null } | null) =>
  new PgSyncDatabase({ url, applicationName: "shipgate-test-sync", timeoutMs: TIMEOUT_MS, ...(fence ? { fence } : {}) });

const viaProxy = (port: number) => {
  const u = new URL(db.url);
  u.hostname = "127.0.0.1";
  u.port = String(port);
  return u.toString();
};

pgTest("prepare/run/get/all/iterate behave as the services use them: changes, RETURNING as lastInsertRowid, BIGINT millisecond times as numbers", (t) => {
  const s = open();
  try {
    const insert = s.prepare("INSERT INTO items (id, at, note) VALUES (@id, @at, @note) RETURNING seq");
    const first = insert.run({ id: "a", at: 1_764_000_000_000, note: null });
    t.is(first.changes, 1);
    t.true(typeof first.lastInsertRowid === "number" && first.lastInsertRowid > 0);
    s.prepare("INSERT INTO items (id, at) VALUES (?, ?)").run("b", 1_764_000_000_001);
    t.is(s.prepare("INSERT INTO items (id, at) VALUES (?, ?) ON CONFLICT DO NOTHING").run("b", 5).changes, 0);
    t.deepEqual(s.prepare<[string], { id: string; at: number; note: string | null }>("SELECT id, at, note FROM items WHERE id = ?").get("a"), { id: "a", at: 1_764_000_000_000, note: null });
    t.is(s.prepare("SELECT 1 FROM items WHERE id = ?").get("nope"), undefined);
    t.deepEqual(
      s
        .prepare<[], { id: string }>("SELECT id FROM items ORDER BY seq")
        .all()
        .map((r) => r.id),
      ["a", "b"],
    );
    t.deepEqual(
      [...s.prepare<[number], { id: string }>("SELECT id FROM items WHERE at > ? ORDER BY seq").iterate(1_764_000_000_000)].map((r) => r.id),
      ["b"],
    );
    t.throws(() => s.pragma("journal_mode = WAL"), { message: /no pragmas/ });
  } finally {
    s.close();
  }
});

pgTest("a transaction commits when fn returns and rolls back when it throws; a nested one is a savepoint", (t) => {
  const s = open();
  try {
    const put = s.prepare("INSERT INTO items (id, at) VALUES (?, ?)");
    const count = s.prepare<[], { n: number }>("SELECT count(*)::int AS n FROM items WHERE id LIKE 'tx-%'");
    s.transaction(() => {
      put.run("tx-1", 1);
      put.run("tx-2", 2);
      t.true(s.inTransaction);
    })();
    t.is(count.get()?.n, 2);
    t.throws(
      () =>
        s.transaction(() => {
          put.run("tx-3", 3);
          throw new Error("changed my mind");
        })(),
      { message: "changed my mind" },
    );
    t.is(count.get()?.n, 2);
    s.transaction(() => {
      put.run("tx-4", 4);
      t.throws(() => s.transaction(() => put.run("tx-1", 1))(), { instanceOf: PgStoreError, message: /duplicate key/ });
    })();
    t.is(count.get()?.n, 3);
    t.false(s.inTransaction);
  } finally {
    s.close();
  }
});

pgTest("with a fence, a write by a bridge whose token is stale is refused in its own transaction and changes nothing; reads still work", async (t) => {
  let token: number | null = 7;
  const s = open(db.url, () => ({ lease: "bridge", token }));
  try {
    s.prepare("INSERT INTO items (id, at) VALUES (?, ?)").run("fenced-ok", 1);
    token = 6;
    const err = t.throws(() => s.prepare("INSERT INTO items (id, at) VALUES (?, ?)").run("fenced-stale", 1), { instanceOf: PgStoreError });
    t.is(err?.code, "FENCED_OUT");
    t.regex(err?.message ?? "", /token 6 is stale \(lease bridge is at 7\)/);
    // The refused transaction is closed on the server too, not left idle in transaction.
    const state = await db.admin.query("SELECT state FROM pg_stat_activity WHERE application_name = 'shipgate-test-sync' AND datname = current_database()");
    t.deepEqual(
      state.rows.map((r) => r.state),
      ["idle"],
    );
    t.throws(() => s.transaction(() => s.prepare("UPDATE items SET note = 'x'").run())(), { message: /stale/ });
    token = null;
    t.throws(() => s.exec("DELETE FROM items"), { message: /does not lead/ });
    t.is(s.prepare<[], { n: number }>("SELECT count(*)::int AS n FROM items WHERE id LIKE 'fenced-%'").get()?.n, 1);
    t.is(s.prepare<[], { n: number }>("SELECT count(*)::int AS n FROM items WHERE note = 'x'").get()?.n, 0);
  } finally {
    s.close();
  }
});

pgTest("PostgreSQL gone (every connection reset, then refused): a clear STORE_UNAVAILABLE error within the timeout, and no hang", async (t) => {
  const proxy = await startProxyProcess(new URL(db.url).hostname, Number(new URL(db.url).port || 5432));
  const s = open(viaProxy(proxy.port));
  try {
    t.is(s.prepare<[], { one: number }>("SELECT 1 AS one").get()?.one, 1);
    await proxy.close();
    for (const attempt of ["reset", "refused"]) {
      const started = Date.now();
      const err = t.throws(() => s.prepare("SELECT 1").get(), { instanceOf: PgStoreError }, attempt);
      t.is(err?.code, "STORE_UNAVAILABLE", `${attempt}: ${err?.message}`);
      t.regex(err?.message ?? "", /PostgreSQL: /);
      t.true(Date.now() - started < TIMEOUT_MS + 1000, `${attempt} took ${Date.now() - started} ms`);
    }
  } finally {
    s.close();
  }
});

pgTest("PostgreSQL itself killed (SIGKILL to the postmaster and its backends): a clear STORE_UNAVAILABLE error at once, inside a transaction too", async (t) => {
  const server = await startThrowawayPostgres();
  t.teardown(() => server.kill());
  const s = open(server.url);
  try {
    s.exec("CREATE TABLE t (id TEXT PRIMARY KEY)");
    const put = s.prepare("INSERT INTO t (id) VALUES (?)");
    put.run("before");
    let inside: PgStoreError | undefined;
    const outer = t.throws(
      () =>
        s.transaction(() => {
          put.run("in-transaction");
          // The kill is async; this call blocks, so start it, then wait in the worker's time below.
          void server.kill();
          const started = Date.now();
          for (let i = 0; ; i++) {
            try {
              put.run(`after-${i}`);
            } catch (err) {
              inside = err as PgStoreError;
              break;
            }
            if (Date.now() - started > TIMEOUT_MS * 3) break;
          }
        })(),
      { instanceOf: PgStoreError },
    );
    t.is(inside?.code, "STORE_UNAVAILABLE", inside?.message);
    t.is(outer?.code, "STORE_UNAVAILABLE", outer?.message);
    const started = Date.now();
    const after = t.throws(() => s.prepare("SELECT 1").get(), { instanceOf: PgStoreError });
    t.is(after?.code, "STORE_UNAVAILABLE", after?.message);
    t.regex(after?.message ?? "", /ECONNREFUSED/);
    t.true(Date.now() - started < TIMEOUT_MS + 1000);
  } finally {
    s.close();
  }
});

pgTest("PostgreSQL unreachable (packets dropped): the call fails after the timeout with a clear error, and the bridge's thread is free again", async (t) => {
  const proxy = await startProxyProcess(new URL(db.url).hostname, Number(new URL(db.url).port || 5432));
  t.teardown(() => proxy.close());
  const s = open(viaProxy(proxy.port));
  try {
    t.is(s.prepare<[], { one: number }>("SELECT 1 AS one").get()?.one, 1);
    await proxy.cut();
    const started = Date.now();
    const err = t.throws(() => s.prepare("INSERT INTO items (id, at) VALUES (?, ?)").run("cut-1", 1), { instanceOf: PgStoreError });
    const took = Date.now() - started;
    t.is(err?.code, "STORE_UNAVAILABLE", err?.message);
    t.regex(err?.message ?? "", /timeout/i);
    t.true(took >= TIMEOUT_MS - 100 && took < TIMEOUT_MS + 1500, `took ${took} ms`);
    // Each later call waits its own timeout again (and blocks the thread that long): the cost of design B.
    const again = Date.now();
    t.throws(() => s.prepare("SELECT 1").get(), { instanceOf: PgStoreError });
    t.true(Date.now() - again < TIMEOUT_MS + 1500);
  } finally {
    s.close();
  }
});

pgTest("a transaction whose session dies in the middle commits nothing and refuses its remaining statements", async (t) => {
  const s = open();
  try {
    const put = s.prepare("INSERT INTO items (id, at) VALUES (?, ?)");
    t.throws(
      () =>
        s.transaction(() => {
          put.run("dies-1", 1);
          t.throws(() => s.prepare("SELECT pg_terminate_backend(pg_backend_pid())").get(), { instanceOf: PgStoreError, message: /terminat/i });
          // Without the guard this row would go in on a fresh connection, outside the transaction.
          put.run("dies-2", 2);
        })(),
      { instanceOf: PgStoreError, message: /broke inside this transaction/ },
    );
    t.is(s.prepare<[], { n: number }>("SELECT count(*)::int AS n FROM items WHERE id LIKE 'dies-%'").get()?.n, 0);
  } finally {
    s.close();
  }
});

pgTest("a read or a BEGIN at once after its session was killed, before the worker heard of it: run on a new session, not failed", async (t) => {
  const s = open();
  try {
    for (let round = 0; round < 5; round++) {
      const pid = s.prepare<[], { pid: number }>("SELECT pg_backend_pid() AS pid").get()?.pid;
      await db.admin.query("SELECT pg_terminate_backend($1)", [pid]);
      const after =
        round % 2 === 0
          ? s.prepare<[], { pid: number }>("SELECT pg_backend_pid() AS pid").get()?.pid
          : s.transaction(() => s.prepare<[], { pid: number }>("SELECT pg_backend_pid() AS pid").get()?.pid)();
      t.true(typeof after === "number" && after !== pid, `round ${round}`);
    }
  } finally {
    s.close();
  }
});

pgTest("its idle session killed (pg_terminate_backend): the next call runs on a new session", async (t) => {
  const s = open();
  try {
    const pid = s.prepare<[], { pid: number }>("SELECT pg_backend_pid() AS pid").get()?.pid;
    const killed = await db.admin.query("SELECT pg_terminate_backend($1)", [pid]);
    t.is(killed.rows[0].pg_terminate_backend, true);
    await new Promise((r) => setTimeout(r, 200));
    const after = s.prepare<[], { pid: number }>("SELECT pg_backend_pid() AS pid").get()?.pid;
    t.true(typeof after === "number" && after !== pid);
  } finally {
    s.close();
  }
});
