// Issue 13: "decision and audit are separate writes". The bridge (the real startBridge with the
// gates' services, bundled once by esbuild so a start costs what Node's module loading costs) is
// SIGKILLed 100 times at random (seeded) moments under a stream of lock requests and admin
// decisions. Afterwards, lock by lock, the audit must hold exactly one decision row per decided
// lock, agreeing with its state, none for an undecided one, and one request row per lock.
import test from "ava";
import Database from "better-sqlite3";
import { type ChildProcess, spawn } from "node:child_process";
import { randomUUID } from "node:crypto";
import { mkdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import * as esbuild from "esbuild";
import mqtt, { type MqttClient } from "mqtt";
import { freePort, tempDir, waitFor } from "./helpers/bridge";
import { seeded } from "./helpers/seeded";
import { topics } from "./security-support";

const HERE = path.dirname(fileURLToPath(import.meta.url));
const REPO = path.resolve(HERE, "../..");
const SEED = Number(process.env.SHIPGATE_FAULT_SEED ?? 20261203);
const KILLS = Number(process.env.SHIPGATE_FAULT_KILLS ?? 100);

/** The gates bridge as one ES module next to the repository's node_modules (for better-sqlite3). */
async function bundle(): Promise<string> {
  const dir = path.join(REPO, "node_modules", ".cache", "shipgate-fault-test");
  mkdirSync(dir, { recursive: true });
  const out = path.join(dir, `gates-bridge-${process.pid}.mjs`);
  await esbuild.build({
    entryPoints: [path.join(HERE, "helpers", "gates-bridge-main.ts")],
    bundle: true,
    platform: "node",
    format: "esm",
    outfile: out,
    logLevel: "warning",
    // One file to load: everything but the native SQLite binding (a start is then mostly
    // SQLite and the listeners, not resolving hundreds of modules).
    external: ["better-sqlite3", "esbuild"],
    banner: { js: "import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);" },
  });
  return out;
}

test(`SIGKILL ${KILLS} times under requests and decisions (seed ${SEED}): one decision row per decided lock, agreeing with its state`, async (t) => {
  t.timeout(600_000);
  const random = seeded(SEED);
  const main = await bundle();
  const state = tempDir("shipgate-kill-audit-");
  const env = { ...process.env, SHIPGATE_STATE_DIR: state, SHIPGATE_BROKER_PORT: String(await freePort()), SHIPGATE_HTTP_PORT: String(await freePort()) };
  let child: ChildProcess | null = null;
  const start = async () => {
    const c = spawn(process.execPath, [main], { env, stdio: ["ignore", "ignore", "pipe"] });
    child = c;
    let err = "";
    c.stderr?.on("data", (d: Buffer) => (err += d.toString()));
    await waitFor("the bridge to listen", () => /ready/.test(err) || c.exitCode !== null, 30_000, 10);
    if (c.exitCode !== null) throw new Error(`the bridge exited: ${err}`);
  };
  const kill = async () => {
    const c = child as ChildProcess | null;
    if (c === null || c.exitCode !== null || c.signalCode !== null) return;
    const exited = new Promise((r) => c.once("exit", r));
    c.kill("SIGKILL");
    await exited;
  };
  t.teardown(kill);
  const started = Date.now();
  await start();
  const admin = JSON.parse(readFileSync(path.join(state, "local-admin.json"), "utf8")) as { username: string; password: string };
  const url = `mqtt://127.0.0.1:${env.SHIPGATE_BROKER_PORT}`;
  const connect = (clientId: string): MqttClient => {
    const c = mqtt.connect(url, { username: admin.username, password: admin.password, clientId, reconnectPeriod: 50, connectTimeout: 2000 });
    c.on("error", () => {}); // refused while the bridge is down: it reconnects
    return c;
  };
  // One connection carries both streams: each restart then costs one password check, not two.
  const requester = connect("fault-stream");
  const decider = requester;
  // end(true) without waiting: a client reconnecting to a dead bridge never calls back.
  const endClients = () => {
    requester.end(true);
  };
  t.teardown(endClients);
  const ids: string[] = [];
  let decisions = 0;
  const requests = setInterval(() => {
    if (!requester.connected) return;
    const id = randomUUID();
    ids.push(id);
    requester.publish(topics.lockRequest(), JSON.stringify({ id, pipeline: `p${ids.length % 3}`, step: "deploy", timeout_s: 3600 }), { qos: 1 });
  }, 15);
  const decides = setInterval(() => {
    if (!decider.connected || ids.length === 0) return;
    const id = ids[Math.floor(random() * ids.length)] as string;
    decisions++;
    decider.publish(topics.adminCommand(admin.username, "decide"), JSON.stringify({ correlation: randomUUID().slice(0, 12), decision: random() < 0.5 ? "approve" : "reject", id }), { qos: 1 });
  }, 10);
  t.teardown(() => {
    clearInterval(requests);
    clearInterval(decides);
  });

  for (let round = 0; round < KILLS; round++) {
    // Kill only once both streams are back (each reconnect costs a password check), at a random
    // moment of the window in which requests and decisions flow.
    await waitFor("the streams to reconnect", () => requester.connected && decider.connected, 5000, 5).catch(() => false);
    await new Promise((r) => setTimeout(r, 100 + random() * 400));
    await kill();
    await start();
  }
  await new Promise((r) => setTimeout(r, 500));
  clearInterval(requests);
  clearInterval(decides);
  await new Promise((r) => setTimeout(r, 300));
  endClients();
  await kill();
  const seconds = (Date.now() - started) / 1000;

  const db = new Database(path.join(state, "shipgate.db"), { readonly: true });
  t.teardown(() => db.close());
  t.is(db.pragma("integrity_check", { simple: true }) as string, "ok");
  const locks = db.prepare("SELECT id, state FROM locks").all() as { id: string; state: string }[];
  const rowsFor = db.prepare("SELECT action FROM audit WHERE subject = ? AND action IN ('lock.approve', 'lock.reject', 'lock.request')");
  const mismatches: string[] = [];
  let decided = 0;
  for (const lock of locks) {
    const actions = (rowsFor.all(lock.id) as { action: string }[]).map((r) => r.action);
    const requestRows = actions.filter((a) => a === "lock.request").length;
    const decisionRows = actions.filter((a) => a !== "lock.request");
    const want = lock.state === "approved" ? ["lock.approve"] : lock.state === "rejected" ? ["lock.reject"] : [];
    if (want.length > 0) decided++;
    if (requestRows !== 1 || decisionRows.length !== want.length || decisionRows.some((a, i) => a !== want[i])) {
      mismatches.push(`${lock.id} ${lock.state}: ${actions.join(",") || "no rows"}`);
    }
  }
  t.log(`${KILLS} kills in ${seconds.toFixed(1)} s: ${ids.length} requests sent, ${locks.length} locks stored, ${decided} decided, ${decisions} decide commands`);
  t.deepEqual(mismatches.slice(0, 10), [], `${mismatches.length} mismatches`);
  t.is(mismatches.length, 0);
  t.true(decided >= KILLS / 2, `the storm decided many locks (the test saw real work): ${decided}`);
  // Every audit row about a lock is about a lock that exists (no orphan from a rolled-back write).
  const orphans = db.prepare("SELECT COUNT(*) AS n FROM audit a WHERE a.action IN ('lock.approve','lock.reject') AND NOT EXISTS (SELECT 1 FROM locks l WHERE l.id = a.subject)").get() as { n: number };
  t.is(orphans.n, 0);
});
