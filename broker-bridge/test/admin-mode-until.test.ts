// POST /api/admin/mode takes what `shipgate mode --until` takes: a duration from now ("5m") as
// well as an ISO-8601 time. It refused "5m" ("until must be an ISO-8601 time") while the CLI took it.
import test from "ava";
import { startSecureBridge } from "./security-support";

test("the API's mode until accepts a duration, as the CLI does; nonsense is still a 400 naming the field", async (t) => {
  const rig = await startSecureBridge();
  t.teardown(() => rig.stop());
  const base = rig.bridge.httpUrl;
  const { password } = rig.addUser("alice", "admin");
  const login = await fetch(`${base}/api/session`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ username: "alice", password }) });
  const csrf = ((await login.json()) as { csrf: string }).csrf;
  const headers = { "content-type": "application/json", cookie: (login.headers.get("set-cookie") ?? "").split(";")[0] ?? "", origin: base, "x-csrf-token": csrf };
  const before = Date.now();
  const ok = await fetch(`${base}/api/admin/mode`, { method: "POST", headers, body: JSON.stringify({ mode: "released", until: "5m" }) });
  t.is(ok.status, 200);
  const until = Date.parse(((await ok.json()) as { result: { until: string } }).result.until);
  t.true(until >= before + 300_000 && until <= Date.now() + 300_000, new Date(until).toISOString());
  const bad = await fetch(`${base}/api/admin/mode`, { method: "POST", headers, body: JSON.stringify({ mode: "released", until: "soon" }) });
  t.is(bad.status, 400);
  t.regex(((await bad.json()) as { error: string }).error, /until/);
});
