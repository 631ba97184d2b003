// The audit log: every decision, mode change, sync and refusal, appended to SQLite with who, what,
// when and what it concerns. Rows are never updated or deleted by the bridge.

import type { AuditEntry } from "../events";
import { iso } from "../clock";
import type { Service, ServiceContext } from "../service";
import { AuditLog } from "./audit-log";

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
    const log = new AuditLog(ctx.store);
    this.#insert = (e) => void log.append(e, e.at);
    ctx.bus.on("audit", (entry) => {
      // Rows the gates wrote inside their own transaction are already stored; log them only.
      if (entry.stored !== true) this.#insert?.({ ...entry, at: ctx.clock.now() });
      const { stored: _stored, ...shown } = entry;
      ctx.log.info({ audit: shown }, `${entry.actor} ${entry.action} ${entry.subject}`);
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
