// The store's write path takes a fence (Store.open(dir, { url, fence })): on PostgreSQL every write
// transaction, and every write outside one, first checks the lease token, so a bridge that no
// longer leads cannot change anything; reads go on, and migrations (idempotent, serialized by
// their own lock) are not fenced, so a standby can start on a store another bridge leads.

import test from "ava";
import pg from "pg";
import { AuditLog } from "../src/audit-log";
import { LockStore } from "../src/gates/lock-store";
import { ensureLeaseTable, takeLease } from "../src/ha/lease-schema";
import { type Fence, Store } from "../src/store";
import { tempDir } from "./helpers/bridge";
import { createTestDatabase, testPostgresUrl } from "./helpers/ha-postgres";

const SERVER = testPostgresUrl();
const pgTest = SERVER === null ? test.skip : test.serial;

const lock = (id: string) => ({
  id,
  pipeline: "api",
  step: "deploy",
  summary: "",
  state: "pending" as const,
  requested_at: Date.now(),
  expires_at: Date.now() + 60_000,
  decided_at: null,
  decided_by: null,
  reason: null,
  mode: "default" as const,
  approvals_needed: 1,
  approved_by: [],
  requester: null,
});

pgTest("a fenced store writes while its token leads, is refused FENCED_OUT once another took the lease, and still reads and migrates", async (t) => {
  const db = await createTestDatabase(SERVER as string);
  t.teardown(() => db.drop());
  await ensureLeaseTable(db.admin);
  // Number(): this admin client reads BIGINT as text (pg's default); the store reads it as a number.
  const mine = Number((await takeLease(db.admin, "bridge", "a")).token);
  let fence: Fence = { lease: "bridge", token: mine };
  const store = Store.open(tempDir("shipgate-store-"), { url: db.url, fence: () => fence, timeoutMs: 5000 });
  t.teardown(() => store.close());
  const locks = new LockStore(store);
  const audit = new AuditLog(store);

  locks.transaction(() => {
    locks.insert(lock("l1"));
    audit.append({ actor: "user:a", action: "lock.request", subject: "l1" }, Date.now());
  });
  t.is(locks.get("l1")?.state, "pending");

  await takeLease(db.admin, "bridge", "b");
  const refused = t.throws(() => locks.transaction(() => locks.insert(lock("l2"))));
  t.is((refused as { code?: string }).code, "FENCED_OUT", refused?.message);
  const single = t.throws(() => audit.append({ actor: "user:a", action: "x", subject: "y" }, Date.now()));
  t.is((single as { code?: string }).code, "FENCED_OUT", "a write outside a transaction gets a fenced one of its own");
  t.is(locks.get("l2"), undefined, "nothing of the refused transaction is there");
  t.deepEqual(
    locks.pending().map((l) => l.id),
    ["l1"],
    "reads are not fenced",
  );
  store.migrate("late-service", ["CREATE TABLE late_table (k TEXT PRIMARY KEY)"]);
  t.pass("a migration runs while the store is fenced out");

  const standby = Store.open(tempDir("shipgate-store-"), { url: db.url, fence: () => ({ lease: "bridge", token: null }), timeoutMs: 5000 });
  t.teardown(() => standby.close());
  t.is((t.throws(() => new AuditLog(standby).append({ actor: "a", action: "b", subject: "c" }, 1)) as { code?: string }).code, "FENCED_OUT", "a standby (token null) writes nothing");

  fence = { lease: "bridge", token: mine + 1 };
  locks.insert(lock("l3"));
  t.deepEqual(
    locks.pending().map((l) => l.id),
    ["l1", "l3"],
    "with the current token, writes go through again",
  );
  const c = new pg.Client({ connectionString: db.url });
  await c.connect();
  t.is((await c.query("SELECT count(*)::int AS n FROM audit")).rows[0].n, 1);
  await c.end();
});

pgTest("two stores on one database (two bridges): each migration is applied once, and the second store finds it done", async (t) => {
  const db = await createTestDatabase(SERVER as string);
  t.teardown(() => db.drop());
  const a = Store.open(tempDir("shipgate-store-"), { url: db.url, timeoutMs: 5000 });
  const b = Store.open(tempDir("shipgate-store-"), { url: db.url, timeoutMs: 5000 });
  t.teardown(() => {
    a.close();
    b.close();
  });
  new LockStore(a);
  new LockStore(b);
  a.kv();
  b.kv();
  const rows = (await db.admin.query<{ name: string }>("SELECT name FROM migrations ORDER BY name")).rows.map((r) => r.name);
  t.deepEqual(rows, ["kv#1", "locks#1"]);
});
