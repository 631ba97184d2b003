// Every role tries what it must not do, over a real MQTT connection to the bridge's embedded
// broker with its default (secure) authorizer: each attempt fails, changes nothing, and leaves a
// row in the audit log. Positive controls show the same clients can do what their role allows.
// Each on SQLite with users.json, and on PostgreSQL with the users in the store.
import { randomUUID } from "node:crypto";
import mqtt from "mqtt";
import { GatesService } from "../src/gates/gates-service";
import { type SecureRig, closed, collect, grants, sleep, startSecureBridge, topics } from "./security-support";
import { waitFor } from "./helpers/bridge";
import { bothStores, storeConfig } from "./helpers/store-backends";

const gatesOf = (rig: SecureRig) => rig.bridge.service(GatesService) as GatesService;

async function requestLock(client: mqtt.MqttClient, pipeline = "api"): Promise<string> {
  const id = randomUUID();
  await client.publishAsync(topics.lockRequest(), JSON.stringify({ id, pipeline, step: "deploy-prod" }), { qos: 1 });
  return id;
}

bothStores("an anonymous client cannot connect, and neither can a wrong password; both are audited", async (t) => {
  const rig = await startSecureBridge(storeConfig());
  t.teardown(() => rig.stop());
  const anonymous = mqtt.connectAsync(rig.bridge.brokerUrl, { clientId: "anon-1", reconnectPeriod: 0, connectTimeout: 5000 });
  const err = await t.throwsAsync(anonymous);
  t.is((err as Error & { code?: number }).code, 5, "CONNACK 5: not authorized");
  rig.addUser("ci", "pipeline");
  const wrong = mqtt.connectAsync(rig.bridge.brokerUrl, { clientId: "guess-1", username: "ci", password: "not-the-password", reconnectPeriod: 0 });
  t.is(((await t.throwsAsync(wrong)) as Error & { code?: number }).code, 4, "CONNACK 4: bad user name or password");
  const unknownUser = mqtt.connectAsync(rig.bridge.brokerUrl, { clientId: "guess-2", username: "nobody", password: "whatever-it-is", reconnectPeriod: 0 });
  t.is(((await t.throwsAsync(unknownUser)) as Error & { code?: number }).code, 4);
  const denied = rig.audit("auth.connect.denied");
  t.deepEqual(
    denied.map((r) => r.detail?.client),
    ["anon-1", "guess-1", "guess-2"],
  );
  t.regex(String(denied[0]?.detail?.reason), /anonymous/);
});

bothStores("a pipeline tries to approve, to change the mode and to press a gadget's button: all fail and are audited", async (t) => {
  const rig = await startSecureBridge(storeConfig());
  t.teardown(() => rig.stop());
  const ci = await rig.connectAs("ci", "pipeline");
  const id = await requestLock(ci);
  await waitFor("the lock", () => gatesOf(rig).locks.get(id));

  await ci.publishAsync(topics.adminCommand("ci", "decide"), JSON.stringify({ correlation: "c1", decision: "approve", id }), { qos: 0 });
  await closed(ci);
  const asAdmin = await rig.connectAs("ci", "pipeline");
  await asAdmin.publishAsync(topics.adminCommand("admin", "mode"), JSON.stringify({ correlation: "c2", mode: "released" }), { qos: 0 });
  await closed(asAdmin);
  const asGadget = await rig.connectAs("ci", "pipeline");
  await asGadget.publishAsync(topics.gadgetEvent("desk-1"), JSON.stringify({ button: "approve", gesture: "short", boot: 1, seq: 1, lock_id: id }), { qos: 0 });
  await closed(asGadget);

  await sleep(100);
  t.is(gatesOf(rig).locks.get(id)?.state, "pending", "the lock is still pending");
  t.is(gatesOf(rig).locks.mode().mode, "default", "the mode did not change");
  const subjects = rig.audit("auth.publish.denied").map((r) => [r.actor, r.subject]);
  t.deepEqual(subjects, [
    ["user:ci", topics.adminCommand("ci", "decide")],
    ["user:ci", topics.adminCommand("admin", "mode")],
    ["user:ci", topics.gadgetEvent("desk-1")],
  ]);
});

bothStores("a gadget impersonates another gadget: its publish and subscribe are refused and audited", async (t) => {
  const rig = await startSecureBridge(storeConfig());
  t.teardown(() => rig.stop());
  const ci = await rig.connectAs("ci", "pipeline");
  const id = await requestLock(ci);
  await waitFor("the lock", () => gatesOf(rig).locks.get(id));
  const desk1 = await rig.connectAs("desk-1", "gadget");
  rig.addUser("desk-2", "gadget");

  const granted = await grants(desk1, [topics.gadgetView("desk-2"), topics.gadgetView("desk-1")]);
  t.deepEqual(granted, [128, 1], "another gadget's view is refused, its own is granted");
  await desk1.publishAsync(topics.gadgetEvent("desk-2"), JSON.stringify({ button: "approve", gesture: "short", boot: 1, seq: 1, lock_id: id }), { qos: 0 });
  await closed(desk1);
  await sleep(100);
  t.is(gatesOf(rig).locks.get(id)?.state, "pending");
  t.deepEqual(
    rig.audit("auth.subscribe.denied").map((r) => [r.actor, r.subject]),
    [["user:desk-1", topics.gadgetView("desk-2")]],
  );
  t.deepEqual(
    rig.audit("auth.publish.denied").map((r) => [r.actor, r.subject]),
    [["user:desk-1", topics.gadgetEvent("desk-2")]],
  );

  // Positive control: the same gadget approves through its own topic.
  const again = await rig.connectAs("desk-1", "gadget");
  await again.publishAsync(topics.gadgetEvent("desk-1"), JSON.stringify({ button: "approve", gesture: "short", boot: 1, seq: 1, lock_id: id }), { qos: 1 });
  await waitFor("the approval", () => gatesOf(rig).locks.get(id)?.state === "approved");
  t.pass();
});

bothStores("a viewer changes the mode, requests a lock or reads everything: all refused and audited; it reads what it may", async (t) => {
  const rig = await startSecureBridge(storeConfig());
  t.teardown(() => rig.stop());
  const viewer = await rig.connectAs("wall", "viewer");
  const granted = await grants(viewer, [topics.allLockStates(), topics.mode(), "shipgate/v1/#", "#", topics.allAdminCommands()]);
  t.deepEqual(granted, [1, 1, 128, 128, 128]);
  await viewer.publishAsync(topics.adminCommand("wall", "mode"), JSON.stringify({ correlation: "c1", mode: "released" }), { qos: 0 });
  await closed(viewer);
  const again = await rig.connectAs("wall", "viewer");
  await again.publishAsync(topics.lockRequest(), JSON.stringify({ id: randomUUID(), pipeline: "api", step: "x" }), { qos: 0 });
  await closed(again);
  await sleep(100);
  t.is(gatesOf(rig).locks.mode().mode, "default");
  t.is(gatesOf(rig).locks.pending().length, 0);
  t.is(rig.audit("auth.subscribe.denied").length, 3);
  t.deepEqual(
    rig.audit("auth.publish.denied").map((r) => r.subject),
    [topics.adminCommand("wall", "mode"), topics.lockRequest()],
  );
});

bothStores("nobody but the bridge may publish lock states or the mode, not even an admin", async (t) => {
  const rig = await startSecureBridge(storeConfig());
  t.teardown(() => rig.stop());
  const boss = await rig.connectAs("boss", "admin");
  const forged = JSON.stringify({ id: randomUUID(), state: "approved" });
  await boss.publishAsync(topics.lockState(randomUUID()), forged, { qos: 0, retain: true });
  await closed(boss);
  const again = await rig.connectAs("boss", "admin");
  await again.publishAsync(topics.mode(), JSON.stringify({ mode: "released" }), { qos: 0, retain: true });
  await closed(again);
  t.is(rig.audit("auth.publish.denied").length, 2);
  // An admin's own command does work.
  const admin = await rig.connectAs("boss", "admin");
  const reply = new Promise<string>((resolve) => admin.on("message", (_t, p) => resolve(p.toString())));
  await admin.subscribeAsync(topics.reply("boss", "c9"), { qos: 1 });
  await admin.publishAsync(topics.adminCommand("boss", "mode"), JSON.stringify({ correlation: "c9", mode: "blocked" }), { qos: 1 });
  t.like(JSON.parse(await reply), { ok: true });
  t.is(gatesOf(rig).locks.mode().mode, "blocked");
});

bothStores("a pipeline reads only its own locks and cannot cancel another pipeline's", async (t) => {
  const rig = await startSecureBridge(storeConfig());
  t.teardown(() => rig.stop());
  const a = await rig.connectAs("ci-a", "pipeline");
  const b = await rig.connectAs("ci-b", "pipeline");
  const seenByA = collect(a);
  await a.subscribeAsync([topics.allLockStates(), topics.errors(a.options.clientId as string)], { qos: 1 });
  const idB = await requestLock(b, "web");
  const idA = await requestLock(a, "api");
  await waitFor("a's own lock state", () => seenByA.some((m) => m.topic === topics.lockState(idA)));
  t.false(
    seenByA.some((m) => m.topic === topics.lockRequest()),
    "nor other pipelines' requests, which locks/+ also matches",
  );
  await a.publishAsync(topics.lockCancel(idB), "", { qos: 1 });
  await waitFor("the refusal on a's errors topic", () => seenByA.some((m) => m.topic.startsWith(topics.errors(""))));
  await sleep(200);
  t.false(
    seenByA.some((m) => m.topic === topics.lockState(idB)),
    "ci-a never received ci-b's lock",
  );
  t.is(gatesOf(rig).locks.get(idB)?.state, "pending", "ci-b's lock was not cancelled");
  t.deepEqual(
    rig.audit("lock.cancel.denied").map((r) => [r.actor, r.subject]),
    [["user:ci-a", idB]],
  );
  // Its own cancel works.
  await a.publishAsync(topics.lockCancel(idA), "", { qos: 1 });
  await waitFor("a's cancel", () => gatesOf(rig).locks.get(idA)?.state === "cancelled");
});

bothStores("a user added while the bridge runs can connect at once; a removed one cannot", async (t) => {
  const rig = await startSecureBridge(storeConfig());
  t.teardown(() => rig.stop());
  const client = await rig.connectAs("late", "pipeline");
  await client.endAsync();
  t.true(rig.users.remove("late"));
  const err = await t.throwsAsync(
    rig.connectAs("late", "pipeline", { clientId: "late-2" }).then(
      () => undefined,
      (e) => Promise.reject(e),
    ),
  );
  t.truthy(err);
});
