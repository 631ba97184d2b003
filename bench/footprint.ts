// Issue 15, part 4: what shipgate costs on a small machine, each figure beside a yardstick measured
// in the same run on the same machine (so a loaded or slow machine moves both):
//   bridge idle RSS (bound 70 MiB)                 beside an idle Mosquitto and an idle bare Node
//   shipgate start -> broker accepts (400 ms)      beside Mosquitto's start -> accepts
//   pipeline client spawn -> request published,    beside mosquitto_pub publishing the same request
//     and its peak RSS (120 ms, 50 MiB)
//   other commands (150 ms)                        beside `node -e 0`
// The commands are the built ones (broker-bridge/bin/shipgate.js, the self-contained gate file).

import { type ChildProcess, spawn } from "node:child_process";
import { randomUUID } from "node:crypto";
import { readFileSync, rmSync, writeFileSync } from "node:fs";
import net from "node:net";
import path from "node:path";
import { performance } from "node:perf_hooks";
import { fileURLToPath } from "node:url";
import mqtt from "mqtt";
import { SHIPGATE_BIN, freePort, tempDir } from "../broker-bridge/test/helpers/bridge";
import { type FigureSink, median } from "./figures";

export const SECTION = "Footprint";
const MiB = 2 ** 20;
const GATE_FILE = fileURLToPath(new URL("../integrations/github-actions/shipgate-gate.cjs", import.meta.url));
const MOSQUITTO = "/usr/sbin/mosquitto";

export const BOUNDS = Object.freeze({ idleRssMiB: 70, startMs: 400, clientMs: 120, clientPeakMiB: 50, commandMs: 150 });

function status(pid: number, field: "VmRSS" | "VmHWM"): number | null {
  try {
    const m = new RegExp(`${field}:\\s+(\\d+) kB`).exec(readFileSync(`/proc/${pid}/status`, "utf8"));
    return m ? (Number(m[1]) * 1024) / MiB : null;
  } catch {
    return null;
  }
}

/** True once something on the port answers an MQTT CONNECT with a CONNACK (any return code:
 *  the bridge's secure broker refuses an anonymous client, but it answers). */
function answersConnect(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = net.connect(port, "127.0.0.1");
    s.setNoDelay(true);
    s.on("error", () => resolve(false));
    // CONNECT, MQTT 3.1.1, clean session, keep-alive 30 s, empty client id.
    s.on("connect", () => s.write(Buffer.from([0x10, 12, 0, 4, 0x4d, 0x51, 0x54, 0x54, 4, 2, 0, 30, 0, 0])));
    s.on("data", (d) => {
      s.destroy();
      resolve(d[0] === 0x20);
    });
  });
}

async function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((r) => child.once("exit", r));
  child.kill("SIGTERM");
  const timer = setTimeout(() => child.kill("SIGKILL"), 10_000);
  await exited;
  clearTimeout(timer);
}

/** Spawns a server, waits until its port answers CONNECT; optionally waits idle and reads VmRSS. */
async function startServer(command: string, args: string[], env: NodeJS.ProcessEnv, port: number, idleMs: number | null) {
  const started = performance.now();
  const child = spawn(command, args, { env: { ...process.env, ...env }, stdio: ["ignore", "ignore", "pipe"] });
  let stderr = "";
  child.stderr?.on("data", (d: Buffer) => (stderr += d.toString()));
  try {
    while (!(await answersConnect(port))) {
      if (child.exitCode !== null) throw new Error(`bench: ${command} exited ${child.exitCode}: ${stderr}`);
      if (performance.now() - started > 60_000) throw new Error(`bench: ${command} did not accept connections within 60 s`);
      await new Promise((r) => setTimeout(r, 2));
    }
    const readyMs = performance.now() - started;
    let rss: number | null = null;
    if (idleMs !== null) {
      await new Promise((r) => setTimeout(r, idleMs));
      rss = child.pid === undefined ? null : status(child.pid, "VmRSS");
    }
    return { readyMs, rss };
  } finally {
    await stop(child);
  }
}

async function shipgateStart(idleMs: number | null) {
  const stateDir = tempDir("shipgate-bench-fp-");
  const port = await freePort();
  try {
    return await startServer(
      process.execPath,
      [SHIPGATE_BIN, "start"],
      { SHIPGATE_STATE_DIR: stateDir, SHIPGATE_BROKER_PORT: String(port), SHIPGATE_HTTP_PORT: String(await freePort()) },
      port,
      idleMs,
    );
  } finally {
    rmSync(stateDir, { recursive: true, force: true });
  }
}

async function mosquittoStart(idleMs: number | null) {
  const dir = tempDir("mosquitto-bench-fp-");
  const port = await freePort();
  writeFileSync(path.join(dir, "m.conf"), `listener ${port} 127.0.0.1\nallow_anonymous true\npersistence false\nset_tcp_nodelay true\n`);
  try {
    return await startServer(MOSQUITTO, ["-c", path.join(dir, "m.conf")], {}, port, idleMs);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

async function bareNodeIdle(idleMs: number): Promise<number | null> {
  const child = spawn(process.execPath, ["-e", "setInterval(() => {}, 1000)"], { stdio: "ignore" });
  await new Promise((r) => setTimeout(r, idleMs));
  const rss = child.pid === undefined ? null : status(child.pid, "VmRSS");
  await stop(child);
  return rss;
}

/** Spawn -> the request arrives at a subscriber on the broker; peak RSS (VmHWM) at that moment. */
async function timePublish(broker: mqtt.MqttClient, topic: string, command: string, args: string[]): Promise<{ ms: number; peak: number | null }> {
  const started = performance.now();
  let child: ChildProcess | undefined;
  const arrived = new Promise<{ ms: number; peak: number | null }>((resolve) => {
    const onMessage = (t: string) => {
      if (t !== topic) return;
      broker.off("message", onMessage);
      const ms = performance.now() - started;
      resolve({ ms, peak: child?.pid === undefined ? null : status(child.pid, "VmHWM") });
    };
    broker.on("message", onMessage);
  });
  child = spawn(command, args, { stdio: "ignore" });
  const timeout = setTimeout(() => child?.kill("SIGKILL"), 30_000);
  const result = await arrived;
  clearTimeout(timeout);
  child.kill("SIGKILL");
  return result;
}

async function timeCommand(command: string, args: string[], env: NodeJS.ProcessEnv = {}): Promise<number> {
  const started = performance.now();
  const child = spawn(command, args, { stdio: "ignore", env: { ...process.env, ...env } });
  await new Promise((r) => child.once("exit", r));
  return performance.now() - started;
}

function verdict(value: number | null, bound: number, unit: string): string {
  return value === null ? `bound ${bound} ${unit}` : `bound ${bound} ${unit}: ${value <= bound ? "met" : "NOT met"}`;
}

export async function measureFootprint(sink: FigureSink, runs: number, idleMs: number, log: (line: string) => void): Promise<void> {
  log(`footprint: ${runs} starts each of shipgate and Mosquitto, ${idleMs / 1000} s idle`);
  const bridge: number[] = [];
  const mosq: number[] = [];
  let bridgeRss: number | null = null;
  let mosqRss: number | null = null;
  // Alternate the two, so a change in the machine's load hits both; the first of each warms the disk cache.
  for (let i = 0; i <= runs; i++) {
    const idle = i === runs ? idleMs : null;
    const b = await shipgateStart(idle);
    const m = await mosquittoStart(idle);
    if (i > 0) bridge.push(b.readyMs), mosq.push(m.readyMs);
    if (idle !== null) (bridgeRss = b.rss), (mosqRss = m.rss);
  }
  const nodeRss = await bareNodeIdle(idleMs);
  const c = (n: number, note: string) => ({ broker: "embedded", n, note });
  sink.add(
    SECTION,
    "bridge idle RSS",
    bridgeRss,
    "MiB",
    "lower",
    c(1, `${verdict(bridgeRss, BOUNDS.idleRssMiB, "MiB")}; VmRSS ${idleMs / 1000} s after the broker accepted, fresh state, no CI configured`),
  );
  sink.add(SECTION, "yardstick: Mosquitto idle RSS", mosqRss, "MiB", "none", { broker: "mosquitto", n: 1, note: "same idle time" });
  sink.add(SECTION, "yardstick: bare Node idle RSS", nodeRss, "MiB", "none", { broker: "none", n: 1, note: "node -e 'setInterval(...)', same Node" });
  const startMs = median(bridge);
  sink.add(SECTION, "shipgate start -> broker accepts (median)", startMs, "ms", "lower", c(runs, `${verdict(startMs, BOUNDS.startMs, "ms")}; built bin, fresh state directory`));
  sink.add(SECTION, "yardstick: mosquitto start -> accepts (median)", median(mosq), "ms", "none", { broker: "mosquitto", n: runs, note: "runs alternate with the line above" });

  let clientMs: number | null = null;
  log("footprint: pipeline client vs mosquitto_pub");
  const dir = tempDir("mosquitto-bench-client-");
  const port = await freePort();
  writeFileSync(path.join(dir, "m.conf"), `listener ${port} 127.0.0.1\nallow_anonymous true\npersistence false\nset_tcp_nodelay true\n`);
  const server = spawn(MOSQUITTO, ["-c", path.join(dir, "m.conf")], { stdio: "ignore" });
  try {
    while (!(await answersConnect(port))) await new Promise((r) => setTimeout(r, 5));
    const url = `mqtt://127.0.0.1:${port}`;
    const topic = "shipgate/v1/locks/request";
    const sub = await mqtt.connectAsync(url, { reconnectPeriod: 0 });
    await sub.subscribeAsync(topic, { qos: 1 });
    const gate: { ms: number; peak: number | null }[] = [];
    const pub: number[] = [];
    for (let i = 0; i <= runs * 2; i++) {
      const id = randomUUID();
      const g = await timePublish(sub, topic, process.execPath, [GATE_FILE, "--pipeline", "api", "--step", "deploy", "--id", id, "--broker", url]);
      const request = JSON.stringify({ id, pipeline: "api", step: "deploy" });
      const p = await timePublish(sub, topic, "mosquitto_pub", ["-h", "127.0.0.1", "-p", String(port), "-q", "1", "-t", topic, "-m", request]);
      if (i > 0) gate.push(g), pub.push(p.ms);
    }
    await sub.endAsync();
    clientMs = median(gate.map((g) => g.ms));
    const peaks = gate.map((g) => g.peak).filter((p): p is number => p !== null);
    const peak = peaks.length > 0 ? Math.max(...peaks) : null;
    const n = gate.length;
    sink.add(SECTION, "pipeline client spawn -> request published (median)", clientMs, "ms", "lower", {
      broker: "mosquitto",
      n,
      note: `${verdict(clientMs, BOUNDS.clientMs, "ms")}; node shipgate-gate.cjs, until a subscriber has the request`,
    });
    sink.add(SECTION, "yardstick: mosquitto_pub spawn -> published (median)", median(pub), "ms", "none", { broker: "mosquitto", n, note: "the same request, QoS 1, runs alternate" });
    sink.add(SECTION, "pipeline client peak RSS", peak, "MiB", "lower", {
      broker: "mosquitto",
      n,
      note: `${verdict(peak, BOUNDS.clientPeakMiB, "MiB")}; VmHWM when the request arrived, highest of the runs`,
    });
  } finally {
    await stop(server);
    rmSync(dir, { recursive: true, force: true });
  }

  log("footprint: other commands vs node -e 0");
  const stateDir = tempDir("shipgate-bench-cmd-");
  const commands: [string, string[]][] = [
    ["--version", ["--version"]],
    ["status --help", ["status", "--help"]],
    ["user list", ["user", "list"]],
    ["gadget --help", ["gadget", "--help"]],
  ];
  const bare: number[] = [];
  const timings = new Map<string, number[]>(commands.map(([name]) => [name, []]));
  for (let i = 0; i <= runs * 2; i++) {
    const b = await timeCommand(process.execPath, ["-e", "0"]);
    if (i > 0) bare.push(b);
    for (const [name, args] of commands) {
      const ms = await timeCommand(process.execPath, [SHIPGATE_BIN, ...args], { SHIPGATE_STATE_DIR: stateDir });
      if (i > 0) timings.get(name)?.push(ms);
    }
  }
  rmSync(stateDir, { recursive: true, force: true });
  const bareMs = median(bare);
  const over: [string, number][] = [];
  for (const [name, samples] of timings) {
    const ms = median(samples);
    sink.add(SECTION, `shipgate ${name} (median)`, ms, "ms", "lower", { broker: "none", n: samples.length, note: `${verdict(ms, BOUNDS.commandMs, "ms")}; spawn to exit` });
    over.push([`shipgate ${name}`, ms - bareMs]);
  }
  sink.add(SECTION, "yardstick: node -e 0 (median)", bareMs, "ms", "none", { broker: "none", n: bare.length, note: "spawn to exit, the same Node; runs alternate with the commands" });
  // What shipgate itself adds to Node's own start: the part of each time the code can change.
  if (clientMs !== null) over.unshift(["pipeline client spawn -> published", clientMs - bareMs]);
  over.unshift(["shipgate start -> accepts", startMs - bareMs]);
  for (const [name, ms] of over) sink.add(SECTION, `${name}, over node -e 0`, ms, "ms", "lower", { broker: "none", n: bare.length, note: "median minus the node -e 0 median of this run" });
}
