// Which audit rows an export or a listing wants: since a time, and/or actions starting with a
// prefix ("lock." matches lock.approve and lock.reject). Parsed from query strings and flags
// alike, with errors that name the parameter.

import { parseDuration } from "../duration";

export interface AuditFilter {
  /** Epoch ms; rows at or after it. */
  since?: number;
  /** Rows whose action starts with this text. */
  actionPrefix?: string;
  subject?: string;
}

export class AuditFilterError extends Error {
  readonly code = "AUDIT_FILTER";
  constructor(
    readonly parameter: string,
    message: string,
  ) {
    super(`${parameter}: ${message}`);
  }
}

const ACTION_PREFIX = /^[A-Za-z0-9_.-]{1,64}$/;

/** A duration back from now ("24h", "7d") or an ISO-8601 time, as epoch ms. */
export function parseSince(text: string, now: number): number {
  const ms = parseDuration(text);
  if (ms !== undefined) return now - ms;
  if (/^\d{4}-\d{2}-\d{2}(T|$)/.test(text)) {
    const at = Date.parse(text);
    if (!Number.isNaN(at)) return at;
  }
  throw new AuditFilterError("since", `must be a duration such as 24h or an ISO-8601 time such as 2026-11-20T00:00:00Z, got "${text}"`);
}

export function parseActionPrefix(text: string): string {
  if (!ACTION_PREFIX.test(text)) throw new AuditFilterError("action", `must be 1 to 64 letters, digits, '.', '_' or '-' (a prefix such as "lock."), got "${text}"`);
  return text;
}

/** The filter from query parameters (?since=&action=&subject=); unknown values are errors. */
export function filterFromQuery(query: Record<string, unknown>, now: number): AuditFilter {
  const out: AuditFilter = {};
  const one = (name: string): string | undefined => {
    const v = query[name];
    if (v === undefined || v === "") return undefined;
    if (typeof v !== "string") throw new AuditFilterError(name, "give it once");
    return v;
  };
  const since = one("since");
  if (since !== undefined) out.since = parseSince(since, now);
  const action = one("action");
  if (action !== undefined) out.actionPrefix = parseActionPrefix(action);
  const subject = one("subject");
  if (subject !== undefined) out.subject = subject;
  return out;
}

/** The WHERE clause and its parameters. The prefix is matched with substr() rather than LIKE, so
 *  '_' and '%' in an action are literal. */
export function whereOf(filter: AuditFilter): { sql: string; params: (string | number)[] } {
  const parts: string[] = [];
  const params: (string | number)[] = [];
  if (filter.since !== undefined) {
    parts.push("at >= ?");
    params.push(filter.since);
  }
  if (filter.actionPrefix !== undefined) {
    parts.push("substr(action, 1, ?) = ?");
    params.push(filter.actionPrefix.length, filter.actionPrefix);
  }
  if (filter.subject !== undefined) {
    parts.push("subject = ?");
    params.push(filter.subject);
  }
  return { sql: parts.length === 0 ? "" : `WHERE ${parts.join(" AND ")}`, params };
}
