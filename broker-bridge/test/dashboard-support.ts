// Support for the dashboard tests: Debian's Chromium driven by playwright-core (no browser
// download), a plain HTTP client for the Server-Sent Events stream, and a secure bridge with
// every default service.

import { randomUUID } from "node:crypto";
import { existsSync } from "node:fs";
import http from "node:http";
import mqtt, { type MqttClient } from "mqtt";
import { type Browser, chromium } from "playwright-core";
import { type RunningBridge, startBridge } from "../src/bridge";
import { checkConfig } from "../src/bridge-config";
import { type UserRole, UserStore } from "../src/accounts/user-store";
import { quietLog, tempDir } from "./helpers/bridge";

export const CHROMIUM = "/usr/bin/chromium";

/** Why browser tests cannot run here, or null. CI installs Chromium (.ci/run). */
export function chromiumMissing(): string | null {
  return existsSync(CHROMIUM) ? null : `${CHROMIUM} is absent (apt-get install chromium); the dashboard's browser tests are skipped`;
}

export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"],
  });
}

export interface SseFrame {
  event: string;
  data: string;
}

/** An open /api/events stream: frames as they arrive, parsed per the SSE rules we use. */
export interface SseStream {
  status: number;
  frames: SseFrame[];
  /** Comment lines received (": ping"). */
  readonly pings: number;
  /** Resolves with the first frame (already received or coming) that matches. */
  next(match: (f: SseFrame) => boolean, timeoutMs?: number): Promise<SseFrame>;
  close(): void;
  closed: Promise<void>;
}

export function openSse(url: string): Promise<SseStream> {
  return new Promise((resolve, reject) => {
    const req = http.get(url, { headers: { accept: "text/event-stream" } }, (res) => {
      const frames: SseFrame[] = [];
      let pings = 0;
      const waiters: { match: (f: SseFrame) => boolean; resolve: (f: SseFrame) => void }[] = [];
      let buffer = "";
      res.setEncoding("utf8");
      res.on("data", (chunk: string) => {
        buffer += chunk;
        for (let end = buffer.indexOf("\n\n"); end >= 0; end = buffer.indexOf("\n\n")) {
          const block = buffer.slice(0, end);
          buffer = buffer.slice(end + 2);
          let event = "message";
          const data: string[] = [];
          for (const line of block.split("\n")) {
            if (line.startsWith("event: ")) event = line.slice(7);
            else if (line.startsWith("data: ")) data.push(line.slice(6));
          }
          if (block.startsWith(":")) pings++;
          if (data.length === 0) continue; // retry: and comments
          const frame = { event, data: data.join("\n") };
          frames.push(frame);
          for (const w of [...waiters]) {
            if (w.match(frame)) {
              waiters.splice(waiters.indexOf(w), 1);
              w.resolve(frame);
            }
          }
        }
      });
      const closed = new Promise<void>((r) => res.once("close", () => r()));
      resolve({
        status: res.statusCode ?? 0,
        frames,
        get pings() {
          return pings;
        },
        closed,
        next(match, timeoutMs = 10_000) {
          const seen = frames.find(match);
          if (seen) return Promise.resolve(seen);
          return new Promise((res2, rej2) => {
            const timer = setTimeout(() => rej2(new Error(`no matching SSE frame within ${timeoutMs} ms; got ${frames.map((f) => f.event).join(", ")}`)), timeoutMs);
            waiters.push({ match, resolve: (f) => (clearTimeout(timer), res2(f)) });
          });
        },
        close: () => req.destroy(),
      });
    });
    req.on("error", reject);
  });
}

/** A bridge with every default service (the dashboard among them) and the secure broker, users
 *  made through the product's own UserStore, and clients connected as them. */
export interface DashboardRig {
  bridge: RunningBridge;
  users: UserStore;
  addUser(name: string, role: UserRole): { username: string; password: string };
  connectAs(name: string, role: UserRole): Promise<MqttClient>;
  audit(action: string): { actor: string; subject: string; detail: Record<string, unknown> | null }[];
  stop(): Promise<void>;
}

export async function startDashboardBridge(config: Record<string, unknown>): Promise<DashboardRig> {
  const stateDir = tempDir("shipgate-dash-");
  const checked = checkConfig({ state_dir: stateDir, ...config, broker: { port: 0, host: "127.0.0.1" }, http: { port: 0 } }, "<test>", stateDir);
  if (!checked.ok) throw new Error(`test config invalid: ${checked.field} ${checked.error}`);
  // No services and no authorizer given: the product's defaults, secure broker included.
  const bridge = await startBridge({ config: checked.value, log: quietLog });
  const users = new UserStore(stateDir);
  const passwords = new Map<string, string>();
  const clients: MqttClient[] = [];
  const rig: DashboardRig = {
    bridge,
    users,
    addUser(name, role) {
      // Pipeline users here speak for every pipeline (issue 13 binds them; not what these test).
      const { password } = users.add(name, role, undefined, Date.now(), role === "pipeline" ? ["*"] : undefined);
      passwords.set(name, password);
      return { username: name, password };
    },
    async connectAs(name, role) {
      if (!passwords.has(name)) rig.addUser(name, role);
      const client = await mqtt.connectAsync(bridge.brokerUrl, {
        username: name,
        password: passwords.get(name),
        reconnectPeriod: 0,
        connectTimeout: 5000,
        clientId: `${name}-${randomUUID().slice(0, 8)}`,
      });
      clients.push(client);
      return client;
    },
    audit(action) {
      const rows = bridge.context.store.db.prepare("SELECT actor, subject, detail FROM audit WHERE action = ? ORDER BY id").all(action) as { actor: string; subject: string; detail: string | null }[];
      return rows.map((r) => ({ ...r, detail: r.detail === null ? null : (JSON.parse(r.detail) as Record<string, unknown>) }));
    },
    async stop() {
      await Promise.all(clients.map((c) => c.endAsync(true).catch(() => {})));
      await bridge.stop();
    },
  };
  return rig;
}
