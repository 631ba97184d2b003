// The lock service: the first-in first-out queue of pending locks, decisions, expiry, cancel, the
// three modes with `until`, and freeze windows (shared/docs/contract.md, "Semantics"). Every change
// commits in ONE SQLite transaction with its audit row (and, for an admin command, the answer to
// its request id); only then is it announced on the event bus, so the MQTT side (gates-service.ts)
// and every other output only ever see committed state, and audit and decision always agree.
// The pieces: lock-queue.ts (order, positions), position-announcer.ts, mode-state.ts,
// lock-text.ts (row mapping, wait reasons), lock-timer.ts, request-log.ts.

import type { AdminReply, LockRequest, LockState, Mode, ModeState } from "@shipgate/protocol";
import { AuditLog } from "../audit-log";
import type { GatesConfig } from "../config";
import { type Clock, iso } from "../clock";
import type { EventBus } from "../events";
import type { KeyValue } from "../store";
import { nextFreezeBoundary } from "./freeze";
import { GateRefusal, LockCommitter } from "./lock-commit";
import { LockQueries } from "./lock-queries";
import { LockQueue } from "./lock-queue";
import type { LockRow } from "./lock-store";
import { newLockRow, waitReason } from "./lock-text";
import { LockTimer } from "./lock-timer";
import type { DecideInput, DecideOutcome, LockServiceDeps, ModeInput, OnlineGadgets, RequestKey } from "./lock-types";
import { type StoredMode, hasStoredMode, modeInForce, saveMode, storedMode } from "./mode-state";
import { deciderLabel } from "./policy";
import { PositionAnnouncer } from "./position-announcer";
import { REQUEST_LOG_TTL_MS, RequestLog } from "./request-log";

export { GateRefusal };
export type { DecideInput, DecideOutcome, LockServiceDeps, ModeInput, OnlineGadgets, RequestKey };

export class LockService extends LockQueries {
  readonly #kv: KeyValue;
  readonly #config: GatesConfig;
  readonly #clock: Clock;
  readonly #bus: EventBus;
  readonly #requests: RequestLog;
  #online: OnlineGadgets = () => new Set();
  readonly #positions: PositionAnnouncer;
  readonly #timer: LockTimer;
  readonly #tx: LockCommitter;
  #lastMode: Mode | null = null;

  constructor(deps: LockServiceDeps) {
    super(deps.locks, new LockQueue(), deps.policy);
    this.#kv = deps.kv;
    this.#config = deps.config;
    this.#clock = deps.clock;
    this.#bus = deps.bus;
    this.#requests = deps.requests ?? new RequestLog(deps.locks.store);
    const auditLog = deps.audit ?? new AuditLog(deps.locks.store);
    this.#tx = new LockCommitter(this.locks, auditLog, this.#clock, this.#bus, () => this.queue.reset(this.locks.pending()));
    // Without a reporter (unit tests), a background failure is written to stderr; never thrown.
    const onError = deps.onBackgroundError ?? ((what: string, err: unknown) => console.error(`gates ${what} failed:`, err));
    this.#positions = new PositionAnnouncer(
      this.queue,
      (id) => {
        const row = this.locks.get(id);
        if (row !== undefined && row.state === "pending") this.#announce(row, true);
      },
      (err) => onError("positions", err),
      (fn) => this.#clock.defer(fn, "gates-positions"),
    );
    this.#timer = new LockTimer(
      this.#clock,
      () => this.tick(),
      (err) => onError("tick", err),
    );
    this.queue.reset(this.locks.pending());
  }

  setPresence(online: OnlineGadgets): void {
    this.#online = online;
  }

  /** The mode in force now: a freeze window blocks unless an admin set a mode after it began and it has not ended. */
  mode(): ModeState {
    return modeInForce(this.#kv, this.#config, this.#clock.now());
  }

  // --- commands --------------------------------------------------------------------------------

  /** A pipeline asks for a lock. The same id again is the same lock (returned, not re-created). */
  request(req: LockRequest, requester: string | null): { lock: LockState; created: boolean } {
    const existing = this.locks.get(req.id);
    if (existing !== undefined) {
      if (existing.pipeline !== req.pipeline || existing.step !== req.step || (requester !== null && existing.requester !== null && existing.requester !== requester)) {
        throw new GateRefusal("id", `lock id ${req.id} is already used by ${existing.pipeline}/${existing.step}`);
      }
      return { lock: this.toState(existing), created: false };
    }
    // Counted per requesting user: another user's locks never use up this one's quota.
    const mine = this.queue.count((m) => m.pipeline === req.pipeline && m.requester === requester);
    if (mine >= this.#config.max_pending_per_pipeline) {
      throw new GateRefusal(
        "pipeline",
        `pipeline ${req.pipeline} already has ${mine} pending lock${mine === 1 ? "" : "s"}${requester === null ? "" : ` from ${requester}`} (limit ${this.#config.max_pending_per_pipeline})`,
      );
    }
    const mode = this.mode();
    const base = newLockRow(req, requester, mode, this.#clock.now(), this.#config.default_timeout_ms, this.policy.approvalsNeeded(req.pipeline, req.step));
    // The wait reason is known before the row is written, so a request costs one commit.
    if (base.state === "pending") base.reason = this.#waitReason({ ...base, seq: 0, cleared: false });
    const lock = this.#tx.commit(() => {
      const row = this.locks.insert(base);
      if (row.state === "pending") this.queue.add(row);
      const state = this.#announce(row);
      this.#tx.audit(requester === null ? "pipeline" : `user:${requester}`, "lock.request", row.id, { pipeline: row.pipeline, step: row.step, state: row.state });
      if (row.state !== "pending") {
        this.#tx.later(() => this.#bus.emit("lock:decided", { lock: state }));
        this.#tx.audit(row.decided_by ?? "mode", `lock.${row.state === "approved" ? "approve" : "reject"}`, row.id, { by_mode: mode.mode });
      }
      return state;
    });
    this.#reschedule();
    return { lock, created: true };
  }

  /** A pipeline withdraws its pending lock. Cancelling a decided lock changes nothing. */
  cancel(id: string, actor: string): LockState {
    const row = this.locks.get(id);
    if (row === undefined) throw new GateRefusal("id", `no lock ${id}`);
    if (row.state !== "pending") return this.toState(row);
    this.#tx.commit(() => {
      this.#settle(row, "cancelled", actor, "cancelled by its pipeline");
      this.#tx.audit(actor, "lock.cancel", id, { pipeline: row.pipeline, step: row.step });
    });
    this.#reschedule();
    return this.toState(row);
  }

  decide(input: DecideInput): DecideOutcome {
    const outcome = this.#tx.commit(() => this.#decide(input));
    this.#reschedule();
    return outcome;
  }

  /**
   * Runs an admin command once per request id: the answer commits with the change it reports, and
   * the same id again (a re-send after a restart) gets that answer back without acting twice.
   */
  once(key: RequestKey, command: () => unknown): AdminReply {
    const reply = this.#tx.commit(() => {
      const earlier = this.#requests.lookup(key.user, key.correlation);
      if (earlier !== undefined) return earlier.reply;
      let answer: AdminReply;
      try {
        answer = { ok: true, result: command() };
      } catch (err) {
        if (!(err instanceof GateRefusal)) throw err;
        answer = { ok: false, error: err.message };
      }
      this.#requests.record(key.user, key.correlation, key.command, answer, this.#clock.now());
      return answer;
    });
    this.#reschedule();
    return reply;
  }

  setMode(input: ModeInput): ModeState {
    const now = this.#clock.now();
    if (input.until !== undefined && input.until !== null && input.until <= now) {
      throw new GateRefusal("until", "until must be in the future");
    }
    const stored: StoredMode = {
      mode: input.mode,
      changed_at: now,
      changed_by: input.actor,
      // `until` on default only matters during a freeze window: the override ends then.
      until: input.until ?? null,
      reason: input.reason ?? null,
    };
    this.#tx.commit(() => {
      saveMode(this.#kv, stored);
      this.#tx.audit(input.actor, "mode.change", "mode", { mode: input.mode, until: stored.until === null ? null : iso(stored.until), reason: stored.reason });
      this.#applyMode();
    });
    this.#reschedule();
    return this.mode();
  }

  /** Expires due locks, reverts modes whose `until` passed, follows freeze windows, clears old retained states. */
  tick(): void {
    const now = this.#clock.now();
    const stored = storedMode(this.#kv);
    this.#tx.commit(() => {
      if (stored.until !== null && stored.until <= now) {
        saveMode(this.#kv, { mode: "default", changed_at: now, changed_by: "schedule", until: null, reason: `${stored.mode} until ${iso(stored.until)} ended` });
        this.#tx.audit("schedule", "mode.change", "mode", { mode: "default", previous: stored.mode });
      }
      this.#applyMode();
    });
    for (const [id, meta] of [...this.queue.entries()]) {
      if (meta.expires_at > now) continue;
      const row = this.locks.get(id);
      if (row === undefined || row.state !== "pending") continue;
      this.#tx.commit(() => {
        this.#settle(row, "expired", "timeout", `nobody decided within ${Math.round((row.expires_at - row.requested_at) / 1000)} s`, row.expires_at);
        this.#tx.audit("timeout", "lock.expire", row.id, { pipeline: row.pipeline, step: row.step });
      });
    }
    for (const row of this.locks.decidedBefore(now - this.#config.grace_ms)) {
      this.locks.markCleared(row.id);
      this.#bus.emit("lock:cleared", { id: row.id });
    }
    this.#requests.prune(now - REQUEST_LOG_TTL_MS);
    this.#reschedule();
  }

  /** Announces everything at start: the mode and every pending or not yet cleared lock. */
  start(): void {
    // The first start records the default mode, so "set by default" carries a real time.
    if (!hasStoredMode(this.#kv)) saveMode(this.#kv, { mode: "default", changed_at: this.#clock.now(), changed_by: "default", until: null, reason: null });
    this.#bus.emit("mode:changed", { mode: this.mode() });
    this.#lastMode = this.mode().mode;
    for (const row of this.locks.decidedNotCleared()) this.#bus.emit("lock:changed", { lock: this.toState(row) });
    for (const row of this.locks.pending()) {
      row.reason = this.#waitReason(row);
      this.#announce(row);
    }
    this.tick();
  }

  /** Presence changed: wait reasons ("no gadget online") may change. */
  presenceChanged(): void {
    for (const row of this.locks.pending()) {
      const reason = this.#waitReason(row);
      if (reason !== row.reason) {
        row.reason = reason;
        this.locks.save(row);
        this.#announce(row);
      }
    }
  }

  stop(): void {
    this.#positions.stop();
    this.#timer.stop();
  }

  // --- internals -------------------------------------------------------------------------------

  #decide(input: DecideInput): DecideOutcome {
    const label = deciderLabel(input.decider);
    let row: LockRow | undefined;
    if (input.id !== undefined) {
      row = this.locks.get(input.id);
      if (row === undefined) throw new GateRefusal("id", `no lock ${input.id}`);
      if (row.state !== "pending") throw new GateRefusal("id", `lock ${input.id} is already ${row.state}`);
      const refusal = this.policy.refusal(input.decider, row.pipeline, row.step);
      if (refusal !== null) {
        // Kept: #commit commits what was written before a GateRefusal (this row only).
        this.#tx.audit(label, "lock.denied", row.id, { decision: input.decision, why: refusal });
        throw new GateRefusal("id", refusal);
      }
    } else {
      const head = this.headFor(input.decider);
      if (head === undefined) throw new GateRefusal("id", this.queue.length === 0 ? "no lock is pending" : `no pending lock that ${label} may decide`);
      row = this.locks.get(head.id);
      if (row === undefined) throw new GateRefusal("id", "no lock is pending");
    }
    if (input.decision === "reject") {
      this.#settle(row, "rejected", label, input.reason ?? `rejected by ${label}`);
      this.#tx.audit(label, "lock.reject", row.id, { pipeline: row.pipeline, step: row.step, reason: input.reason ?? null });
      return { lock: this.toState(row), settled: true };
    }
    if (row.approved_by.includes(label)) {
      throw new GateRefusal("id", `${label} already approved ${row.pipeline}/${row.step}; it needs another person`);
    }
    row.approved_by = [...row.approved_by, label];
    const pressed = !this.policy.requiresGadget(row.pipeline, row.step) || row.approved_by.some((a) => a.startsWith("gadget:"));
    if (row.approved_by.length >= row.approvals_needed && pressed) {
      this.#settle(row, "approved", row.approved_by.join(","), input.reason ?? null);
      this.#tx.audit(label, "lock.approve", row.id, { pipeline: row.pipeline, step: row.step, approvals: row.approved_by.length, needed: row.approvals_needed, settled: true });
      return { lock: this.toState(row), settled: true };
    }
    row.reason = this.#waitReason(row);
    this.locks.save(row);
    this.#tx.audit(label, "lock.approve", row.id, { pipeline: row.pipeline, step: row.step, approvals: row.approved_by.length, needed: row.approvals_needed, settled: false });
    return { lock: this.#announce(row), settled: false };
  }

  /** Released approves, blocked rejects, every pending lock at once (inside the caller's transaction). */
  #applyMode(): void {
    const mode = this.mode();
    const changed = mode.mode !== this.#lastMode;
    this.#lastMode = mode.mode;
    if (mode.mode !== "default" && this.queue.length > 0) {
      for (const id of [...this.queue.ids()]) {
        const row = this.locks.get(id);
        if (row === undefined) continue;
        const by = mode.changed_by.startsWith("freeze:") ? mode.changed_by : `mode:${mode.mode}`;
        row.mode = mode.mode;
        this.#settle(row, mode.mode === "released" ? "approved" : "rejected", by, mode.reason ?? `${mode.mode} mode`);
        this.#tx.audit(by, mode.mode === "released" ? "lock.approve" : "lock.reject", row.id, { by_mode: mode.mode });
      }
    }
    if (changed) {
      this.#tx.later(() => {
        this.#bus.emit("mode:changed", { mode });
        this.#bus.emit("view:invalidate", { reason: "mode" });
      });
    }
  }

  #settle(row: LockRow, state: LockRow["state"], by: string, reason: string | null, at?: number): void {
    row.state = state;
    row.decided_at = at ?? this.#clock.now();
    row.decided_by = by;
    row.reason = reason;
    this.locks.save(row);
    const index = this.queue.remove(row.id);
    if (index >= 0) {
      this.#positions.announced(row.id, null);
      if (index < this.queue.length) this.#tx.later(() => this.#positions.schedule());
    }
    const lock = this.#announce(row);
    this.#tx.later(() => this.#bus.emit("lock:decided", { lock }));
  }

  #announce(row: LockRow, positionOnly = false): LockState {
    const lock = this.toState(row);
    this.#positions.announced(lock.id, lock.position);
    this.#tx.later(() => {
      this.#bus.emit("lock:changed", positionOnly ? { lock, positionOnly } : { lock });
      this.#bus.emit("view:invalidate", { reason: "lock" });
    });
    return lock;
  }

  #waitReason(row: LockRow): string | null {
    return waitReason(row, this.policy, this.#online());
  }

  /** One timer for the next thing that happens by itself: an expiry, an `until`, a freeze edge, a clear. */
  #reschedule(): void {
    const now = this.#clock.now();
    let next = this.queue.earliestExpiry();
    const until = storedMode(this.#kv).until;
    if (until !== null) next = Math.min(next, until);
    const edge = nextFreezeBoundary(this.#config.freeze, this.#config.timezone, now);
    if (edge !== null) next = Math.min(next, edge);
    const oldest = this.locks.oldestUnclearedDecision();
    if (oldest !== null) next = Math.min(next, oldest + this.#config.grace_ms);
    this.#timer.at(next);
  }
}
