// The bridge killed with SIGKILL while pipelines wait, then restarted on the same state directory:
// every pending lock is still pending (same order), and each waiting `shipgate gate` gets the
// decision made after the restart (contract: "nothing decided or pending is lost"). Once on the
// SQLite file with the embedded broker, once with store.url on PostgreSQL (SHIPGATE_STORE_URL; the
// built bridge, so its worker thread runs from dist/pg-sync-worker.js) and, as a shared store
// calls for, an external broker (Mosquitto) that every bridge and client uses.
import { randomUUID } from "node:crypto";
import { readFileSync } from "node:fs";
import path from "node:path";
import Database from "better-sqlite3";
import pg from "pg";
import { freePort, runShipgate, startMosquitto, tempDir, waitFor } from "./helpers/bridge";
import { bothStores, storeUrl } from "./helpers/store-backends";

/** Rows from the bridge's store, read as an operator would: the file read-only, or a pg client. */
async function rowsOf<T>(stateDir: string, sql: string, params: unknown[] = []): Promise<T[]> {
  const url = storeUrl();
  if (url === null) {
    const db = new Database(path.join(stateDir, "shipgate.db"), { readonly: true });
    try {
      return db.prepare(sql.replace(/\$\d+/g, "?")).all(...params) as T[];
    } finally {
      db.close();
    }
  }
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query(sql, params)).rows as T[];
  } finally {
    await client.end();
  }
}

function startBridgeProcess(env: NodeJS.ProcessEnv) {
  const run = runShipgate(["start"], env);
  return run;
}

async function listening(run: ReturnType<typeof runShipgate>) {
  await waitFor("the bridge to listen", () => /dashboard and API on/.test(run.stderr()), 30_000);
}

bothStores("SIGKILL while three pipelines wait: after a restart all three are still pending and get their decisions", async (t) => {
  const stateDir = tempDir();
  const url = storeUrl();
  const mosquitto = url === null ? null : await startMosquitto();
  t.teardown(() => mosquitto?.stop());
  const env = {
    ...(url === null || mosquitto === null ? {} : { SHIPGATE_STORE_URL: url, SHIPGATE_BROKER_URL: mosquitto.url }),
    SHIPGATE_STATE_DIR: stateDir,
    SHIPGATE_BROKER_PORT: String(await freePort()),
    SHIPGATE_HTTP_PORT: String(await freePort()),
  };
  let bridge = startBridgeProcess(env);
  const children: ReturnType<typeof runShipgate>[] = [];
  t.teardown(() => {
    // A failed assertion must not leave waiting gates behind.
    for (const c of children) if (c.child.exitCode === null) c.child.kill("SIGKILL");
  });
  try {
    await listening(bridge);
    const gates = [1, 2, 3].map((n) => {
      const id = randomUUID();
      const record = path.join(stateDir, `record-${n}.json`);
      const run = runShipgate(["gate", "--id", id, "--pipeline", `p${n}`, "--step", "deploy", "--record", record], env);
      children.push(run);
      return { id, record, run };
    });
    for (const g of gates) await waitFor(`gate ${g.id} waiting`, () => /waiting for approval/.test(g.run.stderr()), 30_000);

    bridge.child.kill("SIGKILL");
    await bridge.exit;
    const rows = (await rowsOf<{ id: string; state: string; requested_at: string | number }>(stateDir, "SELECT id, state, requested_at FROM locks ORDER BY seq")).map((r) => ({
      ...r,
      requested_at: Number(r.requested_at),
    }));
    t.deepEqual(rows.map((r) => r.id).sort(), gates.map((g) => g.id).sort(), "nothing was lost");
    t.true(rows.every((r) => r.state === "pending"));
    t.deepEqual(
      rows.map((r) => r.requested_at),
      rows.map((r) => r.requested_at).sort((a, b) => a - b),
      "queue order is arrival order",
    );
    // The head after the restart is whichever arrived first.
    const order = rows.map((r) => gates.findIndex((g) => g.id === r.id));

    bridge = startBridgeProcess(env);
    await listening(bridge);
    // On the embedded broker the gates lost their connection with the bridge; on Mosquitto they kept it.
    if (mosquitto === null) for (const g of gates) await waitFor(`gate ${g.id} resumed`, () => /reconnected/.test(g.run.stderr()), 30_000);

    const [first, second, third] = order.map((i) => gates[i]!);
    const reject = runShipgate(["reject", second!.id], env);
    t.is(await reject.exit, 0, reject.stderr());
    const headApprove = runShipgate(["approve"], env);
    t.is(await headApprove.exit, 0, headApprove.stderr());
    t.is(await first!.run.exit, 0, first!.run.stderr());
    const approve = runShipgate(["approve", third!.id], env);
    t.is(await approve.exit, 0, approve.stderr());

    t.is(await second!.run.exit, 1);
    t.is(await third!.run.exit, 0, third!.run.stderr());
    t.is(JSON.parse(readFileSync(first!.record, "utf8")).state, "approved");
    t.is(JSON.parse(readFileSync(second!.record, "utf8")).state, "rejected");
    const audit = await rowsOf<{ action: string; actor: string }>(stateDir, "SELECT action, actor FROM audit WHERE subject = $1 ORDER BY id", [first!.id]);
    t.true(
      audit.some((a) => a.action === "lock.approve" && a.actor === "user:admin"),
      `the approval has its audit row: ${JSON.stringify(audit)}`,
    );
  } finally {
    bridge.child.kill("SIGTERM");
    await bridge.exit;
  }
});
