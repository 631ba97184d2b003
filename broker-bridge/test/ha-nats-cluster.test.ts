// shipgate through a three-node NATS cluster (JetStream and MQTT on every node, Debian's
// nats-server): the bridge, a gadget and the pipeline's `shipgate gate` each on a different node.

import test from "ava";
import { randomUUID } from "node:crypto";
import { readFileSync } from "node:fs";
import path from "node:path";
import { DEFAULT_PREFIX, type LockState, Topics } from "@shipgate/protocol";
import { connectClient, nextMessage, runShipgate, startTestBridge, tempDir, waitFor } from "./helpers/bridge";
import { type NatsCluster, natsServerBinary, startNatsCluster } from "./helpers/ha-nats";
import { createTestDatabase, testPostgresUrl } from "./helpers/ha-postgres";

const topics = new Topics(DEFAULT_PREFIX);
const BIN = natsServerBinary();
const natsTest = BIN === null ? test.skip : test.serial;

let cluster: NatsCluster;
test.before(async () => {
  if (BIN !== null) cluster = await startNatsCluster(BIN);
});
test.after.always(async () => {
  await cluster?.stop();
});

natsTest("a pipeline's gate round trip through the cluster: bridge on n1, gadget on n2, `shipgate gate` on n3; approve exits 0 with the record", async (t) => {
  const [n1, n2, n3] = cluster.nodes as [NatsCluster["nodes"][0], NatsCluster["nodes"][0], NatsCluster["nodes"][0]];
  const bridge = await startTestBridge({ config: { broker: { url: n1.mqttUrl } } });
  const clients = [];
  try {
    const desk = await connectClient(n2.mqttUrl, { clientId: "gadget-desk-1", will: { topic: topics.gadgetStatus("desk-1"), payload: Buffer.from('{"state":"offline"}'), qos: 1, retain: true } });
    clients.push(desk);
    await desk.publishAsync(topics.gadgetStatus("desk-1"), '{"state":"online","version":"test"}', { qos: 1, retain: true });

    const id = randomUUID();
    await desk.subscribeAsync(topics.lockState(id), { qos: 1 });
    const pending = nextMessage(desk, topics.lockState(id), (p) => p.length > 0 && (JSON.parse(p.toString()) as LockState).state === "pending", 30_000);
    const record = path.join(bridge.stateDir, `record-${id}.json`);
    const gate = runShipgate(["gate", "--id", id, "--record", record, "--pipeline", "api", "--step", "deploy-prod", "--summary", "via nats"], {
      SHIPGATE_BROKER_URL: n3.mqttUrl,
      SHIPGATE_STATE_DIR: bridge.stateDir,
    });
    const lock = JSON.parse((await pending).toString()) as LockState;
    t.is(lock.summary, "via nats");

    // The lock's retained state reaches a client that subscribes later, on yet another node.
    const late = await connectClient(n1.mqttUrl);
    clients.push(late);
    const retained = nextMessage(late, topics.lockState(id), (p) => p.length > 0, 15_000);
    await late.subscribeAsync(topics.lockState(id), { qos: 1 });
    t.is((JSON.parse((await retained).toString()) as LockState).state, "pending");

    await desk.publishAsync(topics.gadgetEvent("desk-1"), JSON.stringify({ button: "approve", gesture: "short", boot: 1, seq: 1, lock_id: id }), { qos: 1 });
    t.is(await gate.exit, 0, gate.stderr());
    t.like(JSON.parse(readFileSync(record, "utf8")), { id, state: "approved", decided_by: "gadget:desk-1", pipeline: "api" });
    t.regex(gate.stderr(), /approved by gadget:desk-1/);
  } finally {
    await Promise.all(clients.map((c) => c.endAsync()));
    await bridge.stop();
  }
});

natsTest("the bridge's Will reaches the cluster: a bridge that dies is shown offline (retained) to clients on other nodes", async (t) => {
  const [n1, n2, n3] = cluster.nodes as [NatsCluster["nodes"][0], NatsCluster["nodes"][0], NatsCluster["nodes"][0]];
  const child = runShipgate(["start"], { SHIPGATE_BROKER_URL: n1.mqttUrl, SHIPGATE_STATE_DIR: tempDir(), SHIPGATE_HTTP_PORT: "0" });
  const watcher = await connectClient(n2.mqttUrl);
  try {
    const statusTopic = topics.bridgeStatus();
    const online = nextMessage(watcher, statusTopic, (p) => /online/.test(p.toString()), 40_000);
    await watcher.subscribeAsync(statusTopic, { qos: 1 });
    await online;
    const offline = nextMessage(watcher, statusTopic, (p) => /offline/.test(p.toString()), 30_000);
    child.child.kill("SIGKILL");
    t.regex((await offline).toString(), /offline/);
    // Retained: a client that connects afterwards, to a third node, is told too.
    const later = await connectClient(n3.mqttUrl);
    const told = nextMessage(later, statusTopic, () => true, 15_000);
    await later.subscribeAsync(statusTopic, { qos: 1 });
    t.regex((await told).toString(), /offline/);
    await later.endAsync();
  } finally {
    child.child.kill("SIGKILL");
    await watcher.endAsync();
  }
});

const pgUrl = testPostgresUrl();

(BIN === null || pgUrl === null ? test.skip : test.serial)(
  "two bridges on PostgreSQL through the cluster: a gadget's approve reaches the leader, and after the leader is killed, the new one",
  async (t) => {
    t.timeout(90_000);
    const [n1, n2, n3] = cluster.nodes as [NatsCluster["nodes"][0], NatsCluster["nodes"][0], NatsCluster["nodes"][0]];
    const db = await createTestDatabase(pgUrl as string);
    t.teardown(() => db.drop());
    const bridges = [n1, n3].map((node, i) => {
      const env = { SHIPGATE_STORE_URL: db.url, SHIPGATE_BROKER_URL: node.mqttUrl, SHIPGATE_STATE_DIR: tempDir(), SHIPGATE_HTTP_PORT: "0", SHIPGATE_BRIDGE_ID: `nats-${i}` };
      const run = runShipgate(["start"], env);
      t.teardown(() => void run.child.kill("SIGKILL"));
      return run;
    });
    for (const b of bridges) await waitFor(`both bridges to run: ${b.stderr()}`, () => /leads \(lease token|is a standby/.test(b.stderr()) || b.child.exitCode !== null, 40_000);
    for (const b of bridges) t.is(b.child.exitCode, null, b.stderr() + b.stdout().slice(-2000));
    const leader = bridges.findIndex((b) => /leads \(lease token/.test(b.stderr()));
    t.true(leader >= 0);

    const desk = await connectClient(n2.mqttUrl, { clientId: "gadget-desk-ha", will: { topic: topics.gadgetStatus("desk-ha"), payload: Buffer.from('{"state":"offline"}'), qos: 1, retain: true } });
    t.teardown(() => desk.endAsync());
    await desk.publishAsync(topics.gadgetStatus("desk-ha"), '{"state":"online","version":"test"}', { qos: 1, retain: true });
    const approveThrough = async (seq: number) => {
      const id = randomUUID();
      const env = { SHIPGATE_BROKER_URL: n2.mqttUrl, SHIPGATE_STATE_DIR: tempDir() };
      const gate = runShipgate(["gate", "--id", id, "--pipeline", "api", "--step", "deploy", "--timeout", "1m"], env);
      await waitFor("the lock to be pending", () => /waiting for approval/.test(gate.stderr()) || gate.child.exitCode !== null, 30_000);
      await desk.publishAsync(topics.gadgetEvent("desk-ha"), JSON.stringify({ button: "approve", gesture: "short", boot: 1, seq, lock_id: id }), { qos: 1 });
      t.is(await gate.exit, 0, gate.stderr());
      t.regex(gate.stderr(), /approved by gadget:desk-ha/);
    };
    await approveThrough(1);
    (bridges[leader] as ReturnType<typeof runShipgate>).child.kill("SIGKILL");
    const other = bridges[1 - leader] as ReturnType<typeof runShipgate>;
    await waitFor("the standby to lead", () => /leads \(lease token 2/.test(other.stderr()), 30_000);
    await approveThrough(2);
  },
);
