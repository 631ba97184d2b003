// Presence: which gadgets and nodes are there. A gadget is online from its retained "online"
// status until its Will says "offline" or three heartbeats in a row are missed; other nodes publish
// presence beats on presence/<node>. The gates use it to tell a pipeline nobody can decide.

import { MESSAGES, type Telemetry } from "@shipgate/protocol";
import { Gauge } from "prom-client";
import { every, iso } from "../clock";
import { Presence } from "../ports/presence";
import type { Service, ServiceContext } from "../service";

export interface NodePresence {
  id: string;
  kind: "gadget" | "node";
  online: boolean;
  last_seen: string | null;
  /** Heartbeats are expected this often (s); three misses mark the node offline. */
  interval_s: number;
  telemetry?: Telemetry;
  label?: string;
}

interface Entry {
  kind: "gadget" | "node";
  online: boolean;
  lastSeen: number | null;
  intervalS: number;
  telemetry?: Telemetry;
  label?: string;
}

const MISSED_BEATS = 3;
const DEFAULT_INTERVAL_S = 30;

export class PresenceService implements Service {
  readonly name = "presence";
  readonly offers = [Presence];
  #ctx!: ServiceContext;
  readonly #entries = new Map<string, Entry>();
  #stopSweep: (() => void) | undefined;

  start(ctx: ServiceContext): void {
    this.#ctx = ctx;
    const { router } = ctx;
    ctx.ports.offer(Presence, {
      onlineGadgets: () => this.onlineGadgets(),
      knownGadgets: () => this.knownGadgets(),
      onChange: (listener) => ctx.bus.on("gadget:presence", () => listener()),
    });
    for (const g of ctx.config.gadgets) this.#entries.set(g.id, { kind: "gadget", online: false, lastSeen: null, intervalS: DEFAULT_INTERVAL_S });

    // A topic of another shape under these filters is ignored (no badTopic): nodes are not answered.
    router.on(MESSAGES.gadgetStatus, ({ topic, value }) => {
      this.#mark(topic.gadget, "gadget", value.state === "online");
    }, { owner: this.name });
    router.on(MESSAGES.gadgetTelemetry, ({ topic, value }) => {
      const entry = this.#mark(topic.gadget, "gadget", true);
      entry.telemetry = value;
      entry.intervalS = value.interval_s;
    }, { owner: this.name });
    router.on(MESSAGES.presence, ({ topic, value }) => {
      const entry = this.#mark(topic.node, "node", value.state === "online");
      entry.intervalS = value.interval_s;
      if (value.label !== undefined) entry.label = value.label;
    }, { owner: this.name });

    const online = () => this.onlineGadgets().size;
    new Gauge({ name: "shipgate_gadgets_connected", help: "Gadgets online now", registers: [ctx.metrics], collect() { this.set(online()); } });
    ctx.status.register("gadgets", () => this.list().filter((n) => n.kind === "gadget"));
    ctx.status.register("nodes", () => this.list().filter((n) => n.kind === "node"));
  }

  started(): void {
    this.#stopSweep = every(this.#ctx.clock, 1000, "presence-sweep", () => this.sweep());
  }

  stop(): void {
    this.#stopSweep?.();
  }

  /** Marks nodes whose heartbeats stopped as offline. */
  sweep(): void {
    const now = this.#ctx.clock.now();
    for (const [id, entry] of this.#entries) {
      if (entry.online && entry.lastSeen !== null && now - entry.lastSeen > MISSED_BEATS * entry.intervalS * 1000) {
        entry.online = false;
        this.#changed(id, entry);
      }
    }
  }

  onlineGadgets(): ReadonlySet<string> {
    const out = new Set<string>();
    for (const [id, e] of this.#entries) if (e.kind === "gadget" && e.online) out.add(id);
    return out;
  }

  knownGadgets(): string[] {
    return [...this.#entries].filter(([, e]) => e.kind === "gadget").map(([id]) => id);
  }

  list(): NodePresence[] {
    return [...this.#entries].map(([id, e]) => {
      const out: NodePresence = { id, kind: e.kind, online: e.online, last_seen: e.lastSeen === null ? null : iso(e.lastSeen), interval_s: e.intervalS };
      if (e.telemetry) out.telemetry = e.telemetry;
      if (e.label) out.label = e.label;
      return out;
    });
  }

  #mark(id: string, kind: "gadget" | "node", online: boolean): Entry {
    let entry = this.#entries.get(id);
    const isNew = entry === undefined;
    entry ??= { kind, online: false, lastSeen: null, intervalS: DEFAULT_INTERVAL_S };
    this.#entries.set(id, entry);
    const was = entry.online;
    entry.online = online;
    entry.lastSeen = this.#ctx.clock.now();
    if (was !== online || isNew) this.#changed(id, entry);
    return entry;
  }

  #changed(id: string, entry: Entry): void {
    if (entry.kind !== "gadget") return;
    this.#ctx.bus.emit("gadget:presence", { gadget: id, online: entry.online });
    this.#ctx.bus.emit("view:invalidate", { reason: "presence" });
  }
}
