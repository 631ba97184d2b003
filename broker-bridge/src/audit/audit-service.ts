// The audit log: every decision, mode change, sync and refusal, appended to SQLite with who, what,
// when and what it concerns. Rows are never updated or deleted by the bridge.

import type { AuditEntry } from "../events";
import { iso } from "../clock";
import type { Service, ServiceContext } from "../service";

export interface AuditRow {
  id: number;
  at: string;
  actor: string;
  action: string;
  subject: string;
  detail: Record<string, unknown> | null;
}

export class AuditService implements Service {
  readonly name = "audit";
  #ctx: ServiceContext | null = null;
  #insert: ((entry: AuditEntry & { at: number }) => void) | null = null;

  start(ctx: ServiceContext): void {
    this.#ctx = ctx;
    ctx.store.migrate("audit", [
      `CREATE TABLE audit (id INTEGER PRIMARY KEY AUTOINCREMENT, at INTEGER NOT NULL, actor TEXT NOT NULL,
         action TEXT NOT NULL, subject TEXT NOT NULL, detail TEXT)`,
      "CREATE INDEX audit_by_subject ON audit (subject, id)",
    ]);
    const stmt = ctx.store.db.prepare("INSERT INTO audit (at, actor, action, subject, detail) VALUES (?, ?, ?, ?, ?)");
    this.#insert = (e) => void stmt.run(e.at, e.actor, e.action, e.subject, e.detail === undefined ? null : JSON.stringify(e.detail));
    ctx.bus.on("audit", (entry) => {
      this.#insert?.({ ...entry, at: ctx.clock.now() });
      ctx.log.info({ audit: entry }, `${entry.actor} ${entry.action} ${entry.subject}`);
    });
    ctx.http.get("/api/audit", async (req) => {
      const q = req.query as { limit?: string; subject?: string };
      return { entries: this.recent(Math.min(Number(q.limit ?? 100) || 100, 1000), q.subject) };
    });
  }

  recent(limit = 100, subject?: string): AuditRow[] {
    const db = this.#ctx?.store.db;
    if (!db) return [];
    const rows = (subject
      ? db.prepare("SELECT * FROM audit WHERE subject = ? ORDER BY id DESC LIMIT ?").all(subject, limit)
      : db.prepare("SELECT * FROM audit ORDER BY id DESC LIMIT ?").all(limit)) as { id: number; at: number; actor: string; action: string; subject: string; detail: string | null }[];
    return rows.map((r) => ({ id: r.id, at: iso(r.at), actor: r.actor, action: r.action, subject: r.subject, detail: r.detail === null ? null : (JSON.parse(r.detail) as Record<string, unknown>) }));
  }
}
