// Signed gadget events over a real broker: a gadget provisioned with `shipgate user add --role
// gadget` gets a secret in the state directory, and the bridge refuses forged, altered, replayed
// and unsigned events, even from clients allowed to publish on the gadget's topic (the gadget's
// own account, an admin); each refusal is answered and audited, and no lock is decided by one.
// Events are signed with the protocol's own HMAC (protocol/src/hmac.ts, the code the firmware
// runs in XS), so this also checks that XS-side signatures verify on the bridge.
import test from "ava";
import { randomUUID } from "node:crypto";
import { writeFileSync } from "node:fs";
import path from "node:path";
import type { MqttClient } from "mqtt";
import { type GadgetEvent, eventSigningText, hmacHex } from "@shipgate/protocol";
import { GatesService } from "../src/gates/gates-service";
import { closed, collect, startSecureBridge, topics, sleep, viewNonce, type SecureRig } from "./security-support";
import { runShipgate, waitFor } from "./helpers/bridge";

const sign = (secret: string, gadget: string, e: GadgetEvent): GadgetEvent => ({ ...e, sig: hmacHex(secret, eventSigningText(gadget, e)) });

async function setup(t: import("ava").ExecutionContext, config: Record<string, unknown> = {}) {
  const rig = await startSecureBridge(config);
  t.teardown(() => rig.stop());
  const gates = rig.bridge.service(GatesService) as GatesService;
  const ci = await rig.connectAs("ci", "pipeline");
  const lock = async () => {
    const id = randomUUID();
    await ci.publishAsync(topics.lockRequest(), JSON.stringify({ id, pipeline: "api", step: "deploy" }), { qos: 1 });
    await waitFor("the lock", () => gates.locks.get(id));
    return id;
  };
  return { rig, gates, lock };
}

async function gadgetClient(rig: SecureRig, name: string, role: "gadget" | "admin" = "gadget"): Promise<{ client: MqttClient; seen: { topic: string; payload: string }[] }> {
  const client = await rig.connectAs(name, role);
  const seen = collect(client);
  await client.subscribeAsync([topics.errors(client.options.clientId as string)], { qos: 1 });
  return { client, seen };
}

test("the provisioning path: `shipgate user add --role gadget` makes a secret the bridge uses without config", async (t) => {
  const { rig, gates, lock } = await setup(t);
  const run = runShipgate(["user", "add", "desk-1", "--role", "gadget"], { SHIPGATE_STATE_DIR: rig.stateDir });
  t.is(await run.exit, 0, run.stderr());
  const out = run.stdout();
  const password = /^password: (\S+)$/m.exec(out)?.[1];
  const secret = /^secret: ([0-9a-f]{64})$/m.exec(out)?.[1];
  t.truthy(password);
  t.truthy(secret);
  t.regex(out, new RegExp(`mcconfig .*gadget=desk-1 username=desk-1 mqtt_password=${password} secret=${secret} broker=mqtt://`));
  t.notRegex(JSON.stringify(rig.users.users()), new RegExp(password as string), "the password is not stored in the clear");

  const { default: mqtt } = await import("mqtt");
  const desk = await mqtt.connectAsync(rig.bridge.brokerUrl, { username: "desk-1", password, clientId: "desk-1-a", reconnectPeriod: 0 });
  t.teardown(() => desk.endAsync(true));
  const id = await lock();
  await desk.publishAsync(topics.gadgetEvent("desk-1"), JSON.stringify({ button: "approve", gesture: "short", boot: 1, seq: 1, lock_id: id }), { qos: 1 });
  await sleep(200);
  t.is(gates.locks.get(id)?.state, "pending", "an unsigned event from a gadget with a secret decides nothing");
  t.is(rig.audit("gadget.forged").length, 1);
  const nonce = await viewNonce(rig.bridge, desk, "desk-1");
  await desk.publishAsync(topics.gadgetEvent("desk-1"), JSON.stringify(sign(secret as string, "desk-1", { button: "approve", gesture: "short", boot: 1, seq: 2, lock_id: id, nonce })), { qos: 1 });
  await waitFor("the signed approval", () => gates.locks.get(id)?.state === "approved");
  t.pass();
});

test("forged, altered and replayed events are refused, answered and audited; an admin may not publish as a gadget at all", async (t) => {
  const { rig, gates, lock } = await setup(t);
  rig.addUser("desk-1", "gadget");
  const { secret } = rig.users.createGadgetSecret("desk-1");
  const desk = await gadgetClient(rig, "desk-1");
  const first = await lock();
  const second = await lock();
  const send = (c: MqttClient, e: GadgetEvent) => c.publishAsync(topics.gadgetEvent("desk-1"), JSON.stringify(e), { qos: 1 });

  // Forged: signed with another key by the gadget's own account.
  await send(desk.client, sign("not-the-secret", "desk-1", { button: "approve", gesture: "short", boot: 3, seq: 1, lock_id: first }));
  await send(desk.client, sign("guessed", "desk-1", { button: "release", gesture: "short", boot: 3, seq: 2 }));
  // Altered: a genuine signature for the second lock, replayed with the first lock's id.
  const nonce = await viewNonce(rig.bridge, desk.client, "desk-1");
  const genuine = sign(secret, "desk-1", { button: "approve", gesture: "short", boot: 3, seq: 3, lock_id: second, nonce });
  await send(desk.client, { ...genuine, lock_id: first });
  // Altered: approve turned into release (a mode change).
  await send(desk.client, { ...sign(secret, "desk-1", { button: "reject", gesture: "long", boot: 3, seq: 4 }), button: "release", gesture: "short" });
  await sleep(300);
  t.is(gates.locks.get(first)?.state, "pending");
  t.is(gates.locks.get(second)?.state, "pending");
  t.is(gates.locks.mode().mode, "default");
  t.is(rig.audit("gadget.forged").length, 4);

  // The genuine event decides exactly what was signed.
  await send(desk.client, genuine);
  await waitFor("the genuine approval", () => gates.locks.get(second)?.state === "approved");
  // An admin publishing as the gadget (issue 13): the broker refuses it and closes the connection.
  const boss = await gadgetClient(rig, "boss", "admin");
  boss.client.publish(topics.gadgetEvent("desk-1"), JSON.stringify(sign(secret, "desk-1", { button: "approve", gesture: "short", boot: 3, seq: 5, lock_id: first })), { qos: 0 });
  await closed(boss.client);
  t.deepEqual(
    rig.audit("auth.publish.denied").map((r) => [r.actor, r.subject]),
    [["user:boss", topics.gadgetEvent("desk-1")]],
  );
  // Replayed: the same genuine event again, and an older one from the same boot.
  await send(desk.client, sign(secret, "desk-1", { button: "approve", gesture: "short", boot: 3, seq: 3, lock_id: first }));
  await send(desk.client, sign(secret, "desk-1", { button: "approve", gesture: "short", boot: 3, seq: 2, lock_id: first }));
  await send(desk.client, sign(secret, "desk-1", { button: "approve", gesture: "short", boot: 2, seq: 99, lock_id: first }));
  await sleep(300);
  t.is(gates.locks.get(first)?.state, "pending", "no replay decided the first lock");
  t.is(rig.audit("gadget.replay").length, 2, "older events are audited as replays (the exact duplicate is a QoS 1 redelivery, ignored)");
  t.true(desk.seen.filter((m) => /signature|replay|not newer/.test(m.payload)).length >= 4, "the gadget's client got an answer on its errors topic for each");
});

test("a secret given by gadgets.<id>.secret_file in the config still works", async (t) => {
  const dir = (await import("./helpers/bridge")).tempDir();
  const file = path.join(dir, "desk-9.secret");
  writeFileSync(file, "configured-secret\n");
  const { rig, gates, lock } = await setup(t, { gadgets: { "desk-9": { secret_file: file } } });
  const desk = await gadgetClient(rig, "desk-9");
  const id = await lock();
  await desk.client.publishAsync(topics.gadgetEvent("desk-9"), JSON.stringify(sign("wrong", "desk-9", { button: "reject", gesture: "short", boot: 1, seq: 1, lock_id: id })), { qos: 1 });
  const nonce = await viewNonce(rig.bridge, desk.client, "desk-9");
  await desk.client.publishAsync(topics.gadgetEvent("desk-9"), JSON.stringify(sign("configured-secret", "desk-9", { button: "reject", gesture: "short", boot: 1, seq: 2, lock_id: id, nonce })), {
    qos: 1,
  });
  await waitFor("the signed rejection", () => gates.locks.get(id)?.state === "rejected");
  t.is(rig.audit("gadget.forged").length, 1);
});
