// The lock service: the first-in first-out queue of pending locks, decisions, expiry, cancel, the
// three modes with `until`, and freeze windows (shared/docs/contract.md, "Semantics"). Every change
// is written to SQLite first, then announced on the event bus; the MQTT side (gates-service.ts)
// and every other output only ever see committed state.

import type { LockRequest, LockState, Mode, ModeState } from "@shipgate/protocol";
import type { GatesConfig } from "../config";
import { type Clock, iso } from "../clock";
import type { EventBus } from "../events";
import type { KeyValue } from "../store";
import { activeFreeze, nextFreezeBoundary } from "./freeze";
import type { LockRow, LockStore } from "./lock-store";
import { type Decider, type GatePolicy, deciderLabel } from "./policy";

/** A refusal the requester is told about on its errors topic; nothing changed. */
export class GateRefusal extends Error {
  readonly code = "GATE_REFUSED";
  constructor(readonly field: string, message: string) {
    super(message);
    this.name = "GateRefusal";
  }
}

export interface DecideInput {
  decision: "approve" | "reject";
  /** A given lock; the head of the queue (that this decider may decide) when absent. */
  id?: string | undefined;
  decider: Decider;
  reason?: string | undefined;
}

export interface DecideOutcome {
  lock: LockState;
  /** True when this decision settled the lock; false when it added an approval that is not enough yet. */
  settled: boolean;
}

export interface ModeInput {
  mode: Mode;
  until?: number | null;
  reason?: string | null;
  actor: string;
}

interface StoredMode {
  mode: Mode;
  changed_at: number;
  changed_by: string;
  until: number | null;
  reason: string | null;
}

/** Locks re-announced per turn of the event loop when positions shift. */
const POSITION_SLICE = 250;

/** Which gadgets are online now: the presence service answers it. */
export type OnlineGadgets = () => ReadonlySet<string>;

export class LockService {
  readonly #locks: LockStore;
  readonly #kv: KeyValue;
  readonly #config: GatesConfig;
  readonly #policy: GatePolicy;
  readonly #clock: Clock;
  readonly #bus: EventBus;
  #online: OnlineGadgets = () => new Set();
  /** Pending lock ids in queue order (mirrors SQLite, rebuilt at start). */
  #queue: string[] = [];
  /** What the hot paths need of each pending lock, kept in memory (no query per lock). */
  readonly #meta = new Map<string, { pipeline: string; expires_at: number }>();
  /** 1-based queue positions, recomputed lazily after the queue changes. */
  #positions: Map<string, number> | null = null;
  /** Positions last announced, so only locks whose place changed are republished. */
  readonly #announced = new Map<string, number>();
  #positionsDirty = false;
  /** Where the running position pass has got to in the queue. */
  #positionsFrom = 0;
  #timer: NodeJS.Timeout | undefined;
  #stopped = false;

  constructor(deps: { locks: LockStore; kv: KeyValue; config: GatesConfig; policy: GatePolicy; clock: Clock; bus: EventBus }) {
    this.#locks = deps.locks;
    this.#kv = deps.kv;
    this.#config = deps.config;
    this.#policy = deps.policy;
    this.#clock = deps.clock;
    this.#bus = deps.bus;
    for (const row of this.#locks.pending()) this.#enqueue(row);
  }

  #enqueue(row: LockRow): void {
    this.#queue.push(row.id);
    this.#meta.set(row.id, { pipeline: row.pipeline, expires_at: row.expires_at });
    // Joining at the back moves nobody: extend the position map instead of rebuilding it.
    this.#positions?.set(row.id, this.#queue.length);
  }

  #positionOf(id: string): number {
    if (this.#positions === null) {
      this.#positions = new Map();
      this.#queue.forEach((qid, i) => this.#positions?.set(qid, i + 1));
    }
    return this.#positions.get(id) ?? 0;
  }

  setPresence(online: OnlineGadgets): void {
    this.#online = online;
  }

  // --- queries ---------------------------------------------------------------------------------

  get(id: string): LockState | undefined {
    const row = this.#locks.get(id);
    return row === undefined ? undefined : this.#toState(row);
  }

  pending(): LockState[] {
    return this.#locks.pending().map((row) => this.#toState(row));
  }

  /** Whether the lock's state is still retained on its topic (pending, or decided within the grace period). */
  isRetained(id: string): boolean {
    const row = this.#locks.get(id);
    return row !== undefined && !row.cleared;
  }

  /** Who requested the lock: pipelines may cancel and read only their own. */
  requesterOf(id: string): string | null {
    return this.#locks.requesterOf(id);
  }

  /** The locks decided last, newest first (from the store, so a restart keeps them). */
  recent(limit: number): LockState[] {
    return this.#locks.recentDecided(limit).map((row) => this.#toState(row));
  }

  pendingCount(): number {
    return this.#queue.length;
  }

  /** The first pending lock this decider may decide and has not approved yet. */
  headFor(decider: Decider): LockState | undefined {
    const label = deciderLabel(decider);
    for (const id of this.#queue) {
      const row = this.#locks.get(id);
      if (row === undefined) continue;
      if (row.approved_by.includes(label)) continue;
      if (this.#policy.refusal(decider, row.pipeline, row.step) === null) return this.#toState(row);
    }
    return undefined;
  }

  /** The mode in force now: a freeze window blocks unless an admin set a mode after it began and it has not ended. */
  mode(): ModeState {
    const now = this.#clock.now();
    let stored = this.#storedMode();
    // A mode whose `until` passed is default, even before tick() has written that down.
    if (stored.until !== null && stored.until <= now) stored = { mode: "default", changed_at: stored.until, changed_by: "schedule", until: null, reason: null };
    const freeze = activeFreeze(this.#config.freeze, this.#config.timezone, now);
    // An admin's mode set during a window overrides it until that mode ends; a mode that merely
    // reverted on its own ("schedule") or was never set ("default") is no override.
    const override = stored.changed_at >= (freeze?.started_at ?? 0) && stored.changed_by !== "schedule" && stored.changed_by !== "default";
    if (freeze !== null && !override) {
      return { mode: "blocked", changed_at: iso(freeze.started_at), changed_by: `freeze:${freeze.name}`, until: iso(freeze.ends_at), reason: `freeze window ${freeze.name}` };
    }
    return {
      mode: stored.mode,
      changed_at: iso(stored.changed_at),
      changed_by: stored.changed_by,
      until: stored.until === null ? null : iso(stored.until),
      reason: stored.reason,
    };
  }

  // --- commands --------------------------------------------------------------------------------

  /** A pipeline asks for a lock. The same id again is the same lock (returned, not re-created). */
  request(req: LockRequest, requester: string | null): { lock: LockState; created: boolean } {
    const existing = this.#locks.get(req.id);
    if (existing !== undefined) {
      if (existing.pipeline !== req.pipeline || existing.step !== req.step) {
        throw new GateRefusal("id", `lock id ${req.id} is already used by ${existing.pipeline}/${existing.step}`);
      }
      return { lock: this.#toState(existing), created: false };
    }
    let pendingForPipeline = 0;
    for (const meta of this.#meta.values()) if (meta.pipeline === req.pipeline) pendingForPipeline++;
    if (pendingForPipeline >= this.#config.max_pending_per_pipeline) {
      throw new GateRefusal("pipeline", `pipeline ${req.pipeline} already has ${pendingForPipeline} pending locks (limit ${this.#config.max_pending_per_pipeline})`);
    }
    const now = this.#clock.now();
    const mode = this.mode();
    const timeoutMs = req.timeout_s !== undefined ? req.timeout_s * 1000 : this.#config.default_timeout_ms;
    const base: Omit<LockRow, "seq" | "cleared"> = {
      id: req.id, pipeline: req.pipeline, step: req.step, summary: req.summary ?? "",
      state: "pending", requested_at: now, expires_at: now + timeoutMs, decided_at: null, decided_by: null,
      reason: null, mode: mode.mode, approvals_needed: this.#policy.approvalsNeeded(req.pipeline, req.step),
      approved_by: [], requester,
    };
    if (mode.mode === "released") {
      base.state = "approved";
      base.decided_at = now;
      base.decided_by = "mode:released";
      base.reason = mode.reason ?? "released mode";
    } else if (mode.mode === "blocked") {
      base.state = "rejected";
      base.decided_at = now;
      base.decided_by = mode.changed_by.startsWith("freeze:") ? mode.changed_by : "mode:blocked";
      base.reason = mode.reason ?? "blocked mode";
    }
    // The wait reason is known before the row is written, so a request costs one commit.
    if (base.state === "pending") base.reason = this.#waitReason({ ...base, seq: 0, cleared: false });
    const row = this.#locks.insert(base);
    if (row.state === "pending") this.#enqueue(row);
    const lock = this.#announce(row);
    if (row.state !== "pending") this.#bus.emit("lock:decided", { lock });
    this.#audit(requester === null ? "pipeline" : `user:${requester}`, "lock.request", row.id, { pipeline: row.pipeline, step: row.step, state: row.state });
    if (row.state !== "pending") this.#audit(row.decided_by ?? "mode", `lock.${row.state === "approved" ? "approve" : "reject"}`, row.id, { by_mode: mode.mode });
    this.#reschedule();
    return { lock, created: true };
  }

  /** A pipeline withdraws its pending lock. Cancelling a decided lock changes nothing. */
  cancel(id: string, actor: string): LockState {
    const row = this.#locks.get(id);
    if (row === undefined) throw new GateRefusal("id", `no lock ${id}`);
    if (row.state !== "pending") return this.#toState(row);
    this.#settle(row, "cancelled", actor, "cancelled by its pipeline");
    this.#audit(actor, "lock.cancel", id, { pipeline: row.pipeline, step: row.step });
    this.#reschedule();
    return this.#toState(row);
  }

  decide(input: DecideInput): DecideOutcome {
    const label = deciderLabel(input.decider);
    let row: LockRow | undefined;
    if (input.id !== undefined) {
      row = this.#locks.get(input.id);
      if (row === undefined) throw new GateRefusal("id", `no lock ${input.id}`);
      if (row.state !== "pending") throw new GateRefusal("id", `lock ${input.id} is already ${row.state}`);
      const refusal = this.#policy.refusal(input.decider, row.pipeline, row.step);
      if (refusal !== null) {
        this.#audit(label, "lock.denied", row.id, { decision: input.decision, why: refusal });
        throw new GateRefusal("id", refusal);
      }
    } else {
      const head = this.headFor(input.decider);
      if (head === undefined) throw new GateRefusal("id", this.#queue.length === 0 ? "no lock is pending" : `no pending lock that ${label} may decide`);
      row = this.#locks.get(head.id);
      if (row === undefined) throw new GateRefusal("id", "no lock is pending");
    }
    if (input.decision === "reject") {
      this.#settle(row, "rejected", label, input.reason ?? `rejected by ${label}`);
      this.#audit(label, "lock.reject", row.id, { pipeline: row.pipeline, step: row.step, reason: input.reason ?? null });
      this.#reschedule();
      return { lock: this.#toState(row), settled: true };
    }
    if (row.approved_by.includes(label)) {
      throw new GateRefusal("id", `${label} already approved ${row.pipeline}/${row.step}; it needs another person`);
    }
    row.approved_by = [...row.approved_by, label];
    this.#audit(label, "lock.approve", row.id, { pipeline: row.pipeline, step: row.step, approvals: row.approved_by.length, needed: row.approvals_needed });
    if (row.approved_by.length >= row.approvals_needed) {
      this.#settle(row, "approved", row.approved_by.join(","), input.reason ?? null);
      this.#reschedule();
      return { lock: this.#toState(row), settled: true };
    }
    row.reason = this.#waitReason(row);
    this.#locks.save(row);
    return { lock: this.#announce(row), settled: false };
  }

  setMode(input: ModeInput): ModeState {
    const now = this.#clock.now();
    if (input.until !== undefined && input.until !== null && input.until <= now) {
      throw new GateRefusal("until", "until must be in the future");
    }
    const stored: StoredMode = {
      mode: input.mode, changed_at: now, changed_by: input.actor,
      // `until` on default only matters during a freeze window: the override ends then.
      until: input.until ?? null, reason: input.reason ?? null,
    };
    this.#kv.set("gates.mode", stored);
    this.#audit(input.actor, "mode.change", "mode", { mode: input.mode, until: stored.until === null ? null : iso(stored.until), reason: stored.reason });
    this.#applyMode();
    return this.mode();
  }

  /** Expires due locks, reverts modes whose `until` passed, follows freeze windows, clears old retained states. */
  tick(): void {
    const now = this.#clock.now();
    const stored = this.#storedMode();
    if (stored.until !== null && stored.until <= now) {
      this.#kv.set("gates.mode", { mode: "default", changed_at: now, changed_by: "schedule", until: null, reason: `${stored.mode} until ${iso(stored.until)} ended` } satisfies StoredMode);
      this.#audit("schedule", "mode.change", "mode", { mode: "default", previous: stored.mode });
    }
    this.#applyMode();
    for (const [id, meta] of [...this.#meta]) {
      if (meta.expires_at > now) continue;
      const row = this.#locks.get(id);
      if (row !== undefined && row.state === "pending") {
        this.#settle(row, "expired", "timeout", `nobody decided within ${Math.round((row.expires_at - row.requested_at) / 1000)} s`, row.expires_at);
        this.#audit("timeout", "lock.expire", row.id, { pipeline: row.pipeline, step: row.step });
      }
    }
    for (const row of this.#locks.decidedBefore(now - this.#config.grace_ms)) {
      this.#locks.markCleared(row.id);
      this.#bus.emit("lock:cleared", { id: row.id });
    }
    this.#reschedule();
  }

  /** Announces everything at start: the mode and every pending or not yet cleared lock. */
  start(): void {
    // The first start records the default mode, so "set by default" carries a real time.
    if (this.#kv.get<StoredMode>("gates.mode") === undefined) {
      this.#kv.set("gates.mode", { mode: "default", changed_at: this.#clock.now(), changed_by: "default", until: null, reason: null } satisfies StoredMode);
    }
    this.#bus.emit("mode:changed", { mode: this.mode() });
    this.#lastMode = this.mode().mode;
    for (const row of this.#locks.decidedNotCleared()) this.#bus.emit("lock:changed", { lock: this.#toState(row) });
    for (const row of this.#locks.pending()) {
      row.reason = this.#waitReason(row);
      this.#announce(row);
    }
    this.tick();
  }

  /** Presence changed: wait reasons ("no gadget online") may change. */
  presenceChanged(): void {
    for (const row of this.#locks.pending()) {
      const reason = this.#waitReason(row);
      if (reason !== row.reason) {
        row.reason = reason;
        this.#locks.save(row);
        this.#announce(row);
      }
    }
  }

  stop(): void {
    this.#stopped = true;
    this.#clock.clearTimeout(this.#timer);
  }

  // --- internals -------------------------------------------------------------------------------

  #lastMode: Mode | null = null;

  #storedMode(): StoredMode {
    return this.#kv.get<StoredMode>("gates.mode") ?? { mode: "default", changed_at: 0, changed_by: "default", until: null, reason: null };
  }

  /** Released approves, blocked rejects, every pending lock at once (one transaction). */
  #applyMode(): void {
    const mode = this.mode();
    const changed = mode.mode !== this.#lastMode;
    this.#lastMode = mode.mode;
    if (mode.mode !== "default" && this.#queue.length > 0) {
      this.#locks.transaction(() => {
        for (const id of [...this.#queue]) {
          const row = this.#locks.get(id);
          if (row === undefined) continue;
          const by = mode.changed_by.startsWith("freeze:") ? mode.changed_by : `mode:${mode.mode}`;
          row.mode = mode.mode;
          this.#settle(row, mode.mode === "released" ? "approved" : "rejected", by, mode.reason ?? `${mode.mode} mode`);
          this.#audit(by, mode.mode === "released" ? "lock.approve" : "lock.reject", row.id, { by_mode: mode.mode });
        }
      });
    }
    if (changed) {
      this.#bus.emit("mode:changed", { mode });
      this.#bus.emit("view:invalidate", { reason: "mode" });
    }
  }

  #settle(row: LockRow, state: LockRow["state"], by: string, reason: string | null, at?: number): void {
    const now = at ?? this.#clock.now();
    row.state = state;
    row.decided_at = now;
    row.decided_by = by;
    row.reason = reason;
    this.#locks.save(row);
    if (this.#meta.delete(row.id)) {
      const at = this.#positionOf(row.id) - 1;
      this.#queue.splice(at >= 0 ? at : this.#queue.indexOf(row.id), 1);
      this.#positions = null;
      this.#announced.delete(row.id);
      if (at < this.#queue.length) this.#schedulePositions();
    }
    const lock = this.#announce(row);
    this.#bus.emit("lock:decided", { lock });
  }

  #announce(row: LockRow, positionOnly = false): LockState {
    const lock = this.#toState(row);
    if (lock.position !== null) this.#announced.set(lock.id, lock.position);
    this.#bus.emit("lock:changed", positionOnly ? { lock, positionOnly } : { lock });
    this.#bus.emit("view:invalidate", { reason: "lock" });
    return lock;
  }

  /**
   * Positions behind a removed lock shift; announce them once per burst of decisions, a slice per
   * turn of the event loop. With thousands waiting, one synchronous pass would hold up every other
   * message (and overflowed aedes' stack in the scale benchmark); a decision made meanwhile simply
   * restarts the pass from the head.
   */
  #schedulePositions(): void {
    this.#positionsFrom = 0;
    if (this.#positionsDirty) return;
    this.#positionsDirty = true;
    const step = () => {
      if (this.#stopped) return;
      const from = this.#positionsFrom;
      const to = Math.min(this.#queue.length, from + POSITION_SLICE);
      for (let i = from; i < to; i++) {
        const id = this.#queue[i] as string;
        if (this.#announced.get(id) === i + 1) continue;
        const row = this.#locks.get(id);
        if (row !== undefined && row.state === "pending") this.#announce(row, true);
      }
      this.#positionsFrom = to;
      if (to < this.#queue.length) setImmediate(step);
      else this.#positionsDirty = false;
    };
    setImmediate(step);
  }

  #waitReason(row: LockRow): string | null {
    const parts: string[] = [];
    if (row.approvals_needed > 1) {
      const left = row.approvals_needed - row.approved_by.length;
      parts.push(`needs ${left} more approval${left === 1 ? "" : "s"} from distinct people` + (row.approved_by.length ? ` (approved by ${row.approved_by.join(", ")})` : ""));
    }
    const candidates = this.#policy.configuredGadgets.length > 0 ? this.#policy.candidateGadgets(row.pipeline, row.step) : null;
    if (candidates !== null) {
      const online = this.#online();
      const up = candidates.filter((g) => online.has(g));
      if (up.length === 0) {
        parts.push(candidates.length === 0
          ? "no gadget may decide this lock; an admin must decide it"
          : `no gadget that may decide it is online (${candidates.join(", ")} offline); an admin can decide it from the dashboard or CLI`);
      } else if (up.length < row.approvals_needed - row.approved_by.length) {
        parts.push(`only ${up.length} of the gadgets that may decide it are online (${up.join(", ")})`);
      }
    }
    return parts.length === 0 ? null : parts.join("; ");
  }

  #toState(row: LockRow): LockState {
    const pending = row.state === "pending";
    const position = pending ? this.#positionOf(row.id) : 0;
    const lock: LockState = {
      id: row.id, pipeline: row.pipeline, step: row.step, summary: row.summary, state: row.state,
      position: pending && position > 0 ? position : null,
      requested_at: iso(row.requested_at),
      decided_at: row.decided_at === null ? null : iso(row.decided_at),
      decided_by: row.decided_by,
      time_locked_ms: row.decided_at === null ? null : row.decided_at - row.requested_at,
      mode: row.mode, reason: row.reason,
    };
    if (row.approvals_needed > 1) {
      lock.approvals_needed = Math.max(0, row.approvals_needed - row.approved_by.length);
      lock.approved_by = row.approved_by;
    }
    if (pending) lock.expires_at = iso(row.expires_at);
    return lock;
  }

  #audit(actor: string, action: string, subject: string, detail?: Record<string, unknown>): void {
    this.#bus.emit("audit", detail === undefined ? { actor, action, subject } : { actor, action, subject, detail });
  }

  /** One timer for the next thing that happens by itself: an expiry, an `until`, a freeze edge, a clear. */
  #reschedule(): void {
    if (this.#stopped) return;
    const now = this.#clock.now();
    let next = Number.POSITIVE_INFINITY;
    for (const meta of this.#meta.values()) if (meta.expires_at < next) next = meta.expires_at;
    const until = this.#storedMode().until;
    if (until !== null) next = Math.min(next, until);
    const edge = nextFreezeBoundary(this.#config.freeze, this.#config.timezone, now);
    if (edge !== null) next = Math.min(next, edge);
    const oldest = this.#locks.oldestUnclearedDecision();
    if (oldest !== null) next = Math.min(next, oldest + this.#config.grace_ms);
    this.#clock.clearTimeout(this.#timer);
    this.#timer = undefined;
    if (!Number.isFinite(next)) return;
    this.#timer = this.#clock.setTimeout(() => this.tick(), Math.max(0, next - now));
  }
}
