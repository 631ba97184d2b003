// The same roles on an external Mosquitto 2.0: `shipgate user export-mosquitto` writes a
// password_file (Mosquitto's PBKDF2-SHA512 format) and an acl_file from security/acl.ts, and a
// real Mosquitto started with them lets each role do what it may and nothing else. A denied
// publish is dropped silently by Mosquitto 2.0, so an observer checks it never arrives: Mosquitto handles one client's packets in order on one
// thread, so once the denied PUBLISH is acknowledged and a later marker has reached the
// observer, the denied message would have arrived before it.
import test from "ava";
import { randomUUID } from "node:crypto";
import { readFileSync } from "node:fs";
import path from "node:path";
import mqtt, { type MqttClient } from "mqtt";
import { UserStore } from "../src/accounts/user-store";
import { grants, topics } from "./security-support";
import { runShipgate, startMosquitto, tempDir, waitFor } from "./helpers/bridge";

test("a real Mosquitto with the exported files gives each role its rights and refuses the rest", async (t) => {
  const state = tempDir("shipgate-mosq-");
  const store = new UserStore(state);
  const pw: Record<string, string> = {};
  for (const [name, role] of [
    ["desk-1", "gadget"],
    ["desk-2", "gadget"],
    ["ci", "pipeline"],
    ["wall", "viewer"],
    ["boss", "admin"],
    ["bridge", "bridge"],
  ] as const) {
    pw[name] = store.add(name, role).password;
  }
  const dir = path.join(state, "mosquitto");
  const run = runShipgate(["user", "export-mosquitto", "--dir", dir], { SHIPGATE_STATE_DIR: state });
  t.is(await run.exit, 0, run.stderr());
  const acl = readFileSync(path.join(dir, "acl_file"), "utf8");
  t.regex(acl, /^pattern read shipgate\/v1\/errors\/%c$/m);
  t.regex(acl, /^user desk-1\ntopic write shipgate\/v1\/gadgets\/desk-1\/event$/m);
  t.notRegex(readFileSync(path.join(dir, "password_file"), "utf8"), new RegExp(pw.ci as string), "no password in the clear");

  // `user root`: the test runs as root in CI, and Mosquitto would otherwise drop to a user that cannot read the files.
  const broker = await startMosquitto(["allow_anonymous false", `password_file ${path.join(dir, "password_file")}`, `acl_file ${path.join(dir, "acl_file")}`, "user root"]);
  t.teardown(() => broker.stop());
  const clients: MqttClient[] = [];
  t.teardown(() => Promise.all(clients.map((c) => c.endAsync(true))));
  const connect = async (name: string) => {
    const c = await mqtt.connectAsync(broker.url, { username: name, password: pw[name], clientId: `${name}-c`, reconnectPeriod: 0 });
    clients.push(c);
    return c;
  };

  const anonymous = mqtt.connectAsync(broker.url, { reconnectPeriod: 0, clientId: "anon" });
  t.is(((await t.throwsAsync(anonymous)) as Error & { code?: number }).code, 5, "anonymous clients are refused");
  const wrong = mqtt.connectAsync(broker.url, { username: "ci", password: "nope-nope", reconnectPeriod: 0, clientId: "guess" });
  t.true([4, 5].includes(((await t.throwsAsync(wrong)) as Error & { code?: number }).code ?? 0), "a wrong password is refused");

  const observer = await connect("bridge");
  const received: string[] = [];
  observer.on("message", (topic) => received.push(topic));
  await observer.subscribeAsync("shipgate/v1/#", { qos: 1 });
  let markers = 0;
  /** Publishes from `client`, then proves whether the observer got it. */
  const delivered = async (client: MqttClient, topic: string): Promise<boolean> => {
    const before = received.length;
    await client.publishAsync(topic, "{}", { qos: 1 });
    const marker = `shipgate/v1/marker/${++markers}`;
    await observer.publishAsync(marker, "m", { qos: 1 });
    await waitFor(`marker ${marker}`, () => received.includes(marker));
    return received.slice(before).includes(topic);
  };

  const lockId = randomUUID();
  const cases: [string, string, boolean][] = [
    ["desk-1", topics.gadgetEvent("desk-1"), true],
    ["desk-1", topics.gadgetTelemetry("desk-1"), true],
    ["desk-1", topics.gadgetEvent("desk-2"), false],
    ["desk-1", topics.lockRequest(), false],
    ["desk-1", topics.adminCommand("desk-1", "mode"), false],
    // On Mosquitto a pipeline requests on its own locks/request/<user> (issue 13).
    ["ci", topics.lockRequest(), false],
    ["ci", topics.lockRequestFor("ci"), true],
    ["ci", topics.lockRequestFor("other-ci"), false],
    // Cancels too go to its own user-scoped topic: the bare one names nobody on Mosquitto.
    ["ci", topics.lockCancel(lockId), false],
    ["ci", topics.lockCancelFor(lockId, "ci"), true],
    ["ci", topics.lockCancelFor(lockId, "other-ci"), false],
    // Its own owner topic is the bridge's output: a pipeline cannot forge its lock's state there.
    ["ci", topics.ownerLockState("ci", lockId), false],
    ["ci", topics.adminCommand("ci", "decide"), false],
    ["ci", topics.gadgetEvent("ci"), false],
    ["ci", topics.mode(), false],
    ["wall", topics.adminCommand("wall", "mode"), false],
    ["wall", topics.lockRequest(), false],
    ["boss", topics.adminCommand("boss", "mode"), true],
    ["boss", topics.lockRequest(), true],
    ["boss", topics.adminCommand("ci", "mode"), false],
    ["boss", topics.lockState(lockId), false],
    ["boss", topics.ownerLockState("ci", lockId), false],
    ["boss", topics.mode(), false],
  ];
  for (const [name, topic, allowed] of cases) {
    const client = await connect(name);
    t.is(await delivered(client, topic), allowed, `${name} publishing ${topic}`);
    await client.endAsync();
  }

  // Reads: Mosquitto 2.0.11's acl_file grants every SUBSCRIBE (SUBACK with the QoS) and applies
  // the read rules when it delivers, so each role subscribes widely and must receive only what it
  // may read. The observer publishes every topic, then a marker the role may read; Mosquitto
  // delivers to one subscriber in order, so the marker arriving closes the window.
  const reads: [string, string, [string, boolean][]][] = [
    [
      "desk-1",
      topics.gadgetView("desk-1"),
      [
        [topics.gadgetAck("desk-1"), true],
        [topics.gadgetView("desk-2"), false],
        [topics.lockState(lockId), false],
        [topics.errors("desk-1-c"), true],
        [topics.errors("ci-c"), false],
        [topics.adminCommand("boss", "mode"), false],
      ],
    ],
    [
      "ci",
      topics.mode(),
      [
        // Only its own locks' states, on owners/<user>/locks/<id> (issue 13).
        [topics.lockState(lockId), false],
        [topics.ownerLockState("ci", lockId), true],
        [topics.ownerLockState("other-ci", lockId), false],
        [topics.lockCancelFor(lockId, "other-ci"), false],
        [topics.gadgetView("desk-1"), false],
        [topics.adminCommand("boss", "decide"), false],
        [topics.reply("boss", "x"), false],
        [topics.gadgetEvent("desk-1"), false],
      ],
    ],
    [
      "wall",
      topics.mode(),
      [
        [topics.lockState(lockId), true],
        [topics.gadgetView("desk-2"), true],
        [topics.adminCommand("boss", "mode"), false],
        [topics.reply("boss", "x"), false],
        // A known limit of topic ACLs: locks/+ also matches locks/request, and Mosquitto's `deny`
        // would also stop pipelines publishing there (docs/security.md, "External broker").
        [topics.lockRequest(), true],
      ],
    ],
    [
      "boss",
      topics.mode(),
      [
        [topics.lockState(lockId), true],
        [topics.reply("boss", "x"), true],
        [topics.gadgetEvent("desk-2"), true],
        [topics.lockRequest(), true],
      ],
    ],
  ];
  for (const [name, marker, expectations] of reads) {
    const client = await connect(name);
    const got: string[] = [];
    client.on("message", (topic) => got.push(topic));
    await grants(client, ["shipgate/v1/#", marker]);
    for (const [topic] of expectations) await observer.publishAsync(topic, "{}", { qos: 1 });
    await observer.publishAsync(marker, "{}", { qos: 1 });
    await waitFor(`${name} to receive ${marker}`, () => got.includes(marker));
    for (const [topic, allowed] of expectations) t.is(got.includes(topic), allowed, `${name} reading ${topic}`);
    await client.endAsync();
  }
});
