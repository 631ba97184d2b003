// Keeps the bridge's picture of the watched apps current: a full list, then Argo CD's watch stream
// (GET /api/v1/stream/applications). A broken stream reconnects with backoff; after
// `streamFailures` failures in a row the watcher polls the list instead, and tries the stream again
// every `streamRetryMs`. Each (re)connection starts with a list, so an app deleted while the
// stream was down does not linger.

import { type BackoffOptions, backoffBase, backoffDelay } from "@shipgate/protocol";
import type { Clock } from "../clock";
import type { Logger } from "../log";
import type { AppFilter, ArgoClient, WatchEvent } from "./client";
import type { OpenStream } from "./http";

export type WatchMode = "connecting" | "streaming" | "polling" | "stopped";

export interface WatcherOptions {
  filter: AppFilter;
  /** Milliseconds between list polls when the stream is not used. */
  pollIntervalMs: number;
  /** Stream failures in a row before polling. */
  streamFailures: number;
  /** Milliseconds between attempts to get back to the stream while polling. */
  streamRetryMs: number;
  /** A stream that lived this long (ms) or carried an event counts as working. */
  stableMs: number;
}

/** The stream's reconnect policy (protocol/src/backoff.ts): 1 s doubling to 64 s, as node-red-mcu's
 *  MQTT node does, less up to a quarter at random so bridges do not reconnect in step. */
export const RECONNECT_BACKOFF: Readonly<BackoffOptions> = Object.freeze({ initialMs: 1000, maxMs: 64_000, jitter: 0.25, floorMs: 0 });

/** The reconnect delay before jitter after n failures in a row (n >= 1). */
export function reconnectDelay(failures: number): number {
  return backoffBase(Math.max(0, failures - 1), RECONNECT_BACKOFF);
}

export interface WatcherHandlers {
  /** The whole list, replacing what was known. */
  snapshot(apps: unknown[]): void;
  event(event: WatchEvent): void;
  /** Mode or error changed (for the status and the view). */
  changed(): void;
}

export class AppWatcher {
  readonly #client: ArgoClient;
  readonly #clock: Clock;
  readonly #log: Logger;
  readonly #o: WatcherOptions;
  readonly #h: WatcherHandlers;
  #mode: WatchMode = "connecting";
  #failures = 0;
  #lastError: string | null = null;
  #lastOkAt: number | null = null;
  #stream: OpenStream | null = null;
  #timer: NodeJS.Timeout | undefined;
  #pollingSince: number | null = null;
  /** Whether the last attempt to reach Argo CD (a list) succeeded; null before the first. */
  #reachable: boolean | null = null;
  #stopped = false;
  readonly #random: () => number;

  /** random: uniform in [0, 1) for the reconnect jitter; Math.random unless a test fixes it. */
  constructor(deps: { client: ArgoClient; clock: Clock; log: Logger; options: WatcherOptions; handlers: WatcherHandlers; random?: () => number }) {
    this.#random = deps.random ?? Math.random;
    this.#client = deps.client;
    this.#clock = deps.clock;
    this.#log = deps.log;
    this.#o = deps.options;
    this.#h = deps.handlers;
  }

  get mode(): WatchMode {
    return this.#mode;
  }

  status(): { mode: WatchMode; reachable: boolean | null; failures: number; last_error: string | null; last_ok_at: string | null } {
    return {
      mode: this.#mode,
      reachable: this.#reachable,
      failures: this.#failures,
      last_error: this.#lastError,
      last_ok_at: this.#lastOkAt === null ? null : new Date(this.#lastOkAt).toISOString(),
    };
  }

  start(): void {
    this.#schedule(0, () => this.#connect());
  }

  stop(): void {
    this.#stopped = true;
    this.#mode = "stopped";
    this.#clock.clearTimeout(this.#timer);
    this.#stream?.close();
    this.#stream = null;
  }

  #schedule(ms: number, step: () => Promise<void>): void {
    if (this.#stopped) return;
    this.#clock.clearTimeout(this.#timer);
    this.#timer = this.#clock.setTimeout(
      () => {
        step().catch((err: unknown) => this.#log.error({ err }, "argocd watcher step failed"));
      },
      ms,
      "argocd-watch",
    );
  }

  #set(mode: WatchMode, error: string | null): void {
    if (this.#stopped) return;
    const changed = mode !== this.#mode || error !== this.#lastError;
    this.#mode = mode;
    this.#lastError = error;
    if (changed) this.#h.changed();
  }

  async #list(): Promise<void> {
    let apps: unknown[];
    try {
      apps = await this.#client.list(this.#o.filter);
    } catch (err) {
      this.#reachable = false;
      throw err;
    }
    if (this.#stopped) return;
    this.#reachable = true;
    this.#lastOkAt = this.#clock.now();
    this.#h.snapshot(apps);
  }

  /** List, then stream until the stream ends; then decide how to go on. */
  async #connect(): Promise<void> {
    if (this.#stopped) return;
    const openedAt = this.#clock.now();
    let events = 0;
    try {
      await this.#list();
      const stream = await this.#client.watch(
        this.#o.filter,
        (event) => {
          events++;
          this.#lastOkAt = this.#clock.now();
          this.#h.event(event);
        },
        (problem) => this.#log.warn({ problem }, "argocd watch stream reported an error"),
      );
      if (this.#stopped) return stream.close();
      this.#stream = stream;
      this.#pollingSince = null;
      this.#set("streaming", null);
      await stream.ended;
      this.#stream = null;
      if (this.#stopped) return;
      throw new Error("the watch stream ended");
    } catch (err) {
      this.#stream = null;
      if (this.#stopped) return;
      const worked = events > 0 || this.#clock.now() - openedAt >= this.#o.stableMs;
      this.#failures = worked ? 1 : this.#failures + 1;
      const message = (err as Error).message;
      this.#log.warn({ err: message, failures: this.#failures }, "argocd watch interrupted");
      if (this.#failures >= this.#o.streamFailures) {
        this.#pollingSince ??= this.#clock.now();
        this.#set("polling", message);
        this.#schedule(this.#o.pollIntervalMs, () => this.#poll());
      } else {
        this.#set("connecting", message);
        this.#schedule(backoffDelay(Math.max(0, this.#failures - 1), RECONNECT_BACKOFF, this.#random()), () => this.#connect());
      }
    }
  }

  async #poll(): Promise<void> {
    if (this.#stopped) return;
    if (this.#pollingSince !== null && this.#clock.now() - this.#pollingSince >= this.#o.streamRetryMs) {
      // Time to try the stream again; one more failure sends us straight back to polling.
      this.#pollingSince = this.#clock.now();
      this.#failures = this.#o.streamFailures - 1;
      return this.#connect();
    }
    try {
      await this.#list();
      this.#set("polling", this.#lastError);
    } catch (err) {
      this.#set("polling", (err as Error).message);
    }
    this.#schedule(this.#o.pollIntervalMs, () => this.#poll());
  }

  /** A list now (while syncing without the stream, to follow the operation sooner). */
  async refresh(): Promise<void> {
    await this.#list();
  }
}
