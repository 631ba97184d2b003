// The bridge is SIGKILLed at random (seeded) moments while `shipgate gate` processes wait and an
// admin decides, many times over; each time it is restarted on the same ports and state. After
// the storm: no lock is lost, none is decided twice (one decision row in the audit log at most,
// and the lock's single final state), every gate process exits with the code of its lock's final
// state, and the SQLite file passes an integrity check. All processes are the real executable.
import test from "ava";
import Database from "better-sqlite3";
import { randomUUID } from "node:crypto";
import { existsSync, readFileSync } from "node:fs";
import path from "node:path";
import mqtt, { type MqttClient } from "mqtt";
import { type Spawned, freePort, runShipgate, tempDir, waitFor } from "./helpers/bridge";
import { seeded } from "./helpers/seeded";
import { topics } from "./security-support";

const SEED = Number(process.env.SHIPGATE_FAULT_SEED ?? 20261122);
const KILLS = 6;
const GATES = 10;

test(`SIGKILL at random moments (seed ${SEED}): no lock lost, none decided twice, every gate answered`, async (t) => {
  t.timeout(110_000);
  const random = seeded(SEED);
  const state = tempDir("shipgate-kill-");
  const env = { SHIPGATE_STATE_DIR: state, SHIPGATE_BROKER_PORT: String(await freePort()), SHIPGATE_HTTP_PORT: String(await freePort()) };

  let bridge: Spawned | null = null;
  const start = async () => {
    const b = runShipgate(["start"], env);
    bridge = b;
    await waitFor("the bridge to listen", () => /dashboard and API on/.test(b.stderr()) || b.child.exitCode !== null, 30_000, 50);
    if (b.child.exitCode !== null) throw new Error(`the bridge exited: ${b.stderr()}`);
  };
  const kill = async () => {
    const b = bridge as Spawned | null;
    if (b === null) return;
    b.child.kill("SIGKILL");
    await b.exit;
  };
  t.teardown(async () => {
    await kill();
  });
  await start();
  const admin = JSON.parse(readFileSync(path.join(state, "local-admin.json"), "utf8")) as { username: string; password: string };

  // The decider: an admin client that keeps reconnecting, as a dashboard would.
  const decider: MqttClient = mqtt.connect(`mqtt://127.0.0.1:${env.SHIPGATE_BROKER_PORT}`, {
    username: admin.username,
    password: admin.password,
    clientId: "decider",
    reconnectPeriod: 100,
    connectTimeout: 2000,
  });
  t.teardown(() => decider.endAsync(true));
  const decide = (id: string, decision: "approve" | "reject") =>
    decider.publish(topics.adminCommand(admin.username, "decide"), JSON.stringify({ correlation: randomUUID().slice(0, 8), decision, id }), { qos: 1 });

  const gates: { id: string; run: Spawned; code: number | null }[] = [];
  const launch = () => {
    const id = randomUUID();
    const run = runShipgate(["gate", "--pipeline", `p${gates.length % 3}`, "--step", "deploy", "--id", id, "--timeout", "30m"], env);
    const gate = { id, run, code: null as number | null };
    void run.exit.then((code) => (gate.code = code));
    gates.push(gate);
  };

  for (let round = 0; round < KILLS; round++) {
    const launches = round < KILLS - 1 ? Math.ceil(GATES / (KILLS - 1)) : 0;
    for (let i = 0; i < launches && gates.length < GATES; i++) launch();
    // Decide a few known locks (some twice, some maybe not yet requested), then kill at a random moment.
    const steps = 2 + Math.floor(random() * 4);
    for (let s = 0; s < steps; s++) {
      const gate = gates[Math.floor(random() * gates.length)];
      if (gate) decide(gate.id, random() < 0.5 ? "approve" : "reject");
      await new Promise((r) => setTimeout(r, 100 + random() * 700));
    }
    await kill();
    await start();
  }

  // Settle: decide whatever is still pending until every gate has exited.
  await waitFor(
    "every gate to get its answer",
    async () => {
      const waiting = gates.filter((g) => g.code === null);
      for (const g of waiting) decide(g.id, random() < 0.5 ? "approve" : "reject");
      await new Promise((r) => setTimeout(r, 700));
      return gates.every((g) => g.code !== null);
    },
    60_000,
    10,
  );

  await kill();
  const db = new Database(path.join(state, "shipgate.db"), { readonly: true });
  t.teardown(() => db.close());
  t.is(db.pragma("integrity_check", { simple: true }) as string, "ok");
  const codeFor: Record<string, number> = { approved: 0, rejected: 1, expired: 2, cancelled: 1 };
  for (const gate of gates) {
    const row = db.prepare("SELECT state FROM locks WHERE id = ?").get(gate.id) as { state: string } | undefined;
    if (!row) {
      // A gate started while the bridge was down (a restart can outlast the gate's 10 s connect
      // window on a loaded machine) never asked: it must say so and exit 3. Any other gate's lock
      // is in the store.
      t.is(gate.code, 3, `lock ${gate.id} is not in the store, yet its gate exited ${gate.code}: ${gate.run.stderr().slice(-400)}`);
      t.regex(gate.run.stderr(), /cannot reach the broker/, `lock ${gate.id} is not in the store`);
      continue;
    }
    t.not(row.state, "pending");
    t.is(gate.code, codeFor[row.state] ?? -1, `gate ${gate.id} exited with the code of its lock (${row.state}); stderr: ${gate.run.stderr().slice(-300)}`);
    const decisions = db.prepare("SELECT COUNT(*) AS n FROM audit WHERE subject = ? AND action IN ('lock.approve', 'lock.reject')").get(gate.id) as { n: number };
    t.true(decisions.n <= 1, `lock ${gate.id} has ${decisions.n} decision rows`);
  }
  const asked = gates.filter((g) => !/cannot reach the broker/.test(g.run.stderr())).length;
  t.is((db.prepare("SELECT COUNT(*) AS n FROM locks").get() as { n: number }).n, asked, "no extra locks either");
  t.true(existsSync(path.join(state, "users.json")));
});
