// How the page reads CI and Argo CD sections it does not know in detail (dashboard/builds.ts) and
// how it words times (dashboard/time.ts). The rule that matters most: stale data never shows as
// success.

import test from "ava";
import { readBuildSection, toneOf, worstTone } from "../dashboard/builds";
import { ServerClock, formatSpan, relative } from "../dashboard/time";

test("an absent or unconfigured section is shown as not configured", (t) => {
  t.false(readBuildSection(undefined).configured);
  t.false(readBuildSection({ configured: false }).configured);
  t.true(readBuildSection({ pipelines: [] }).configured);
});

test("CI pipelines: state, tone, provider, failing parts, awaiting approval, age", (t) => {
  const s = readBuildSection({
    freshness_ms: 600_000,
    pipelines: [
      { name: "api", provider: "github", health: "failing", fresh: true, failing: ["test", "lint"], awaiting: false, last_data_at: "2026-11-18T10:00:00.000Z", last_error: null },
      { name: "web", provider: "gitlab", health: "building", fresh: true, awaiting: true, last_data_at: "2026-11-18T10:01:00.000Z" },
      { name: "docs", provider: "jenkins", health: "passing", fresh: true, last_data_at: "2026-11-18T10:02:00.000Z" },
    ],
  });
  t.deepEqual(
    s.rows.map((r) => [r.name, r.state, r.tone]),
    [
      ["api", "failing", "bad"],
      ["web", "building", "busy"],
      ["docs", "passing", "good"],
    ],
  );
  t.is(s.rows[0]?.detail, "github — failing: test, lint");
  t.regex(s.rows[1]?.detail ?? "", /awaiting approval/);
  t.is(s.rows[2]?.at, "2026-11-18T10:02:00.000Z");
});

test("stale data never shows as success: it is 'stale' in the unknown tone, with the last known state", (t) => {
  const s = readBuildSection({ pipelines: [{ name: "api", provider: "github", health: "passing", fresh: false, last_data_at: "2026-11-18T09:00:00.000Z", last_error: "HTTP 502" }] });
  const row = s.rows[0]!;
  t.is(row.state, "stale");
  t.is(row.tone, "unknown");
  t.true(row.stale);
  t.is(row.detail, "last known: passing — github — HTTP 502");
});

test("Argo CD apps: sync and health together, the worse decides; an unreachable server makes every app stale", (t) => {
  const apps = [
    { name: "shop", project: "default", sync: "Synced", health: "Healthy", operation: null, last_deployed_at: "2026-11-18T08:00:00Z" },
    { name: "cart", project: "default", sync: "OutOfSync", health: "Healthy", operation: null },
    { name: "pay", project: "payments", sync: "Synced", health: "Degraded", operation: { phase: "Failed", message: "x", finished_at: "2026-11-18T09:00:00Z" } },
  ];
  const ok = readBuildSection({ configured: true, url: "https://argo.example", watch: { reachable: true, last_error: null }, apps });
  t.deepEqual(
    ok.rows.map((r) => [r.name, r.state, r.tone]),
    [
      ["shop", "Synced · Healthy", "good"],
      ["cart", "OutOfSync · Healthy", "busy"],
      ["pay", "Synced · Degraded · sync Failed", "bad"],
    ],
  );
  t.is(ok.rows[0]?.at, "2026-11-18T08:00:00Z");
  t.is(ok.rows[2]?.at, "2026-11-18T09:00:00Z");
  t.is(ok.problem, null);
  const running = readBuildSection({ configured: true, apps: [{ name: "shop", sync: "Synced", health: "Healthy", operation: { phase: "Running" } }] });
  t.deepEqual([running.rows[0]?.state, running.rows[0]?.tone], ["Synced · Healthy · sync Running", "busy"]);

  const down = readBuildSection({ configured: true, watch: { reachable: false, last_error: "ECONNREFUSED" }, apps });
  t.is(down.problem, "unreachable: ECONNREFUSED");
  t.true(down.rows.every((r) => r.state === "stale" && r.tone === "unknown"));
  t.is(down.rows[0]?.detail, "last known: Synced · Healthy — default");
});

test("rows without a name are skipped; unknown words get the unknown tone", (t) => {
  const s = readBuildSection({ items: [{ state: "passing" }, { id: "x", status: "weird" }, "nonsense"] });
  t.deepEqual(
    s.rows.map((r) => [r.name, r.tone]),
    [["x", "unknown"]],
  );
  t.is(toneOf("Out_Of-Sync"), "busy");
  t.is(toneOf(undefined), "unknown");
  t.is(worstTone(["good", "unknown"]), "unknown");
  t.is(worstTone(["busy", "bad", "good"]), "bad");
});

test("spans and relative times", (t) => {
  t.is(formatSpan(0), "0s");
  t.is(formatSpan(59_999), "59s");
  t.is(formatSpan(192_000), "3m 12s");
  t.is(formatSpan(3_600_000), "1h");
  t.is(formatSpan(7_500_000), "2h 5m");
  t.is(formatSpan(50 * 3_600_000), "2d 2h");
  const now = Date.parse("2026-11-18T10:00:00Z");
  t.is(relative("2026-11-18T09:59:48Z", now), "12s ago");
  t.is(relative("2026-11-18T12:00:00Z", now), "in 2h");
  t.is(relative(null, now), "never");
  t.is(relative("yesterday", now), "?");
});

test("the server clock corrects ages for a browser whose clock is off", (t) => {
  const clock = new ServerClock();
  t.is(clock.now(1000), 1000);
  clock.observe("1970-01-01T00:00:05.000Z", 2000); // the bridge is 3 s ahead of us
  t.is(clock.now(2500), 5500);
  clock.observe("garbage", 9999);
  t.is(clock.now(2500), 5500);
});
