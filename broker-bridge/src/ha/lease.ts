// Leadership among bridges that share one PostgreSQL: exactly one holds the lease at a time.
//
// The lease is a session-level advisory lock (https://www.postgresql.org/docs/15/explicit-locking.html
// #ADVISORY-LOCKS) held by the leader's own database session, plus a row in shipgate_lease whose
// token grows with each new leader. PostgreSQL frees the advisory lock the moment that session ends,
// which covers every way a leader dies:
// - the process is killed: the kernel closes its socket, the server ends the session at once;
// - its session is killed (pg_terminate_backend): the lock goes with it;
// - its connection is cut, or the process is paused (SIGSTOP, a VM freeze, a long GC): it stops
//   renewing, and the session's idle_session_timeout (PostgreSQL 14+, settable per session) ends the
//   session after `sessionTimeoutMs` of silence.
// A standby polls pg_try_advisory_lock and, once it holds the lock, takes the next token. Being
// leader is only a belief; what makes it safe is that every write transaction checks its token in
// the same transaction (fence.ts), so an old leader that wakes up cannot write.

import { EventEmitter } from "node:events";
import { performance } from "node:perf_hooks";
import pg from "pg";
import { LEASE_LOCK_NAMESPACE, type LeaseHolder, ensureLeaseTable, readLease, takeLease } from "./lease-schema";
import { pgClientConfig } from "./pg-options";

export interface LeaseOptions {
  /** postgres://user@host:port/db */
  url: string;
  /** This bridge's id, unique among the bridges on the store. */
  holder: string;
  /** The lease's name: bridges with the same name compete. Default "bridge". */
  name?: string;
  /** How often the leader proves it is alive (ms). */
  renewMs?: number;
  /** Silence after which the server ends the leader's session and frees the lease (ms). */
  sessionTimeoutMs?: number;
  /** How often a standby tries to take the lease (ms). */
  pollMs?: number;
}

export const LEASE_DEFAULTS = Object.freeze({ name: "bridge", renewMs: 500, sessionTimeoutMs: 3000, pollMs: 250 });

export type LeaseState = { role: "leader"; token: number; since: Date } | { role: "standby"; leader: LeaseHolder | null; reason: string };

interface LeaseEvents {
  change: [LeaseState];
  error: [Error];
}

export class Lease extends EventEmitter<LeaseEvents> {
  readonly holder: string;
  readonly name: string;
  readonly #options: Required<LeaseOptions>;
  #session: pg.Client | null = null;
  #state: LeaseState = { role: "standby", leader: null, reason: "starting" };
  #timer: NodeJS.Timeout | null = null;
  #stopped = false;
  /** performance.now() of the last renewal: a monotonic clock, so a wall-clock jump is no pause. */
  #lastRenewal = 0;
  #announced = false;
  #holdOffUntil = 0;

  constructor(options: LeaseOptions) {
    super();
    this.#options = { ...LEASE_DEFAULTS, ...options };
    if (this.#options.renewMs * 2 > this.#options.sessionTimeoutMs) {
      throw new Error(`lease: renewMs (${this.#options.renewMs}) must be at most half of sessionTimeoutMs (${this.#options.sessionTimeoutMs})`);
    }
    this.holder = options.holder;
    this.name = this.#options.name;
  }

  get state(): LeaseState {
    return this.#state;
  }

  /** The token to check in write transactions, or null while not leading. */
  get token(): number | null {
    return this.#state.role === "leader" ? this.#state.token : null;
  }

  start(): void {
    this.#schedule(0);
  }

  /** Steps down (freeing the lease at once for a standby) and stops campaigning. */
  async stop(): Promise<void> {
    this.#stopped = true;
    if (this.#timer !== null) clearTimeout(this.#timer);
    this.#timer = null;
    await this.#dropSession("stopped");
  }

  #schedule(ms: number): void {
    if (this.#stopped) return;
    this.#timer = setTimeout(() => void this.#tick(), ms);
  }

  async #tick(): Promise<void> {
    this.#timer = null;
    const leading = this.#state.role === "leader";
    try {
      if (leading) await this.#renew();
      else await this.#campaign();
    } catch (err) {
      const error = err instanceof Error ? err : new Error(String(err));
      if (this.listenerCount("error") > 0) this.emit("error", error);
      await this.#dropSession(`database error: ${error.message}`);
    }
    this.#schedule(this.#state.role === "leader" ? this.#options.renewMs : this.#options.pollMs);
  }

  async #connect(): Promise<pg.Client> {
    if (this.#session !== null) return this.#session;
    if (this.#stopped) throw new Error("the lease was stopped");
    // A renewal starts at most renewMs after the last one and gives up after timeoutMs, both before
    // the server's idle_session_timeout frees the lock: a cut-off leader stops believing it leads
    // before a standby can take over.
    const { renewMs, sessionTimeoutMs } = this.#options;
    const client = new pg.Client(
      pgClientConfig({
        url: this.#options.url,
        applicationName: `shipgate-lease:${this.holder}`,
        timeoutMs: Math.floor((sessionTimeoutMs - renewMs) * 0.8),
      }),
    );
    // A session the server ends (pg_terminate_backend, idle_session_timeout) surfaces here; the
    // next tick notices and reconnects as a standby.
    client.on("error", () => void this.#dropSession("the lease session ended"));
    this.#session = client;
    await client.connect();
    await client.query(`SET idle_session_timeout = ${Math.trunc(this.#options.sessionTimeoutMs)}`);
    await ensureLeaseTable(client);
    return client;
  }

  async #campaign(): Promise<void> {
    // A leader that just lost its lease lets a standby take it first (its session was killed or
    // cut for a reason); it campaigns again only after a session timeout, if no one else did.
    if (performance.now() < this.#holdOffUntil) return;
    const client = await this.#connect();
    const got = await client.query<{ got: boolean }>("SELECT pg_try_advisory_lock($1, hashtext($2)) AS got", [LEASE_LOCK_NAMESPACE, this.name]);
    if (got.rows[0]?.got !== true) {
      const leader = await readLease(client, this.name);
      this.#set({ role: "standby", leader, reason: "another bridge holds the lease" });
      return;
    }
    const taken = await takeLease(client, this.name, this.holder);
    // stop() may have run while this campaign waited: give the lease straight back.
    if (this.#stopped) {
      await this.#dropSession("stopped");
      return;
    }
    this.#lastRenewal = performance.now();
    this.#set({ role: "leader", token: taken.token, since: taken.since });
  }

  async #renew(): Promise<void> {
    if (this.#state.role !== "leader") return;
    // Past the session timeout the server may already have freed the lease: stop believing at once
    // (a paused process wakes here), whatever the renewal below would answer.
    if (performance.now() - this.#lastRenewal > this.#options.sessionTimeoutMs) {
      await this.#dropSession("the lease was not renewed within the session timeout");
      return;
    }
    const client = await this.#connect();
    // A renewal only reads: an UPDATE of the lease row would wait behind every fenced transaction
    // (they hold it FOR SHARE), and a leader paused during such a wait keeps an *active* session,
    // which idle_session_timeout does not end: the takeover would wait for statement_timeout too.
    const current = await readLease(client, this.name);
    if (current === null || current.holder !== this.holder || current.token !== this.#state.token) {
      await this.#dropSession("another bridge took the lease");
      return;
    }
    this.#lastRenewal = performance.now();
  }

  /** Ends the session (freeing the advisory lock if the server still thinks we hold it). */
  async #dropSession(reason: string): Promise<void> {
    const session = this.#session;
    this.#session = null;
    if (this.#state.role === "leader") this.#holdOffUntil = performance.now() + this.#options.sessionTimeoutMs;
    if (this.#state.role === "leader" || this.#state.reason !== reason) this.#set({ role: "standby", leader: null, reason });
    if (session === null) return;
    session.removeAllListeners("error");
    session.on("error", () => undefined);
    // end() waits for the server's goodbye, which a cut connection never sends: bound it.
    await Promise.race([session.end().catch(() => undefined), new Promise((r) => setTimeout(r, 1000).unref())]);
  }

  #set(state: LeaseState): void {
    const before = this.#state;
    this.#state = state;
    const changed = !this.#announced || before.role !== state.role || (state.role === "leader" && before.role === "leader" && before.token !== state.token);
    this.#announced = true;
    if (changed) this.emit("change", state);
  }
}
