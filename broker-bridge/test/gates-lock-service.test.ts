// The lock queue's semantics (shared/docs/contract.md, "Semantics") on a fake clock, each on an
// in-memory SQLite store and on PostgreSQL (helpers/store-backends.ts): FIFO positions, idempotent
// ids, expiry, cancel, modes with until, freeze windows, the two-person rule, decider allow-lists
// and the "nobody online" reason.
import type { LockState } from "@shipgate/protocol";
import { checkConfig, type GatesConfig, type GadgetConfig } from "../src/bridge-config";
import { EventBus } from "../src/events";
import { GateRefusal, LockService } from "../src/gates/lock-service";
import { LockStore } from "../src/gates/lock-store";
import { GatePolicy } from "../src/gates/policy";
import { FakeClock } from "./helpers/fake-clock";
import { bothStores, freshStore } from "./helpers/store-backends";

const ID = (n: number) => `00000000-0000-4000-8000-${String(n).padStart(12, "0")}`;

function gatesFrom(raw: Record<string, unknown>): { gates: GatesConfig; gadgets: GadgetConfig[] } {
  const checked = checkConfig(raw, "<test>", "/tmp");
  if (!checked.ok) throw new Error(`${checked.field} ${checked.error}`);
  return { gates: checked.value.gates, gadgets: checked.value.gadgets };
}

function setup(raw: Record<string, unknown> = {}, store = freshStore(), clock = new FakeClock()) {
  const { gates, gadgets } = gatesFrom(raw);
  const bus = new EventBus((_event, err) => {
    throw err;
  });
  const published = new Map<string, LockState>();
  const audit: { actor: string; action: string; subject: string }[] = [];
  bus.on("lock:changed", ({ lock }) => published.set(lock.id, lock));
  bus.on("audit", (a) => audit.push(a));
  const service = new LockService({ locks: new LockStore(store), kv: store.kv(), config: gates, policy: new GatePolicy(gates.rules, gadgets), clock, bus });
  service.start();
  return { service, clock, published, audit, store, bus };
}

const gadget = (name: string) => ({ kind: "gadget" as const, name, admin: false });
const admin = (name: string) => ({ kind: "user" as const, name, admin: true });

bothStores("locks queue first-in first-out with positions that move up as the head is decided", async (t) => {
  const { service, published } = setup();
  for (let i = 1; i <= 3; i++) service.request({ id: ID(i), pipeline: `p${i}`, step: "deploy" }, null);
  t.deepEqual(
    service.pending().map((l) => [l.id, l.position]),
    [
      [ID(1), 1],
      [ID(2), 2],
      [ID(3), 3],
    ],
  );
  const out = service.decide({ decision: "approve", decider: gadget("desk") });
  t.is(out.lock.id, ID(1));
  t.is(out.lock.state, "approved");
  t.is(out.lock.decided_by, "gadget:desk");
  await new Promise((r) => setImmediate(r));
  t.is(published.get(ID(2))?.position, 1, "the retained state of the next lock shows its new position");
  t.is(published.get(ID(3))?.position, 2);
});

bothStores("the same id is the same lock; a different pipeline under that id is refused", (t) => {
  const { service } = setup();
  const a = service.request({ id: ID(1), pipeline: "api", step: "prod" }, null);
  const b = service.request({ id: ID(1), pipeline: "api", step: "prod" }, null);
  t.true(a.created);
  t.false(b.created);
  t.is(service.pendingCount(), 1);
  const err = t.throws(() => service.request({ id: ID(1), pipeline: "web", step: "prod" }, null), { instanceOf: GateRefusal });
  t.is(err?.field, "id");
});

bothStores("a lock expires when its timeout passes, and not before", (t) => {
  const { service, clock } = setup();
  service.request({ id: ID(1), pipeline: "api", step: "prod", timeout_s: 60 }, null);
  clock.advance(59_000);
  t.is(service.get(ID(1))?.state, "pending");
  clock.advance(1_100);
  const lock = service.get(ID(1));
  t.is(lock?.state, "expired");
  t.is(lock?.decided_by, "timeout");
  t.is(lock?.time_locked_ms, 60_000);
});

bothStores("cancel withdraws a pending lock; a decided lock stays decided", (t) => {
  const { service } = setup();
  service.request({ id: ID(1), pipeline: "api", step: "prod" }, null);
  t.is(service.cancel(ID(1), "pipeline").state, "cancelled");
  service.request({ id: ID(2), pipeline: "api", step: "prod" }, null);
  service.decide({ decision: "reject", decider: admin("alice"), id: ID(2) });
  t.is(service.cancel(ID(2), "pipeline").state, "rejected");
});

bothStores("released mode approves waiting and new locks at once; blocked rejects them; until reverts to default", (t) => {
  const { service, clock, audit } = setup();
  service.request({ id: ID(1), pipeline: "api", step: "prod" }, null);
  service.setMode({ mode: "released", actor: "user:alice", until: clock.now() + 3_600_000 });
  t.is(service.get(ID(1))?.state, "approved");
  t.is(service.get(ID(1))?.decided_by, "mode:released");
  t.is(service.request({ id: ID(2), pipeline: "api", step: "prod" }, null).lock.state, "approved");
  clock.advance(3_600_001);
  t.is(service.mode().mode, "default");
  t.is(service.request({ id: ID(3), pipeline: "api", step: "prod" }, null).lock.state, "pending");
  service.setMode({ mode: "blocked", actor: "gadget:desk" });
  t.is(service.get(ID(3))?.state, "rejected");
  t.is(service.get(ID(3))?.mode, "blocked");
  t.true(audit.some((a) => a.action === "mode.change" && a.actor === "gadget:desk"));
  t.true(
    audit.some((a) => a.action === "mode.change" && a.actor === "schedule"),
    "the revert is audited",
  );
});

bothStores("a freeze window blocks in its time zone, across a daylight-saving change, and ends on time", (t) => {
  // 2026-10-25 is the end of summer time in Europe/Berlin (03:00 CEST -> 02:00 CET).
  const clock = new FakeClock("2026-10-23T12:00:00Z"); // Friday 14:00 CEST
  const { service } = setup({ gates: { timezone: "Europe/Berlin", freeze: [{ name: "weekend", from: "fri 15:00", to: "mon 06:00" }] } }, freshStore(), clock);
  t.is(service.mode().mode, "default");
  clock.set("2026-10-23T13:00:01Z"); // 15:00:01 CEST
  const mode = service.mode();
  t.is(mode.mode, "blocked");
  t.is(mode.changed_by, "freeze:weekend");
  t.is(mode.until, "2026-10-26T05:00:00.000Z", "Monday 06:00 CET is 05:00 UTC after the change");
  const lock = service.request({ id: ID(1), pipeline: "api", step: "prod" }, null).lock;
  t.is(lock.state, "rejected");
  t.is(lock.decided_by, "freeze:weekend");
  clock.set("2026-10-26T05:00:01Z");
  t.is(service.mode().mode, "default");
});

bothStores("an admin's explicit mode during a freeze overrides it (an incident)", (t) => {
  const clock = new FakeClock("2026-11-20T15:30:00Z"); // Friday 15:30 UTC
  const { service } = setup({ gates: { timezone: "UTC", freeze: [{ from: "fri 15:00", to: "mon 06:00" }] } }, freshStore(), clock);
  t.is(service.mode().mode, "blocked");
  service.setMode({ mode: "default", actor: "user:oncall", reason: "hotfix", until: clock.now() + 3_600_000 });
  t.is(service.mode().mode, "default");
  t.is(service.request({ id: ID(1), pipeline: "api", step: "prod" }, null).lock.state, "pending");
  clock.advance(3_600_001);
  t.is(service.mode().mode, "blocked", "when the override ends, the freeze window takes over again");
  t.is(service.mode().changed_by, "freeze:freeze");
});

bothStores("two-person rule: two distinct approvals, the same person twice is refused", (t) => {
  const { service } = setup({
    gadgets: { a: {}, b: {}, c: { pipelines: ["web*"] } },
    gates: { rules: [{ pipeline: "api*", step: "deploy-prod", approvals: 2 }] },
  });
  service.request({ id: ID(1), pipeline: "api", step: "deploy-prod" }, null);
  const first = service.decide({ decision: "approve", decider: gadget("a") });
  t.false(first.settled);
  t.is(first.lock.state, "pending");
  t.is(first.lock.approvals_needed, 1);
  t.deepEqual(first.lock.approved_by, ["gadget:a"]);
  t.regex(first.lock.reason ?? "", /needs 1 more approval/);
  t.throws(() => service.decide({ decision: "approve", decider: gadget("a"), id: ID(1) }), { message: /already approved/ });
  t.is(service.headFor(gadget("a")), undefined, "a gadget that approved no longer sees it as its head");
  t.throws(() => service.decide({ decision: "approve", decider: gadget("c"), id: ID(1) }), { message: /may not decide pipeline api/ });
  const second = service.decide({ decision: "approve", decider: gadget("b") });
  t.true(second.settled);
  t.is(second.lock.state, "approved");
  t.is(second.lock.decided_by, "gadget:a,gadget:b");
});

bothStores("a rule's deciders limit who decides; the lock says when none of them is online", (t) => {
  const { service } = setup({
    gadgets: { boss: {}, intern: {} },
    gates: { rules: [{ pipeline: "*", step: "deploy-prod", deciders: ["boss"] }] },
  });
  let online = new Set<string>(["intern"]);
  service.setPresence(() => online);
  const lock = service.request({ id: ID(1), pipeline: "api", step: "deploy-prod" }, null).lock;
  t.regex(lock.reason ?? "", /no gadget that may decide it is online \(boss offline\)/);
  t.throws(() => service.decide({ decision: "approve", decider: gadget("intern"), id: ID(1) }), { instanceOf: GateRefusal });
  online = new Set(["boss", "intern"]);
  service.presenceChanged();
  t.is(service.get(ID(1))?.reason, null);
  t.is(service.decide({ decision: "approve", decider: gadget("boss") }).lock.state, "approved");
});

bothStores("pending locks per pipeline are bounded", (t) => {
  const { service } = setup({ gates: { max_pending_per_pipeline: 2 } });
  service.request({ id: ID(1), pipeline: "api", step: "a" }, null);
  service.request({ id: ID(2), pipeline: "api", step: "b" }, null);
  t.throws(() => service.request({ id: ID(3), pipeline: "api", step: "c" }, null), { message: /limit 2/ });
  t.notThrows(() => service.request({ id: ID(4), pipeline: "web", step: "c" }, null));
});

bothStores("decided locks are cleared from retained state after the grace period", (t) => {
  const { service, clock, bus } = setup({ gates: { grace: "10m" } });
  const cleared: string[] = [];
  bus.on("lock:cleared", ({ id }) => cleared.push(id));
  service.request({ id: ID(1), pipeline: "api", step: "prod" }, null);
  service.decide({ decision: "approve", decider: admin("alice") });
  clock.advance(9 * 60_000);
  t.deepEqual(cleared, []);
  clock.advance(61_000);
  t.deepEqual(cleared, [ID(1)]);
  t.false(service.isRetained(ID(1)));
});

bothStores("state survives a new service on the same store: pending stays pending in order", (t) => {
  const store = freshStore();
  const first = setup({}, store);
  first.service.request({ id: ID(1), pipeline: "a", step: "s" }, null);
  first.service.request({ id: ID(2), pipeline: "b", step: "s" }, null);
  first.service.stop();
  const second = setup({}, store);
  t.deepEqual(
    second.service.pending().map((l) => [l.id, l.position, l.state]),
    [
      [ID(1), 1, "pending"],
      [ID(2), 2, "pending"],
    ],
  );
});

bothStores("recently decided locks come from the store, newest first, and survive a restart", (t) => {
  const store = freshStore();
  const first = setup({}, store);
  for (let i = 1; i <= 3; i++) first.service.request({ id: ID(i), pipeline: "api", step: `s${i}` }, null);
  first.service.decide({ decision: "approve", decider: admin("alice"), id: ID(2) });
  first.clock.advance(1000);
  first.service.decide({ decision: "reject", decider: admin("alice"), id: ID(1) });
  first.service.stop();
  const second = setup({}, store, new FakeClock(first.clock.now()));
  t.deepEqual(
    second.service.recent(5).map((l) => [l.id, l.state]),
    [
      [ID(1), "rejected"],
      [ID(2), "approved"],
    ],
  );
  t.deepEqual(
    second.service.recent(1).map((l) => l.id),
    [ID(1)],
  );
});

bothStores("with a long queue, every lock behind a decided head learns its new position, a slice per turn", async (t) => {
  const { service, published } = setup({ gates: { max_pending_per_pipeline: 10_000 } });
  const n = 700;
  for (let i = 1; i <= n; i++) service.request({ id: ID(i), pipeline: "api", step: `s${i}` }, null);
  service.decide({ decision: "approve", decider: admin("alice") });
  service.decide({ decision: "reject", decider: admin("alice"), id: ID(350) });
  const settled = () =>
    [...published.values()]
      .filter((l) => l.state === "pending")
      .every((l) => {
        const i = Number(l.id.slice(-12));
        return l.position === (i < 350 ? i - 1 : i - 2);
      });
  let turns = 0;
  while (!settled() && turns < 50) {
    await new Promise((r) => setImmediate(r));
    turns++;
  }
  t.true(settled(), "every retained position is right");
  t.true(turns >= 2, "the pass was spread over several turns of the event loop");
  t.is(published.get(ID(n))?.position, n - 2);
});
