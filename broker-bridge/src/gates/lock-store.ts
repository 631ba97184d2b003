// The locks table: every lock ever requested, pending or decided, in the store (SQLite or PostgreSQL). The pending queue's
// order is the insertion order (seq), which is first-in first-out by definition.

import type { LockStateName, Mode } from "@shipgate/protocol";
import type { MigrationStep, Statement, Store } from "../store";

export interface LockRow {
  seq: number;
  id: string;
  pipeline: string;
  step: string;
  summary: string;
  state: LockStateName;
  requested_at: number;
  expires_at: number;
  decided_at: number | null;
  decided_by: string | null;
  reason: string | null;
  mode: Mode;
  approvals_needed: number;
  approved_by: string[];
  requester: string | null;
  cleared: boolean;
}

interface RawRow extends Omit<LockRow, "approved_by" | "cleared"> {
  approved_by: string;
  cleared: number;
}

// The same table in each dialect: PostgreSQL's INTEGER is 32 bits, too small for millisecond times.
const locksTable = (seq: string, time: string) => `CREATE TABLE locks (
     seq ${seq},
     id TEXT NOT NULL UNIQUE,
     pipeline TEXT NOT NULL,
     step TEXT NOT NULL,
     summary TEXT NOT NULL,
     state TEXT NOT NULL,
     requested_at ${time} NOT NULL,
     expires_at ${time} NOT NULL,
     decided_at ${time},
     decided_by TEXT,
     reason TEXT,
     mode TEXT NOT NULL,
     approvals_needed INTEGER NOT NULL DEFAULT 1,
     approved_by TEXT NOT NULL DEFAULT '[]',
     requester TEXT,
     cleared INTEGER NOT NULL DEFAULT 0
   );
   CREATE INDEX locks_by_state ON locks (state, seq);
   CREATE INDEX locks_uncleared ON locks (cleared, decided_at);`;

const MIGRATIONS: MigrationStep[] = [{ sqlite: locksTable("INTEGER PRIMARY KEY AUTOINCREMENT", "INTEGER"), postgres: locksTable("BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY", "BIGINT") }];

function fromRaw(raw: RawRow): LockRow {
  return { ...raw, approved_by: JSON.parse(raw.approved_by) as string[], cleared: raw.cleared === 1 };
}

export class LockStore {
  readonly #store: Store;
  readonly #insert;
  readonly #update;
  readonly #byId;
  readonly #pending;
  readonly #unclearedDecided;
  readonly #setCleared;
  readonly #decidedBefore;
  readonly #recent;
  readonly #requester;
  readonly #oldestDecision;

  constructor(store: Store) {
    this.#store = store;
    store.migrate("locks", MIGRATIONS);
    const db = store.db;
    this.#insert = db.prepare(
      `INSERT INTO locks (id, pipeline, step, summary, state, requested_at, expires_at, decided_at, decided_by, reason, mode, approvals_needed, approved_by, requester)
       VALUES (@id, @pipeline, @step, @summary, @state, @requested_at, @expires_at, @decided_at, @decided_by, @reason, @mode, @approvals_needed, @approved_by, @requester)
       RETURNING seq`,
    ) as Statement<[Record<string, unknown>], { seq: number }>;
    this.#update = db.prepare(
      `UPDATE locks SET state = @state, decided_at = @decided_at, decided_by = @decided_by, reason = @reason, mode = @mode,
         approved_by = @approved_by, expires_at = @expires_at WHERE id = @id`,
    );
    this.#byId = db.prepare<[string], RawRow>("SELECT * FROM locks WHERE id = ?");
    this.#pending = db.prepare<[], RawRow>("SELECT * FROM locks WHERE state = 'pending' ORDER BY seq");
    this.#unclearedDecided = db.prepare<[], RawRow>("SELECT * FROM locks WHERE state != 'pending' AND cleared = 0 ORDER BY decided_at");
    this.#setCleared = db.prepare("UPDATE locks SET cleared = 1 WHERE id = ?");
    this.#decidedBefore = db.prepare<[number], RawRow>("SELECT * FROM locks WHERE state != 'pending' AND cleared = 0 AND decided_at <= ? ORDER BY decided_at");
    this.#requester = db.prepare<[string], { requester: string | null }>("SELECT requester FROM locks WHERE id = ?");
    this.#recent = db.prepare<[number], RawRow>("SELECT * FROM locks WHERE state != 'pending' ORDER BY decided_at DESC, seq DESC LIMIT ?");
    this.#oldestDecision = db.prepare<[], { at: number | null }>("SELECT MIN(decided_at) AS at FROM locks WHERE cleared = 0 AND decided_at IS NOT NULL");
  }

  insert(row: Omit<LockRow, "seq" | "cleared">): LockRow {
    const inserted = this.#insert.get({ ...row, approved_by: JSON.stringify(row.approved_by) });
    return { ...row, seq: Number(inserted?.seq), cleared: false };
  }

  save(row: LockRow): void {
    this.#update.run({
      id: row.id,
      state: row.state,
      decided_at: row.decided_at,
      decided_by: row.decided_by,
      reason: row.reason,
      mode: row.mode,
      approved_by: JSON.stringify(row.approved_by),
      expires_at: row.expires_at,
    });
  }

  /** Several changes as one transaction: a mode switch decides every pending lock or none. */
  get store(): Store {
    return this.#store;
  }

  transaction<T>(fn: () => T): T {
    return this.#store.db.transaction(fn)();
  }

  get(id: string): LockRow | undefined {
    const raw = this.#byId.get(id);
    return raw === undefined ? undefined : fromRaw(raw);
  }

  pending(): LockRow[] {
    return this.#pending.all().map(fromRaw);
  }

  decidedNotCleared(): LockRow[] {
    return this.#unclearedDecided.all().map(fromRaw);
  }

  /** Decided locks whose retained state is still up and that were decided at or before `at`. */
  decidedBefore(at: number): LockRow[] {
    return this.#decidedBefore.all(at).map(fromRaw);
  }

  /** The user who requested the lock (embedded broker), or null when unknown. */
  requesterOf(id: string): string | null {
    return this.#requester.get(id)?.requester ?? null;
  }

  /** The most recently decided locks, newest first. */
  recentDecided(limit: number): LockRow[] {
    return this.#recent.all(limit).map(fromRaw);
  }

  oldestUnclearedDecision(): number | null {
    return this.#oldestDecision.get()?.at ?? null;
  }

  markCleared(id: string): void {
    this.#setCleared.run(id);
  }
}
