// Issue 13, tried as an attacker would on a bridge with its secure defaults, through the real
// embedded broker and HTTP API: each reproduction first, then what must hold instead.
import test from "ava";
import { randomUUID } from "node:crypto";
import { request as httpRequest } from "node:http";
import mqtt from "mqtt";
import { GatesService } from "../src/gates/gates-service";
import { type SecureRig, closed, collect, sleep, startSecureBridge, topics } from "./security-support";
import { waitFor } from "./helpers/bridge";

const gatesOf = (rig: SecureRig) => rig.bridge.service(GatesService) as GatesService;

function adminCall(client: mqtt.MqttClient, user: string, command: "decide" | "mode", body: Record<string, unknown>): Promise<{ ok: boolean; error?: string; result?: { state?: string } }> {
  const correlation = String(body.correlation);
  const replyTopic = topics.reply(user, correlation);
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no reply to ${correlation}`)), 5000);
    const onMessage = (topic: string, payload: Buffer) => {
      if (topic !== replyTopic) return;
      clearTimeout(timer);
      client.removeListener("message", onMessage);
      resolve(JSON.parse(payload.toString()));
    };
    client.on("message", onMessage);
    client.subscribe(replyTopic, { qos: 1 }, () => client.publish(topics.adminCommand(user, command), JSON.stringify(body), { qos: 1 }));
  });
}

test("a pipeline user speaks only for its pipelines: another pipeline's name is refused with field pipeline, creates nothing and is audited", async (t) => {
  const rig = await startSecureBridge({ security: { lock_requests_per_minute: 100_000, lock_request_burst: 1000 } });
  t.teardown(() => rig.stop());
  rig.addUser("ci2", "pipeline", []); // no --pipelines: only the pipeline "ci2"
  rig.addUser("api", "pipeline", []);
  const attacker = await rig.connectAs("ci2", "pipeline");
  const seen = collect(attacker);
  await attacker.subscribeAsync([topics.errors(attacker.options.clientId as string), topics.allLockStates()], { qos: 1 });
  // The reproduction: 100 requests as pipeline "api" used to fill api's pending quota.
  for (let i = 0; i < 100; i++) await attacker.publishAsync(topics.lockRequest(), JSON.stringify({ id: randomUUID(), pipeline: "api", step: "deploy-prod" }), { qos: 1 });
  await waitFor("100 refusals", () => seen.filter((m) => m.topic.startsWith(topics.errors(""))).length >= 100);
  const refusal = JSON.parse(seen.find((m) => m.topic.startsWith(topics.errors("")))?.payload ?? "{}") as { field?: string; error?: string };
  t.is(refusal.field, "pipeline");
  t.regex(refusal.error ?? "", /may not speak for pipeline api/);
  t.is(gatesOf(rig).locks.pendingCount(), 0, "nothing was created");
  t.is(rig.audit("lock.request.denied").length, 100);

  // api's own gate is not refused, and ci2 neither reads it nor cancels it.
  const api = await rig.connectAs("api", "pipeline");
  const id = randomUUID();
  await api.publishAsync(topics.lockRequest(), JSON.stringify({ id, pipeline: "api", step: "deploy-prod" }), { qos: 1 });
  await waitFor("api's lock", () => gatesOf(rig).locks.get(id));
  await attacker.publishAsync(topics.lockCancel(id), "", { qos: 1 });
  await waitFor("the cancel refusal", () => rig.audit("lock.cancel.denied").length === 1);
  t.is(gatesOf(rig).locks.get(id)?.state, "pending");
  await sleep(100);
  t.false(
    seen.some((m) => m.topic === topics.lockState(id)),
    "ci2 never read api's lock",
  );
  // Its own topic names its own user: locks/request/api from ci2 is refused by the broker.
  attacker.publish(topics.lockRequestFor("api"), JSON.stringify({ id: randomUUID(), pipeline: "ci2", step: "s" }), { qos: 0 });
  await closed(attacker);
  t.is(gatesOf(rig).locks.pendingCount(), 1);
});

test("rate limits count per user: rotating client ids buys no new allowance", async (t) => {
  const rig = await startSecureBridge({ security: { lock_requests_per_minute: 1, lock_request_burst: 3 } });
  t.teardown(() => rig.stop());
  const answers: string[] = [];
  for (let i = 0; i < 6; i++) {
    const c = await rig.connectAs("ci", "pipeline", { clientId: `ci-rot-${i}` });
    c.on("message", (_topic, payload) => answers.push(payload.toString()));
    await c.subscribeAsync(topics.errors(`ci-rot-${i}`), { qos: 1 });
    await c.publishAsync(topics.lockRequest(), JSON.stringify({ id: randomUUID(), pipeline: "api", step: "s" }), { qos: 1 });
  }
  await waitFor("three refusals", () => answers.filter((a) => /too many lock requests from user ci/.test(a)).length === 3);
  t.is(gatesOf(rig).locks.pendingCount(), 3, "only the burst of 3 was taken");
});

test("N-of-M counts people: one admin cannot satisfy approvals: 2 via CLI, HTTP and a gadget's topic", async (t) => {
  const rig = await startSecureBridge({ gates: { rules: [{ pipeline: "*", step: "deploy-prod", approvals: 2 }] } });
  t.teardown(() => rig.stop());
  const ci = await rig.connectAs("ci", "pipeline");
  const id = randomUUID();
  await ci.publishAsync(topics.lockRequest(), JSON.stringify({ id, pipeline: "api", step: "deploy-prod" }), { qos: 1 });
  await waitFor("the lock", () => gatesOf(rig).locks.get(id));
  const admin = await rig.connectAs("admin2", "admin");
  t.like(await adminCall(admin, "admin2", "decide", { correlation: "n1", decision: "approve", id }), { ok: true });
  // The same person over HTTP with an API token: refused as a second approval.
  const token = rig.users.addToken("admin2");
  const http = await fetch(`${rig.bridge.httpUrl}/api/admin/decide`, {
    method: "POST",
    headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
    body: JSON.stringify({ decision: "approve", id }),
  });
  t.is(http.status, 409);
  t.regex(((await http.json()) as { error: string }).error, /needs another person/);
  // The reproduction: an unsigned approve on gadgets/ghost/event from the admin's account.
  admin.publish(topics.gadgetEvent("ghost"), JSON.stringify({ button: "approve", gesture: "short", boot: 1, seq: 1, lock_id: id }), { qos: 0 });
  await closed(admin);
  await sleep(200);
  t.is(gatesOf(rig).locks.get(id)?.state, "pending", "still one person");
  t.deepEqual(gatesOf(rig).locks.get(id)?.approved_by, ["user:admin2"]);
  t.deepEqual(
    rig.audit("auth.publish.denied").map((r) => r.subject),
    [topics.gadgetEvent("ghost")],
  );
});

test("require_gadget: an admin's approval is not enough until a gadget is pressed", async (t) => {
  const rig = await startSecureBridge({ gates: { rules: [{ pipeline: "*", step: "deploy-prod", require_gadget: true }] } });
  t.teardown(() => rig.stop());
  const ci = await rig.connectAs("ci", "pipeline");
  const id = randomUUID();
  await ci.publishAsync(topics.lockRequest(), JSON.stringify({ id, pipeline: "api", step: "deploy-prod" }), { qos: 1 });
  await waitFor("the lock", () => gatesOf(rig).locks.get(id));
  const admin = await rig.connectAs("boss", "admin");
  const reply = await adminCall(admin, "boss", "decide", { correlation: "g1", decision: "approve", id });
  t.like(reply, { ok: true, result: { state: "pending" } });
  t.regex(gatesOf(rig).locks.get(id)?.reason ?? "", /needs a press on a gadget/);
  const desk = await rig.connectAs("desk-1", "gadget");
  await desk.publishAsync(topics.gadgetEvent("desk-1"), JSON.stringify({ button: "approve", gesture: "short", boot: 1, seq: 1, lock_id: id }), { qos: 1 });
  await waitFor("approved after the press", () => gatesOf(rig).locks.get(id)?.state === "approved");
  t.is(gatesOf(rig).locks.get(id)?.decided_by, "user:boss,gadget:desk-1");
});

test("an admin command re-sent with its request id gets its original answer, also after a restart, and acts once", async (t) => {
  let rig = await startSecureBridge();
  const stateDir = rig.stateDir;
  t.teardown(() => rig.stop());
  const ci = await rig.connectAs("ci", "pipeline");
  const id = randomUUID();
  await ci.publishAsync(topics.lockRequest(), JSON.stringify({ id, pipeline: "api", step: "s" }), { qos: 1 });
  await waitFor("the lock", () => gatesOf(rig).locks.get(id));
  rig.users.add("boss", "admin", "boss-password-1");
  const connectBoss = async (clientId: string) => {
    const c = await mqtt.connectAsync(rig.bridge.brokerUrl, { username: "boss", password: "boss-password-1", clientId, reconnectPeriod: 0 });
    t.teardown(() => c.endAsync(true));
    return c;
  };
  let admin = await connectBoss("boss-1");
  const first = await adminCall(admin, "boss", "decide", { correlation: "req-1", decision: "approve", id });
  t.like(first, { ok: true, result: { state: "approved" } });
  t.deepEqual(await adminCall(admin, "boss", "decide", { correlation: "req-1", decision: "approve", id }), first, 'not "already approved"');
  await admin.endAsync(true);
  await rig.stop();
  rig = await startSecureBridge({}, { stateDir });
  admin = await connectBoss("boss-2");
  t.deepEqual(await adminCall(admin, "boss", "decide", { correlation: "req-1", decision: "approve", id }), first, "the same answer after a restart");
  t.is(rig.audit("lock.approve").length, 1, "decided once");
  // A new request id is a new command: now it is refused for real.
  t.like(await adminCall(admin, "boss", "decide", { correlation: "req-2", decision: "approve", id }), { ok: false });
});

test("a client id belongs to its user: a viewer reusing a gadget's id is refused and the gadget stays connected", async (t) => {
  const rig = await startSecureBridge();
  t.teardown(() => rig.stop());
  const gadget = await rig.connectAs("desk-1", "gadget", { clientId: "shipgate-AABBCCDDEEFF" });
  let gadgetClosed = false;
  gadget.on("close", () => (gadgetClosed = true));
  const takeover = rig.connectAs("peek", "viewer", { clientId: "shipgate-AABBCCDDEEFF" });
  const err = (await t.throwsAsync(takeover)) as Error & { code?: number };
  t.is(err.code, 2, "CONNACK 2: identifier rejected");
  await sleep(300);
  t.false(gadgetClosed, "the gadget's session stays");
  t.true(gadget.connected);
  t.is(rig.audit("auth.connect.denied").filter((r) => /held by another user/.test(String(r.detail?.reason))).length, 1);
  // The same user reconnecting with its own id still takes its session over, as MQTT says.
  const again = await rig.connectAs("desk-1", "gadget", { clientId: "shipgate-AABBCCDDEEFF" });
  t.true(again.connected);
});

test("refused connects are audited as one row per source, user and minute: a flood leaves real entries on the first page", async (t) => {
  const rig = await startSecureBridge();
  t.teardown(() => rig.stop());
  const ci = await rig.connectAs("ci", "pipeline");
  const id = randomUUID();
  await ci.publishAsync(topics.lockRequest(), JSON.stringify({ id, pipeline: "api", step: "s" }), { qos: 1 });
  await waitFor("the lock", () => gatesOf(rig).locks.get(id));
  const FLOOD = 400;
  for (let i = 0; i < FLOOD; i += 50) {
    await Promise.all(Array.from({ length: 50 }, (_, j) => mqtt.connectAsync(rig.bridge.brokerUrl, { clientId: `anon-${i + j}`, reconnectPeriod: 0, connectTimeout: 5000 }).catch(() => null)));
  }
  const rows = rig.audit("auth.connect.denied");
  t.true(rows.length <= 2, `at most one row per minute (${rows.length})`);
  t.is(
    rows.reduce((n, r) => n + Number(r.detail?.count ?? 0), 0),
    FLOOD,
  );
  t.is(rows[0]?.subject, "127.0.0.1");
  const page = (await (await fetch(`${rig.bridge.httpUrl}/api/audit?limit=20`)).json()) as { entries: { action: string }[] };
  t.true(
    page.entries.some((e) => e.action === "lock.request"),
    "the real entry is still on the first page",
  );
});

test("a session dies with its user: re-adding the name with another role never revives it", async (t) => {
  const rig = await startSecureBridge();
  t.teardown(() => rig.stop());
  const base = rig.bridge.httpUrl;
  rig.users.add("p1", "pipeline", "first-password-1");
  const login = await fetch(`${base}/api/session`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ username: "p1", password: "first-password-1" }) });
  t.is(login.status, 200);
  const cookie = (login.headers.get("set-cookie") ?? "").split(";")[0] as string;
  t.is((await fetch(`${base}/api/session`, { headers: { cookie } })).status, 200);
  rig.users.remove("p1");
  rig.users.add("p1", "admin", "second-password-2");
  t.is((await fetch(`${base}/api/session`, { headers: { cookie } })).status, 401, "the old cookie is not the new admin's");
});

function getWithHost(url: string, host: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(url, { headers: { host } }, (res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    });
    req.on("error", reject);
    req.end();
  });
}

test("every route checks the Host header (DNS rebinding); http.public: false makes the read routes need a login", async (t) => {
  const rig = await startSecureBridge({ http: { public: false } });
  t.teardown(() => rig.stop());
  const base = rig.bridge.httpUrl;
  const port = new URL(base).port;
  t.is(await getWithHost(`${base}/healthz`, `evil.example:${port}`), 421);
  t.is(await getWithHost(`${base}/api/audit`, "evil.example"), 421);
  t.is(await getWithHost(`${base}/healthz`, `127.0.0.1:${port}`), 200);
  t.is(await getWithHost(`${base}/healthz`, `localhost:${port}`), 200);
  t.is((await fetch(`${base}/api/audit`)).status, 401, "no login, no audit");
  rig.addUser("wall", "viewer");
  const token = rig.users.addToken("wall");
  t.is((await fetch(`${base}/api/audit`, { headers: { authorization: `Bearer ${token}` } })).status, 200);

  const open = await startSecureBridge({ http: { allowed_hosts: ["gate.example"] } });
  t.teardown(() => open.stop());
  t.is(await getWithHost(`${open.bridge.httpUrl}/healthz`, "gate.example"), 200);
  t.is(await getWithHost(`${open.bridge.httpUrl}/healthz`, "127.0.0.1"), 421, "only the configured names");
  t.is((await fetch(`${open.bridge.httpUrl.replace("127.0.0.1", "127.0.0.1")}/api/audit`)).status, 421);
});

test("a store failure in the gates' timer (SQLITE_READONLY) leaves the bridge up, logged and counted, and the expiry happens once it heals", async (t) => {
  const rig = await startSecureBridge();
  t.teardown(() => rig.stop());
  const ci = await rig.connectAs("ci", "pipeline");
  const id = randomUUID();
  await ci.publishAsync(topics.lockRequest(), JSON.stringify({ id, pipeline: "api", step: "s", timeout_s: 1 }), { qos: 1 });
  await waitFor("the lock", () => gatesOf(rig).locks.get(id));
  const db = rig.bridge.context.store.db;
  db.pragma("query_only = ON");
  const metric = async () => /shipgate_gates_background_failures_total\{what="tick"\} (\d+)/.exec(await (await fetch(`${rig.bridge.httpUrl}/metrics`)).text())?.[1];
  await waitFor("the failure counted", async () => Number((await metric()) ?? 0) >= 1, 5000, 100);
  t.is((await fetch(`${rig.bridge.httpUrl}/healthz`)).status, 200, "still up");
  t.is(gatesOf(rig).locks.get(id)?.state, "pending", "nothing half-written");
  db.pragma("query_only = OFF");
  await waitFor("the retried expiry", () => gatesOf(rig).locks.get(id)?.state === "expired", 10_000, 100);
  t.is(rig.audit("lock.expire").length, 1);
});

test("a gadget event dropped by the rate limit is spent: sent again later it decides nothing and is answered TOO LATE", async (t) => {
  const rig = await startSecureBridge({ security: { events_per_minute: 120, event_burst: 1 } });
  t.teardown(() => rig.stop());
  const ci = await rig.connectAs("ci", "pipeline");
  const a = randomUUID();
  const b = randomUUID();
  for (const id of [a, b]) await ci.publishAsync(topics.lockRequest(), JSON.stringify({ id, pipeline: "api", step: "s" }), { qos: 1 });
  await waitFor("both locks", () => gatesOf(rig).locks.get(b));
  const desk = await rig.connectAs("desk-1", "gadget");
  const acks = collect(desk);
  await desk.subscribeAsync(topics.gadgetAck("desk-1"), { qos: 1 });
  const second = JSON.stringify({ button: "approve", gesture: "short", boot: 1, seq: 2, lock_id: b });
  await desk.publishAsync(topics.gadgetEvent("desk-1"), JSON.stringify({ button: "approve", gesture: "short", boot: 1, seq: 1, lock_id: a }), { qos: 1 });
  await desk.publishAsync(topics.gadgetEvent("desk-1"), second, { qos: 1 });
  await waitFor("the first approval", () => gatesOf(rig).locks.get(a)?.state === "approved");
  await sleep(800); // the bucket has refilled (one event per 500 ms)
  await desk.publishAsync(topics.gadgetEvent("desk-1"), second, { qos: 1 });
  await sleep(300);
  t.is(gatesOf(rig).locks.get(b)?.state, "pending", "the dropped event never decided");
  t.true(acks.some((m) => m.topic === topics.gadgetAck("desk-1") && /"seq":2/.test(m.payload) && /TOO LATE/.test(m.payload)));
});

test("shipgate user add --pipelines binds a pipeline user; user list --json shows each user's pipelines", async (t) => {
  const { runShipgate, tempDir } = await import("./helpers/bridge");
  const state = tempDir("shipgate-user-pipelines-");
  const env = { SHIPGATE_STATE_DIR: state };
  const add = runShipgate(["user", "add", "ci", "--role", "pipeline", "--pipelines", "api,web-*"], env);
  t.is(await add.exit, 0, add.stderr());
  t.regex(add.stdout(), /added pipeline ci for pipelines api,web-\*/);
  const plain = runShipgate(["user", "add", "deployer", "--role", "pipeline"], env);
  t.is(await plain.exit, 0, plain.stderr());
  const bad = runShipgate(["user", "add", "wall", "--role", "viewer", "--pipelines", "api"], env);
  t.is(await bad.exit, 1);
  t.regex(bad.stderr(), /--pipelines is for pipeline users/);
  const list = runShipgate(["user", "list", "--json"], env);
  t.is(await list.exit, 0, list.stderr());
  const users = JSON.parse(list.stdout()) as { username: string; pipelines?: string[] }[];
  t.deepEqual(
    users.map((u) => [u.username, u.pipelines]),
    [
      ["ci", ["api", "web-*"]],
      ["deployer", ["deployer"]],
    ],
  );
});
