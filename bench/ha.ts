// Issue 17's figures in `npm run bench`: how long a takeover takes when the leading bridge is
// SIGKILLed (two bridge processes on one PostgreSQL store and one Mosquitto, `shipgate gate`
// processes waiting; helpers/ha-failover.ts, the same storm as ha-failover.test.ts), with the locks
// lost and decided twice counted, and what one store call costs on SQLite and on PostgreSQL
// (ha-store.ts). Needs SHIPGATE_TEST_PG_URL; without it the figures are kept as not measured.

import type pg from "pg";
import { startMosquitto } from "../broker-bridge/test/helpers/bridge";
import { runStorm } from "../broker-bridge/test/helpers/ha-failover";
import { createTestDatabase } from "../broker-bridge/test/helpers/ha-postgres";
import { type FigureSink, median } from "./figures";
import { measureStoreCalls } from "./ha-store";

export const SECTION = "Two bridges on PostgreSQL";

export interface HaPlan {
  kills: number;
  gates: number;
  storeSamples: number;
}

const TAKEOVER_NOTE = "kill -9 of the leader until the new leader's online on bridge/status; lease renew 500 ms, standby poll 250 ms; Mosquitto, PostgreSQL on loopback";

export async function measureHa(sink: FigureSink, plan: HaPlan, log: (line: string) => void): Promise<void> {
  const url = process.env.SHIPGATE_TEST_PG_URL;
  if (url === undefined || url === "") {
    for (const name of ["takeover after SIGKILL p50", "takeover after SIGKILL max"]) sink.notMeasured(SECTION, name, "ms", "lower", "SHIPGATE_TEST_PG_URL is not set");
    sink.notMeasured(SECTION, "locks lost or decided twice", "locks", "lower", "SHIPGATE_TEST_PG_URL is not set");
    return;
  }
  log(`ha: ${plan.kills} takeovers (two bridges, PostgreSQL, Mosquitto)`);
  const cleanups: (() => Promise<void> | void)[] = [];
  const db = await createTestDatabase(url);
  const broker = await startMosquitto();
  try {
    const result = await runStorm({ brokerUrls: [broker.url], storeUrl: db.url, kills: plan.kills, gates: plan.gates, seed: 17 }, (fn) => cleanups.push(fn));
    const t = result.takeoversMs;
    const on = { broker: "mosquitto", n: t.length, note: TAKEOVER_NOTE };
    sink.add(SECTION, "takeover after SIGKILL p50", median(t), "ms", "lower", on);
    sink.add(SECTION, "takeover after SIGKILL max", Math.max(...t), "ms", "lower", on);
    sink.add(SECTION, "locks lost or decided twice", await badLocks(db.admin, result.gates), "locks", "lower", { broker: "mosquitto", n: result.gates.length });
    log(`ha: takeover p50 ${median(t)} ms, max ${Math.max(...t)} ms`);
  } finally {
    for (const c of cleanups.reverse()) await c();
    await broker.stop();
    await db.drop();
  }
  log(`ha: store calls (${plan.storeSamples} samples each)`);
  const calls = await measureStoreCalls(url, plan.storeSamples);
  for (const [name, value] of Object.entries(calls)) sink.add(SECTION, `store: ${name.replace(/ ms$/, "")}`, value, "ms", "lower", { broker: "none", n: plan.storeSamples });
}

/** Locks whose gate asked but that are missing, not decided, or with other than one decision row. */
async function badLocks(admin: pg.Client, gates: { id: string }[]): Promise<number> {
  const locks = new Map((await admin.query<{ id: string; state: string }>("SELECT id, state FROM locks")).rows.map((r) => [r.id, r.state]));
  const rows = (await admin.query<{ subject: string }>("SELECT subject FROM audit WHERE action IN ('lock.approve', 'lock.reject')")).rows;
  const count = new Map<string, number>();
  for (const r of rows) count.set(r.subject, (count.get(r.subject) ?? 0) + 1);
  return gates.filter((g) => locks.get(g.id) === undefined || locks.get(g.id) === "pending" || count.get(g.id) !== 1).length;
}
