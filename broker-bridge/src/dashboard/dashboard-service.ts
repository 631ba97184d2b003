// The web dashboard (docs/dashboard.md): the page at /, its script and stylesheet, the read-only
// status API, and a Server-Sent Events stream at /api/events that pushes the dashboard's state
// whenever the gates, presence, views, CI or Argo CD change. Admin actions on the page go to the
// security service's routes (security/http-auth.ts: POST /api/session, /api/admin/decide|mode);
// this service accepts no writes at all.

import type { FastifyReply, FastifyRequest } from "fastify";
import { type LockState, MESSAGES } from "@shipgate/protocol";
import { iso } from "../clock";
import { sectionOf } from "../config";
import type { AuditEntry } from "../events";
import { LockQueries, type LockQueriesPort } from "../ports/gates";
import { optional } from "../ports/port";
import type { Service, ServiceContext } from "../service";
import { type DashboardAssets, buildAssets } from "./assets";
import { type DashboardSettings, checkDashboardSection } from "./dashboard-config";
import { EventStreamHub, SSE_PING, type StreamSink, sseFrame } from "./event-stream";
import { type FreezeInfo, freezeInfo } from "./freeze-info";

/** What the page renders; sent whole on every change (a few kilobytes: simpler than diffs, and
 *  the page is never left half-updated after a missed frame). */
export interface DashboardState {
  /** The bridge's clock when this was made, so the page can correct its own clock for ages. */
  at: string;
  title: string;
  /** The MQTT topic prefix, for the virtual gadget. */
  prefix: string;
  /** ctx.status.snapshot(): mode, locks, gadgets, views, ci, argocd, ... (the same as /api/status). */
  status: Record<string, unknown>;
  /** The locks decided last, newest first (kept in the store across restarts). */
  recent: readonly LockState[];
  freeze: FreezeInfo;
}

/** An audit entry as pushed live (the page loads the older ones from GET /api/audit). */
export interface LiveAuditEntry extends AuditEntry {
  at: string;
}

export const DASHBOARD_TIMING = Object.freeze({
  /** Changes within this window (ms) go out as one frame: a decision touches locks, mode and views at once. */
  coalesceMs: 50,
  /** How often (ms) the state is recomputed for sections that announce no events (CI, Argo CD, telemetry ages). */
  pollMs: 2_000,
  /** An idle stream gets a comment this often (ms) so that proxies and NATs keep it open. */
  pingMs: 15_000,
  /** EventSource waits this long (ms) before reconnecting (SSE `retry:` field). */
  retryMs: 2_000,
  recentLocks: 12,
});

/** Headers for every dashboard file. The CSP allows only this origin's script, style and
 *  connections (no inline script, no external hosts), and no framing (clickjacking).
 *  `worker-src blob:`: MQTT.js's browser build (the virtual gadget) runs its keep-alive timers in
 *  a worker made from a blob, so that a background tab's throttled timers do not drop the
 *  connection; a blob URL can only be made by script already running here. */
export const PAGE_HEADERS: Readonly<Record<string, string>> = Object.freeze({
  "content-security-policy":
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; worker-src blob:; base-uri 'none'; form-action 'self'; frame-ancestors 'none'",
  "x-content-type-options": "nosniff",
  "x-frame-options": "DENY",
  "referrer-policy": "same-origin",
  "cache-control": "no-cache",
});

export class DashboardService implements Service {
  readonly name = "dashboard";
  readonly needs = [optional(LockQueries)];
  #locks: LockQueriesPort | undefined;
  #ctx!: ServiceContext;
  #settings!: DashboardSettings;
  #assets!: DashboardAssets;
  #hub!: EventStreamHub;
  /** The last state frame sent, without its `at`, to send only changes. */
  #lastKey = "";
  #lastFrame: string | null = null;
  #lastSentAt = 0;
  #pushTimer: NodeJS.Timeout | undefined;
  #pollTimer: NodeJS.Timeout | undefined;
  #stopped = false;

  async start(ctx: ServiceContext): Promise<void> {
    this.#ctx = ctx;
    this.#locks = ctx.ports.want(LockQueries);
    this.#settings = sectionOf(ctx.config, "dashboard", checkDashboardSection);
    this.#hub = new EventStreamHub(this.#settings.maxStreams);
    this.#assets = await buildAssets(this.#settings.title);

    for (const [path, file] of this.#assets.files) {
      ctx.http.get(path, async (req, reply) => {
        reply.headers(PAGE_HEADERS).header("etag", file.etag).type(file.contentType);
        if (req.headers["if-none-match"] === file.etag) return reply.code(304).send();
        return reply.send(file.body);
      });
    }
    // /api/status is the status snapshot, read-only; registered here unless another service has.
    if (!ctx.http.hasRoute({ method: "GET", url: "/api/status" })) ctx.http.get("/api/status", async () => ctx.status.snapshot());
    ctx.http.get("/api/dashboard", async () => this.state());
    ctx.http.get("/api/events", (req, reply) => this.#openStream(req, reply));

    const { bus } = ctx;
    bus.on("lock:decided", () => this.#schedule());
    bus.on("lock:changed", () => this.#schedule());
    bus.on("lock:cleared", () => this.#schedule());
    bus.on("mode:changed", () => this.#schedule());
    bus.on("gadget:presence", () => this.#schedule());
    // Views are recomposed on the next turn after view:invalidate; the coalescing delay covers it.
    bus.on("view:invalidate", () => this.#schedule());
    bus.on("audit", (entry) => {
      const live: LiveAuditEntry = { ...entry, at: iso(ctx.clock.now()) };
      this.#hub.broadcast(sseFrame("audit", JSON.stringify(live)));
    });
    ctx.router.on(MESSAGES.gadgetTelemetry, () => this.#schedule(), { owner: this.name });
  }

  started(): void {
    this.#lastSentAt = this.#ctx.clock.now();
    this.#poll();
  }

  stop(): void {
    this.#stopped = true;
    this.#ctx?.clock.clearTimeout(this.#pushTimer);
    this.#ctx?.clock.clearTimeout(this.#pollTimer);
    this.#hub?.closeAll();
  }

  /** Open live streams (for tests and the metrics of a future version). */
  get streams(): number {
    return this.#hub.size;
  }

  state(): DashboardState {
    const now = this.#ctx.clock.now();
    return {
      at: iso(now),
      title: this.#settings.title,
      prefix: this.#ctx.config.prefix,
      status: this.#ctx.status.snapshot(),
      recent: this.#locks?.recent(DASHBOARD_TIMING.recentLocks) ?? [],
      freeze: freezeInfo(this.#ctx.config.gates, now),
    };
  }

  #openStream(req: FastifyRequest, reply: FastifyReply): void {
    const res = reply.raw;
    const sink: StreamSink = {
      write: (chunk) => void res.write(chunk),
      get writableLength() {
        return res.writableLength;
      },
      end: () => res.end(),
    };
    if (this.#stopped || !this.#hub.add(sink)) {
      void reply
        .code(503)
        .header("retry-after", "10")
        .send({ ok: false, error: `too many dashboard connections (dashboard.max_streams is ${this.#settings.maxStreams})` });
      return;
    }
    reply.hijack();
    res.writeHead(200, {
      "content-type": "text/event-stream; charset=utf-8",
      "cache-control": "no-store",
      // nginx buffers responses unless told not to; a buffered stream is not live.
      "x-accel-buffering": "no",
      connection: "keep-alive",
    });
    res.write(`retry: ${DASHBOARD_TIMING.retryMs}\n\n`);
    this.#hub.send(sink, this.#lastFrame ?? this.#frame());
    if (this.#hub.size === 1) this.#lastSentAt = this.#ctx.clock.now();
    req.raw.on("close", () => this.#hub.remove(sink));
  }

  /** The current state as a frame; remembers it as the last sent. */
  #frame(): string {
    const state = this.state();
    const { at: _at, ...comparable } = state;
    this.#lastKey = JSON.stringify(comparable);
    this.#lastFrame = sseFrame("state", JSON.stringify(state));
    return this.#lastFrame;
  }

  #schedule(): void {
    if (this.#pushTimer !== undefined || this.#stopped) return;
    this.#pushTimer = this.#ctx.clock.setTimeout(
      () => {
        this.#pushTimer = undefined;
        try {
          this.#push();
        } catch (err) {
          this.#ctx.log.warn({ err }, "dashboard: could not push the live state");
        }
      },
      DASHBOARD_TIMING.coalesceMs,
      "dashboard-push",
    );
  }

  /** Sends the state if it changed since the last frame. */
  #push(): void {
    if (this.#stopped || this.#hub.size === 0) {
      // Nobody watches: forget the last frame so the next viewer gets a fresh one.
      this.#lastFrame = null;
      this.#lastKey = "";
      return;
    }
    const before = this.#lastKey;
    const frame = this.#frame();
    if (this.#lastKey === before) return;
    this.#hub.broadcast(frame);
    this.#lastSentAt = this.#ctx.clock.now();
  }

  #poll(): void {
    if (this.#stopped) return;
    try {
      this.#push();
      if (this.#hub.size > 0 && this.#ctx.clock.now() - this.#lastSentAt >= DASHBOARD_TIMING.pingMs) {
        this.#hub.broadcast(SSE_PING);
        this.#lastSentAt = this.#ctx.clock.now();
      }
    } catch (err) {
      this.#ctx.log.warn({ err }, "dashboard: could not refresh the live state");
    }
    this.#pollTimer = this.#ctx.clock.setTimeout(() => this.#poll(), DASHBOARD_TIMING.pollMs, "dashboard-poll");
  }
}
