// One contender for the lease, as its own process (the HA tests start two). It prints one JSON line
// per event on stdout: {"ev":"state","role","token","reason","at"} when its belief changes, and
// {"ev":"write","ok","token","error","at"} for each fenced write it tries every WRITE_MS.
// It keeps writing with the last token it was given even after it believes it lost the lease
// (an old leader at its worst): only the fence in the database stops those writes.
// Env: PG_URL, HOLDER, LEASE_NAME, WRITE_MS (default 100), WRITER: "async" (pg pool, fence.ts) or
// "sync" (the synchronous facade with its fence, blocking this process's thread for each write).

import pg from "pg";
import { fencedTransaction } from "../../src/ha/fence";
import { Lease } from "../../src/ha/lease";
import { pgClientConfig } from "../../src/ha/pg-options";
import { PgSyncDatabase } from "../../src/ha/pg-sync-db";

const url = process.env.PG_URL ?? "";
const holder = process.env.HOLDER ?? "node";
const name = process.env.LEASE_NAME ?? "bridge";
const writeMs = Number(process.env.WRITE_MS ?? 100);
// Inside each async fenced transaction, between the check and the insert: makes a pause land
// inside an open transaction (which then holds the lease row FOR SHARE).
const holdMs = Number(process.env.WRITE_HOLD_MS ?? 0);
const say = (o: Record<string, unknown>) => process.stdout.write(`${JSON.stringify({ ...o, at: Date.now() })}\n`);

const pool = new pg.Pool({ ...pgClientConfig({ url, applicationName: `shipgate-writer:${holder}`, timeoutMs: 2000 }), max: 2 });
pool.on("error", () => undefined);
await pool.query("CREATE TABLE IF NOT EXISTS ha_writes (n BIGSERIAL PRIMARY KEY, holder TEXT NOT NULL, token BIGINT NOT NULL, lease TEXT NOT NULL)").catch(() => undefined);

const lease = new Lease({ url, holder, name });
let lastToken: number | null = null;
lease.on("change", (s) => {
  if (s.role === "leader") lastToken = s.token;
  say({ ev: "state", role: s.role, token: s.role === "leader" ? s.token : null, reason: s.role === "standby" ? s.reason : null });
});
lease.on("error", () => undefined);
lease.start();

const sync = process.env.WRITER === "sync" ? new PgSyncDatabase({ url, applicationName: `shipgate-sync-writer:${holder}`, timeoutMs: 1500, fence: () => ({ lease: name, token: lastToken }) }) : null;
const syncInsert = sync?.prepare("INSERT INTO ha_writes (holder, token, lease) VALUES (?, ?, ?)");

let busy = false;
setInterval(() => {
  if (busy || lastToken === null) return;
  if (syncInsert !== undefined) {
    const token = lastToken;
    try {
      syncInsert.run(holder, token, name);
      say({ ev: "write", ok: true, token });
    } catch (err) {
      say({ ev: "write", ok: false, token, error: (err as { code?: string }).code ?? (err as Error).message });
    }
    return;
  }
  busy = true;
  const token = lastToken;
  fencedTransaction(pool, name, token, async (c) => {
    if (holdMs > 0) await new Promise((r) => setTimeout(r, holdMs));
    return c.query("INSERT INTO ha_writes (holder, token, lease) VALUES ($1, $2, $3)", [holder, token, name]);
  })
    .then(() => say({ ev: "write", ok: true, token }))
    .catch((err: Error & { code?: string }) => say({ ev: "write", ok: false, token, error: err.code ?? err.message }))
    .finally(() => (busy = false));
}, writeMs);

process.on("SIGTERM", () => void lease.stop().finally(() => process.exit(0)));
