// A timer callback that throws must not take the bridge down: the bridge's clock catches it,
// logs it and counts it by the timer's name in /metrics, and the other timers keep running.

import test from "ava";
import { every, guardedClock } from "../src/clock";
import { AuditService } from "../src/audit/audit-service";
import { GatesService } from "../src/gates/gates-service";
import { PresenceService } from "../src/presence/presence-service";
import type { Service } from "../src/service";
import { FakeClock } from "./helpers/fake-clock";
import { startTestBridge } from "./helpers/bridge";

test("a throwing timer in a running bridge is counted in /metrics by name, and the bridge stays up", async (t) => {
  const clock = new FakeClock();
  let ran = 0;
  const faulty: Service = {
    name: "faulty",
    start(ctx) {
      ctx.clock.setTimeout(
        () => {
          throw new Error("attempt to write a readonly database");
        },
        1_000,
        "faulty-tick",
      );
      ctx.clock.setTimeout(() => void ran++, 2_000, "healthy-tick");
    },
  };
  const bridge = await startTestBridge({ clock, services: [new AuditService(), new PresenceService(), new GatesService(), faulty] });
  t.teardown(() => bridge.stop());
  t.notThrows(() => clock.advance(5_000));
  t.is(ran, 1, "the timer after the failing one still ran");
  const answer = await fetch(`${bridge.httpUrl}/metrics`);
  t.is(answer.status, 200, "the bridge still answers");
  const metrics = await answer.text();
  t.regex(metrics, /shipgate_timer_errors_total\{timer="faulty-tick"\} 1/);
  t.notRegex(metrics, /timer="healthy-tick"/);
  // The gates' own timers run through the same clock: moving on past their tick is harmless.
  t.notThrows(() => clock.advance(60_000));
});

test("guardedClock reports the name and the error; every() keeps its rhythm after a throw", (t) => {
  const clock = new FakeClock();
  const failures: string[] = [];
  const guarded = guardedClock(clock, (name, err) => failures.push(`${name}: ${(err as Error).message}`));
  let calls = 0;
  const stop = every(guarded, 100, "sweep", () => {
    calls++;
    if (calls === 2) throw new Error("boom");
  });
  clock.advance(450);
  t.is(calls, 4);
  t.deepEqual(failures, ["sweep: boom"]);
  stop();
  clock.advance(1_000);
  t.is(calls, 4, "stopped");
  guarded.setTimeout(() => {
    throw new Error("late");
  }, 5);
  clock.advance(10);
  t.deepEqual(failures, ["sweep: boom", "unnamed: late"]);
});
