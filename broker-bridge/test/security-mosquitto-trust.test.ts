// Issue 13 on an external broker: Debian's Mosquitto (/usr/sbin/mosquitto) started as root with the
// exported mosquitto.conf, so it drops to its packaged user `mosquitto` before it opens the
// password_file and acl_file (no `user root` here: the exported files must be readable as it is).
// Through it, a pipeline can neither speak for another pipeline, nor read another's requests on
// locks/+, nor direct the bridge's answers into another client's errors topic.
import test from "ava";
import { type ChildProcess, spawn } from "node:child_process";
import { randomUUID } from "node:crypto";
import { chmodSync, mkdtempSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import mqtt, { type MqttClient } from "mqtt";
import { GatesService } from "../src/gates/gates-service";
import { lookupAccount } from "../src/security/mosquitto";
import { UserStore } from "../src/accounts/user-store";
import { collect, sleep, startSecureBridge, topics } from "./security-support";
import { freePort, runShipgate, waitFor } from "./helpers/bridge";

const MOSQUITTO = "/usr/sbin/mosquitto";
const asRoot = typeof process.getuid === "function" && process.getuid() === 0;
const account = lookupAccount("mosquitto");

(asRoot && account !== null ? test : test.skip)("export-mosquitto files open in Debian's Mosquitto as its own user; pipelines stay in their lane through it", async (t) => {
  // Like /etc/mosquitto: a parent every user may traverse.
  const root = mkdtempSync(path.join(tmpdir(), "shipgate-mosq-user-"));
  chmodSync(root, 0o755);
  const state = path.join(root, "state");
  const store = new UserStore(state);
  const pw: Record<string, string> = {};
  for (const [name, role] of [
    ["bridge", "bridge"],
    ["api", "pipeline"],
    ["ci2", "pipeline"],
  ] as const)
    pw[name] = store.add(name, role).password;
  const dir = path.join(root, "mosquitto");
  const port = await freePort();
  const run = runShipgate(["user", "export-mosquitto", "--dir", dir, "--port", String(port)], { SHIPGATE_STATE_DIR: state });
  t.is(await run.exit, 0, run.stderr());
  t.regex(run.stdout(), /belongs to mosquitto/);
  t.is(statSync(dir).uid, account?.uid as number, "the directory is Mosquitto's (its persistence file goes there)");
  t.is(statSync(path.join(dir, "password_file")).gid, account?.gid as number);
  t.is(statSync(path.join(dir, "password_file")).mode & 0o777, 0o640);

  const child: ChildProcess = spawn(MOSQUITTO, ["-c", path.join(dir, "mosquitto.conf")], { stdio: ["ignore", "ignore", "pipe"] });
  let log = "";
  child.stderr?.on("data", (d: Buffer) => (log += d.toString()));
  t.teardown(() => {
    child.kill("SIGTERM");
  });
  const url = `mqtt://127.0.0.1:${port}`;
  await waitFor(
    "mosquitto to accept a user",
    async () => {
      try {
        const c = await mqtt.connectAsync(url, { username: "api", password: pw.api, clientId: "api-probe", reconnectPeriod: 0, connectTimeout: 500 });
        await c.endAsync();
        return true;
      } catch {
        return child.exitCode !== null ? Promise.reject(new Error(`mosquitto exited: ${log}`)) : false;
      }
    },
    10_000,
    100,
  );

  const passwordFile = path.join(root, "bridge.pw");
  writeFileSync(passwordFile, pw.bridge as string);
  const rig = await startSecureBridge({ broker: { url, username: "bridge", password_file: passwordFile } }, { stateDir: state });
  t.teardown(() => rig.stop());
  const gates = rig.bridge.service(GatesService) as GatesService;
  const clients: MqttClient[] = [];
  t.teardown(() => {
    for (const c of clients) c.end(true);
  });
  const connect = async (name: string, clientId: string) => {
    const c = await mqtt.connectAsync(url, { username: name, password: pw[name], clientId, reconnectPeriod: 0 });
    clients.push(c);
    return c;
  };
  await sleep(300); // the bridge's subscriptions are in place

  const api = await connect("api", "api-gate-1");
  const apiSeen = collect(api);
  await api.subscribeAsync([topics.errors("api-gate-1")], { qos: 1 });
  const ci2 = await connect("ci2", "ci2");
  const ci2Seen = collect(ci2);
  await ci2.subscribeAsync([topics.allLockStates(), topics.errors("ci2")], { qos: 1 });

  // api's own request on its own topic works.
  const own = randomUUID();
  await api.publishAsync(topics.lockRequestFor("api"), JSON.stringify({ id: own, pipeline: "api", step: "deploy", client_id: "api-gate-1" }), { qos: 1 });
  await waitFor("api's lock", () => gates.locks.get(own));
  t.is(gates.locks.requesterOf(own), "api");

  // ci2 speaks for api, naming api's client id: refused, nothing created, answered to ci2 only.
  const spoof = randomUUID();
  await ci2.publishAsync(topics.lockRequestFor("ci2"), JSON.stringify({ id: spoof, pipeline: "api", step: "deploy", client_id: "api-gate-1" }), { qos: 1 });
  await waitFor("ci2's refusal on its own errors topic", () => ci2Seen.some((m) => m.topic === topics.errors("ci2")));
  t.regex(ci2Seen.find((m) => m.topic === topics.errors("ci2"))?.payload ?? "", /"field":"pipeline"/);
  t.is(gates.locks.get(spoof), undefined);
  t.is(rig.audit("lock.request.denied").length, 1);
  // The shared locks/request and another user's request topic are closed to it by the ACL.
  await ci2.publishAsync(topics.lockRequest(), JSON.stringify({ id: randomUUID(), pipeline: "ci2", step: "x", client_id: "api-gate-1" }), { qos: 1 });
  await ci2.publishAsync(topics.lockRequestFor("api"), JSON.stringify({ id: randomUUID(), pipeline: "api", step: "x", client_id: "api-gate-1" }), { qos: 1 });
  await sleep(500);
  t.false(
    apiSeen.some((m) => m.topic.startsWith(topics.errors(""))),
    "nothing landed in api's errors topic",
  );
  t.false(
    ci2Seen.some((m) => m.topic === topics.lockRequestFor("api") || m.topic === topics.lockRequest()),
    "ci2 read no one's requests",
  );
  t.is(gates.locks.pendingCount(), 1);
});
