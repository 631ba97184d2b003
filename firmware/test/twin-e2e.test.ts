// The terminal twin's definition of done (issue 4): `shipgate gadget` against a running bridge
// (`shipgate start`) approves a waiting `shipgate gate` with a key press. Everything is the real
// program: the bridge, the gate and the twin are child processes of the `shipgate` executable; the
// twin runs in a pseudo-terminal made by util-linux `script` (node-pty is not installed), and the
// test types into it. A plain MQTT client, with the admin credentials the bridge wrote on its first
// start, watches the twin's retained view and status topics.

import { type ChildProcess, spawn } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import test from "ava";
import { connectAsync } from "mqtt";
import { checkGadgetView, type GadgetView } from "@shipgate/protocol/messages";
import { Topics } from "@shipgate/protocol/topics";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
const SHIPGATE = path.join(root, "broker-bridge/bin/shipgate.js");
const topics = new Topics();

interface Child {
  proc: ChildProcess;
  out(): string;
  err(): string;
  exited: Promise<number | null>;
}

function run(command: string, args: string[], env: NodeJS.ProcessEnv): Child {
  const proc = spawn(command, args, { cwd: root, env: { ...process.env, ...env }, stdio: ["pipe", "pipe", "pipe"] });
  let out = "";
  let err = "";
  proc.stdout!.on("data", (d: Buffer) => (out += d.toString("utf8")));
  proc.stderr!.on("data", (d: Buffer) => (err += d.toString("utf8")));
  const exited = new Promise<number | null>((resolve) => proc.on("exit", (code) => resolve(code)));
  return { proc, out: () => out, err: () => err, exited };
}

async function until<T>(what: string, probe: () => T | undefined | null | false, ms = 20_000, child?: Child): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const value = probe();
    if (value !== undefined && value !== null && value !== false) return value;
    const exited = child !== undefined && child.proc.exitCode !== null;
    if (exited || Date.now() > end) {
      const why = exited ? `the process exited with ${child.proc.exitCode}` : `timed out after ${ms} ms`;
      throw new Error(`${why} waiting for ${what}${child ? `\nstdout:\n${child.out().slice(-2000)}\nstderr:\n${child.err().slice(-2000)}` : ""}`);
    }
    await new Promise((r) => setTimeout(r, 25));
  }
}

function stop(child: Child | undefined): Promise<unknown> {
  if (child === undefined || child.proc.exitCode !== null) return Promise.resolve();
  child.proc.kill("SIGTERM");
  return Promise.race([child.exited, new Promise((r) => setTimeout(r, 5000))]);
}

test("shipgate gadget in a terminal approves a waiting shipgate gate with the a key, and q publishes offline", async (t) => {
  const state = mkdtempSync(path.join(tmpdir(), "shipgate-twin-e2e-"));
  // Port 0: the bridge picks free ports and prints the broker's URL.
  const env = { SHIPGATE_STATE_DIR: state, SHIPGATE_BROKER_PORT: "0", SHIPGATE_HTTP_PORT: "0" };
  const bridge = run(process.execPath, [SHIPGATE, "start"], env);
  let gate: Child | undefined;
  let twin: Child | undefined;
  t.teardown(async () => {
    await Promise.all([stop(twin), stop(gate)]);
    await stop(bridge);
  });

  const brokerUrl = await until("the bridge's broker URL", () => /MQTT broker listening on \S+ \(every interface; from this machine (mqtt:\/\/[\d.]+:\d+)\)/.exec(bridge.err())?.[1], 20_000, bridge);
  const credentialsFile = path.join(state, "local-admin.json");
  await until("local-admin.json", () => existsSync(credentialsFile), 10_000, bridge);
  const admin = JSON.parse(readFileSync(credentialsFile, "utf8")) as { username: string; password: string };
  const port = new URL(brokerUrl).port;
  const clientEnv = { ...env, SHIPGATE_BROKER_PORT: port };

  const watcher = await connectAsync(brokerUrl, { username: admin.username, password: admin.password, clientId: "e2e-watcher", reconnectPeriod: 0 });
  t.teardown(() => watcher.endAsync(true));
  let view: GadgetView | null = null;
  const states: string[] = [];
  watcher.on("message", (topic, payload) => {
    const body = JSON.parse(payload.toString("utf8")) as unknown;
    if (topic === topics.gadgetView("twin-1")) {
      const checked = checkGadgetView(body);
      if (checked.ok) view = checked.value;
    } else if (topic === topics.gadgetStatus("twin-1")) {
      states.push(String((body as { state?: unknown }).state));
    }
  });
  await watcher.subscribeAsync([topics.gadgetView("twin-1"), topics.gadgetStatus("twin-1")], { qos: 1 });

  const record = path.join(state, "decision.json");
  gate = run(process.execPath, [SHIPGATE, "gate", "--pipeline", "api", "--step", "prod", "--summary", "v1.2.3", "--record", record], clientEnv);

  // `script -qfec CMD /dev/null`: run CMD on a new pseudo-terminal, copy our stdin to it and its
  // output to our stdout, flushing at once, and exit with CMD's status (util-linux script(1)).
  const command = `${JSON.stringify(process.execPath)} ${JSON.stringify(SHIPGATE)} gadget --id twin-1`;
  twin = run("script", ["-qfec", command, "/dev/null"], { ...clientEnv, TERM: "xterm-256color", COLUMNS: "140", LINES: "40" });
  const twinChild = twin;

  await until("the twin online", () => states[states.length - 1] === "online", 20_000, twinChild);
  // The twin's own drawing shows the gadget and its keys, so it really runs in a terminal.
  await until("the twin's drawing", () => twinChild.out().includes("shipgate gadget twin-1"), 10_000, twinChild);
  const lockView = await until(
    "the gate's lock in the twin's view",
    () => {
      const v = view as GadgetView | null;
      return v !== null && v.head !== null && v.head.pipeline === "api" && v.head.step === "prod" ? v : undefined;
    },
    20_000,
    gate,
  );
  t.true(lockView.can_decide, "the twin may decide the lock");
  // The approve LED lights once the view has reached the twin; then one key press approves.
  const plain = () => twinChild.out().replace(/\x1b\[[0-9;]*m/g, "");
  await until("the approve LED lit on the twin's screen", () => plain().includes("◉ [a] approve"), 10_000, twinChild);

  twinChild.proc.stdin!.write("a");
  const gateCode = await Promise.race([gate.exited, new Promise<string>((r) => setTimeout(() => r("timeout"), 20_000))]);
  t.is(gateCode, 0, `gate exit code\nstdout:\n${gate.out()}\nstderr:\n${gate.err()}`);
  const decision = JSON.parse(readFileSync(record, "utf8")) as { state: string; decided_by: string | null; pipeline: string; step: string };
  t.like(decision, { state: "approved", decided_by: "gadget:twin-1", pipeline: "api", step: "prod" });

  twinChild.proc.stdin!.write("q");
  t.is(await Promise.race([twinChild.exited, new Promise<string>((r) => setTimeout(() => r("timeout"), 10_000))]), 0, "the twin ends with q");
  await until("offline published", () => states[states.length - 1] === "offline", 10_000);
});
