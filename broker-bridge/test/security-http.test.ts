// The HTTP API's admin actions (security/http-auth.ts): login sessions in HttpOnly, SameSite=Strict
// cookies that expire, a CSRF token and an Origin check on every cookie-authenticated action, API
// tokens for scripts, and nothing secret stored in the clear. Real HTTP against a real bridge.
import { randomUUID } from "node:crypto";
import { readFileSync } from "node:fs";
import { GatesService } from "../src/gates/gates-service";
import { systemClock } from "../src/clock";
import { startSecureBridge, topics } from "./security-support";
import { waitFor } from "./helpers/bridge";
import { bothStores, storeConfig } from "./helpers/store-backends";

async function login(base: string, username: string, password: string) {
  const res = await fetch(`${base}/api/session`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ username, password }) });
  const body = (await res.json()) as { ok: boolean; csrf?: string; role?: string };
  const setCookie = res.headers.get("set-cookie") ?? "";
  return { status: res.status, body, setCookie, cookie: setCookie.split(";")[0] ?? "" };
}

function post(base: string, path: string, body: unknown, headers: Record<string, string>) {
  return fetch(`${base}${path}`, { method: "POST", headers: { "content-type": "application/json", ...headers }, body: JSON.stringify(body) });
}

bothStores("login gives an expiring HttpOnly SameSite=Strict session; admin actions need its CSRF token and our Origin", async (t) => {
  const rig = await startSecureBridge(storeConfig());
  t.teardown(() => rig.stop());
  const base = rig.bridge.httpUrl;
  const gates = rig.bridge.service(GatesService) as GatesService;
  const { password } = rig.addUser("alice", "admin");

  const bad = await login(base, "alice", "wrong-password");
  t.is(bad.status, 401);
  t.is(bad.setCookie, "");
  const s = await login(base, "alice", password);
  t.is(s.status, 200);
  t.regex(s.setCookie, /HttpOnly/);
  t.regex(s.setCookie, /SameSite=Strict/);
  t.regex(s.setCookie, /Max-Age=43200/);
  const token = s.cookie.split("=")[1] as string;
  const stored = rig.bridge.context.store.db.prepare("SELECT hash FROM security_sessions").all() as { hash: string }[];
  t.is(stored.length, 1);
  t.false(
    stored.some((r) => r.hash.includes(token)),
    "the session id is stored hashed",
  );

  const origin = base;
  const mode = { mode: "blocked", reason: "freeze" };
  t.is((await post(base, "/api/admin/mode", mode, {})).status, 401, "no session");
  t.is((await post(base, "/api/admin/mode", mode, { cookie: s.cookie, origin })).status, 403, "no CSRF token");
  t.is((await post(base, "/api/admin/mode", mode, { cookie: s.cookie, origin, "x-csrf-token": "0".repeat(64) })).status, 403, "wrong CSRF token");
  t.is((await post(base, "/api/admin/mode", mode, { cookie: s.cookie, origin: "https://evil.example", "x-csrf-token": s.body.csrf as string })).status, 403, "another site");
  t.is((await post(base, "/api/admin/mode", mode, { cookie: s.cookie, "x-csrf-token": s.body.csrf as string })).status, 403, "no Origin at all");
  const form = await fetch(`${base}/api/admin/mode`, { method: "POST", headers: { cookie: s.cookie, origin, "content-type": "application/x-www-form-urlencoded" }, body: "mode=released" });
  t.true(form.status >= 400, "an HTML form post is not an admin action");
  t.is(gates.locks.mode().mode, "default", "nothing changed so far");
  t.true(rig.audit("http.denied").length >= 6, "each refusal is audited");

  const ok = await post(base, "/api/admin/mode", mode, { cookie: s.cookie, origin, "x-csrf-token": s.body.csrf as string });
  t.is(ok.status, 200);
  t.is(gates.locks.mode().mode, "blocked");
  t.like(gates.locks.mode(), { changed_by: "user:alice" });

  // The same session decides a lock, through the same code as the MQTT admin command.
  await post(base, "/api/admin/mode", { mode: "default" }, { cookie: s.cookie, origin, "x-csrf-token": s.body.csrf as string });
  const ci = await rig.connectAs("ci", "pipeline");
  const id = randomUUID();
  await ci.publishAsync(topics.lockRequest(), JSON.stringify({ id, pipeline: "api", step: "s" }), { qos: 1 });
  await waitFor("the lock", () => gates.locks.get(id));
  const decided = await post(base, "/api/admin/decide", { decision: "approve", id }, { cookie: s.cookie, origin, "x-csrf-token": s.body.csrf as string });
  t.is(decided.status, 200);
  t.like(gates.locks.get(id), { state: "approved", decided_by: "user:alice" });
  const again = await post(base, "/api/admin/decide", { decision: "reject", id }, { cookie: s.cookie, origin, "x-csrf-token": s.body.csrf as string });
  t.is(again.status, 409, "a decided lock is not decided twice");

  // Logout ends the session.
  const out = await fetch(`${base}/api/session`, { method: "DELETE", headers: { cookie: s.cookie, origin, "x-csrf-token": s.body.csrf as string } });
  t.is(out.status, 200);
  t.is((await fetch(`${base}/api/session`, { headers: { cookie: s.cookie } })).status, 401);
});

bothStores("a viewer's session may not run admin actions; removing a user ends its sessions", async (t) => {
  const rig = await startSecureBridge(storeConfig());
  t.teardown(() => rig.stop());
  const base = rig.bridge.httpUrl;
  const { password } = rig.addUser("wall", "viewer");
  const s = await login(base, "wall", password);
  const headers = { cookie: s.cookie, origin: base, "x-csrf-token": s.body.csrf as string };
  t.is((await post(base, "/api/admin/mode", { mode: "released" }, headers)).status, 403);
  t.true(rig.audit("http.denied").some((r) => r.actor === "user:wall"));
  rig.users.remove("wall");
  t.is((await post(base, "/api/admin/mode", { mode: "released" }, headers)).status, 401);
});

bothStores("sessions expire after session_ttl", async (t) => {
  let offset = 0;
  const clock = { ...systemClock, now: () => Date.now() + offset };
  const rig = await startSecureBridge({ ...storeConfig(), security: { session_ttl: "5m" } }, { clock });
  t.teardown(() => rig.stop());
  const base = rig.bridge.httpUrl;
  const { password } = rig.addUser("alice", "admin");
  const s = await login(base, "alice", password);
  t.regex(s.setCookie, /Max-Age=300/);
  t.is((await fetch(`${base}/api/session`, { headers: { cookie: s.cookie } })).status, 200);
  offset = 5 * 60_000 + 1000;
  t.is((await fetch(`${base}/api/session`, { headers: { cookie: s.cookie } })).status, 401);
  t.is((await post(base, "/api/admin/mode", { mode: "released" }, { cookie: s.cookie, origin: base, "x-csrf-token": s.body.csrf as string })).status, 401);
});

bothStores("API tokens for scripts: shown once, stored hashed, a wrong one refused", async (t) => {
  const rig = await startSecureBridge(storeConfig());
  t.teardown(() => rig.stop());
  const base = rig.bridge.httpUrl;
  rig.addUser("deployer", "admin");
  const token = rig.users.addToken("deployer");
  const kept =
    rig.bridge.context.store.dialect === "postgres"
      ? (rig.bridge.context.store.db.prepare("SELECT record FROM shipgate_users").all() as { record: string }[]).map((r) => r.record).join("\n")
      : readFileSync(rig.users.file, "utf8");
  t.false(kept.includes(token.split("_")[2] as string), "users.json (or the store's user table) holds only the token's hash");
  t.true(kept.includes(token.split("_")[1] as string), "the token's id is there");
  const ok = await post(base, "/api/admin/mode", { mode: "released", reason: "release train" }, { authorization: `Bearer ${token}` });
  t.is(ok.status, 200);
  const gates = rig.bridge.service(GatesService) as GatesService;
  t.like(gates.locks.mode(), { mode: "released", changed_by: "user:deployer" });
  const wrong = await post(base, "/api/admin/mode", { mode: "blocked" }, { authorization: `Bearer ${token.slice(0, -2)}xx` });
  t.is(wrong.status, 401);
  t.is(gates.locks.mode().mode, "released");
});

bothStores("password guessing over HTTP is slowed to a few tries a minute per address", async (t) => {
  const rig = await startSecureBridge(storeConfig());
  t.teardown(() => rig.stop());
  rig.addUser("alice", "admin");
  const statuses: number[] = [];
  for (let i = 0; i < 12; i++) statuses.push((await login(rig.bridge.httpUrl, "alice", `guess-${i}`)).status);
  t.deepEqual(statuses.slice(0, 10), Array(10).fill(401));
  t.deepEqual(statuses.slice(10), [429, 429]);
});
