// The audit log streamed for export (GET /api/audit.csv and .jsonl): rows are read with
// better-sqlite3's iterate() on a read-only connection of its own and written as they come, in
// chunks, so an export of millions of rows holds one chunk in memory, and a slow download never
// keeps the bridge's own connection busy (better-sqlite3 refuses other statements on a
// connection while an iterator is open; WAL lets a reader run beside the writer).

import { Readable } from "node:stream";
import Database from "better-sqlite3";
import { iso } from "../clock";
import { csvHeader, csvLine, jsonLine } from "./audit-format";
import { type AuditFilter, whereOf } from "./audit-query";
import type { AuditRow } from "./audit-row";

export type ExportFormat = "csv" | "jsonl";

const CHUNK_CHARS = 64 * 1024;

export interface RawAuditRow {
  id: number;
  at: number;
  actor: string;
  action: string;
  subject: string;
  detail: string | null;
}

export function rowOf(r: RawAuditRow): AuditRow {
  let detail: Record<string, unknown> | null = null;
  if (r.detail !== null) {
    try {
      detail = JSON.parse(r.detail) as Record<string, unknown>;
    } catch {
      detail = { unparsed: r.detail };
    }
  }
  return { id: r.id, at: iso(r.at), actor: r.actor, action: r.action, subject: r.subject, detail };
}

/** The export's text in chunks, oldest row first. The connection closes when the consumer stops
 *  (end, error or a client that went away: Readable.from calls the generator's return()). */
export function* auditChunks(dbFile: string, filter: AuditFilter, format: ExportFormat): Generator<string> {
  const db = new Database(dbFile, { readonly: true, fileMustExist: true });
  try {
    const { sql, params } = whereOf(filter);
    const stmt = db.prepare(`SELECT id, at, actor, action, subject, detail FROM audit ${sql} ORDER BY id`);
    const line = format === "csv" ? csvLine : jsonLine;
    let chunk = format === "csv" ? csvHeader() : "";
    for (const raw of stmt.iterate(...params) as IterableIterator<RawAuditRow>) {
      chunk += line(rowOf(raw));
      if (chunk.length >= CHUNK_CHARS) {
        yield chunk;
        chunk = "";
      }
    }
    if (chunk.length > 0) yield chunk;
  } finally {
    db.close();
  }
}

export function auditStream(dbFile: string, filter: AuditFilter, format: ExportFormat): Readable {
  return Readable.from(auditChunks(dbFile, filter, format), { objectMode: false });
}
