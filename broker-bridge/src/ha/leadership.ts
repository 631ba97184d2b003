// Several bridges on one PostgreSQL store: the lease (lease.ts) decides which one leads, and this
// module runs the bridge in the part the lease gives it.
// - standby: the services start on the shared store (the dashboard and read routes answer from it),
//   with a parked link (no broker session), no timers or pollers, and every write refused by the
//   fence (token none). Write routes on HTTP answer 503 naming the leader (standby-http.ts).
// - leader: on taking the lease the standby bridge is stopped and a leader bridge started, as a
//   restart would: the services load pending locks from the store, the link takes the bridge's
//   shared persistent broker session (docs/deploy-ha.md), and every write transaction is fenced
//   with the lease token.
// - a leader that loses the lease or its broker connection steps down at once by exiting with
//   STEP_DOWN_EXIT_CODE (systemd restarts it, and it comes back as a standby). Exiting is the one
//   step down that surely stops every timer, handler and queued publish of the old leader at once.

import { hostname } from "node:os";
import type { Logger } from "pino";
import type { RunningBridge } from "../bridge";
import { type HaRole, type LeaderInfo, STEP_DOWN_EXIT_CODE } from "./bridge-role";
import { LEASE_DEFAULTS, Lease, type LeaseOptions, type LeaseState } from "./lease";
import { ParkedLink } from "./parked-link";
import { serveStandbyHttp } from "./standby-http";

/** This bridge's id among the bridges on one store: SHIPGATE_BRIDGE_ID, else host name and pid. */
export function bridgeId(env: NodeJS.ProcessEnv = process.env): string {
  const set = env.SHIPGATE_BRIDGE_ID;
  if (set !== undefined && set.trim() !== "") return set.trim();
  return `${hostname()}-${process.pid}`;
}

export interface LeadershipOptions {
  /** The PostgreSQL store's URL: the lease lives there. */
  url: string;
  id: string;
  log: Logger;
  /** Starts the bridge in this role. */
  start(role: HaRole): Promise<RunningBridge>;
  /** Called whenever a bridge (standby or leader) is up, e.g. to print where it listens. */
  onRunning?(bridge: RunningBridge, role: HaRole): void;
  /** The leader must stop writing now; the default exits the process with STEP_DOWN_EXIT_CODE. */
  stepDown?(reason: string): void;
  lease?: Partial<Omit<LeaseOptions, "url" | "holder">>;
}

/** How long a starting bridge waits for the lease's first answer before starting as a standby. */
const FIRST_ANSWER_MS = 2000;
/** The kv key where the leader records its HTTP address. */
const LEADER_KEY = "ha.leader";
/** Starts a standby tries while the store is not set up yet (one a second). */
const STANDBY_RETRIES = 30;

/** The store refused a write because this bridge does not lead (FENCED_OUT, possibly as a cause). */
function fencedOut(err: unknown): boolean {
  for (let e = err as { code?: unknown; cause?: unknown } | undefined, i = 0; e !== undefined && e !== null && i < 5; e = e.cause as typeof e, i++) {
    if (e.code === "FENCED_OUT") return true;
  }
  return false;
}

export class Leadership {
  readonly #options: LeadershipOptions;
  readonly #lease: Lease;
  #bridge: RunningBridge | null = null;
  #role: "leader" | "standby" | null = null;
  /** Transitions run one at a time, in order. */
  #queue: Promise<void> = Promise.resolve();
  #stopped = false;
  #steppingDown = false;
  #standbyRetries = 0;

  constructor(options: LeadershipOptions) {
    this.#options = options;
    this.#lease = new Lease({ ...options.lease, url: options.url, holder: options.id });
    this.#lease.on("error", (err) => options.log.warn({ err: err.message }, "lease: database error"));
    this.#lease.on("change", (state) => this.#changed(state));
  }

  get lease(): Lease {
    return this.#lease;
  }

  get bridge(): RunningBridge | null {
    return this.#bridge;
  }

  /** Starts campaigning; resolves once the first bridge (standby or leader) runs. */
  async start(): Promise<RunningBridge> {
    const first = new Promise<void>((resolve) => {
      const t = setTimeout(resolve, FIRST_ANSWER_MS);
      this.#lease.once("change", () => {
        clearTimeout(t);
        resolve();
      });
    });
    this.#lease.start();
    await first;
    await this.#enqueue(() => this.#become(this.#lease.state.role === "leader" ? "leader" : "standby"));
    if (this.#bridge === null) throw new Error("the bridge did not start");
    return this.#bridge;
  }

  /** A clean stop (SIGTERM): the bridge first, so nothing writes once the lease is free for a standby. */
  async stop(): Promise<void> {
    this.#stopped = true;
    await this.#queue;
    const b = this.#bridge;
    this.#bridge = null;
    // After a step down the broker may be gone, and a clean stop would wait on its "offline"
    // publish forever: bound it (the process is on its way out anyway).
    const stopping = b?.stop();
    await (this.#steppingDown ? Promise.race([stopping, new Promise((r) => setTimeout(r, 2000).unref())]) : stopping);
    await this.#lease.stop();
  }

  #changed(state: LeaseState): void {
    if (this.#stopped) return;
    if (state.role === "standby") {
      if (this.#role === "leader") this.#stepDown(`lost the lease: ${state.reason}`);
      return;
    }
    this.#options.log.info({ token: state.token, since: state.since.toISOString() }, "took the lease");
    void this.#enqueue(() => this.#become("leader"));
  }

  #enqueue(step: () => Promise<void>): Promise<void> {
    this.#queue = this.#queue.then(step, step);
    return this.#queue;
  }

  async #become(role: "leader" | "standby"): Promise<void> {
    if (this.#stopped || this.#role === role) return;
    const state = this.#lease.state;
    if (role === "leader" && state.role !== "leader") return;
    const started = performance.now();
    if (this.#bridge !== null) {
      const old = this.#bridge;
      this.#bridge = null;
      await old.stop();
    }
    const stopped = performance.now();
    this.#role = role;
    const ha = role === "leader" && state.role === "leader" ? this.#leaderRole(state.token, state.since) : this.#standbyRole();
    let bridge: RunningBridge;
    try {
      bridge = await this.#options.start(ha);
    } catch (err) {
      if (role === "leader") return this.#stepDown(`could not start as the leader: ${(err as Error).message}`);
      // A first start on a new store writes (the first admin): a standby may not, so it waits for
      // the leader to have done it. Anything else is a start that failed.
      if (!fencedOut(err) || this.#standbyRetries++ >= STANDBY_RETRIES) throw err;
      this.#role = null;
      this.#options.log.info({ err: (err as Error).message }, "standby: the store is new and the leader has not set it up yet; starting again in 1 s");
      await new Promise((r) => setTimeout(r, 1000));
      return this.#become(this.#lease.state.role === "leader" ? "leader" : "standby");
    }
    this.#bridge = bridge;
    if (role === "leader") {
      // The lease may have gone while the services started: then nothing of this start may stay.
      if (this.#lease.token !== ha.token) return this.#stepDown("lost the lease while starting");
      this.#watchBroker(bridge);
      this.#advertise(bridge);
      this.#options.log.info({ ms: Math.round(performance.now() - started), standbyStopMs: Math.round(stopped - started), token: ha.token }, "leading: the services run");
    } else {
      this.#options.log.info("standby: serving the dashboard and reads from the shared store; waiting for the lease");
      // Load the broker client now, not during a takeover (MQTT.js is the bridge's largest module).
      await import("../link/external-link");
    }
    this.#options.onRunning?.(bridge, ha);
  }

  #leaderRole(token: number, since: Date): HaRole {
    const id = this.#options.id;
    const lease = this.#lease;
    // The token goes the moment the lease does, so writes stop even before the process exits.
    const fence = () => ({ lease: lease.name, token: lease.token === token ? token : null });
    return { role: "leader", id, token, since, fence, leader: () => ({ id, since: since.toISOString() }) };
  }

  #standbyRole(): HaRole {
    const leader = (): LeaderInfo | null => {
      const s = this.#lease.state;
      if (s.role === "leader") return { id: this.#options.id, since: s.since.toISOString() };
      return s.leader === null ? null : { id: s.leader.holder, since: s.leader.since.toISOString() };
    };
    return {
      role: "standby",
      id: this.#options.id,
      token: null,
      since: null,
      fence: () => ({ lease: this.#lease.name, token: null }),
      leader,
      link: new ParkedLink(),
      configureHttp: (http) => serveStandbyHttp(http, { self: this.#options.id, leader, leaderUrl: () => this.#leaderUrl() }),
    };
  }

  /** Where standbys forward write requests: this leader's HTTP address, in the shared store. */
  #advertise(bridge: RunningBridge): void {
    const { host } = bridge.config.http;
    const name = host === "0.0.0.0" || host === "::" ? hostname() : host.includes(":") ? `[${host}]` : host;
    const url = `${new URL(bridge.httpUrl).protocol}//${name}:${bridge.httpPort}`;
    try {
      bridge.context.kv.set(LEADER_KEY, { id: this.#options.id, url });
    } catch (err) {
      this.#options.log.warn({ err: (err as Error).message }, "could not record this leader's HTTP address for the standbys");
    }
  }

  /** The leader's HTTP address as the store says, if it is the bridge the lease names. */
  #leaderUrl(): string | null {
    const s = this.#lease.state;
    const id = s.role === "leader" ? this.#options.id : s.leader?.holder;
    try {
      const rec = this.#bridge?.context.kv.get<{ id: string; url: string }>(LEADER_KEY);
      return rec !== undefined && rec.id === id ? rec.url : null;
    } catch {
      return null;
    }
  }

  /** A leader cut off from the broker cannot hear requests, and another bridge may hold the
   *  session by now (the broker gave it to a bridge that connected with the same client id). */
  #watchBroker(bridge: RunningBridge): void {
    const client = (bridge.context.link as { client?: { on(event: "close", fn: () => void): void } }).client;
    client?.on("close", () => {
      if (!this.#stopped) this.#stepDown("lost the broker connection");
    });
  }

  #stepDown(reason: string): void {
    if (this.#steppingDown) return;
    this.#steppingDown = true;
    this.#options.log.error({ reason, exitCode: STEP_DOWN_EXIT_CODE }, `stepping down: ${reason}`);
    const stepDown = this.#options.stepDown ?? (() => process.exit(STEP_DOWN_EXIT_CODE));
    stepDown(reason);
  }
}

export { LEASE_DEFAULTS, STEP_DOWN_EXIT_CODE };
