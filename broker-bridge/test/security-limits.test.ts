// Limits: per-client token buckets on lock requests and gadget events (configurable in the
// `security` section), oversized payloads, and the bound on pending locks per pipeline. Every
// refusal is answered on the client's errors topic and logged; nothing else changes.
import test from "ava";
import { randomUUID } from "node:crypto";
import { GatesService } from "../src/gates/gates-service";
import { RateLimiter } from "../src/security/rate-limit";
import { collect, sleep, startSecureBridge, topics } from "./security-support";
import { waitFor } from "./helpers/bridge";

test("a token bucket allows a burst, then refills at its rate per key", (t) => {
  let now = 0;
  const limiter = new RateLimiter({ perMinute: 6, burst: 2 }, () => now);
  t.deepEqual([limiter.take("a"), limiter.take("a"), limiter.take("a")], [true, true, false]);
  t.true(limiter.take("b"), "another client has its own bucket");
  now += 9_999;
  t.false(limiter.take("a"), "one token takes 10 s at 6 a minute");
  now += 1;
  t.true(limiter.take("a"));
  now += 10 * 60_000;
  t.deepEqual([limiter.take("a"), limiter.take("a"), limiter.take("a")], [true, true, false], "refill stops at the burst");
});

test("lock requests and events beyond a client's rate are refused on its errors topic, audited once, and change nothing", async (t) => {
  const rig = await startSecureBridge({ security: { lock_requests_per_minute: 1, lock_request_burst: 3, events_per_minute: 1, event_burst: 2 } });
  t.teardown(() => rig.stop());
  const gates = rig.bridge.service(GatesService) as GatesService;
  const ci = await rig.connectAs("ci", "pipeline");
  const errors = collect(ci);
  await ci.subscribeAsync(topics.errors(ci.options.clientId as string), { qos: 1 });
  const ids = Array.from({ length: 5 }, () => randomUUID());
  for (const id of ids) await ci.publishAsync(topics.lockRequest(), JSON.stringify({ id, pipeline: "api", step: "s" }), { qos: 1 });
  await waitFor("two refusals", () => errors.filter((m) => /too many lock requests/.test(m.payload)).length === 2);
  t.deepEqual(
    ids.map((id) => gates.locks.get(id)?.state ?? "none"),
    ["pending", "pending", "pending", "none", "none"],
  );
  t.like(JSON.parse(errors[0]?.payload ?? "{}"), { topic: topics.lockRequest() });

  const desk = await rig.connectAs("desk-1", "gadget");
  const deskErrors = collect(desk);
  await desk.subscribeAsync(topics.errors(desk.options.clientId as string), { qos: 1 });
  for (let seq = 1; seq <= 4; seq++) {
    await desk.publishAsync(topics.gadgetEvent("desk-1"), JSON.stringify({ button: "approve", gesture: "short", boot: 1, seq, lock_id: ids[0] }), { qos: 1 });
  }
  await waitFor("two event refusals", () => deskErrors.filter((m) => /too many gadget events/.test(m.payload)).length === 2);
  const limited = rig.audit("rate.limited");
  t.deepEqual(
    limited.map((r) => r.actor),
    ["user:ci", "user:desk-1"],
    "one audit row per client and minute, not one per message",
  );
});

test("an oversized payload and a pipeline beyond its pending bound are refused with an answer", async (t) => {
  const rig = await startSecureBridge({ gates: { max_pending_per_pipeline: 2 } });
  t.teardown(() => rig.stop());
  const gates = rig.bridge.service(GatesService) as GatesService;
  const ci = await rig.connectAs("ci", "pipeline");
  const errors = collect(ci);
  await ci.subscribeAsync(topics.errors(ci.options.clientId as string), { qos: 1 });
  const big = randomUUID();
  await ci.publishAsync(topics.lockRequest(), JSON.stringify({ id: big, pipeline: "api", step: "s", summary: "x".repeat(200_000) }), { qos: 1 });
  const ids = [randomUUID(), randomUUID(), randomUUID()];
  for (const id of ids) await ci.publishAsync(topics.lockRequest(), JSON.stringify({ id, pipeline: "api", step: "s" }), { qos: 1 });
  await waitFor("two answers", () => errors.length >= 2);
  await sleep(100);
  t.is(gates.locks.get(big), undefined);
  t.deepEqual(
    ids.map((id) => gates.locks.get(id)?.state ?? "none"),
    ["pending", "pending", "none"],
  );
  t.is(errors.length, 2);
  t.true(rig.audit("message.refused").length >= 2, "refusals are in the audit log");
});
