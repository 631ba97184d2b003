// Issue 9, part 5: `shipgate start` (the real executable, tsx loading the sources) until its broker
// accepts an MQTT connection, and its resident memory once idle. The broker is secure by default,
// so an anonymous CONNECT is answered "not authorized": a CONNACK all the same, so the broker is up.

import { type ChildProcess, spawn } from "node:child_process";
import { readFileSync, rmSync } from "node:fs";
import { performance } from "node:perf_hooks";
import mqtt from "mqtt";
import { SHIPGATE_BIN, freePort, tempDir } from "../broker-bridge/test/helpers/bridge";
import { type FigureSink, median } from "./figures";

export const SECTION = "Start-up";

const MiB = 2 ** 20;

async function brokerAnswers(url: string): Promise<boolean> {
  try {
    const c = await mqtt.connectAsync(url, { reconnectPeriod: 0, connectTimeout: 1000 });
    await c.endAsync();
    return true;
  } catch (err) {
    return /Not authorized|Bad username/i.test(String(err));
  }
}

/** VmRSS of a process, from /proc (Linux); null elsewhere. */
export function residentBytes(pid: number): number | null {
  try {
    const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, "utf8"));
    return m ? Number(m[1]) * 1024 : null;
  } catch {
    return null;
  }
}

async function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((r) => child.once("exit", r));
  child.kill("SIGTERM");
  const timer = setTimeout(() => child.kill("SIGKILL"), 10_000);
  await exited;
  clearTimeout(timer);
}

async function oneStart(idleMs: number | null): Promise<{ readyMs: number; idleRss: number | null }> {
  const stateDir = tempDir("shipgate-bench-start-");
  const brokerPort = await freePort();
  const httpPort = await freePort();
  const url = `mqtt://127.0.0.1:${brokerPort}`;
  const started = performance.now();
  const child = spawn(process.execPath, [SHIPGATE_BIN, "start"], {
    env: { ...process.env, SHIPGATE_STATE_DIR: stateDir, SHIPGATE_BROKER_PORT: String(brokerPort), SHIPGATE_HTTP_PORT: String(httpPort) },
    stdio: ["ignore", "ignore", "pipe"],
  });
  let stderr = "";
  child.stderr?.on("data", (d: Buffer) => (stderr += d.toString()));
  try {
    for (;;) {
      if (child.exitCode !== null) throw new Error(`bench: shipgate start exited ${child.exitCode}: ${stderr}`);
      if (await brokerAnswers(url)) break;
      if (performance.now() - started > 60_000) throw new Error(`bench: shipgate start did not accept connections within 60 s: ${stderr}`);
      await new Promise((r) => setTimeout(r, 10));
    }
    const readyMs = performance.now() - started;
    let idleRss: number | null = null;
    if (idleMs !== null) {
      await new Promise((r) => setTimeout(r, idleMs));
      idleRss = child.pid === undefined ? null : residentBytes(child.pid);
    }
    return { readyMs, idleRss };
  } finally {
    await stop(child);
    rmSync(stateDir, { recursive: true, force: true });
  }
}

export async function measureStartup(sink: FigureSink, runs: number, idleMs: number, log: (line: string) => void): Promise<void> {
  log(`start-up: ${runs} runs of shipgate start`);
  const ready: number[] = [];
  let idleRss: number | null = null;
  for (let i = 0; i < runs; i++) {
    // The last run also waits idle; the first warms the disk cache and tsx's transform cache.
    const r = await oneStart(i === runs - 1 ? idleMs : null);
    ready.push(r.readyMs);
    if (r.idleRss !== null) idleRss = r.idleRss;
  }
  const c = { broker: "embedded", n: runs, note: "real executable, fresh state directory, secure-by-default broker" };
  sink.add(SECTION, "shipgate start -> broker accepts connections (median)", median(ready), "ms", "lower", c);
  sink.add(SECTION, "shipgate start -> broker accepts connections (first run)", ready[0] ?? null, "ms", "lower", { ...c, n: 1, note: "cold: includes tsx compiling the sources into its cache if it was empty" });
  if (idleRss === null) sink.notMeasured(SECTION, "shipgate start: idle RSS", "MiB", "lower", "no /proc/<pid>/status on this system");
  else sink.add(SECTION, "shipgate start: idle RSS", idleRss / MiB, "MiB", "lower", { ...c, n: 1, note: `VmRSS ${idleMs / 1000} s after the broker accepted connections` });
}
