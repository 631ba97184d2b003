// The audit log as text for export: CSV (RFC 4180: CRLF line ends, fields with a comma, quote or
// line break quoted, quotes doubled), JSON Lines (one JSON object per line, jsonlines.org), and
// the table `shipgate audit` prints.

import type { AuditRow } from "./audit-row";

export const AUDIT_COLUMNS = ["id", "at", "actor", "action", "subject", "detail"] as const;

function csvField(value: string): string {
  return /[",\r\n]/.test(value) ? `"${value.replace(/"/g, '""')}"` : value;
}

export function csvHeader(): string {
  return AUDIT_COLUMNS.join(",") + "\r\n";
}

export function csvLine(row: AuditRow): string {
  const detail = row.detail === null ? "" : JSON.stringify(row.detail);
  return [String(row.id), row.at, row.actor, row.action, row.subject, detail].map(csvField).join(",") + "\r\n";
}

export function jsonLine(row: AuditRow): string {
  return JSON.stringify(row) + "\n";
}

/** One aligned line per row (columns padded to a fixed width; long values are not cut). */
export function tableLine(row: AuditRow): string {
  const detail =
    row.detail === null
      ? ""
      : Object.entries(row.detail)
          .map(([k, v]) => `${k}=${typeof v === "string" ? v : JSON.stringify(v)}`)
          .join(" ");
  return `${row.at}  ${row.actor.padEnd(22)} ${row.action.padEnd(20)} ${row.subject.padEnd(38)} ${detail}`.trimEnd();
}

export function tableHeader(): string {
  return `${"at".padEnd(24)}  ${"actor".padEnd(22)} ${"action".padEnd(20)} ${"subject".padEnd(38)} detail`;
}
