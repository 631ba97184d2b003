// Support for the security and fault tests: a bridge with its default (secure) authorizer, users
// created through the product's own UserStore, clients connected as those users, and the audit
// rows the bridge wrote.

import { createHmac } from "node:crypto";
import mqtt, { type MqttClient } from "mqtt";
import { DEFAULT_PREFIX, type GadgetEvent, Topics, eventSigningText } from "@shipgate/protocol";
import { type RunningBridge, startBridge } from "../src/bridge";
import { checkConfig } from "../src/bridge-config";
import type { Clock } from "../src/clock";
import { AuditService } from "../src/audit/audit-service";
import { GadgetService } from "../src/gadgets/gadget-service";
import { GatesService } from "../src/gates/gates-service";
import { PresenceService } from "../src/presence/presence-service";
import { SecurityService } from "../src/security/security-service";
import { type UserRole, UserStore } from "../src/accounts/user-store";
import { quietLog, tempDir } from "./helpers/bridge";

export const topics = new Topics(DEFAULT_PREFIX);

export interface SecureRig {
  bridge: RunningBridge;
  stateDir: string;
  users: UserStore;
  /** Adds a user (generated password) and returns its credentials. A pipeline user speaks for
   *  every pipeline ("*") unless `pipelines` says otherwise (tests about other things). */
  addUser(name: string, role: UserRole, pipelines?: string[]): { username: string; password: string };
  /** Connects as a new user of that role (created on first use). */
  connectAs(name: string, role: UserRole, options?: mqtt.IClientOptions): Promise<MqttClient>;
  audit(action?: string): { actor: string; action: string; subject: string; detail: Record<string, unknown> | null }[];
  stop(): Promise<void>;
}

export async function startSecureBridge(config: Record<string, unknown> = {}, options: { clock?: Clock; stateDir?: string } = {}): Promise<SecureRig> {
  const stateDir = options.stateDir ?? tempDir("shipgate-sec-");
  const raw = {
    state_dir: stateDir,
    ...config,
    broker: { port: 0, host: "127.0.0.1", ...(config.broker as object | undefined) },
    http: { port: 0, ...(config.http as object | undefined) },
  };
  const checked = checkConfig(raw, "<test>", stateDir);
  if (!checked.ok) throw new Error(`test config invalid: ${checked.field} ${checked.error}`);
  // The services security concerns (no CI, Argo CD or dashboard to build); no authorizer given,
  // so the bridge asks the security service, as in production.
  const services = [new AuditService(), new SecurityService(), new PresenceService(), new GatesService(), new GadgetService()];
  const bridge = await startBridge({ config: checked.value, log: quietLog, services, ...(options.clock ? { clock: options.clock } : {}) });
  // The bridge's own store: on PostgreSQL the users live there, not in <state>/users.json.
  const users = new UserStore(stateDir, bridge.context.store);
  const passwords = new Map<string, string>();
  const clients: MqttClient[] = [];
  const rig: SecureRig = {
    bridge,
    stateDir,
    users,
    addUser(name, role, pipelines) {
      const { password } = users.add(name, role, undefined, Date.now(), role === "pipeline" ? (pipelines ?? ["*"]) : undefined);
      passwords.set(name, password);
      return { username: name, password };
    },
    async connectAs(name, role, extra = {}) {
      if (!passwords.has(name)) rig.addUser(name, role);
      const client = await mqtt.connectAsync(bridge.brokerUrl, {
        username: name,
        password: passwords.get(name),
        reconnectPeriod: 0,
        connectTimeout: 5000,
        clientId: `${name}-${Math.random().toString(16).slice(2, 8)}`,
        ...extra,
      });
      clients.push(client);
      return client;
    },
    audit(action) {
      const rows = bridge.context.store.db.prepare("SELECT actor, action, subject, detail FROM audit ORDER BY id").all() as { actor: string; action: string; subject: string; detail: string | null }[];
      return rows.filter((r) => action === undefined || r.action === action).map((r) => ({ ...r, detail: r.detail === null ? null : (JSON.parse(r.detail) as Record<string, unknown>) }));
    },
    async stop() {
      await Promise.all(clients.map((c) => c.endAsync(true).catch(() => {})));
      await bridge.stop();
    },
  };
  return rig;
}

/** Resolves when the client's connection closes (the broker dropped it), or rejects after timeoutMs. */
export function closed(client: MqttClient, timeoutMs = 5000): Promise<void> {
  if (client.disconnected || !client.connected) return Promise.resolve();
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error("the broker did not close the connection")), timeoutMs);
    client.once("close", () => {
      clearTimeout(timer);
      resolve();
    });
  });
}

/** Collects messages on the client, for "was it delivered?" checks. */
export function collect(client: MqttClient): { topic: string; payload: string }[] {
  const seen: { topic: string; payload: string }[] = [];
  client.on("message", (topic, payload) => seen.push({ topic, payload: payload.toString() }));
  return seen;
}

export function signEvent(secret: string, gadget: string, event: GadgetEvent): GadgetEvent {
  return { ...event, sig: createHmac("sha256", secret).update(eventSigningText(gadget, event)).digest("hex") };
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * What a gadget's App echoes: the nonce of the view it was last sent. Announces the gadget online
 * (so the bridge composes its view), reads gadgets/<id>/view over MQTT and waits until the view
 * received is the bridge's latest one (its changes are published a moment after they happen).
 */
export async function viewNonce(bridge: RunningBridge, client: MqttClient, gadget: string): Promise<string> {
  const topic = topics.gadgetView(gadget);
  let latest: string | undefined;
  const onMessage = (t: string, payload: Buffer) => {
    if (t === topic && payload.length > 0) latest = (JSON.parse(payload.toString()) as { nonce?: string }).nonce;
  };
  client.on("message", onMessage);
  try {
    await client.publishAsync(topics.gadgetStatus(gadget), JSON.stringify({ state: "online" }), { qos: 1, retain: true });
    // Subscribing again delivers the retained view again (MQTT 3.1.1 section 3.3.1.3).
    await client.subscribeAsync(topic, { qos: 1 });
    const views = (bridge.service(GadgetService) as GadgetService).views;
    const deadline = Date.now() + 5000;
    for (;;) {
      await sleep(20);
      const current = views.nonces.current(gadget);
      if (current !== undefined && latest === current) return current;
      if (Date.now() > deadline) throw new Error(`no current view for ${gadget} (received ${latest ?? "none"}, bridge at ${current ?? "none"})`);
    }
  } finally {
    client.off("message", onMessage);
  }
}

/** The SUBACK return codes for filters (128 = refused), whether or not MQTT.js calls it an error. */
export function grants(client: MqttClient, filters: string[]): Promise<number[]> {
  return new Promise((resolve, reject) => {
    client.subscribe(filters, { qos: 1 }, (err, granted) => {
      const packet = (err as { packet?: { granted?: number[] } } | null)?.packet;
      if (packet?.granted) return resolve(packet.granted);
      if (err) return reject(err);
      resolve((granted ?? []).map((g) => g.qos));
    });
  });
}
