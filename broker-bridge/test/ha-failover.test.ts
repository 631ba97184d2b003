// Failover under fire (issue 17): two bridge processes on one PostgreSQL store and one external
// broker, a stream of `shipgate gate` processes and decisions, and the leader SIGKILLed again and
// again (each killed bridge comes back as the new standby). After the storm: no lock lost, none
// decided twice, every gate exited with its lock's code, and the audit agrees lock by lock.
// Runs only with SHIPGATE_TEST_PG_URL (helpers/ha-postgres.ts); under CI=true its absence fails.

import test from "ava";
import { writeFileSync } from "node:fs";
import { startMosquitto } from "./helpers/bridge";
import { type StormResult, median, runStorm } from "./helpers/ha-failover";
import { natsServerBinary, startNatsCluster } from "./helpers/ha-nats";
import { createTestDatabase, testPostgresUrl } from "./helpers/ha-postgres";

const pgUrl = testPostgresUrl();
const SEED = Number(process.env.SHIPGATE_FAULT_SEED ?? 20261203);
const KILLS = Number(process.env.SHIPGATE_HA_KILLS ?? 50);
/** Fewer through NATS: each takeover there also moves the broker session between cluster nodes. */
const NATS_KILLS = Number(process.env.SHIPGATE_HA_NATS_KILLS ?? 50);
const NATS = natsServerBinary();

const CODE_FOR: Record<string, number> = { approved: 0, rejected: 1, expired: 2, cancelled: 1 };

interface StoredLock {
  id: string;
  state: string;
}

(pgUrl === null ? test.skip : test.serial)(`Mosquitto: the leader SIGKILLed ${KILLS} times (seed ${SEED}): 0 locks lost, 0 decided twice, the audit agrees`, async (t) => {
  t.timeout(240_000);
  const db = await createTestDatabase(pgUrl as string);
  t.teardown(() => db.drop());
  const broker = await startMosquitto();
  t.teardown(() => broker.stop());
  const started = Date.now();
  const result = await runStorm({ brokerUrls: [broker.url], storeUrl: db.url, kills: KILLS, gates: 30, seed: SEED }, (fn) => t.teardown(fn));
  report(t, "mosquitto", result, Date.now() - started);
  await checkLocks(t, result, await readStore(db.admin));
});

/** The locks and the decision rows of the audit, straight from the shared PostgreSQL store. */
(pgUrl === null || NATS === null ? test.skip : test.serial)(
  `NATS, three nodes: the leader SIGKILLed ${NATS_KILLS} times, bridges and clients on different nodes: 0 locks lost, 0 decided twice`,
  async (t) => {
    t.timeout(180_000);
    const db = await createTestDatabase(pgUrl as string);
    t.teardown(() => db.drop());
    const cluster = await startNatsCluster(NATS as string);
    t.teardown(() => cluster.stop());
    const started = Date.now();
    const urls = cluster.nodes.map((n) => n.mqttUrl);
    const result = await runStorm({ brokerUrls: urls, storeUrl: db.url, kills: NATS_KILLS, gates: 8, seed: SEED + 1 }, (fn) => t.teardown(fn));
    report(t, "nats", result, Date.now() - started);
    await checkLocks(t, result, await readStore(db.admin));
  },
);

async function readStore(admin: import("pg").Client): Promise<{ locks: StoredLock[]; decisions: Map<string, string[]> }> {
  const locks = (await admin.query<StoredLock>("SELECT id, state FROM locks")).rows;
  const rows = (await admin.query<{ subject: string; action: string }>("SELECT subject, action FROM audit WHERE action IN ('lock.approve', 'lock.reject') ORDER BY id")).rows;
  const decisions = new Map<string, string[]>();
  for (const r of rows) decisions.set(r.subject, [...(decisions.get(r.subject) ?? []), r.action]);
  return { locks, decisions };
}

async function checkLocks(t: import("ava").ExecutionContext, result: StormResult, stored: { locks: StoredLock[]; decisions: Map<string, string[]> }): Promise<void> {
  const byId = new Map(stored.locks.map((l) => [l.id, l]));
  let lost = 0;
  let twice = 0;
  for (const gate of result.gates) {
    const lock = byId.get(gate.id);
    if (lock === undefined) {
      lost++;
      t.fail(`lock ${gate.id} is not in the store; its gate exited ${gate.code}: ${gate.run.stderr().slice(-400)}`);
      continue;
    }
    const expected = gate.decided === "approve" ? "approved" : "rejected";
    t.is(lock.state, expected, `lock ${gate.id}: the decision sent (${gate.decided}) is its state`);
    t.is(gate.code, CODE_FOR[lock.state] ?? -1, `gate ${gate.id} exited with its lock's code (${lock.state}): ${gate.run.stderr().slice(-300)}`);
    const rows = stored.decisions.get(gate.id) ?? [];
    if (rows.length > 1) twice++;
    t.deepEqual(rows, [lock.state === "approved" ? "lock.approve" : "lock.reject"], `lock ${gate.id}: exactly one decision row, matching its state`);
  }
  t.is(stored.locks.length, result.gates.length, "no extra locks");
  t.is(lost, 0, "locks lost");
  t.is(twice, 0, "locks decided twice");
}

function report(t: import("ava").ExecutionContext, broker: string, result: StormResult, ms: number): void {
  const takeovers = result.takeoversMs;
  const line = `${broker}: ${takeovers.length} takeovers, median ${median(takeovers)} ms, max ${Math.max(...takeovers)} ms; ${result.gates.length} gates, ${result.cliDecisions} CLI decisions; ${Math.round(ms / 1000)} s`;
  t.log(line);
  if (process.env.SHIPGATE_HA_FIGURES) writeFileSync(process.env.SHIPGATE_HA_FIGURES, JSON.stringify({ broker, takeovers_ms: takeovers, line }) + "\n", { flag: "a" });
  if (process.env.SHIPGATE_HA_LOGS) for (const l of result.bridgeLogs) t.log(l);
}
