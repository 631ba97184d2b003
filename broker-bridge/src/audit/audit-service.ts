// The audit log: every decision, mode change, sync and refusal, appended to SQLite with who, what,
// when and what it concerns. Rows are never updated or deleted by the bridge.
//   GET /api/audit?limit=&action=&since=&subject=   the newest rows (public like the other reads)
//   GET /api/audit.csv | /api/audit.jsonl ?action=&since=   the whole log, streamed, oldest first;
//                                           a login (session or API token) of an admin or viewer

import type { FastifyReply, FastifyRequest } from "fastify";
import type { AuditEntry } from "../events";
import { loginOf } from "../http/login";
import type { Service, ServiceContext } from "../service";
import { type ExportFormat, type RawAuditRow, auditStream, rowOf } from "./audit-export";
import { type AuditFilter, AuditFilterError, filterFromQuery, whereOf } from "./audit-query";
import { AuditLog } from "../audit-log";
import type { AuditRow } from "./audit-row";

export type { AuditRow } from "./audit-row";

/** Roles that may export the audit log. */
const EXPORT_ROLES = new Set(["admin", "viewer"]);

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
    ctx.http.get("/api/audit", async (req, reply) => {
      const q = req.query as Record<string, unknown>;
      let filter: AuditFilter;
      try {
        filter = filterFromQuery(q, ctx.clock.now());
      } catch (err) {
        if (err instanceof AuditFilterError) return reply.code(400).send({ ok: false, error: err.message });
        throw err;
      }
      return { entries: this.recent(Math.min(Number(q.limit ?? 100) || 100, 1000), filter) };
    });
    ctx.http.get("/api/audit.csv", (req, reply) => this.#export(req, reply, "csv"));
    ctx.http.get("/api/audit.jsonl", (req, reply) => this.#export(req, reply, "jsonl"));
  }

  /** The newest rows first; `filter` may be a subject (the older signature) or a whole filter. */
  recent(limit = 100, filter: AuditFilter | string = {}): AuditRow[] {
    const db = this.#ctx?.store.db;
    if (!db) return [];
    const { sql, params } = whereOf(typeof filter === "string" ? { subject: filter } : filter);
    const rows = db.prepare(`SELECT * FROM audit ${sql} ORDER BY id DESC LIMIT ?`).all(...params, limit) as RawAuditRow[];
    return rows.map(rowOf);
  }

  async #export(req: FastifyRequest, reply: FastifyReply, format: ExportFormat) {
    const ctx = this.#ctx as ServiceContext;
    const login = loginOf(ctx.http, req);
    const where = `${req.method} ${req.url.split("?")[0]}`;
    if (login === null || !EXPORT_ROLES.has(login.role)) {
      const reason = login === null ? "log in first (POST /api/session) or send an API token" : `role ${login.role} may not export the audit log`;
      ctx.bus.emit("audit", { actor: login ? `user:${login.username}` : `http:${req.ip}`, action: "http.denied", subject: where, detail: { reason, ip: req.ip } });
      return reply.code(login === null ? 401 : 403).send({ ok: false, error: reason });
    }
    let filter: AuditFilter;
    try {
      filter = filterFromQuery(req.query as Record<string, unknown>, ctx.clock.now());
    } catch (err) {
      if (err instanceof AuditFilterError) return reply.code(400).send({ ok: false, error: err.message });
      throw err;
    }
    ctx.bus.emit("audit", { actor: `user:${login.username}`, action: "audit.export", subject: where, detail: { format, ...(req.query as object) } });
    const stamp = new Date(ctx.clock.now()).toISOString().slice(0, 10);
    return reply
      .header("content-type", format === "csv" ? "text/csv; charset=utf-8; header=present" : "application/jsonl; charset=utf-8")
      .header("content-disposition", `attachment; filename="shipgate-audit-${stamp}.${format}"`)
      .header("cache-control", "no-store")
      .send(auditStream(ctx.store, filter, format));
  }
}
