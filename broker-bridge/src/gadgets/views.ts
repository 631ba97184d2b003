// What each gadget shows, composed from every service's contribution and published retained on
// gadgets/<id>/view when it changes. Ring A is the gate (mode and locks); ring B shows what the
// contributors report (CI builds, Argo CD); the display scrolls the head lock, else the most
// important contribution (a failing pipeline, a counter), else the mode.

import {
  type DisplayView, GADGET_VIEW_MAX_BYTES, type GadgetView, type RingSegment, type RingView, type SceneName, encode,
} from "@shipgate/protocol";
import type { GatesService } from "../gates/gates-service";
import type { PresenceService } from "../presence/presence-service";
import type { ServiceContext } from "../service";

/** One service's part of a gadget's view. */
export interface ViewContribution {
  /** Ring B's base scene, with a severity: the worst contribution wins. */
  status?: { scene: SceneName; severity: number };
  /** Segments of ring B (per pipeline, Argo CD apps). */
  segments?: RingSegment[];
  /** A display candidate; the highest priority wins when no lock is pending. */
  display?: { priority: number; view: DisplayView };
  /** Apps a held sync button would sync now. */
  syncReady?: number;
  /** Progress (0-1000) of a running sync, shown on ring B as "syncing". */
  syncProgress?: number;
}

export type ViewContributor = (gadget: string) => ViewContribution | null;

/** Severity of ring scenes, for "the worst state of what it watches". */
export const SEVERITY: Readonly<Record<SceneName, number>> = Object.freeze({
  idle: 0, passing: 1, released: 1, unknown: 2, building: 3, syncing: 3, out_of_sync: 4, locked: 4, failed: 5, blocked: 5, offline: 2,
});

export class ViewComposer {
  readonly #ctx: ServiceContext;
  readonly #contributors = new Map<string, ViewContributor>();
  readonly #published = new Map<string, string>();
  #scheduled = false;
  #stopped = false;
  #started = false;

  constructor(ctx: ServiceContext) {
    this.#ctx = ctx;
    ctx.bus.on("view:invalidate", () => this.invalidate());
    ctx.status.register("views", () => Object.fromEntries([...this.#published].map(([g, v]) => [g, JSON.parse(v) as unknown])));
  }

  /** Register a service's contribution (by name: registering again replaces it). */
  contribute(name: string, contributor: ViewContributor): void {
    this.#contributors.set(name, contributor);
    this.invalidate();
  }

  start(): void {
    this.#started = true;
    this.invalidate();
  }

  stop(): void {
    this.#stopped = true;
  }

  /** Recompute every view once per burst of changes. */
  invalidate(): void {
    if (this.#scheduled || !this.#started) return;
    this.#scheduled = true;
    setImmediate(() => {
      this.#scheduled = false;
      if (!this.#stopped) this.publishAll();
    });
  }

  gadgets(): string[] {
    const presence = this.#ctx.services.get<PresenceService>("presence");
    const ids = new Set<string>(this.#ctx.config.gadgets.map((g) => g.id));
    for (const id of presence?.knownGadgets() ?? []) ids.add(id);
    return [...ids];
  }

  publishAll(): void {
    for (const gadget of this.gadgets()) {
      const view = this.compose(gadget);
      const { at: _at, ...comparable } = view;
      const key = JSON.stringify(comparable);
      if (this.#published.get(gadget) === key) continue;
      this.#published.set(gadget, key);
      let payload = encode(view);
      if (Buffer.byteLength(payload) > GADGET_VIEW_MAX_BYTES) payload = encode(this.#shrink(view));
      this.#ctx.link.publish(this.#ctx.topics.gadgetView(gadget), payload, { qos: 1, retain: true }).catch((err: Error) => {
        this.#ctx.log.warn({ err: err.message, gadget }, "could not publish a view");
      });
    }
  }

  compose(gadget: string): GadgetView {
    const gates = this.#ctx.services.get<GatesService>("gates");
    const mode = gates?.locks.mode() ?? { mode: "default" as const, reason: null };
    const head = gates?.locks.headFor({ kind: "gadget", name: gadget, admin: false }) ?? null;
    const queue = gates?.locks.pendingCount() ?? 0;

    const gateScene: SceneName = mode.mode === "blocked" ? "blocked" : mode.mode === "released" ? "released" : queue > 0 ? "locked" : "idle";
    let status: { scene: SceneName; severity: number } | null = null;
    const segments: RingSegment[] = [];
    let display: { priority: number; view: DisplayView } | null = null;
    let syncReady = 0;
    let syncProgress: number | undefined;
    for (const [name, contributor] of this.#contributors) {
      let c: ViewContribution | null;
      try {
        c = contributor(gadget);
      } catch (err) {
        this.#ctx.log.warn({ err, contributor: name }, "view contributor failed");
        continue;
      }
      if (c === null) continue;
      if (c.status && (status === null || c.status.severity > status.severity)) status = c.status;
      if (c.segments) segments.push(...c.segments);
      if (c.display && (display === null || c.display.priority > display.priority)) display = c.display;
      syncReady += c.syncReady ?? 0;
      if (c.syncProgress !== undefined) syncProgress = c.syncProgress;
    }
    const ringB: RingView = syncProgress !== undefined ? { scene: "syncing", progress: syncProgress } : { scene: status?.scene ?? "idle" };
    if (segments.length > 0) ringB.segments = segments.slice(0, 24);

    let shown: DisplayView;
    if (head !== null) {
      shown = { kind: "text", text: [head.pipeline, head.step, head.summary].filter((s) => s.length > 0).join(" ").slice(0, 240) };
    } else if (mode.mode !== "default") {
      shown = { kind: "text", text: (mode.mode.toUpperCase() + (mode.reason ? ` ${mode.reason}` : "")).slice(0, 240) };
    } else if (display !== null) {
      shown = display.view;
    } else {
      shown = { kind: "text", text: queue > 0 ? `${queue} WAITING` : "READY" };
    }
    return {
      mode: mode.mode,
      head: head === null ? null : { id: head.id, pipeline: head.pipeline, step: head.step, summary: head.summary },
      queue,
      rings: [{ scene: gateScene }, ringB],
      display: shown,
      can_decide: head !== null,
      // Blocked (the mode or a freeze window) refuses every hold (argocd/sync.ts): no sync LED then.
      sync_ready: mode.mode === "blocked" ? 0 : syncReady,
      at: new Date(this.#ctx.clock.now()).toISOString(),
    };
  }

  #shrink(view: GadgetView): GadgetView {
    const out = { ...view, display: { ...view.display, text: view.display.text.slice(0, 64) } };
    if (out.head) out.head = { ...out.head, summary: out.head.summary.slice(0, 40) };
    const ringB = out.rings[1];
    if (ringB?.segments) out.rings = [out.rings[0] ?? { scene: "idle" }, { ...ringB, segments: ringB.segments.slice(0, 8) }];
    return out;
  }
}
