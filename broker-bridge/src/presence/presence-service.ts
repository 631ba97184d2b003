// Presence: which gadgets and nodes are there. A gadget is online from its retained "online"
// status until its Will says "offline" or three heartbeats in a row are missed; other nodes publish
// presence beats on presence/<node> (`shipgate presence beat`), with a part of the fleet and
// facts. The gates use it to tell a pipeline nobody can decide; with `presence.directory` every
// node also has its file there (presence-directory.ts), rewritten on each beat and when it goes.

import { MESSAGES, type Telemetry } from "@shipgate/protocol";
import path from "node:path";
import { Gauge } from "../metrics/prom";
import { every, iso } from "../clock";
import { sectionOf } from "../config";
import { Presence } from "../ports/presence";
import type { Service, ServiceContext } from "../service";
import { checkPresenceSection } from "./presence-config";
import { type NodeRecord, PresenceDirectory } from "./presence-directory";

export interface NodePresence {
  id: string;
  kind: "gadget" | "node";
  online: boolean;
  last_seen: string | null;
  /** Heartbeats are expected this often (s); three misses mark the node offline. */
  interval_s: number;
  telemetry?: Telemetry;
  label?: string;
  part?: string;
  facts?: Record<string, string>;
}

interface Entry {
  kind: "gadget" | "node";
  online: boolean;
  lastSeen: number | null;
  intervalS: number;
  telemetry?: Telemetry;
  label?: string;
  part?: string;
  facts?: Record<string, string>;
}

const MISSED_BEATS = 3;
const DEFAULT_INTERVAL_S = 30;

export class PresenceService implements Service {
  readonly name = "presence";
  readonly offers = [Presence];
  #ctx!: ServiceContext;
  readonly #entries = new Map<string, Entry>();
  #stopSweep: (() => void) | undefined;
  #directory: PresenceDirectory | null = null;

  start(ctx: ServiceContext): void {
    this.#ctx = ctx;
    const { router } = ctx;
    const base = ctx.config.file.startsWith("<") ? process.cwd() : path.dirname(path.resolve(ctx.config.file));
    const settings = sectionOf(ctx.config, "presence", (v, at) => checkPresenceSection(v, at, base));
    if (settings.directory !== null) {
      this.#directory = new PresenceDirectory(settings.directory, ctx.log);
      this.#restore(this.#directory.read());
    }
    ctx.ports.offer(Presence, {
      onlineGadgets: () => this.onlineGadgets(),
      knownGadgets: () => this.knownGadgets(),
      onChange: (listener) => ctx.bus.on("gadget:presence", () => listener()),
    });
    for (const g of ctx.config.gadgets) this.#entries.set(g.id, { kind: "gadget", online: false, lastSeen: null, intervalS: DEFAULT_INTERVAL_S });

    // A topic of another shape under these filters is ignored (no badTopic): nodes are not answered.
    router.on(
      MESSAGES.gadgetStatus,
      ({ topic, value }) => {
        this.#mark(topic.gadget, "gadget", value.state === "online");
      },
      { owner: this.name },
    );
    router.on(
      MESSAGES.gadgetTelemetry,
      ({ topic, value }) => {
        const entry = this.#mark(topic.gadget, "gadget", true);
        entry.telemetry = value;
        entry.intervalS = value.interval_s;
      },
      { owner: this.name },
    );
    router.on(
      MESSAGES.presence,
      ({ topic, value }) => {
        const entry = this.#mark(topic.node, "node", value.state === "online");
        entry.intervalS = value.interval_s;
        if (value.label !== undefined) entry.label = value.label;
        if (value.part !== undefined) entry.part = value.part;
        if (value.facts !== undefined) entry.facts = value.facts;
        this.#writeFile(topic.node, entry);
      },
      { owner: this.name },
    );

    const online = () => this.onlineGadgets().size;
    const nodesOnline = () => [...this.#entries.values()].filter((e) => e.kind === "node" && e.online).length;
    new Gauge({
      name: "shipgate_nodes_online",
      help: "Nodes whose presence beats arrive (shipgate presence beat)",
      registers: [ctx.metrics],
      collect() {
        this.set(nodesOnline());
      },
    });
    new Gauge({
      name: "shipgate_gadgets_connected",
      help: "Gadgets online now",
      registers: [ctx.metrics],
      collect() {
        this.set(online());
      },
    });
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
      if (e.part) out.part = e.part;
      if (e.facts) out.facts = e.facts;
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

  /** Nodes known from their files before a restart: online only while their beats are still due. */
  #restore(records: NodeRecord[]): void {
    const now = this.#ctx.clock.now();
    for (const r of records) {
      const lastSeen = r.last_seen === null ? null : Date.parse(r.last_seen);
      const entry: Entry = { kind: "node", online: false, lastSeen: lastSeen !== null && Number.isFinite(lastSeen) ? lastSeen : null, intervalS: r.interval_s };
      entry.online = r.online && entry.lastSeen !== null && now - entry.lastSeen <= MISSED_BEATS * entry.intervalS * 1000;
      if (r.part !== null) entry.part = r.part;
      if (r.label !== null) entry.label = r.label;
      if (Object.keys(r.facts).length > 0) entry.facts = r.facts;
      this.#entries.set(r.node, entry);
      if (entry.online !== r.online) this.#writeFile(r.node, entry);
    }
  }

  #writeFile(id: string, entry: Entry): void {
    if (this.#directory === null || entry.kind !== "node") return;
    this.#directory.write({
      node: id,
      online: entry.online,
      last_seen: entry.lastSeen === null ? null : iso(entry.lastSeen),
      interval_s: entry.intervalS,
      part: entry.part ?? null,
      label: entry.label ?? null,
      facts: entry.facts ?? {},
    });
  }

  #changed(id: string, entry: Entry): void {
    if (entry.kind === "node" && !entry.online) this.#writeFile(id, entry);
    if (entry.kind !== "gadget") return;
    this.#ctx.bus.emit("gadget:presence", { gadget: id, online: entry.online });
    this.#ctx.bus.emit("view:invalidate", { reason: "presence" });
  }
}
