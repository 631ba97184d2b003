// The audit log streamed for export (GET /api/audit.csv and .jsonl): rows are read with
// better-sqlite3's iterate() on a read-only connection of its own and written as they come, in
// chunks, so an export of millions of rows holds one chunk in memory, and a slow download never
// keeps the bridge's own connection busy (better-sqlite3 refuses other statements on a
// connection while an iterator is open; WAL lets a reader run beside the writer). On PostgreSQL
// the rows come in keyset pages (id > the last one sent) on the store's own connection: each page
// is one short query, so nothing stays open between chunks and a slow download holds no session.

import { Readable } from "node:stream";
import Database from "better-sqlite3";
import { iso } from "../clock";
import { csvHeader, csvLine, jsonLine } from "./audit-format";
import { type AuditFilter, whereOf } from "./audit-query";
import type { AuditRow } from "./audit-row";
import type { Store } from "../store";

export type ExportFormat = "csv" | "jsonl";

const CHUNK_CHARS = 64 * 1024;
/** Rows per query on PostgreSQL. */
export const EXPORT_PAGE_ROWS = 1000;

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
export function* auditChunks(store: Store, filter: AuditFilter, format: ExportFormat): Generator<string> {
  const line = format === "csv" ? csvLine : jsonLine;
  let chunk = format === "csv" ? csvHeader() : "";
  for (const raw of store.dialect === "sqlite" ? sqliteRows(store.file, filter) : pagedRows(store, filter)) {
    chunk += line(rowOf(raw));
    if (chunk.length >= CHUNK_CHARS) {
      yield chunk;
      chunk = "";
    }
  }
  if (chunk.length > 0) yield chunk;
}

function* sqliteRows(dbFile: string, filter: AuditFilter): Generator<RawAuditRow> {
  const db = new Database(dbFile, { readonly: true, fileMustExist: true });
  try {
    const { sql, params } = whereOf(filter);
    yield* db.prepare(`SELECT id, at, actor, action, subject, detail FROM audit ${sql} ORDER BY id`).iterate(...params) as IterableIterator<RawAuditRow>;
  } finally {
    db.close();
  }
}

function* pagedRows(store: Store, filter: AuditFilter): Generator<RawAuditRow> {
  const { sql, params } = whereOf(filter);
  const page = store.db.prepare<unknown[], RawAuditRow>(`SELECT id, at, actor, action, subject, detail FROM audit ${sql === "" ? "WHERE" : `${sql} AND`} id > ? ORDER BY id LIMIT ${EXPORT_PAGE_ROWS}`);
  let after = 0;
  for (;;) {
    const rows = page.all(...params, after);
    yield* rows;
    const last = rows.at(-1);
    if (last === undefined || rows.length < EXPORT_PAGE_ROWS) return;
    after = last.id;
  }
}

export function auditStream(store: Store, filter: AuditFilter, format: ExportFormat): Readable {
  return Readable.from(auditChunks(store, filter, format), { objectMode: false });
}
