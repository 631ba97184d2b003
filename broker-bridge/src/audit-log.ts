// The audit table itself: one append-only table shared by whoever must write a row in the
// same transaction as the change it records (the gates: decision, lock state and audit row commit
// together). Rows are never deleted; the only update is an aggregate's count (auth.connect.denied).

import type { AuditEntry } from "./events";
import type { MigrationStep, Statement, Store } from "./store";

const auditTable = (id: string, time: string) => `CREATE TABLE audit (id ${id}, at ${time} NOT NULL, actor TEXT NOT NULL,
     action TEXT NOT NULL, subject TEXT NOT NULL, detail TEXT)`;

const MIGRATIONS: MigrationStep[] = [
  { sqlite: auditTable("INTEGER PRIMARY KEY AUTOINCREMENT", "INTEGER"), postgres: auditTable("BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY", "BIGINT") },
  "CREATE INDEX audit_by_subject ON audit (subject, id)",
];

export class AuditLog {
  readonly #insert;
  readonly #setDetail;

  constructor(store: Store) {
    store.migrate("audit", MIGRATIONS);
    this.#insert = store.db.prepare<[number, string, string, string, string | null], { id: number }>(
      "INSERT INTO audit (at, actor, action, subject, detail) VALUES (?, ?, ?, ?, ?) RETURNING id",
    ) as Statement<[number, string, string, string, string | null], { id: number }>;
    this.#setDetail = store.db.prepare("UPDATE audit SET detail = ? WHERE id = ?");
  }

  /** Appends a row; returns its id. Throws when the store refuses (the caller's transaction rolls back). */
  append(entry: AuditEntry, at: number): number {
    const inserted = this.#insert.get(at, entry.actor, entry.action, entry.subject, entry.detail === undefined ? null : JSON.stringify(entry.detail));
    return Number(inserted?.id);
  }

  /** Rewrites an aggregate row's detail (its count). */
  updateDetail(id: number, detail: Record<string, unknown>): void {
    this.#setDetail.run(JSON.stringify(detail), id);
  }
}
