// The audit on export, against a real bridge with its secure defaults: GET /api/audit.csv needs a
// login, streams every row (checked by parsing it with csv-parse, an RFC 4180 parser), filters by
// action prefix and time; GET /api/audit filters by action; `shipgate audit` (the real executable,
// with the local admin credential) prints CSV, JSON Lines and a table.

import { parse } from "csv-parse/sync";
import { runShipgate } from "./helpers/bridge";
import { type SecureRig, startSecureBridge } from "./security-support";
import { bothStores, storeConfig } from "./helpers/store-backends";

const TRICKY = 'v1.4.2, "quoted", and\na line break';

function seed(rig: SecureRig, n: number): void {
  const { bus } = rig.bridge.context;
  for (let i = 0; i < n; i++) {
    bus.emit("audit", { actor: `user:alice`, action: i % 2 === 0 ? "lock.approve" : "mode.change", subject: `row-${i}`, detail: { summary: TRICKY, i } });
  }
}

async function login(rig: SecureRig, name: string, role: "viewer" | "pipeline" | "admin"): Promise<string> {
  const { password } = rig.addUser(name, role);
  const res = await fetch(`${rig.bridge.httpUrl}/api/session`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ username: name, password }) });
  if (!res.ok) throw new Error(`login failed: ${res.status}`);
  return (res.headers.get("set-cookie") ?? "").split(";")[0] ?? "";
}

interface CsvRow {
  id: string;
  at: string;
  actor: string;
  action: string;
  subject: string;
  detail: string;
}

bothStores("GET /api/audit.csv: refused without a login and for a pipeline, audited; a viewer gets every row, parsed as CSV", async (t) => {
  const rig = await startSecureBridge(storeConfig());
  t.teardown(() => rig.stop());
  seed(rig, 3000);
  const url = `${rig.bridge.httpUrl}/api/audit.csv`;

  const anonymous = await fetch(url);
  t.is(anonymous.status, 401);
  const pipelineCookie = await login(rig, "ci", "pipeline");
  t.is((await fetch(url, { headers: { cookie: pipelineCookie } })).status, 403);
  t.true(rig.audit("http.denied").some((r) => r.subject === "GET /api/audit.csv" && r.actor === "user:ci"));
  t.true(rig.audit("http.denied").some((r) => r.subject === "GET /api/audit.csv" && r.actor.startsWith("http:")));

  const cookie = await login(rig, "auditor", "viewer");
  const res = await fetch(url, { headers: { cookie } });
  t.is(res.status, 200);
  t.regex(res.headers.get("content-type") ?? "", /^text\/csv/);
  const text = await res.text();
  t.true(text.startsWith("id,at,actor,action,subject,detail\r\n"));
  const rows = parse(text, { columns: true }) as CsvRow[];
  const db = rig.audit();
  t.is(rows.length, db.length, "every row of the log, the export's own row included");
  const seeded = rows.filter((r) => r.subject.startsWith("row-"));
  t.is(seeded.length, 3000);
  t.deepEqual(JSON.parse(seeded[1]!.detail), { summary: TRICKY, i: 1 });
  t.deepEqual(
    rows.map((r) => Number(r.id)),
    [...rows.map((r) => Number(r.id))].sort((a, b) => a - b),
    "oldest first",
  );
  t.true(rig.audit("audit.export").some((r) => r.actor === "user:auditor"));
});

bothStores("the export and the API filter by action prefix and since; a bad filter is a 400 naming it", async (t) => {
  const rig = await startSecureBridge(storeConfig());
  t.teardown(() => rig.stop());
  seed(rig, 10);
  const cookie = await login(rig, "auditor", "viewer");
  const get = (path: string) => fetch(`${rig.bridge.httpUrl}${path}`, { headers: { cookie } });

  const locks = parse(await (await get("/api/audit.csv?action=lock.")).text(), { columns: true }) as CsvRow[];
  t.is(locks.length, 5);
  t.true(locks.every((r) => r.action === "lock.approve"));
  // '_' and '%' are literal, not LIKE wildcards.
  t.is((parse(await (await get("/api/audit.csv?action=lock_")).text(), { columns: true }) as CsvRow[]).length, 0);
  const future = new Date(Date.now() + 3_600_000).toISOString();
  t.is((parse(await (await get(`/api/audit.csv?since=${future}`)).text(), { columns: true }) as CsvRow[]).length, 0);
  t.true((parse(await (await get("/api/audit.csv?since=1h")).text(), { columns: true }) as CsvRow[]).length >= 10);

  const bad = await get("/api/audit.csv?since=yesterday");
  t.is(bad.status, 400);
  t.regex(((await bad.json()) as { error: string }).error, /^since: /);

  const api = (await (await get("/api/audit?action=mode.&limit=3")).json()) as { entries: { action: string; subject: string }[] };
  t.deepEqual(
    api.entries.map((e) => e.subject),
    ["row-9", "row-7", "row-5"],
  );
  t.is((await get("/api/audit?action=lock%25")).status, 400);
});

bothStores("shipgate audit: the local admin's credential, CSV, JSON Lines and a table, filtered", async (t) => {
  const rig = await startSecureBridge(storeConfig());
  t.teardown(() => rig.stop());
  seed(rig, 6);
  const env = { SHIPGATE_STATE_DIR: rig.stateDir, SHIPGATE_HTTP_URL: rig.bridge.httpUrl };

  const csv = runShipgate(["audit", "--format", "csv", "--action", "lock."], env);
  t.is(await csv.exit, 0, csv.stderr());
  const rows = parse(csv.stdout(), { columns: true }) as CsvRow[];
  t.deepEqual(
    rows.map((r) => r.subject),
    ["row-0", "row-2", "row-4"],
  );
  t.deepEqual(JSON.parse(rows[0]!.detail), { summary: TRICKY, i: 0 });

  const jsonl = runShipgate(["audit", "--format", "jsonl", "--action", "mode.", "--since", "1h"], env);
  t.is(await jsonl.exit, 0, jsonl.stderr());
  const lines = jsonl
    .stdout()
    .trim()
    .split("\n")
    .map((l) => JSON.parse(l) as { subject: string; detail: { summary: string } });
  t.deepEqual(
    lines.map((l) => l.subject),
    ["row-1", "row-3", "row-5"],
  );
  t.is(lines[0]!.detail.summary, TRICKY);

  const table = runShipgate(["audit", "--action", "lock."], env);
  t.is(await table.exit, 0, table.stderr());
  const out = table.stdout().split("\n");
  t.regex(out[0] ?? "", /^at\s+actor\s+action/);
  t.is(out.filter((l) => /lock\.approve\s+row-/.test(l)).length, 3);

  const bad = runShipgate(["audit", "--since", "soon"], env);
  t.is(await bad.exit, 3);
  t.regex(bad.stderr(), /--since: must be a duration/);
});

bothStores("an export streams: its first chunk arrives while the rest waits, and the bridge keeps writing meanwhile", async (t) => {
  const rig = await startSecureBridge(storeConfig());
  t.teardown(() => rig.stop());
  const { store } = rig.bridge.context;
  const detail = JSON.stringify({ summary: TRICKY });
  if (store.dialect === "postgres") {
    // One statement: 50,000 round trips through the synchronous facade would be the test's whole time.
    store.db.prepare("INSERT INTO audit (at, actor, action, subject, detail) SELECT ?, 'user:bulk', 'lock.approve', 'bulk-' || i, ? FROM generate_series(0, 49999) AS i").run(Date.now(), detail);
  } else {
    const insert = store.db.prepare("INSERT INTO audit (at, actor, action, subject, detail) VALUES (?, 'user:bulk', 'lock.approve', ?, ?)");
    store.db.transaction(() => {
      for (let i = 0; i < 50_000; i++) insert.run(Date.now(), `bulk-${i}`, detail);
    })();
  }
  const cookie = await login(rig, "auditor", "viewer");
  const res = await fetch(`${rig.bridge.httpUrl}/api/audit.csv`, { headers: { cookie } });
  const reader = res.body!.getReader();
  const first = await reader.read();
  t.false(first.done);
  t.true((first.value?.length ?? 0) < 4 * 1024 * 1024, "the first read is a chunk, not the whole log");
  // The export reads on its own connection: the bridge's writes go on while it is open.
  rig.bridge.context.bus.emit("audit", { actor: "user:alice", action: "mode.change", subject: "during-export" });
  t.is(rig.audit("mode.change").filter((r) => r.subject === "during-export").length, 1);
  let bytes = first.value?.length ?? 0;
  for (let r = await reader.read(); !r.done; r = await reader.read()) bytes += r.value.length;
  t.true(bytes > 50_000 * 60);
});
