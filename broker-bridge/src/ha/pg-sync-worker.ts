// The worker thread behind the synchronous facade: it owns the pg clients and answers one request
// at a time while the main thread blocks in Atomics.wait (synckit). Each request's waits are bounded
// by pg's own timeouts (connect, query answer, server statement), so a dead or unreachable server
// turns into an error answer, never a blocked main thread.

import pg from "pg";
import { runAsWorker } from "synckit";
import { checkFence } from "./fence";
import { pgClientConfig } from "./pg-options";
import type { ConnectionSpec, SyncRequest, SyncResponse } from "./pg-sync-protocol";

interface Connection {
  spec: ConnectionSpec;
  client: pg.Client | null;
  /** The client has answered before: a failure on it may be a session that died while idle. */
  used: boolean;
  /** The connection broke inside a transaction: refuse everything but ROLLBACK, so the rest of the
   *  transaction cannot run on a fresh connection in autocommit. */
  poisoned: boolean;
  inTransaction: boolean;
}

const connections = new Map<number, Connection>();

async function clientOf(c: Connection): Promise<pg.Client> {
  if (c.client !== null) return c.client;
  const client = new pg.Client(pgClientConfig(c.spec));
  client.on("error", () => drop(c));
  // A session the server ended while idle (pg_terminate_backend, a restart) may only say "end".
  client.on("end", () => {
    if (c.client === client) drop(c);
  });
  c.client = client;
  c.used = false;
  try {
    await client.connect();
  } catch (err) {
    drop(c);
    throw err;
  }
  return client;
}

/** Forgets a broken client; end() is not awaited, a cut connection never answers it. */
function drop(c: Connection): void {
  const client = c.client;
  c.client = null;
  if (c.inTransaction) c.poisoned = true;
  if (client !== null) {
    client.removeAllListeners("error");
    client.on("error", () => undefined);
    void client.end().catch(() => undefined);
  }
}

function failure(err: unknown): SyncResponse {
  const e = err as Error & { code?: unknown };
  // A SQLSTATE or our FENCED_OUT says what the server decided. The server going away (class 08
  // connection exception, 57P operator intervention: shutdown, crash, terminated session) and
  // anything without a SQLSTATE (ECONNREFUSED, a timeout, a reset) mean the store could not be
  // reached: one code for callers, the original kept in the message.
  const code = typeof e.code === "string" ? e.code : null;
  const sqlState = code !== null && /^[0-9A-Z]{5}$/.test(code);
  const unavailable = code === null || (!sqlState && code !== "FENCED_OUT") || code.startsWith("08") || code.startsWith("57P");
  const message = `${e.message ?? String(err)}${code !== null && unavailable ? ` [${code}]` : ""}`;
  return { ok: false, message, code: unavailable ? "STORE_UNAVAILABLE" : (code as string) };
}

async function answer(req: SyncRequest): Promise<SyncResponse> {
  if (req.op === "open") {
    connections.set(req.db, { spec: req.spec, client: null, used: false, poisoned: false, inTransaction: false });
    return { ok: true, rows: [], rowCount: 0 };
  }
  const c = connections.get(req.db);
  if (c === undefined) return { ok: false, message: "the database is closed", code: "STORE_CLOSED" };
  if (req.op === "close") {
    drop(c);
    connections.delete(req.db);
    return { ok: true, rows: [], rowCount: 0 };
  }
  if (req.op === "rollback") {
    const wasPoisoned = c.poisoned;
    c.poisoned = false;
    c.inTransaction = false;
    if (wasPoisoned || c.client === null) return { ok: true, rows: [], rowCount: 0 };
  } else if (c.poisoned) {
    // A COMMIT ends the broken transaction as a ROLLBACK would: it failed, and is over.
    if (req.op === "commit") {
      c.poisoned = false;
      c.inTransaction = false;
    }
    return { ok: false, message: "the connection to PostgreSQL broke inside this transaction; it was rolled back", code: "STORE_UNAVAILABLE" };
  }
  const first = await attempt(c, req);
  // A session that died while idle fails the next request before the worker has heard of its
  // end. Once more on a new session, but only what cannot have done anything: a BEGIN, or a read
  // outside a transaction. A write in autocommit might have committed before its answer was lost.
  // Only after a quick failure, so a call still waits at most about one timeout.
  if (!first.retry) return first.response;
  return (await attempt(c, req)).response;
}

const READS = /^\s*(SELECT|WITH|VALUES|SHOW|EXPLAIN)\b/i;

function harmless(c: Connection, req: SyncRequest): boolean {
  return req.op === "begin" || (req.op === "query" && !c.inTransaction && READS.test(req.sql));
}

async function attempt(c: Connection, req: SyncRequest): Promise<{ response: SyncResponse; retry: boolean }> {
  const started = Date.now();
  const wasUsed = c.client !== null && c.used;
  try {
    const response = await run(c, req);
    if (c.client !== null) c.used = true;
    return { response, retry: false };
  } catch (err) {
    // A pg error with a SQLSTATE leaves the connection usable; anything else (timeout, reset,
    // refused) means the connection is gone or in an unknown state: drop it.
    const code = (err as { code?: unknown }).code;
    const sqlState = typeof code === "string" && /^[0-9A-Z]{5}$/.test(code);
    const gone = code !== "FENCED_OUT" && (!sqlState || (code as string).startsWith("57P") || (code as string).startsWith("08"));
    if (gone) drop(c);
    const quick = Date.now() - started < c.spec.timeoutMs / 4;
    return { response: failure(err), retry: gone && quick && wasUsed && !c.poisoned && harmless(c, req) };
  }
}

async function run(c: Connection, req: SyncRequest): Promise<SyncResponse> {
  const client = await clientOf(c);
  switch (req.op) {
    case "query": {
      const r = await client.query({ text: req.sql, values: req.params });
      return { ok: true, rows: r.rows as Record<string, unknown>[], rowCount: r.rowCount ?? 0 };
    }
    case "exec":
      await client.query(req.sql);
      return { ok: true, rows: [], rowCount: 0 };
    case "begin":
      await client.query("BEGIN");
      c.inTransaction = true;
      if (req.fence !== null) {
        try {
          await checkFence(client, req.fence.lease, req.fence.token);
        } catch (err) {
          // Refused before the caller's transaction began: close it here, or the session would
          // stay idle in transaction and the caller's next statements would run inside it.
          c.inTransaction = false;
          await client.query("ROLLBACK");
          throw err;
        }
      }
      return { ok: true, rows: [], rowCount: 0 };
    case "savepoint":
    case "release":
    case "rollback-to": {
      const verb = { savepoint: "SAVEPOINT", release: "RELEASE SAVEPOINT", "rollback-to": "ROLLBACK TO SAVEPOINT" }[req.op];
      await client.query(`${verb} ${req.name}`);
      return { ok: true, rows: [], rowCount: 0 };
    }
    case "commit":
    case "rollback":
      c.inTransaction = false;
      await client.query(req.op === "commit" ? "COMMIT" : "ROLLBACK");
      return { ok: true, rows: [], rowCount: 0 };
    default:
      // open and close are answered before a request gets here.
      return { ok: false, message: `unexpected request ${req.op}`, code: "STORE_INTERNAL" };
  }
}

runAsWorker(answer);
