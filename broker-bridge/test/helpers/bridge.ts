// Test helpers: a real bridge on free ports in a temp state directory, real MQTT clients, a real
// Mosquitto, and the real `shipgate` executable as a child process.

import { type ChildProcess, spawn } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import mqtt, { type MqttClient } from "mqtt";
import { pino } from "pino";
import { type BrokerAuthorizer, openAuthorizer } from "../../src/broker/embedded-broker";
import { type RunningBridge, startBridge } from "../../src/bridge";
import { checkConfig } from "../../src/bridge-config";
import type { Clock } from "../../src/clock";
import type { Service } from "../../src/service";

export const SHIPGATE_BIN = fileURLToPath(new URL("../../bin/shipgate.js", import.meta.url));

export function tempDir(prefix = "shipgate-test-"): string {
  return mkdtempSync(path.join(tmpdir(), prefix));
}

export const quietLog = pino({ level: process.env.SHIPGATE_TEST_LOG ?? "silent" });

export interface TestBridgeOptions {
  /** Raw config (as the YAML would hold it); ports default to 0 and state_dir to a temp dir. */
  config?: Record<string, unknown>;
  stateDir?: string;
  authorizer?: BrokerAuthorizer;
  clock?: Clock;
  services?: Service[];
}

export async function startTestBridge(options: TestBridgeOptions = {}): Promise<RunningBridge & { stateDir: string }> {
  const stateDir = options.stateDir ?? tempDir();
  const raw = {
    state_dir: stateDir,
    ...options.config,
    broker: { port: 0, host: "127.0.0.1", ...(options.config?.broker as object | undefined) },
    http: { port: 0, ...(options.config?.http as object | undefined) },
  };
  const checked = checkConfig(raw, "<test>", stateDir);
  if (!checked.ok) throw new Error(`test config invalid: ${checked.field} ${checked.error}`);
  const bridge = await startBridge({
    config: checked.value,
    log: quietLog,
    authorizer: options.authorizer ?? openAuthorizer,
    ...(options.clock ? { clock: options.clock } : {}),
    ...(options.services ? { services: options.services } : {}),
  });
  return Object.assign(bridge, { stateDir });
}

export async function connectClient(url: string, options: mqtt.IClientOptions = {}): Promise<MqttClient> {
  const client = await mqtt.connectAsync(url, { reconnectPeriod: 200, connectTimeout: 5000, ...options });
  return client;
}

/** Resolves with the first message on topic that satisfies accept. */
export function nextMessage(client: MqttClient, topic: string, accept: (payload: Buffer) => boolean = () => true, timeoutMs = 10_000): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      client.off("message", onMessage);
      reject(new Error(`no matching message on ${topic} within ${timeoutMs} ms`));
    }, timeoutMs);
    const onMessage = (t: string, payload: Buffer) => {
      if (t !== topic || !accept(payload)) return;
      clearTimeout(timer);
      client.off("message", onMessage);
      resolve(payload);
    };
    client.on("message", onMessage);
  });
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      const port = typeof address === "object" && address !== null ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

export interface Spawned {
  child: ChildProcess;
  stderr: () => string;
  stdout: () => string;
  exit: Promise<number | null>;
}

/** Runs the real shipgate executable. */
export function runShipgate(args: string[], env: NodeJS.ProcessEnv = {}, cwd?: string): Spawned {
  const child = spawn(process.execPath, [SHIPGATE_BIN, ...args], {
    env: { ...process.env, ...env },
    cwd: cwd ?? process.cwd(),
    stdio: ["ignore", "pipe", "pipe"],
  });
  let out = "";
  let err = "";
  child.stdout?.on("data", (d: Buffer) => (out += d.toString()));
  child.stderr?.on("data", (d: Buffer) => (err += d.toString()));
  const exit = new Promise<number | null>((resolve) => child.once("exit", (code, signal) => resolve(code ?? (signal ? 128 : null))));
  return { child, stderr: () => err, stdout: () => out, exit };
}

export async function waitFor<T>(what: string, probe: () => T | undefined | null | false | Promise<T | undefined | null | false>, timeoutMs = 10_000, everyMs = 25): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined && value !== null && value !== false) return value as T;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, everyMs));
  }
}

export interface Mosquitto {
  url: string;
  port: number;
  stop(): Promise<void>;
}

const MOSQUITTO_BIN = ["/usr/sbin/mosquitto", "/usr/bin/mosquitto"];

/** A real Mosquitto from Debian on a free port; extra config lines may add auth. */
export async function startMosquitto(extraConfig: string[] = ["allow_anonymous true"]): Promise<Mosquitto> {
  const { existsSync } = await import("node:fs");
  const bin = MOSQUITTO_BIN.find((b) => existsSync(b));
  if (bin === undefined) throw new Error("mosquitto is not installed (apt-get install mosquitto); .ci/run installs it");
  const port = await freePort();
  const dir = tempDir("mosquitto-");
  const conf = path.join(dir, "mosquitto.conf");
  writeFileSync(conf, [`listener ${port} 127.0.0.1`, "persistence false", "log_dest none", ...extraConfig].join("\n") + "\n");
  const child = spawn(bin, ["-c", conf], { stdio: "ignore" });
  const url = `mqtt://127.0.0.1:${port}`;
  await waitFor(
    "mosquitto to accept connections",
    async () => {
      try {
        const c = await mqtt.connectAsync(url, { reconnectPeriod: 0, connectTimeout: 500 });
        await c.endAsync();
        return true;
      } catch (err) {
        // With auth on, a refused CONNACK still proves the broker is up.
        return /Not authorized|Bad username/i.test(String(err));
      }
    },
    10_000,
    50,
  );
  return {
    url,
    port,
    async stop() {
      child.kill("SIGTERM");
      await new Promise((r) => child.once("exit", r));
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
