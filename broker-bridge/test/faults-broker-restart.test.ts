// The broker restarts while a gadget and a pipeline are connected: the embedded broker is the
// bridge, so the bridge stops and starts again on the same ports and state. The gadget's client
// reconnects and re-subscribes, the waiting `shipgate gate` (the real executable) resumes on the
// same lock id, and a decision made after the restart reaches both.
import test from "ava";
import { randomUUID } from "node:crypto";
import mqtt from "mqtt";
import { GatesService } from "../src/gates/gates-service";
import { freePort, runShipgate, waitFor } from "./helpers/bridge";
import { startSecureBridge, topics } from "./security-support";

test("after a broker restart, connected gadgets and pipelines resume and get their answers", async (t) => {
  t.timeout(60_000);
  const ports = { broker: { port: await freePort() }, http: { port: await freePort() } };
  let rig = await startSecureBridge(ports);
  const stateDir = rig.stateDir;
  t.teardown(() => rig.stop());
  const { password } = rig.addUser("desk-1", "gadget");

  const gadget = mqtt.connect(rig.bridge.brokerUrl, { username: "desk-1", password, clientId: "desk-1", reconnectPeriod: 200 });
  t.teardown(() => gadget.endAsync(true));
  let connects = 0;
  gadget.on("connect", () => connects++);
  const acks: string[] = [];
  gadget.on("message", (topic, payload) => topic === topics.gadgetAck("desk-1") && acks.push(payload.toString()));
  await waitFor("the gadget to connect", () => connects === 1);
  await gadget.subscribeAsync(topics.gadgetAck("desk-1"), { qos: 1 });

  const id = randomUUID();
  const env = { SHIPGATE_STATE_DIR: stateDir, SHIPGATE_BROKER_PORT: String(ports.broker.port) };
  const gate = runShipgate(["gate", "--pipeline", "api", "--step", "deploy", "--id", id], env);
  t.teardown(() => void gate.child.kill("SIGKILL"));
  const gates = () => rig.bridge.service(GatesService) as GatesService;
  await waitFor("the lock", () => gates().locks.get(id)?.state === "pending", 20_000);

  await rig.stop();
  await new Promise((r) => setTimeout(r, 500));
  rig = await startSecureBridge(ports, { stateDir });
  await waitFor("the gadget to reconnect", () => connects >= 2, 10_000);
  await waitFor("the gate to resume", () => /resuming lock/.test(gate.stderr()), 15_000);
  t.is(gates().locks.get(id)?.state, "pending", "the lock survived the restart");

  // MQTT.js re-subscribes on reconnect, so the ack of a decision after the restart arrives.
  await gadget.publishAsync(topics.gadgetEvent("desk-1"), JSON.stringify({ button: "approve", gesture: "short", boot: 1, seq: 1, lock_id: id }), { qos: 1 });
  await waitFor("the gadget's ack", () => acks.some((a) => JSON.parse(a).ok === true));
  t.is(await gate.exit, 0, gate.stderr());
});
