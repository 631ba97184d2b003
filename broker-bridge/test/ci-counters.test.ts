// Counters as pure functions: the weekday is taken in the configured time zone, only successful
// deploys to the configured environment count; days since red are 0 while red.

import test from "ava";
import { checkCountersSection } from "../src/counters/counter-config";
import { type DeployDayCounter, daysSince, lastDeployOnDay, weeksSince } from "../src/counters/counters";

const friday: DeployDayCounter = { kind: "deploy-day", day: 5, timezone: "Europe/Berlin", environment: "production", label: "WEEKS SINCE FRIDAY DEPLOY" };

test("the weekday is local to the configured time zone", (t) => {
  // Thursday 23:30 UTC is Friday 00:30 in Berlin (CET, UTC+1).
  t.is(lastDeployOnDay([{ environment: "production", at: "2026-02-26T23:30:00Z", ok: true }], friday), "2026-02-26T23:30:00Z");
  // Friday 23:30 UTC is Saturday in Berlin.
  t.is(lastDeployOnDay([{ environment: "production", at: "2026-02-27T23:30:00Z", ok: true }], friday), null);
  t.is(lastDeployOnDay([{ environment: "production", at: "2026-02-27T23:30:00Z", ok: true }], { ...friday, timezone: "America/New_York" }), "2026-02-27T23:30:00Z");
});

test("only successful deploys to the environment count; the newest wins", (t) => {
  const deploys = [
    { environment: "staging", at: "2026-03-06T10:00:00Z", ok: true },
    { environment: "production", at: "2026-03-06T11:00:00Z", ok: false },
    { environment: "production", at: "2026-02-20T11:00:00Z", ok: true },
    { environment: "production", at: "2026-02-13T11:00:00Z", ok: true },
  ];
  const at = lastDeployOnDay(deploys, friday);
  t.is(at, "2026-02-20T11:00:00Z");
  t.is(weeksSince(at, Date.parse("2026-03-06T12:00:00Z")), 2);
  t.is(weeksSince(null, 0), null);
});

test("days since red: 0 while red, whole days otherwise", (t) => {
  t.is(daysSince("2026-03-01T10:00:00Z", Date.parse("2026-03-04T09:00:00Z"), false), 2);
  t.is(daysSince("2026-03-01T10:00:00Z", Date.parse("2026-03-04T09:00:00Z"), true), 0);
  t.is(daysSince(null, 0, false), null);
});

test("config: day names, time zones and unknown keys are checked", (t) => {
  const ok = checkCountersSection({ friday: { day: "friday", timezone: "Europe/Berlin" }, red: { kind: "last-red", pipelines: ["api"] } }, "counters");
  t.true(ok.ok);
  if (ok.ok) t.like(ok.value.get("friday"), { kind: "deploy-day", day: 5, environment: "production" });
  t.like(checkCountersSection({ f: { day: "fri", timezone: "Mars/Olympus" } }, "counters"), { ok: false, field: "counters.f.timezone" });
  t.like(checkCountersSection({ f: { day: "someday" } }, "counters"), { ok: false, field: "counters.f.day" });
  t.like(checkCountersSection({ f: { kind: "last-red", day: "fri" } }, "counters"), { ok: false, field: "counters.f.day" });
});
