// Counters from real deploy and build history. Deployments come from the bus (ci:deploy: GitHub,
// GitLab, Bamboo, and Argo CD's history when its service emits them), red builds from ci:build;
// both are kept in the store, so a counter survives restarts. A gadget shows the counter named in
// gadgets.<id>.counter, below anything more urgent (a failing pipeline, a pending lock).

import { ConfigError, sectionOf } from "../config";
import "../build-events";
import { Pipelines } from "../ports/ci";
import { Views } from "../ports/gadgets";
import { optional } from "../ports/port";
import type { DisplayView } from "@shipgate/protocol";
import type { Service, ServiceContext } from "../service";
import { checkCountersSection } from "./counter-config";
import { type CounterSettings, type DeployRecord, daysSince, lastDeployOnDay, weeksSince } from "./counters";

/** Below the CI service's "FAILING" (50): a counter is what a calm desk shows. */
export const COUNTER_PRIORITY = 10;
/** Counters move with time alone; views are recomputed this often (ms). */
const REFRESH_MS = 15 * 60_000;

export class CounterService implements Service {
  readonly name = "counters";
  readonly needs = [optional(Views), optional(Pipelines)];
  #ctx!: ServiceContext;
  #counters = new Map<string, CounterSettings>();
  readonly #chosen = new Map<string, string>();
  #timer: NodeJS.Timeout | undefined;

  start(ctx: ServiceContext): void {
    this.#ctx = ctx;
    this.#counters = sectionOf(ctx.config, "counters", checkCountersSection);
    for (const g of ctx.config.gadgets) {
      const name = g.extra.counter;
      if (name === undefined) continue;
      if (typeof name !== "string" || !this.#counters.has(name)) {
        throw new ConfigError(ctx.config.file, `gadgets.${g.id}.counter`, `must name a counter from counters (known: ${[...this.#counters.keys()].join(", ") || "none"})`);
      }
      this.#chosen.set(g.id, name);
    }
    ctx.store.migrate("counters", [
      `CREATE TABLE counter_deploys (provider TEXT NOT NULL, pipeline TEXT NOT NULL, id TEXT NOT NULL, environment TEXT NOT NULL,
         at TEXT NOT NULL, ok INTEGER NOT NULL, PRIMARY KEY (provider, pipeline, id))`,
      "CREATE TABLE counter_red (pipeline TEXT PRIMARY KEY, at TEXT NOT NULL)",
    ]);
    const db = ctx.store.db;
    const addDeploy = db.prepare("INSERT INTO counter_deploys (provider, pipeline, id, environment, at, ok) VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING");
    // The later of the two ISO times (text order is time order); CASE, not max(): PostgreSQL has no two-argument max.
    const addRed = db.prepare(
      "INSERT INTO counter_red (pipeline, at) VALUES (?, ?) ON CONFLICT(pipeline) DO UPDATE SET at = CASE WHEN excluded.at > counter_red.at THEN excluded.at ELSE counter_red.at END",
    );
    ctx.bus.on("ci:deploy", ({ deployment: d }) => {
      if (addDeploy.run(d.provider, d.pipeline, d.id, d.environment, d.at, d.ok ? 1 : 0).changes > 0) ctx.bus.emit("view:invalidate", { reason: "counter deploy" });
    });
    ctx.bus.on("ci:build", ({ build }) => {
      if (build.state !== "failing") return;
      addRed.run(build.pipeline, build.finished_at ?? build.started_at ?? new Date(ctx.clock.now()).toISOString());
      ctx.bus.emit("view:invalidate", { reason: "counter red" });
    });
    ctx.status.register("counters", () => Object.fromEntries([...this.#counters.keys()].map((name) => [name, this.value(name)])));
  }

  started(): void {
    if (this.#chosen.size === 0) return;
    this.#ctx.ports.want(Views)?.contribute("counters", (gadget) => {
      const name = this.#chosen.get(gadget);
      const view = name === undefined ? null : this.value(name);
      return view === null ? null : { display: { priority: COUNTER_PRIORITY, view } };
    });
    const tick = () => {
      this.#timer = this.#ctx.clock.setTimeout(tick, REFRESH_MS, "counters-tick");
      this.#ctx.bus.emit("view:invalidate", { reason: "counters tick" });
    };
    this.#timer = this.#ctx.clock.setTimeout(tick, REFRESH_MS, "counters-tick");
  }

  stop(): void {
    this.#ctx?.clock.clearTimeout(this.#timer);
  }

  /** What the display shows for a counter now. */
  value(name: string): DisplayView | null {
    const c = this.#counters.get(name);
    if (c === undefined) return null;
    const now = this.#ctx.clock.now();
    const db = this.#ctx.store.db;
    let value: number | null;
    if (c.kind === "deploy-day") {
      const deploys = db.prepare<[string], { environment: string; at: string; ok: number }>("SELECT environment, at, ok FROM counter_deploys WHERE environment = ?").all(c.environment);
      const records: DeployRecord[] = deploys.map((d) => ({ environment: d.environment, at: d.at, ok: d.ok === 1 }));
      value = weeksSince(lastDeployOnDay(records, c), now);
    } else {
      const ci = this.#ctx.ports.want(Pipelines);
      const pipelines = c.pipelines.length > 0 ? c.pipelines : (ci?.pipelines().map((p) => p.name) ?? []);
      const redNow = pipelines.some((p) => ci?.healthOf(p) === "failing");
      let last: string | null = null;
      for (const p of pipelines) {
        const row = db.prepare<[string], { at: string }>("SELECT at FROM counter_red WHERE pipeline = ?").get(p);
        if (row !== undefined && (last === null || row.at > last)) last = row.at;
      }
      value = daysSince(last, now, redNow);
    }
    return value === null ? { kind: "counter", text: `${c.label}: NONE ON RECORD` } : { kind: "counter", text: c.label, value };
  }
}
