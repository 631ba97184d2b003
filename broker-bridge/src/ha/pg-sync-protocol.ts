// The messages between the synchronous facade (main thread) and its worker thread (pg client).
// A failure travels back as data, not as a thrown error, so its SQLSTATE code survives the trip.

export interface ConnectionSpec {
  url: string;
  applicationName: string;
  timeoutMs: number;
}

export interface Fence {
  lease: string;
  token: number | null;
}

export type SyncRequest =
  | { op: "open"; db: number; spec: ConnectionSpec }
  | { op: "query"; db: number; sql: string; params: unknown[] }
  | { op: "exec"; db: number; sql: string }
  | { op: "begin"; db: number; fence: Fence | null }
  | { op: "savepoint" | "release" | "rollback-to"; db: number; name: string }
  | { op: "commit" | "rollback" | "close"; db: number };

export interface SyncRows {
  ok: true;
  rows: Record<string, unknown>[];
  rowCount: number;
}

export interface SyncFailure {
  ok: false;
  message: string;
  /** The PostgreSQL SQLSTATE (https://www.postgresql.org/docs/15/errcodes-appendix.html), or ours. */
  code: string;
}

export type SyncResponse = SyncRows | SyncFailure;
