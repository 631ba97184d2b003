// One transaction per change: the lock rows, the audit rows and an admin command's answer commit
// together, and what the change announces on the event bus goes out only after the commit (issue
// 13: "a decision, the lock's new state and its audit row commit in one transaction").

import type { AuditLog } from "../audit-log";
import type { Clock } from "../clock";
import type { AuditEntry, EventBus } from "../events";
import type { LockStore } from "./lock-store";

/** A refusal the requester is told about on its errors topic; nothing changed. */
export class GateRefusal extends Error {
  readonly code = "GATE_REFUSED";
  constructor(
    readonly field: string,
    message: string,
  ) {
    super(message);
    this.name = "GateRefusal";
  }
}

export class LockCommitter {
  /** Announcements of the transaction in progress, run once it has committed. */
  #outbox: (() => void)[] | null = null;

  constructor(
    private readonly locks: LockStore,
    private readonly auditLog: AuditLog,
    private readonly clock: Clock,
    private readonly bus: EventBus,
    /** Called after a rollback, so in-memory state can be rebuilt from the store. */
    private readonly rolledBack: () => void,
  ) {}

  /**
   * Runs fn in one SQLite transaction. A GateRefusal still commits what was written before it (the
   * audit row of a denied decision); any other error rolls everything back.
   */
  commit<T>(fn: () => T): T {
    if (this.#outbox !== null) return fn();
    const outbox: (() => void)[] = [];
    this.#outbox = outbox;
    let result: { ok: true; value: T } | { ok: false; refusal: GateRefusal };
    try {
      result = this.locks.transaction(() => {
        try {
          return { ok: true as const, value: fn() };
        } catch (err) {
          if (err instanceof GateRefusal) return { ok: false as const, refusal: err };
          throw err;
        }
      });
    } catch (err) {
      this.#outbox = null;
      this.rolledBack();
      throw err;
    }
    this.#outbox = null;
    for (const announce of outbox) announce();
    if (!result.ok) throw result.refusal;
    return result.value;
  }

  /** Runs now, or after the transaction in progress commits. */
  later(fn: () => void): void {
    if (this.#outbox !== null) this.#outbox.push(fn);
    else fn();
  }

  /** Writes the audit row now, in the transaction in progress; tells the bus once it committed. */
  audit(actor: string, action: string, subject: string, detail?: Record<string, unknown>): void {
    const entry: AuditEntry = detail === undefined ? { actor, action, subject } : { actor, action, subject, detail };
    this.auditLog.append(entry, this.clock.now());
    this.later(() => this.bus.emit("audit", { ...entry, stored: true }));
  }
}
