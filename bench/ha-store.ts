// Design (B) of issue 17 measured: one statement and a 3-statement transaction on the SQLite
// store, on PostgreSQL through pg directly (async, design A), and through the synchronous facade
// (design B, the store's PostgreSQL backend). Part of `npm run bench` (bench/ha.ts); alone:
//   SHIPGATE_TEST_PG_URL=postgres://... node --import tsx bench/ha-store.ts [--n 2000]

import Database from "better-sqlite3";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { performance } from "node:perf_hooks";
import { fileURLToPath } from "node:url";
import pg from "pg";
import { pgClientConfig } from "../broker-bridge/src/ha/pg-options";
import { PgSyncDatabase } from "../broker-bridge/src/ha/pg-sync-db";
import { createTestDatabase } from "../broker-bridge/test/helpers/ha-postgres";

let n = 2000;

const DDL = "CREATE TABLE items (id TEXT PRIMARY KEY, at BIGINT NOT NULL, note TEXT)";
export type Figures = Record<string, number>;

function percentile(samples: number[], p: number): number {
  const sorted = [...samples].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] as number;
}

async function time(label: string, out: Figures, fn: (i: number) => unknown): Promise<void> {
  for (let i = 0; i < 50; i++) await fn(-1 - i);
  const samples: number[] = [];
  for (let i = 0; i < n; i++) {
    const t0 = performance.now();
    await fn(i);
    samples.push(performance.now() - t0);
  }
  out[`${label} p50 ms`] = percentile(samples, 50);
  out[`${label} p99 ms`] = percentile(samples, 99);
}

async function sqlite(): Promise<Figures> {
  const dir = mkdtempSync(path.join(tmpdir(), "ha-bench-"));
  const db = new Database(path.join(dir, "bench.db"));
  db.pragma("journal_mode = WAL");
  db.pragma("synchronous = FULL");
  db.exec(DDL);
  const put = db.prepare("INSERT INTO items (id, at) VALUES (?, ?)");
  const get = db.prepare("SELECT id, at FROM items WHERE id = ?");
  const upd = db.prepare("UPDATE items SET note = ? WHERE id = ?");
  const f: Figures = {};
  await time("sqlite select", f, (i) => get.get(`k${i}`));
  await time("sqlite insert", f, (i) => put.run(`k${i}`, i));
  await time("sqlite tx3", f, (i) =>
    db.transaction(() => {
      get.get(`k${i}`);
      upd.run("x", `k${i}`);
      put.run(`t${i}`, i);
    })(),
  );
  db.close();
  rmSync(dir, { recursive: true, force: true });
  return f;
}

async function pgAsync(dbUrl: string): Promise<Figures> {
  const c = new pg.Client(pgClientConfig({ url: dbUrl, applicationName: "bench-async", timeoutMs: 5000 }));
  await c.connect();
  await c.query("TRUNCATE items");
  const f: Figures = {};
  await time("pg async select", f, (i) => c.query("SELECT id, at FROM items WHERE id = $1", [`k${i}`]));
  await time("pg async insert", f, (i) => c.query("INSERT INTO items (id, at) VALUES ($1, $2)", [`k${i}`, i]));
  await time("pg async tx3", f, async (i) => {
    await c.query("BEGIN");
    await c.query("SELECT id, at FROM items WHERE id = $1", [`k${i}`]);
    await c.query("UPDATE items SET note = $1 WHERE id = $2", ["x", `k${i}`]);
    await c.query("INSERT INTO items (id, at) VALUES ($1, $2)", [`t${i}`, i]);
    await c.query("COMMIT");
  });
  await c.end();
  return f;
}

async function pgSync(dbUrl: string, admin: pg.Client): Promise<Figures> {
  await admin.query("TRUNCATE items");
  const f: Figures = {};
  for (const fenced of [false, true]) {
    const db = new PgSyncDatabase({ url: dbUrl, applicationName: "bench-sync", timeoutMs: 5000, ...(fenced ? { fence: () => ({ lease: "bridge", token: 1 }) } : {}) });
    const put = db.prepare("INSERT INTO items (id, at) VALUES (?, ?)");
    const get = db.prepare("SELECT id, at FROM items WHERE id = ?");
    const upd = db.prepare("UPDATE items SET note = ? WHERE id = ?");
    const tag = fenced ? "pg sync fenced" : "pg sync";
    const k = fenced ? "f" : "k";
    if (!fenced) await time(`${tag} select`, f, (i) => get.get(`${k}${i}`));
    await time(`${tag} insert`, f, (i) => put.run(`${k}${i}`, i));
    await time(`${tag} tx3`, f, (i) =>
      db.transaction(() => {
        get.get(`${k}${i}`);
        upd.run("x", `${k}${i}`);
        put.run(`${k}t${i}`, i);
      })(),
    );
    db.close();
  }
  return f;
}

/** Every figure above, on a fresh database of the server at `url` (dropped afterwards). */
export async function measureStoreCalls(url: string, samples = 2000): Promise<Figures> {
  n = samples;
  const test = await createTestDatabase(url);
  try {
    await test.admin.query(DDL);
    await test.admin.query(
      "CREATE TABLE shipgate_lease (name TEXT PRIMARY KEY, holder TEXT NOT NULL, token BIGINT NOT NULL, since TIMESTAMPTZ NOT NULL); INSERT INTO shipgate_lease VALUES ('bridge', 'bench', 1, now())",
    );
    return { ...(await sqlite()), ...(await pgAsync(test.url)), ...(await pgSync(test.url, test.admin)) };
  } finally {
    await test.drop();
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const url = process.env.SHIPGATE_TEST_PG_URL;
  if (url === undefined) throw new Error("set SHIPGATE_TEST_PG_URL to a PostgreSQL server the bench may create a database on");
  const figures = await measureStoreCalls(url, Number(process.argv[process.argv.indexOf("--n") + 1]) || 2000);
  for (const [name, value] of Object.entries(figures)) process.stdout.write(`${name.padEnd(32)} ${value.toFixed(3)}\n`);
}
