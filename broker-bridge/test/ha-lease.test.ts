// The leadership lease against a real PostgreSQL, with two real processes competing: a standby
// takes over within 5 s of the leader's death (SIGKILL, its session killed, its connection cut),
// and an old leader that wakes from a pause cannot write.

import test, { type ExecutionContext } from "ava";
import { type ChildProcess, spawn } from "node:child_process";
import { fileURLToPath } from "node:url";
import { Lease, type LeaseState } from "../src/ha/lease";
import { waitFor } from "./helpers/bridge";
import { type TestDatabase, createTestDatabase, testPostgresUrl } from "./helpers/ha-postgres";
import { startCuttableProxy } from "./helpers/ha-tcp-proxy";

const SERVER = testPostgresUrl();
const pgTest = SERVER === null ? test.skip : test.serial;
const NODE = fileURLToPath(new URL("./helpers/ha-lease-node.ts", import.meta.url));
const TAKEOVER_LIMIT_MS = 5000;

let db: TestDatabase;
test.before(async () => {
  if (SERVER === null) return;
  db = await createTestDatabase(SERVER);
  await db.admin.query("CREATE TABLE ha_writes (n BIGSERIAL PRIMARY KEY, holder TEXT NOT NULL, token BIGINT NOT NULL, lease TEXT NOT NULL)");
});
test.after.always(async () => {
  await db?.drop();
});

type Writer = "async" | "sync";

interface Line {
  ev: string;
  role?: string;
  token?: number | null;
  ok?: boolean;
  error?: string;
  reason?: string;
  at: number;
}

class Contender {
  readonly lines: Line[] = [];
  readonly child: ChildProcess;
  readonly exited: Promise<void>;
  constructor(
    readonly holder: string,
    url: string,
    lease: string,
    writer: Writer,
    env: Record<string, string> = {},
  ) {
    this.child = spawn(process.execPath, ["--import", "tsx", NODE], {
      env: { ...process.env, PG_URL: url, HOLDER: holder, LEASE_NAME: lease, WRITER: writer, ...env },
      stdio: ["ignore", "pipe", "inherit"],
    });
    let buf = "";
    this.child.stdout?.on("data", (d: Buffer) => {
      buf += d.toString();
      for (let i = buf.indexOf("\n"); i >= 0; i = buf.indexOf("\n")) {
        this.lines.push(JSON.parse(buf.slice(0, i)) as Line);
        buf = buf.slice(i + 1);
      }
    });
    this.exited = new Promise((r) => this.child.once("exit", () => r()));
  }
  role(): string | undefined {
    return this.lines.filter((l) => l.ev === "state").at(-1)?.role;
  }
  leaderSince(after: number): Line | undefined {
    return this.lines.find((l) => l.ev === "state" && l.role === "leader" && l.at >= after);
  }
  async kill(): Promise<void> {
    if (this.child.exitCode === null && this.child.signalCode === null) this.child.kill("SIGKILL");
    await this.exited;
  }
}

async function pair(t: ExecutionContext, lease: string, urlA = db.url, writer: Writer = "async", envA: Record<string, string> = {}): Promise<[Contender, Contender]> {
  const a = new Contender("A", urlA, lease, writer, envA);
  t.teardown(() => a.kill());
  await waitFor("A to lead", () => a.role() === "leader", 20_000);
  const b = new Contender("B", db.url, lease, writer);
  t.teardown(() => b.kill());
  await waitFor("B to start as a standby", () => b.role() === "standby", 20_000);
  // A keeps writing while it leads: the fence lets its writes through.
  await waitFor("A's first fenced write", () => a.lines.some((l) => l.ev === "write" && l.ok === true), 10_000);
  return [a, b];
}

async function takeover(t: ExecutionContext, b: Contender, from: number): Promise<number> {
  const line = await waitFor("B to take over", () => b.leaderSince(from), TAKEOVER_LIMIT_MS + 2000).catch((err: Error) => {
    t.log(JSON.stringify(b.lines.filter((l) => l.ev === "state")));
    throw err;
  });
  const ms = line.at - from;
  t.log(`takeover ${ms} ms`);
  t.true(ms < TAKEOVER_LIMIT_MS, `takeover took ${ms} ms`);
  return line.token as number;
}

/** Every row of the lease in commit order: tokens never go back, so no old leader wrote after a new one. */
async function assertFencedHistory(t: ExecutionContext, lease: string): Promise<void> {
  const rows = (await db.admin.query<{ holder: string; token: number }>("SELECT holder, token::int AS token FROM ha_writes WHERE lease = $1 ORDER BY n", [lease])).rows;
  t.true(rows.length > 0);
  rows.forEach((r, i) => {
    if (i > 0) t.true(r.token >= (rows[i - 1] as { token: number }).token, `write ${i} by ${r.holder} has token ${r.token} after a higher one`);
  });
}

pgTest("in process: the first contender leads, the second waits, and a clean stop hands over with the next token", async (t) => {
  const states: LeaseState[] = [];
  const a = new Lease({ url: db.url, holder: "one", name: "in-process" });
  const b = new Lease({ url: db.url, holder: "two", name: "in-process" });
  b.on("change", (s) => states.push(s));
  try {
    a.start();
    await waitFor("one to lead", () => a.token !== null, 10_000);
    const first = a.token as number;
    b.start();
    await waitFor("two to see one lead", () => b.state.role === "standby" && b.state.leader?.holder === "one", 10_000);
    // Renewal keeps the session alive past its idle timeout (3 s): one still leads after 4 s.
    await new Promise((r) => setTimeout(r, 4000));
    t.is(a.token, first);
    t.is(b.token, null);
    await a.stop();
    await waitFor("two to lead", () => b.token !== null, 5000);
    t.is(b.token, first + 1);
    t.deepEqual(
      states.map((s) => s.role),
      ["standby", "leader"],
    );
  } finally {
    await a.stop();
    await b.stop();
  }
});

pgTest("SIGKILL of the leader: the standby leads within 5 s with a higher token", async (t) => {
  const [a, b] = await pair(t, "sigkill");
  const from = Date.now();
  await a.kill();
  const token = await takeover(t, b, from);
  t.true(token > (a.leaderSince(0)?.token as number));
  await waitFor("B's fenced write", () => b.lines.some((l) => l.ev === "write" && l.ok === true && l.token === token), 5000);
  await assertFencedHistory(t, "sigkill");
});

pgTest("the leader's database session killed (pg_terminate_backend): the standby leads within 5 s, the old leader steps down and cannot write", async (t) => {
  const [a, b] = await pair(t, "terminated");
  const from = Date.now();
  const killed = await db.admin.query("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = 'shipgate-lease:A' AND datname = current_database()");
  t.is(killed.rowCount, 1);
  await takeover(t, b, from);
  await waitFor("A to step down", () => a.role() === "standby", 5000);
  await waitFor("A's writes refused", () => a.lines.some((l) => l.ev === "write" && l.ok === false && l.error === "FENCED_OUT" && l.at > from), 5000);
  await assertFencedHistory(t, "terminated");
});

pgTest("the leader's connection cut (packets dropped, no FIN): the standby leads within 5 s", async (t) => {
  const server = new URL(db.url);
  const proxy = await startCuttableProxy(server.hostname, Number(server.port || 5432));
  t.teardown(() => proxy.close());
  const viaProxy = new URL(db.url);
  viaProxy.hostname = "127.0.0.1";
  viaProxy.port = String(proxy.port);
  const [a, b] = await pair(t, "cut", viaProxy.toString());
  const from = Date.now();
  proxy.cut();
  await takeover(t, b, from);
  await waitFor("A to step down on its own", () => a.role() === "standby", 5000);
  const down = a.lines.find((l) => l.ev === "state" && l.role === "standby" && l.at >= from);
  t.log(`A stepped down ${(down?.at ?? 0) - from} ms after the cut`);
  await assertFencedHistory(t, "cut");
});

for (const writer of ["async", "sync"] as const) {
  pgTest(`an old leader paused (SIGSTOP) past its lease wakes (SIGCONT) and cannot write: every write is fenced (${writer} writer)`, async (t) => {
    const lease = `paused-${writer}`;
    const [a, b] = await pair(t, lease, db.url, writer);
    const oldToken = a.leaderSince(0)?.token as number;
    const from = Date.now();
    a.child.kill("SIGSTOP");
    const token = await takeover(t, b, from);
    await waitFor("B's fenced write", () => b.lines.some((l) => l.ev === "write" && l.ok === true && l.token === token), 5000);
    const woke = Date.now();
    a.child.kill("SIGCONT");
    // The woken process still holds the old token and tries writes with it; every one is refused.
    await waitFor("A's write refused after waking", () => a.lines.some((l) => l.ev === "write" && l.at >= woke), 5000);
    const afterWake = a.lines.filter((l) => l.ev === "write" && l.at >= woke);
    // None succeeds. The write in flight when the pause began may fail otherwise (its client-side
    // timeout fires on waking, and the server aborted its transaction); every one after it is
    // refused by the fence itself.
    t.true(
      afterWake.every((l) => l.ok === false && l.token === oldToken),
      JSON.stringify(afterWake),
    );
    t.true(
      afterWake.slice(1).every((l) => l.error === "FENCED_OUT"),
      JSON.stringify(afterWake),
    );
    await waitFor("a write refused by the fence", () => a.lines.some((l) => l.ev === "write" && l.at >= woke && l.error === "FENCED_OUT"), 5000);
    await waitFor("A to step down", () => a.role() === "standby", 5000);
    const late = await db.admin.query(
      "SELECT count(*)::int AS n FROM ha_writes WHERE lease = $3 AND holder = 'A' AND token = $1 AND n > (SELECT min(n) FROM ha_writes WHERE lease = $3 AND token = $2)",
      [oldToken, token, lease],
    );
    t.is(late.rows[0].n, 0);
    await assertFencedHistory(t, lease);
  });
}

pgTest("a leader paused inside a fenced write transaction (holding the lease row FOR SHARE) does not block the takeover", async (t) => {
  // A holds each transaction open 400 ms of every 450: the pause lands inside one.
  const [a, b] = await pair(t, "paused-in-tx", db.url, "async", { WRITE_MS: "50", WRITE_HOLD_MS: "400" });
  await waitFor(
    "A inside a transaction",
    async () => {
      const r = await db.admin.query("SELECT 1 FROM pg_stat_activity WHERE application_name = 'shipgate-writer:A' AND state = 'idle in transaction' AND datname = current_database()");
      return r.rowCount === 1;
    },
    5000,
    10,
  );
  const from = Date.now();
  a.child.kill("SIGSTOP");
  t.teardown(() => void a.child.kill("SIGCONT"));
  await takeover(t, b, from);
  await assertFencedHistory(t, "paused-in-tx");
});
