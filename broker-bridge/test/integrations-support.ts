// Support for the pipeline-integration and docs tests: a real bridge with its default (secure)
// broker, a pipeline user, and a provisioned gadget (signed events, as `shipgate user add --role
// gadget` sets it up) that decides every lock its view shows, echoing the view's nonce as the App does. Nothing here stands in for a
// module of ours; the bridge, the broker and the gadget protocol are the real ones.

import { type ChildProcess, spawn } from "node:child_process";
import type { MqttClient } from "mqtt";
import { type GadgetEvent, type LockState, checkGadgetView, checkLockState, decode } from "@shipgate/protocol";
import { type SecureRig, signEvent, startSecureBridge, topics } from "./security-support";

export interface GateRig {
  rig: SecureRig;
  brokerUrl: string;
  host: string;
  port: number;
  pipelineUser: { username: string; password: string };
  /** Every lock state seen, by id (last one wins). */
  states: Map<string, LockState>;
  /** The gadget presses this on each lock that turns pending; null leaves locks alone. */
  desk: { decision: "approve" | "reject" | null; pressed: string[] };
  stop(): Promise<void>;
}

export async function startGateRig(config: Record<string, unknown> = {}): Promise<GateRig> {
  const rig = await startSecureBridge({ gadgets: { "desk-1": {} }, ...config });
  const pipelineUser = rig.addUser("ci", "pipeline");
  rig.addUser("desk-1", "gadget");
  const { secret } = rig.users.createGadgetSecret("desk-1");
  const desk: GateRig["desk"] = { decision: "approve", pressed: [] };
  const states = new Map<string, LockState>();

  const gadget = await rig.connectAs("desk-1", "gadget", {
    clientId: "desk-1",
    will: { topic: topics.gadgetStatus("desk-1"), payload: Buffer.from('{"state":"offline"}'), qos: 1, retain: true },
  });
  await gadget.publishAsync(topics.gadgetStatus("desk-1"), '{"state":"online","version":"test"}', { qos: 1, retain: true });
  let seq = 0;
  const press = (button: GadgetEvent["button"], lockId: string, nonce: string | undefined) =>
    gadget.publishAsync(topics.gadgetEvent("desk-1"), JSON.stringify(signEvent(secret, "desk-1", { button, gesture: "short", boot: 1, seq: ++seq, lock_id: lockId, ...(nonce ? { nonce } : {}) })), {
      qos: 1,
    });
  // The gadget presses on what its view shows: the head lock, with the view's nonce.
  gadget.on("message", (topic, payload) => {
    if (topic !== topics.gadgetView("desk-1") || payload.length === 0) return;
    const view = decode(payload, 4096, checkGadgetView);
    if (!view.ok || view.value.head === null || desk.decision === null || desk.pressed.includes(view.value.head.id)) return;
    desk.pressed.push(view.value.head.id);
    void press(desk.decision, view.value.head.id, view.value.nonce);
  });
  await gadget.subscribeAsync(topics.gadgetView("desk-1"), { qos: 1 });

  // An admin's eyes on every lock (the gadget itself only sees its view).
  const watcher: MqttClient = await rig.connectAs("watcher", "admin");
  watcher.on("message", (topic, payload) => {
    const parsed = topics.parse(topic);
    if (parsed.kind !== "lock-state" || payload.length === 0) return;
    const lock = decode(payload, 8192, checkLockState);
    if (!lock.ok) return;
    states.set(parsed.id, lock.value);
  });
  await watcher.subscribeAsync(topics.allLockStates(), { qos: 1 });
  const url = new URL(rig.bridge.brokerUrl);
  return {
    rig,
    brokerUrl: rig.bridge.brokerUrl,
    host: url.hostname,
    port: Number(url.port),
    pipelineUser,
    states,
    desk,
    stop: () => rig.stop(),
  };
}

export interface Ran {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs a program with stdin text and waits for it; the child is killed after timeoutMs. */
export function run(command: string, args: string[], options: { stdin?: string; env?: NodeJS.ProcessEnv; cwd?: string; timeoutMs?: number } = {}): Promise<Ran> & { child: ChildProcess } {
  const child = spawn(command, args, { env: { ...process.env, ...options.env }, cwd: options.cwd, stdio: ["pipe", "pipe", "pipe"] });
  let stdout = "";
  let stderr = "";
  child.stdout?.on("data", (d: Buffer) => (stdout += d.toString()));
  child.stderr?.on("data", (d: Buffer) => (stderr += d.toString()));
  child.stdin?.end(options.stdin ?? "");
  const timer = setTimeout(() => child.kill("SIGKILL"), options.timeoutMs ?? 60_000);
  const done = new Promise<Ran>((resolve) => {
    child.on("close", (code, signal) => {
      clearTimeout(timer);
      resolve({ code: code ?? (signal ? 128 : null), stdout, stderr });
    });
  });
  return Object.assign(done, { child });
}
