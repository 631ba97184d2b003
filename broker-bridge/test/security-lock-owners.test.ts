// Issue 13: a pipeline cancels and reads only its own locks, on the embedded broker and on Debian's
// Mosquitto with the exported files (started as root, so it drops to its user `mosquitto`). Each
// test is the attack as run: pipeline A (user api) waits in a real gate; pipeline B (user ci2)
// subscribes to every lock topic it can name and cancels A's lock on every cancel topic. B gets
// none of A's states, A's lock stays pending, the refusals are audited, and A's gate still gets
// its own states and exits with the decision's code; on Mosquitto the Concourse resource, which
// reads the same topics, lists A's lock for A only.
import test, { type ExecutionContext } from "ava";
import { type ChildProcess, spawn } from "node:child_process";
import { randomUUID } from "node:crypto";
import { chmodSync, copyFileSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import mqtt, { type MqttClient } from "mqtt";
import { GatesService } from "../src/gates/gates-service";
import { UserStore } from "../src/accounts/user-store";
import { lookupAccount } from "../src/security/mosquitto";
import { GATE_FILE } from "../../tools/build/gate-file";
import { type SecureRig, closed, collect, grants, sleep, startSecureBridge, topics } from "./security-support";
import { freePort, runShipgate, waitFor } from "./helpers/bridge";
import { run as runCommand } from "./integrations-support";

const CONCOURSE_BIN = fileURLToPath(new URL("../../integrations/concourse/bin/", import.meta.url));

const MOSQUITTO = "/usr/sbin/mosquitto";
const asRoot = typeof process.getuid === "function" && process.getuid() === 0;
const account = lookupAccount("mosquitto");
const ADMIN = { kind: "user" as const, name: "boss", admin: true };

/** The self-contained gate file (what the GitHub Action and the Concourse resource run), as a
 *  pipeline runs it: plain node, a copy outside the repository. */
function runGateFile(args: string[], env: NodeJS.ProcessEnv) {
  const dir = mkdtempSync(path.join(tmpdir(), "gate-owner-"));
  const file = path.join(dir, "shipgate-gate.cjs");
  copyFileSync(GATE_FILE, file);
  const child = spawn(process.execPath, [file, ...args], { cwd: dir, env: { PATH: process.env.PATH, ...env }, stdio: ["ignore", "ignore", "pipe"] });
  let stderr = "";
  child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
  const exit = new Promise<number | null>((resolve) => child.once("exit", (code, signal) => resolve(code ?? (signal === "SIGTERM" ? 143 : 128))));
  return { child, dir, exit, stderr: () => stderr };
}

/** Every filter B can name that could carry A's lock. */
const snoopFilters = (idA: string) => [
  "shipgate/v1/#",
  "shipgate/v1/locks/#",
  topics.allLockStates(),
  topics.lockState(idA),
  "shipgate/v1/owners/#",
  "shipgate/v1/owners/+/locks/+",
  topics.ownerLockStates("api"),
  topics.ownerLockState("api", idA),
  topics.ownerLockStates("ci2"),
];

/** What B received of a lock, apart from the refusals of its own attempts on its errors topic. */
const mentions = (seen: { topic: string; payload: string }[], id: string) => seen.filter((m) => m.topic !== topics.errors("ci2") && (m.topic.includes(id) || m.payload.includes(id)));

interface Scenario {
  url: string;
  gates: () => GatesService;
  audit: SecureRig["audit"];
  password: (user: string) => string;
  /** The embedded broker closes a connection that publishes where its ACL says no; Mosquitto drops the message. */
  embedded: boolean;
}

/** B's attack on A's waiting lock; returns A's lock id and B's client. */
async function attack(t: ExecutionContext, s: Scenario, idA: string, clients: MqttClient[]): Promise<void> {
  const b = await mqtt.connectAsync(s.url, { username: "ci2", password: s.password("ci2"), clientId: "ci2", reconnectPeriod: 0 });
  clients.push(b);
  const seenByB = collect(b);
  const codes = await grants(b, [...snoopFilters(idA), topics.errors("ci2")]);
  if (s.embedded) {
    // The embedded broker refuses the filters outside B's rules at SUBACK; Mosquitto 2.0.11 grants
    // every SUBSCRIBE and applies the read rules on delivery (both tested below by what arrives).
    t.deepEqual(
      codes.map((c, i) => [snoopFilters(idA)[i] ?? "errors", c === 128 ? "refused" : "granted"]).filter(([, c]) => c === "granted"),
      [
        [topics.allLockStates(), "granted"],
        [topics.lockState(idA), "granted"],
        [topics.ownerLockStates("ci2"), "granted"],
        ["errors", "granted"],
      ],
    );
  }
  // B's own lock: its states arrive, so B's subscriptions do deliver.
  const idB = randomUUID();
  await b.publishAsync(topics.lockRequestFor("ci2"), JSON.stringify({ id: idB, pipeline: "ci2", step: "deploy", client_id: "ci2" }), { qos: 1 });
  await waitFor("B's own state on its owner topic", () => seenByB.some((m) => m.topic === topics.ownerLockState("ci2", idB)));

  // B cancels A's lock on its own user-scoped cancel topic: refused (A requested it), audited.
  await b.publishAsync(topics.lockCancelFor(idA, "ci2"), "", { qos: 1 });
  const refusal = await waitFor("the refusal on B's errors topic", () => seenByB.find((m) => m.topic === topics.errors("ci2") && m.payload.includes(`${idA}/cancel`)));
  t.regex(refusal.payload, /belongs to api; only its pipeline or an admin may cancel it/);
  // The contract's bare cancel: Mosquitto's ACL drops it; the embedded broker sees B and refuses it.
  await b.publishAsync(topics.lockCancel(idA), "", { qos: 1 });
  await sleep(300);
  t.is(s.gates().locks.get(idA)?.state, "pending", "A's lock is still pending");
  const denied = s.audit("lock.cancel.denied").filter((r) => r.subject === idA);
  t.deepEqual(
    denied.map((r) => r.actor),
    s.embedded ? ["user:ci2", "user:ci2"] : ["user:ci2"],
    "every cancel that reached the bridge is audited",
  );
  t.like(denied[0]?.detail, { requester: "api", pipeline: "api" });

  // Cancelling as A (A's own cancel topic): the embedded broker closes B's connection and audits
  // it; Mosquitto drops it. Either way A's lock stays pending.
  const b2 = await mqtt.connectAsync(s.url, { username: "ci2", password: s.password("ci2"), clientId: "ci2-as-api", reconnectPeriod: 0 });
  clients.push(b2);
  // Not awaited: a connection the broker closes never gets its PUBACK.
  const sent = b2.publishAsync(topics.lockCancelFor(idA, "api"), "", { qos: 1 }).catch(() => {});
  if (s.embedded) {
    await closed(b2);
    t.true(s.audit("auth.publish.denied").some((r) => r.subject === topics.lockCancelFor(idA, "api")));
  } else {
    await sent;
  }
  await sleep(300);
  t.is(s.gates().locks.get(idA)?.state, "pending", "A's lock is still pending after every cancel B could send");

  // A's lock is decided; then B's own lock changes, which B receives after anything published
  // before it (one bridge connection, delivered in order), closing the window for A's states.
  s.gates().locks.decide({ decision: "approve", id: idA, decider: ADMIN });
  await b.publishAsync(topics.lockCancelFor(idB, "ci2"), "", { qos: 1 });
  await waitFor("B's own cancel", () => seenByB.some((m) => m.topic === topics.ownerLockState("ci2", idB) && m.payload.includes('"cancelled"')));
  t.deepEqual(mentions(seenByB, idA), [], "B received nothing of A's lock");
  t.is(s.gates().locks.get(idB)?.state, "cancelled", "B's cancel of its own lock works");
}

test.serial("embedded broker: another pipeline cannot cancel or read a pipeline's lock; its gate gets its own states", async (t) => {
  t.timeout(60_000);
  const rig = await startSecureBridge();
  t.teardown(() => rig.stop());
  const api = rig.addUser("api", "pipeline", ["api"]);
  const ci2 = rig.addUser("ci2", "pipeline", ["ci2"]);
  const pw: Record<string, string> = { api: api.password, ci2: ci2.password };
  const clients: MqttClient[] = [];
  t.teardown(() => Promise.all(clients.map((c) => c.endAsync(true))).then(() => {}));
  const gates = () => rig.bridge.service(GatesService) as GatesService;

  // A waits in `shipgate gate` (the CLI, the pipeline client).
  const idA = randomUUID();
  const pwFile = path.join(rig.stateDir, "api.pw");
  writeFileSync(pwFile, pw.api as string);
  const record = path.join(rig.stateDir, "record.json");
  const gate = runShipgate(["gate", "--pipeline", "api", "--step", "deploy", "--id", idA, "--record", record, "--username", "api", "--password-file", pwFile], {
    SHIPGATE_BROKER_URL: rig.bridge.brokerUrl,
  });
  t.teardown(() => void gate.child.kill("SIGKILL"));
  await waitFor("A's gate to wait", () => /waiting for approval/.test(gate.stderr()), 20_000);

  await attack(t, { url: rig.bridge.brokerUrl, gates, audit: rig.audit, password: (u) => pw[u] as string, embedded: true }, idA, clients);
  t.is(await gate.exit, 0, gate.stderr());
  t.regex(gate.stderr(), /api\/deploy approved by user:boss/);
  t.like(JSON.parse(readFileSync(record, "utf8")), { id: idA, state: "approved" });
});

(asRoot && account !== null ? test.serial : test.skip)(
  "Mosquitto with the exported files: another pipeline cannot cancel or read a pipeline's lock; its gate file resumes across a bridge restart",
  async (t) => {
    t.timeout(90_000);
    const root = mkdtempSync(path.join(tmpdir(), "shipgate-owners-"));
    chmodSync(root, 0o755);
    const state = path.join(root, "state");
    const store = new UserStore(state);
    const pw: Record<string, string> = {};
    pw.bridge = store.add("bridge", "bridge").password;
    pw.api = store.add("api", "pipeline", undefined, Date.now(), ["api"]).password;
    pw.ci2 = store.add("ci2", "pipeline", undefined, Date.now(), ["ci2"]).password;
    const dir = path.join(root, "mosquitto");
    const port = await freePort();
    const run = runShipgate(["user", "export-mosquitto", "--dir", dir, "--port", String(port)], { SHIPGATE_STATE_DIR: state });
    t.is(await run.exit, 0, run.stderr());
    const acl = readFileSync(path.join(dir, "acl_file"), "utf8");
    const apiBlock = acl.slice(acl.indexOf("user api\n"), acl.indexOf("\n\n", acl.indexOf("user api\n")));
    t.regex(apiBlock, /^topic write shipgate\/v1\/locks\/\+\/cancel\/api$/m);
    t.regex(apiBlock, /^topic read shipgate\/v1\/owners\/api\/locks\/\+$/m);
    t.notRegex(apiBlock, /^topic (read|write) shipgate\/v1\/locks\/\+(\/cancel)?$/m, "no bare locks/+ or locks/+/cancel for a pipeline");

    const child: ChildProcess = spawn(MOSQUITTO, ["-c", path.join(dir, "mosquitto.conf")], { stdio: ["ignore", "ignore", "pipe"] });
    let log = "";
    child.stderr?.on("data", (d: Buffer) => (log += d.toString()));
    t.teardown(() => void child.kill("SIGTERM"));
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
    const bridgePw = path.join(root, "bridge.pw");
    writeFileSync(bridgePw, pw.bridge);
    const config = { broker: { url, username: "bridge", password_file: bridgePw } };
    let rig = await startSecureBridge(config, { stateDir: state });
    t.teardown(() => rig.stop());
    await sleep(300); // the bridge's subscriptions are in place
    const clients: MqttClient[] = [];
    t.teardown(() => Promise.all(clients.map((c) => c.endAsync(true))).then(() => {}));

    // A waits in the self-contained gate file.
    const idA = randomUUID();
    const gate = runGateFile(["--pipeline", "api", "--step", "deploy", "--id", idA, "--record", "record.json"], { SHIPGATE_BROKER_URL: url, SHIPGATE_USERNAME: "api", SHIPGATE_PASSWORD: pw.api });
    t.teardown(() => void gate.child.kill("SIGKILL"));
    await waitFor("A's gate to wait", () => /waiting for approval \(position 1\)/.test(gate.stderr()), 20_000);
    t.is((rig.bridge.service(GatesService) as GatesService).locks.requesterOf(idA), "api");

    // The bridge restarts while A waits: its state comes back on A's owner topic.
    await rig.stop();
    rig = await startSecureBridge(config, { stateDir: state });
    await sleep(300);
    const gates = () => rig.bridge.service(GatesService) as GatesService;
    await attack(t, { url, gates, audit: (a) => rig.audit(a), password: (u) => pw[u] as string, embedded: false }, idA, clients);
    t.is(await gate.exit, 0, gate.stderr());
    t.regex(gate.stderr(), /api\/deploy approved by user:boss/);
    t.like(JSON.parse(readFileSync(path.join(gate.dir, "record.json"), "utf8")), { id: idA, pipeline: "api", state: "approved" });

    // The Concourse resource reads the same owner topics: A's check lists A's approved lock, B's
    // lists nothing of A's, and A's `in` fetches the record.
    const source = (user: string) => ({ broker: url, username: user, password: pw[user], settle: "300ms" });
    const concourse = (command: string, input: unknown, args: string[] = []) => runCommand(path.join(CONCOURSE_BIN, command), args, { stdin: JSON.stringify(input) });
    const checkA = await concourse("check", { source: source("api") });
    t.is(checkA.code, 0, checkA.stderr);
    t.deepEqual(JSON.parse(checkA.stdout), [{ id: idA, pipeline: "api", step: "deploy" }]);
    const checkB = await concourse("check", { source: source("ci2") });
    t.is(checkB.code, 0, checkB.stderr);
    t.deepEqual(JSON.parse(checkB.stdout), [], "B's check sees no version of A's");
    const dest = mkdtempSync(path.join(tmpdir(), "concourse-dest-"));
    const got = await concourse("in", { source: source("api"), version: { id: idA, pipeline: "api", step: "deploy" } }, [dest]);
    t.is(got.code, 0, got.stderr);
    t.like(JSON.parse(readFileSync(path.join(dest, "record.json"), "utf8")), { id: idA, state: "approved" });

    // A's own cancel (SIGTERM in its gate) goes through Mosquitto on A's cancel topic.
    const idC = randomUUID();
    const second = runGateFile(["--pipeline", "api", "--step", "deploy", "--id", idC], { SHIPGATE_BROKER_URL: url, SHIPGATE_USERNAME: "api", SHIPGATE_PASSWORD: pw.api });
    t.teardown(() => void second.child.kill("SIGKILL"));
    await waitFor("the second gate to wait", () => /waiting for approval/.test(second.stderr()), 20_000);
    second.child.kill("SIGTERM");
    t.is(await second.exit, 143, second.stderr());
    await waitFor("A's own cancel", () => gates().locks.get(idC)?.state === "cancelled");
    t.pass();
  },
);
