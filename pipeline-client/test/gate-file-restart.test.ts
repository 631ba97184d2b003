// The self-contained gate file against a real bridge, as a pipeline runs it (plain node, a copy
// outside the repository): it waits, survives the bridge (and its embedded broker) restarting,
// resumes the same lock id, writes --record, and exits 0 on approval; SIGTERM cancels its lock.
import test from "ava";
import { spawn } from "node:child_process";
import { randomUUID } from "node:crypto";
import { copyFileSync, mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { type LockState, checkLockState, decode } from "@shipgate/protocol";
import { freePort, runShipgate, waitFor } from "../../broker-bridge/test/helpers/bridge";
import { type SecureRig, startSecureBridge, topics } from "../../broker-bridge/test/security-support";
import { GATE_FILE } from "../../tools/build/gate-file";

function runGateFile(args: string[], env: NodeJS.ProcessEnv) {
  const dir = mkdtempSync(path.join(tmpdir(), "gate-file-run-"));
  const file = path.join(dir, "shipgate-gate.cjs");
  copyFileSync(GATE_FILE, file);
  const child = spawn(process.execPath, [file, ...args], { cwd: dir, env: { PATH: process.env.PATH, ...env }, stdio: ["ignore", "ignore", "pipe"] });
  let stderr = "";
  child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
  const exit = new Promise<number | null>((resolve) => child.once("exit", (code, signal) => resolve(code ?? (signal ? 128 : null))));
  return { child, dir, exit, stderr: () => stderr };
}

/** The lock's retained state, as a viewer reads it over MQTT. */
async function watchLock(rig: SecureRig, id: string): Promise<() => LockState | undefined> {
  const viewer = await rig.connectAs(`viewer-${id.slice(0, 6)}`, "viewer");
  let last: LockState | undefined;
  viewer.on("message", (topic, payload) => {
    const d = decode(payload, 8192, checkLockState);
    if (topic === topics.lockState(id) && d.ok) last = d.value;
  });
  await viewer.subscribeAsync(topics.lockState(id), { qos: 1 });
  return () => last;
}

test.serial("the gate file resumes its lock across a bridge restart and writes the record", async (t) => {
  t.timeout(90_000);
  const ports = { broker: { port: await freePort() }, http: { port: await freePort() } };
  let rig = await startSecureBridge(ports);
  const stateDir = rig.stateDir;
  t.teardown(() => rig.stop());
  const { password } = rig.addUser("api", "pipeline");
  const id = randomUUID();
  const env = { SHIPGATE_BROKER_URL: rig.bridge.brokerUrl, SHIPGATE_USERNAME: "api", SHIPGATE_PASSWORD: password };
  const gate = runGateFile(["--pipeline", "api", "--step", "deploy", "--id", id, "--record", "record.json"], env);
  t.teardown(() => void gate.child.kill("SIGKILL"));
  await waitFor("the lock to wait", () => /waiting for approval/.test(gate.stderr()), 20_000);

  await rig.stop();
  await new Promise((r) => setTimeout(r, 500));
  rig = await startSecureBridge(ports, { stateDir });
  await waitFor("the gate file to resume", () => /resuming lock/.test(gate.stderr()), 20_000);
  // An admin approves that very id from the terminal: the gate file is waiting on the same lock.
  const approve = runShipgate(["approve", id], { SHIPGATE_STATE_DIR: stateDir, SHIPGATE_BROKER_PORT: String(ports.broker.port) });
  t.is(await approve.exit, 0, approve.stderr());
  t.is(await gate.exit, 0, gate.stderr());
  t.like(JSON.parse(readFileSync(path.join(gate.dir, "record.json"), "utf8")), { id, pipeline: "api", step: "deploy", state: "approved" });
});

test.serial("SIGTERM makes the gate file cancel its lock and exit 143", async (t) => {
  t.timeout(60_000);
  const rig = await startSecureBridge({ broker: { port: await freePort() }, http: { port: await freePort() } });
  t.teardown(() => rig.stop());
  const { password } = rig.addUser("api", "pipeline");
  const id = randomUUID();
  const lock = await watchLock(rig, id);
  const gate = runGateFile(["gate", "--pipeline", "api", "--step", "deploy", "--id", id], { SHIPGATE_BROKER_URL: rig.bridge.brokerUrl, SHIPGATE_USERNAME: "api", SHIPGATE_PASSWORD: password });
  t.teardown(() => void gate.child.kill("SIGKILL"));
  await waitFor("the lock", () => lock()?.state === "pending", 20_000);
  gate.child.kill("SIGTERM");
  t.is(await gate.exit, 143);
  await waitFor("the cancellation", () => lock()?.state === "cancelled", 10_000);
});
