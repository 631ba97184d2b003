// What each gadget shows, composed from every service's contribution and published retained on
// gadgets/<id>/view when it changes. Ring A is the gate (mode and locks); ring B shows what the
// contributors report (CI builds, Argo CD); the display scrolls the head lock, else the most
// important contribution (a failing pipeline, a counter), else the mode. Every view carries a
// fresh nonce (view-nonces.ts), renewed every 15 s while unchanged, that events must echo.

import { type DisplayView, GADGET_VIEW_MAX_BYTES, type GadgetView, type RingSegment, type RingView, type SceneName, encode } from "@shipgate/protocol";
import { every } from "../clock";
import type { LockQueriesPort } from "../ports/gates";
import type { ViewContribution, ViewContributor, ViewsPort } from "../ports/gadgets";
import type { PresencePort } from "../ports/presence";
import type { ServiceContext } from "../service";
import { NONCE_REFRESH_MS, ViewNonces } from "./view-nonces";

export { SEVERITY, type ViewContribution, type ViewContributor } from "../ports/gadgets";

export class ViewComposer implements ViewsPort {
  readonly #ctx: ServiceContext;
  readonly #gates: LockQueriesPort | undefined;
  readonly #presence: PresencePort | undefined;
  readonly #contributors = new Map<string, ViewContributor>();
  readonly #published = new Map<string, string>();
  /** The nonces of the views published, which events must echo. */
  readonly nonces: ViewNonces;
  #stopRefresh: (() => void) | null = null;
  #scheduled = false;
  #stopped = false;
  #started = false;

  constructor(ctx: ServiceContext, sources: { gates: LockQueriesPort | undefined; presence: PresencePort | undefined }) {
    this.#ctx = ctx;
    this.#gates = sources.gates;
    this.#presence = sources.presence;
    this.nonces = new ViewNonces(ctx.clock);
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
    // An unchanged view gets a new nonce every 15 s, so a press on it is never "older than 30 s".
    this.#stopRefresh = every(this.#ctx.clock, NONCE_REFRESH_MS, "views-nonce-refresh", () => {
      if (!this.#stopped) this.publishAll(true);
    });
  }

  stop(): void {
    this.#stopped = true;
    this.#stopRefresh?.();
  }

  /** Recompute every view once per burst of changes. */
  invalidate(): void {
    if (this.#scheduled || !this.#started) return;
    this.#scheduled = true;
    this.#ctx.clock.defer(() => {
      this.#scheduled = false;
      if (!this.#stopped) this.publishAll();
    }, "views-publish");
  }

  gadgets(): string[] {
    const presence = this.#presence;
    const ids = new Set<string>(this.#ctx.config.gadgets.map((g) => g.id));
    for (const id of presence?.knownGadgets() ?? []) ids.add(id);
    return [...ids];
  }

  /** Publishes the views that changed; with refresh, every view again with a new nonce. */
  publishAll(refresh = false): void {
    for (const gadget of this.gadgets()) {
      const view = this.compose(gadget);
      const { at: _at, ...comparable } = view;
      const key = JSON.stringify(comparable);
      const unchanged = this.#published.get(gadget) === key;
      if (unchanged && !refresh) continue;
      this.#published.set(gadget, key);
      view.nonce = this.nonces.issue(gadget, unchanged);
      let payload = encode(view);
      if (Buffer.byteLength(payload) > GADGET_VIEW_MAX_BYTES) payload = encode(this.#shrink(view));
      this.#ctx.link.publish(this.#ctx.topics.gadgetView(gadget), payload, { qos: 1, retain: true }).catch((err: Error) => {
        this.#ctx.log.warn({ err: err.message, gadget }, "could not publish a view");
      });
    }
  }

  compose(gadget: string): GadgetView {
    const gates = this.#gates;
    const mode = gates?.mode() ?? { mode: "default" as const, reason: null };
    const head = gates?.headFor({ kind: "gadget", name: gadget, admin: false }) ?? null;
    const queue = gates?.pendingCount() ?? 0;

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
      shown = {
        kind: "text",
        text: [head.pipeline, head.step, head.summary]
          .filter((s) => s.length > 0)
          .join(" ")
          .slice(0, 240),
      };
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
