// The Argo CD service: watches the configured apps, shows what is out of sync or failing on the
// gadgets, syncs on a held sync button, and reports deploys to the counters. Without an `argocd`
// section in the config it does nothing. The parts: client.ts (API and login), watcher.ts (stream,
// reconnect, polling), app-book.ts (the apps and new deploys), sync.ts (the button), view.ts.

import path from "node:path";
import { Counter, Gauge } from "../metrics/prom";
import "../build-events";
import { sectionOf } from "../config";
import { Intents, Views } from "../ports/gadgets";
import { LockDecisions, LockQueries } from "../ports/gates";
import { optional } from "../ports/port";
import type { Service, ServiceContext } from "../service";
import type { AppSummary } from "./apps";
import { isInError } from "./apps";
import { AppBook } from "./app-book";
import { ArgoClient } from "./client";
import { type ArgoConfig, checkArgoConfig } from "./config";
import { readCredentials } from "./credentials";
import { type ArgoTransport, HttpTransport } from "./http";
import { type SyncBatch, SyncRunner } from "./sync";
import { argoContribution } from "./view";
import { AppWatcher } from "./watcher";

declare module "../events" {
  interface BridgeEvents {
    /** An app the bridge watches appeared, changed or (removed) went away. */
    "argocd:app": { app: AppSummary; removed: boolean };
    /** A sync from a gadget started or finished (finished_at set). */
    "argocd:sync": { batch: SyncBatch };
  }
}

/** The environment a deploy counts for: the app's `environment` (or `env`) label, else its project. */
export function deployEnvironment(app: AppSummary): string {
  return app.labels.environment ?? app.labels.env ?? app.project;
}

export interface ArgoServiceOptions {
  /** Where token_env / password_env are read; process.env by default. */
  env?: NodeJS.ProcessEnv;
  /** Stands in for HTTP (tests); built from the config by default. */
  transport?: ArgoTransport;
}

export class ArgoCdService implements Service {
  readonly name = "argocd";
  readonly needs = [Views, Intents, optional(LockQueries), optional(LockDecisions)];
  readonly #options: ArgoServiceOptions;
  #ctx!: ServiceContext;
  #config: ArgoConfig | null = null;
  #client!: ArgoClient;
  #book!: AppBook;
  #watcher!: AppWatcher;
  #sync!: SyncRunner;
  #transport: ArgoTransport | null = null;
  #resultUntil = 0;
  #resultTimer: NodeJS.Timeout | undefined;

  constructor(options: ArgoServiceOptions = {}) {
    this.#options = options;
  }

  get configured(): boolean {
    return this.#config !== null;
  }

  get client(): ArgoClient {
    return this.#client;
  }

  get runner(): SyncRunner {
    return this.#sync;
  }

  apps(): AppSummary[] {
    return this.#book?.all() ?? [];
  }

  start(ctx: ServiceContext): void {
    this.#ctx = ctx;
    if (ctx.config.sections.argocd === undefined) {
      ctx.status.register("argocd", () => ({ configured: false }));
      return;
    }
    const base = ctx.config.file.startsWith("<") ? process.cwd() : path.dirname(path.resolve(ctx.config.file));
    const config = sectionOf(ctx.config, "argocd", (value, at) => checkArgoConfig(value, at, base));
    this.#config = config;
    const credentials = readCredentials(ctx.config.file, config.auth, this.#options.env ?? process.env);
    const log = ctx.log.child({ service: "argocd" });
    this.#transport = this.#options.transport ?? new HttpTransport({ url: config.url, ca: config.ca, insecure: config.insecure, timeoutMs: config.timeout_ms });
    this.#client = new ArgoClient({ transport: this.#transport, credentials, clock: ctx.clock });
    const invalidate = (reason: string) => ctx.bus.emit("view:invalidate", { reason });

    this.#book = new AppBook(ctx.kv, {
      app: (app, removed) => {
        ctx.bus.emit("argocd:app", { app, removed });
        if (!removed) this.#sync.appChanged(app);
        invalidate("argocd");
      },
      // Deploys go out as the CI service's ci:deploy, which the deploy counters count: an entry
      // of status.history[] is a finished sync, its deployedAt the time it went live.
      deploy: ({ app, entry, baseline }) => {
        ctx.bus.emit("ci:deploy", {
          deployment: {
            provider: "argocd",
            pipeline: app.name,
            environment: deployEnvironment(app),
            id: String(entry.id ?? entry.deployedAt),
            at: new Date(Date.parse(entry.deployedAt)).toISOString(),
            ok: true,
          },
          baseline,
        });
      },
    });
    this.#watcher = new AppWatcher({
      client: this.#client,
      clock: ctx.clock,
      log,
      options: {
        filter: { projects: config.projects, selector: config.selector },
        pollIntervalMs: config.poll_interval_ms,
        streamFailures: config.stream_failures,
        streamRetryMs: config.stream_retry_ms,
        stableMs: 10_000,
      },
      handlers: {
        snapshot: (apps) => this.#book.replace(apps),
        event: (event) => this.#book.apply(event),
        changed: () => invalidate("argocd-connection"),
      },
    });
    const queries = ctx.ports.want(LockQueries);
    const decisions = ctx.ports.want(LockDecisions);
    this.#sync = new SyncRunner({
      config,
      client: this.#client,
      book: this.#book,
      clock: ctx.clock,
      bus: ctx.bus,
      log,
      kv: ctx.kv,
      gates: () => (queries !== undefined && decisions !== undefined ? { mode: () => queries.mode(), request: (r, who) => decisions.request(r, who) } : undefined),
      streaming: () => this.#watcher.mode === "streaming",
      changed: () => invalidate("argocd-sync"),
    });
    ctx.bus.on("lock:decided", ({ lock }) => this.#sync.lockDecided(lock));
    ctx.bus.on("argocd:sync", ({ batch }) => {
      if (batch.finished_at === null) return;
      // Keep the result on the display for result_ms, then let the view fall back.
      this.#resultUntil = ctx.clock.now() + config.result_ms;
      ctx.clock.clearTimeout(this.#resultTimer);
      this.#resultTimer = ctx.clock.setTimeout(() => invalidate("argocd-result"), config.result_ms + 10, "argocd-result");
    });

    ctx.ports.need(Intents).registerIntent("sync", "hold", ({ gadget, ack }) => this.#sync.hold(gadget, ack));
    ctx.ports.need(Views).contribute("argocd", (gadget) => {
      const notice = this.#sync.notice !== null && this.#sync.notice.until > ctx.clock.now() ? this.#sync.notice.text : null;
      const watch = this.#watcher.status();
      return argoContribution({
        apps: this.#book.all(),
        syncable: this.#sync.syncable(gadget).length,
        segment: config.segment,
        batch: this.#sync.batch,
        progress: this.#sync.progress(),
        notice,
        resultUntil: this.#resultUntil,
        now: ctx.clock.now(),
        unreachable: watch.reachable === false ? (watch.last_error ?? "unreachable") : null,
      });
    });

    ctx.status.register("argocd", () => this.status());
    ctx.http.get("/api/argocd", async () => this.status());
    this.#metrics();
  }

  started(): void {
    this.#watcher?.start();
  }

  stop(): void {
    this.#watcher?.stop();
    this.#sync?.stop();
    this.#ctx?.clock.clearTimeout(this.#resultTimer);
    if (this.#transport instanceof HttpTransport) this.#transport.close();
  }

  status(): Record<string, unknown> {
    const config = this.#config;
    if (config === null) return { configured: false };
    const apps = this.#book.all();
    return {
      configured: true,
      url: config.url,
      auth: this.#client.authKind,
      watch: this.#watcher.status(),
      apps: apps.map((a) => ({
        name: a.name,
        project: a.project,
        sync: a.sync,
        health: a.health,
        operation: a.operation === null ? null : { phase: a.operation.phase, message: a.operation.message, finished_at: a.operation.finishedAt },
        syncable: this.#sync.allowed(a),
        last_deployed_at: a.history.reduce<string | null>((m, h) => (m === null || Date.parse(h.deployedAt) > Date.parse(m) ? h.deployedAt : m), null),
      })),
      out_of_sync: apps.filter((a) => a.sync === "OutOfSync").map((a) => a.name),
      errors: apps.filter(isInError).map((a) => a.name),
      sync: this.#sync.batch,
      pending_approvals: this.#sync.pendingApprovals(),
    };
  }

  #metrics(): void {
    const { metrics, bus } = this.#ctx;
    const syncs = new Counter({ name: "shipgate_argocd_syncs_total", help: "Apps synced from a gadget, by final state", labelNames: ["state"], registers: [metrics] });
    const book = () => this.#book;
    new Gauge({
      name: "shipgate_argocd_apps_out_of_sync",
      help: "Watched Argo CD apps that are OutOfSync",
      registers: [metrics],
      collect() {
        this.set(
          book()
            .all()
            .filter((a) => a.sync === "OutOfSync").length,
        );
      },
    });
    bus.on("argocd:sync", ({ batch }) => {
      if (batch.finished_at === null) return;
      for (const a of batch.apps) syncs.inc({ state: a.state });
    });
  }
}
