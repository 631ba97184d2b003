// The CI service: one poller per configured pipeline, webhooks, change detection in the store, and
// the facts on the bus (ci:build, ci:result, ci:deploy, ci:freshness). It contributes ring B and the
// "FAILING: <pipeline>" display to the gadgets watching its pipelines (gadgets.<id>.watch).

import { Counter } from "../metrics/prom";
import { ConfigError, sectionOf } from "../config";
import { Views } from "../ports/gadgets";
import { Pipelines } from "../ports/ci";
import { optional } from "../ports/port";
import type { Service, ServiceContext } from "../service";
import { BuildLog } from "./build-log";
import { type CiSettings, checkCiSection } from "./ci-config";
import "../build-events";
import { ciContribution } from "./ci-view";
import { CiHttp, type Fetch } from "../http/http-client";
import type { Build, Deployment, PipelineHealth, PollResult } from "../builds";
import { type HealthSummary, newestFirst, summarize } from "./pipeline-health";
import { Poller } from "./poller";
import { PROVIDERS } from "./providers/index";
import type { PipelineSettings } from "./providers/provider";
import { SharedBudget } from "../http/rate-budget";
import { DEFAULT_BACKOFF } from "./retry-policy";
import { registerWebhooks } from "./webhooks";

export interface CiServiceOptions {
  /** The HTTP client's fetch (tests and the benchmark count requests). */
  fetch?: Fetch;
  /** Where token_env and friends are looked up; defaults to process.env. */
  env?: NodeJS.ProcessEnv;
  /** Uniform in [0, 1), for backoff jitter. */
  random?: () => number;
}

/** Builds kept in memory per pipeline: a poll's answer plus webhook news. */
const SNAPSHOT_LIMIT = 100;

export interface PipelineStatus {
  name: string;
  provider: string;
  /** Health as shown: unknown when the data is older than the freshness bound. */
  health: PipelineHealth;
  fresh: boolean;
  summary: HealthSummary;
  last_data_at: number | null;
  failures: number;
  last_error: string | null;
  next_poll_at: number | null;
  requests: number;
  not_modified: number;
}

interface Runtime {
  settings: PipelineSettings;
  http: CiHttp;
  poller: Poller;
  builds: Build[];
  summary: HealthSummary;
  lastDataAt: number | null;
  shownFresh: boolean;
  lastError: string | null;
  reported: { requests: number; notModified: number };
}

export class CiService implements Service {
  readonly name = "ci";
  readonly offers = [Pipelines];
  readonly needs = [optional(Views)];
  readonly #options: CiServiceOptions;
  #ctx!: ServiceContext;
  #settings!: CiSettings;
  #log!: BuildLog;
  readonly #pipelines = new Map<string, Runtime>();
  readonly #watch = new Map<string, string[]>();
  #sweep: NodeJS.Timeout | undefined;
  #stopped = false;

  constructor(options: CiServiceOptions = {}) {
    this.#options = options;
  }

  get settings(): CiSettings {
    return this.#settings;
  }

  start(ctx: ServiceContext): void {
    ctx.ports.offer(Pipelines, this);
    this.#ctx = ctx;
    const env = this.#options.env ?? process.env;
    this.#settings = sectionOf(ctx.config, "ci", (v, p) => checkCiSection(v, p, env));
    this.#log = new BuildLog(ctx.store);
    this.#readWatchLists();

    const labels = ["provider", "pipeline"] as const;
    const requests = new Counter({ name: "shipgate_ci_requests_total", help: "HTTP requests made to CI providers", labelNames: labels, registers: [ctx.metrics] });
    const notModified = new Counter({ name: "shipgate_ci_not_modified_total", help: "CI requests answered 304 Not Modified (cached body reused)", labelNames: labels, registers: [ctx.metrics] });
    const errors = new Counter({ name: "shipgate_poll_errors_total", help: "Failed CI polls", labelNames: ["provider"], registers: [ctx.metrics] });

    const budgets = new Map<string, SharedBudget>();
    const random = this.#options.random ?? Math.random;
    for (const s of this.#settings.pipelines) {
      // Pollers sharing a credential share its rate-limit budget and start spread over the interval.
      const key = `${s.provider} ${s.base_url} ${s.token ?? ""}`;
      let budget = budgets.get(key);
      if (budget === undefined) {
        budget = new SharedBudget(this.#settings.reserve);
        budgets.set(key, budget);
      }
      budget.consumers++;
    }
    const slots = new Map<string, number>();
    for (const s of this.#settings.pipelines) {
      const key = `${s.provider} ${s.base_url} ${s.token ?? ""}`;
      const budget = budgets.get(key) as SharedBudget;
      const slot = slots.get(key) ?? 0;
      slots.set(key, slot + 1);
      const http = new CiHttp({ fetch: this.#options.fetch, timeoutMs: s.timeout_ms, now: () => ctx.clock.now(), userAgent: "shipgate-bridge" });
      const definition = PROVIDERS.get(s.provider);
      if (definition === undefined) throw new ConfigError(ctx.config.file, `ci.pipelines.${s.name}.provider`, `unknown provider ${s.provider}`);
      const provider = definition.create(s, { http, now: () => ctx.clock.now(), env });
      const runtime: Runtime = {
        settings: s,
        http,
        builds: [],
        summary: summarize([]),
        lastDataAt: null,
        shownFresh: false,
        lastError: null,
        reported: { requests: 0, notModified: 0 },
        poller: new Poller({
          name: s.name,
          provider,
          http,
          intervalMs: s.interval_ms,
          firstDelayMs: Math.floor((s.interval_ms * slot) / Math.max(1, budget.consumers)),
          budget,
          clock: ctx.clock,
          random,
          backoff: { ...DEFAULT_BACKOFF, baseMs: Math.min(s.interval_ms, 60_000), capMs: this.#settings.backoff_cap_ms },
          onResult: (result) => {
            this.#count(runtime, requests, notModified);
            runtime.lastError = null;
            this.#ingest(runtime, result, "poll", true);
          },
          onError: (err, failures, retryInMs) => {
            this.#count(runtime, requests, notModified);
            errors.inc({ provider: s.provider });
            runtime.lastError = (err as Error).message;
            ctx.log.warn({ pipeline: s.name, provider: s.provider, failures, retry_in_ms: retryInMs, err: (err as Error).message }, "CI poll failed");
          },
        }),
      };
      // What the pipeline showed before a restart, until its first poll (shown as unknown: not fresh).
      runtime.builds = this.#log.recent(s.name, 50);
      runtime.summary = summarize(runtime.builds);
      this.#pipelines.set(s.name, runtime);
    }

    registerWebhooks(ctx.http, {
      providers: PROVIDERS,
      // The config keys stay as ci-config.ts reads them (webhooks.github.secret_env, gitlab.token_env).
      secrets: new Map([
        ["github", this.#settings.webhooks.github_secret],
        ["gitlab", this.#settings.webhooks.gitlab_token],
      ]),
      pipelines: this.#settings.pipelines,
      deliver: (d, source) => {
        const runtime = this.#pipelines.get(d.pipeline);
        if (runtime !== undefined) this.#ingest(runtime, { builds: d.builds, deployments: d.deployments }, source, false);
      },
      refused: (source, why) => ctx.bus.emit("audit", { actor: `webhook:${source}`, action: "webhook.refused", subject: `/hooks/${source}`, detail: { why } }),
    });

    ctx.status.register("ci", () => ({ freshness_ms: this.#settings.freshness_ms, pipelines: this.pipelines().map(statusView) }));
  }

  started(): void {
    this.#ctx.ports.want(Views)?.contribute("ci", (gadget) => {
      const watched = this.#watch.get(gadget);
      if (watched === undefined) return null;
      return ciContribution(watched.map((name) => ({ name, health: this.healthOf(name) })));
    });
    for (const r of this.#pipelines.values()) r.poller.start();
    const every = Math.max(50, Math.min(5_000, Math.floor(this.#settings.freshness_ms / 4)));
    const sweep = () => {
      if (this.#stopped) return;
      // Re-armed first: a sweep that throws is counted by the clock and the next one still runs.
      this.#sweep = this.#ctx.clock.setTimeout(sweep, every, "ci-freshness");
      this.#checkFreshness();
    };
    if (this.#pipelines.size > 0) this.#sweep = this.#ctx.clock.setTimeout(sweep, every, "ci-freshness");
  }

  async stop(): Promise<void> {
    this.#stopped = true;
    this.#ctx?.clock.clearTimeout(this.#sweep);
    for (const r of this.#pipelines.values()) r.poller.stop();
    await this.idle();
  }

  /** Resolves when no poll is in flight. */
  async idle(): Promise<void> {
    await Promise.all([...this.#pipelines.values()].map((r) => r.poller.idle()));
  }

  /** The pipelines a gadget watches (gadgets.<id>.watch). */
  watchedBy(gadget: string): readonly string[] {
    return this.#watch.get(gadget) ?? [];
  }

  healthOf(name: string): PipelineHealth {
    const r = this.#pipelines.get(name);
    return r === undefined || !this.#fresh(r) ? "unknown" : r.summary.health;
  }

  pipelines(): PipelineStatus[] {
    return [...this.#pipelines.values()].map((r) => ({
      name: r.settings.name,
      provider: r.settings.provider,
      health: this.healthOf(r.settings.name),
      fresh: this.#fresh(r),
      summary: r.summary,
      last_data_at: r.lastDataAt,
      failures: r.poller.failures,
      last_error: r.lastError,
      next_poll_at: r.poller.nextAt,
      requests: r.http.stats.requests,
      not_modified: r.http.stats.notModified,
    }));
  }

  #fresh(r: Runtime): boolean {
    return r.lastDataAt !== null && this.#ctx.clock.now() - r.lastDataAt <= this.#settings.freshness_ms;
  }

  #readWatchLists(): void {
    const known = new Set(this.#settings.pipelines.map((p) => p.name));
    for (const g of this.#ctx.config.gadgets) {
      const watch = g.extra.watch;
      if (watch === undefined) continue;
      const key = `gadgets.${g.id}.watch`;
      if (!Array.isArray(watch) || watch.some((w) => typeof w !== "string")) throw new ConfigError(this.#ctx.config.file, key, "must be a list of pipeline names from ci.pipelines");
      for (const name of watch as string[]) {
        if (!known.has(name)) throw new ConfigError(this.#ctx.config.file, key, `"${name}" is not a pipeline in ci.pipelines (known: ${[...known].join(", ") || "none"})`);
      }
      this.#watch.set(g.id, watch as string[]);
    }
  }

  #count(r: Runtime, requests: Counter<"provider" | "pipeline">, notModified: Counter<"provider" | "pipeline">): void {
    const labels = { provider: r.settings.provider, pipeline: r.settings.name };
    requests.inc(labels, r.http.stats.requests - r.reported.requests);
    notModified.inc(labels, r.http.stats.notModified - r.reported.notModified);
    r.reported = { requests: r.http.stats.requests, notModified: r.http.stats.notModified };
  }

  /** A poll answers the whole current picture; a webhook adds to it. */
  #ingest(r: Runtime, result: PollResult, source: string, complete: boolean): void {
    const { bus, clock, kv } = this.#ctx;
    const name = r.settings.name;
    const now = clock.now();
    if (complete) {
      r.builds = result.builds.slice(0, SNAPSHOT_LIMIT);
    } else {
      const ids = new Set(result.builds.map((b) => b.id));
      r.builds = newestFirst([...result.builds, ...r.builds.filter((b) => !ids.has(b.id))]).slice(0, SNAPSHOT_LIMIT);
    }
    if (complete || result.builds.length > 0) r.lastDataAt = now;

    for (const change of this.#log.record(name, result.builds, now)) bus.emit("ci:build", change);
    const seenKey = `ci:deploys-seen:${name}`;
    const baseline = kv.get<boolean>(seenKey) !== true;
    const fresh = this.#log.recordDeployments(result.deployments);
    for (const deployment of fresh) bus.emit("ci:deploy", { deployment: deployment as Deployment, baseline });
    if (complete) kv.set(seenKey, true);

    r.summary = summarize(r.builds);
    const resultKey = `ci:result:${name}`;
    const before = kv.get<"passing" | "failing">(resultKey) ?? null;
    if (r.summary.result !== null && r.summary.result !== before) {
      kv.set(resultKey, r.summary.result);
      bus.emit("ci:result", {
        pipeline: name,
        provider: r.settings.provider,
        before,
        after: r.summary.result,
        failing: r.summary.failing,
        url: (r.summary.lastFinished ?? r.summary.newest)?.url ?? null,
      });
    }
    this.#ctx.log.debug({ pipeline: name, source, health: r.summary.health }, "CI data");
    this.#checkFreshness();
    bus.emit("view:invalidate", { reason: `ci ${name}` });
  }

  #checkFreshness(): void {
    for (const r of this.#pipelines.values()) {
      const fresh = this.#fresh(r);
      if (fresh === r.shownFresh) continue;
      r.shownFresh = fresh;
      this.#ctx.bus.emit("ci:freshness", { pipeline: r.settings.name, fresh, health: this.healthOf(r.settings.name) });
      this.#ctx.bus.emit("view:invalidate", { reason: `ci freshness ${r.settings.name}` });
    }
  }
}

function statusView(p: PipelineStatus): Record<string, unknown> {
  return {
    name: p.name,
    provider: p.provider,
    health: p.health,
    fresh: p.fresh,
    failing: p.summary.failing,
    awaiting: p.summary.awaiting,
    last_data_at: p.last_data_at === null ? null : new Date(p.last_data_at).toISOString(),
    failures: p.failures,
    last_error: p.last_error,
    next_poll_at: p.next_poll_at === null ? null : new Date(p.next_poll_at).toISOString(),
    requests: p.requests,
    not_modified: p.not_modified,
  };
}
