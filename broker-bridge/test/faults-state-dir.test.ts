// A state directory that cannot be written, or a full disk: a clear error naming what and where,
// and no corruption. CI runs as root, for whom chmod does not make a directory read-only, so the
// unwritable cases use a path below a regular file and a database path that is a directory (a path
// under /proc would do too, but Node 20's recursive mkdir loops forever on its ENOENT); the full disk is SQLite's own SQLITE_FULL, reached through `PRAGMA max_page_count`.
import test from "ava";
import { randomUUID } from "node:crypto";
import { mkdirSync, writeFileSync } from "node:fs";
import path from "node:path";
import { Writable } from "node:stream";
import { pino } from "pino";
import { startBridge } from "../src/bridge";
import { checkConfig } from "../src/bridge-config";
import { AuditService } from "../src/audit/audit-service";
import { GadgetService } from "../src/gadgets/gadget-service";
import { GatesService } from "../src/gates/gates-service";
import { PresenceService } from "../src/presence/presence-service";
import { SecurityService } from "../src/security/security-service";
import { freePort, runShipgate, tempDir, waitFor } from "./helpers/bridge";
import { topics } from "./security-support";
import mqtt from "mqtt";

for (const [what, dir, prepare] of [
  ["a path below a regular file", path.join(tempDir(), "a-file", "state"), (d: string) => writeFileSync(path.dirname(d), "not a directory")],
  ["a directory whose database cannot be opened", path.join(tempDir(), "state"), (d: string) => mkdirSync(path.join(d, "shipgate.db"), { recursive: true })],
] as const) {
  test(`shipgate start with its state in ${what} exits with one clear line`, async (t) => {
    prepare(dir);
    const run = runShipgate(["start"], { SHIPGATE_STATE_DIR: dir, SHIPGATE_BROKER_PORT: String(await freePort()), SHIPGATE_HTTP_PORT: String(await freePort()) });
    t.is(await run.exit, 1);
    const lines = run
      .stderr()
      .trim()
      .split("\n")
      .filter((l) => !l.startsWith("{"));
    t.is(lines.length, 1, run.stderr());
    t.regex(
      lines[0] ?? "",
      new RegExp(`shipgate start: cannot open the state database ${dir.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}/shipgate.db: .*(ENOTDIR|EEXIST|not a directory|unable to open|directory)`, "i"),
    );
  });
}

test("a full disk refuses new locks with a logged error, keeps the bridge up, corrupts nothing, and recovers", async (t) => {
  const stateDir = tempDir();
  const logged: string[] = [];
  const sink = new Writable({
    write(chunk, _enc, done) {
      logged.push(chunk.toString());
      done();
    },
  });
  const checked = checkConfig(
    {
      state_dir: stateDir,
      broker: { port: 0, host: "127.0.0.1" },
      http: { port: 0 },
      security: { lock_requests_per_minute: 10_000, lock_request_burst: 1000 },
    },
    "<test>",
    stateDir,
  );
  if (!checked.ok) throw new Error(checked.error);
  const services = [new AuditService(), new SecurityService(), new PresenceService(), new GatesService(), new GadgetService()];
  const bridge = await startBridge({ config: checked.value, log: pino({ level: "warn" }, sink), services });
  t.teardown(() => bridge.stop());
  const db = bridge.context.store.db;
  const gates = bridge.service(GatesService) as GatesService;
  const admin = JSON.parse((await import("node:fs")).readFileSync(path.join(stateDir, "local-admin.json"), "utf8")) as { username: string; password: string };
  const client = await mqtt.connectAsync(bridge.brokerUrl, { ...admin, reconnectPeriod: 0 });
  t.teardown(() => client.endAsync(true));

  const before = randomUUID();
  await client.publishAsync(topics.lockRequest(), JSON.stringify({ id: before, pipeline: "api", step: "s" }), { qos: 1 });
  await waitFor("the first lock", () => gates.locks.get(before));
  db.pragma("wal_checkpoint(TRUNCATE)");
  const pages = db.pragma("page_count", { simple: true }) as number;
  db.pragma(`max_page_count = ${pages}`);

  const answers: string[] = [];
  client.on("message", (_topic, payload) => answers.push(payload.toString()));
  await client.subscribeAsync(topics.errors(client.options.clientId as string), { qos: 1 });
  const big = "x".repeat(190);
  const refused: string[] = [];
  for (let i = 0; i < 40; i++) {
    const id = randomUUID();
    refused.push(id);
    await client.publishAsync(topics.lockRequest(), JSON.stringify({ id, pipeline: `p${i}`, step: "s", summary: big }), { qos: 1 });
  }
  await waitFor("a logged disk-full error", () => logged.some((l) => /full/i.test(l)));
  t.true(
    logged.some((l) => /database or disk is full|SQLITE_FULL/.test(l)),
    "the log says the disk is full",
  );
  t.is((await fetch(`${bridge.httpUrl}/healthz`)).status, 200, "the bridge is still up");
  t.is(db.pragma("integrity_check", { simple: true }), "ok");
  t.is(gates.locks.get(before)?.state, "pending", "what was stored before is intact");
  const stored = refused.filter((id) => gates.locks.get(id) !== undefined).length;
  t.true(stored < refused.length, "some requests could not be stored");
  await waitFor("the pipeline to hear it", () => answers.some((a) => /could not store the request/.test(a)));
  t.true(
    answers.some((a) => /could not store the request/.test(a)),
    "the pipeline is told on its errors topic",
  );

  // Space again: a repeated request (as `shipgate gate` sends on reconnect) now goes through.
  db.pragma("max_page_count = 1073741823");
  const last = refused[refused.length - 1] as string;
  await client.publishAsync(topics.lockRequest(), JSON.stringify({ id: last, pipeline: "p39", step: "s" }), { qos: 1 });
  await waitFor("the repeated request to be stored", () => gates.locks.get(last));
  t.is(db.pragma("integrity_check", { simple: true }), "ok");
});
