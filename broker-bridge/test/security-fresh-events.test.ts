// Fresh gadget events (issue 13), as an attacker would try it: someone between the gadget and the
// broker (or with the gadget's connection) keeps a genuine signed event back and releases it
// later, when what it answered no longer holds. Each view carries a nonce the event must echo;
// the bridge answers TOO LATE to an event answering a superseded view or one issued more than
// 30 s ago, decides nothing on it, and audits it. A normal press on the current view decides.
import test from "ava";
import { randomUUID } from "node:crypto";
import type { MqttClient } from "mqtt";
import type { GadgetEvent } from "@shipgate/protocol";
import { GatesService } from "../src/gates/gates-service";
import { FakeClock } from "./helpers/fake-clock";
import { waitFor } from "./helpers/bridge";
import { collect, signEvent, sleep, startSecureBridge, topics, viewNonce } from "./security-support";

async function setup(t: import("ava").ExecutionContext, clock?: FakeClock) {
  const rig = await startSecureBridge({}, clock ? { clock } : {});
  t.teardown(() => rig.stop());
  const gates = rig.bridge.service(GatesService) as GatesService;
  const ci = await rig.connectAs("ci", "pipeline");
  rig.addUser("desk-1", "gadget");
  const { secret } = rig.users.createGadgetSecret("desk-1");
  const desk: MqttClient = await rig.connectAs("desk-1", "gadget");
  const seen = collect(desk);
  await desk.subscribeAsync(topics.gadgetAck("desk-1"), { qos: 1 });
  const lock = async () => {
    const id = randomUUID();
    await ci.publishAsync(topics.lockRequest(), JSON.stringify({ id, pipeline: "api", step: "deploy" }), { qos: 1 });
    await waitFor("the lock", () => gates.locks.get(id));
    return id;
  };
  let seq = 0;
  /** What the gadget's App makes on a press: signed, echoing the nonce of the view it showed. */
  const press = (e: Omit<GadgetEvent, "boot" | "seq">): GadgetEvent => signEvent(secret, "desk-1", { ...e, boot: 1, seq: ++seq });
  const send = (e: GadgetEvent) => desk.publishAsync(topics.gadgetEvent("desk-1"), JSON.stringify(e), { qos: 1 });
  const ackFor = (e: GadgetEvent) =>
    waitFor(`the ack of seq ${e.seq}`, () =>
      seen
        .filter((m) => m.topic === topics.gadgetAck("desk-1"))
        .map((m) => JSON.parse(m.payload) as { seq: number; ok: boolean; message?: string })
        .find((a) => a.seq === e.seq),
    );
  return { rig, gates, desk, lock, press, send, ackFor, nonce: () => viewNonce(rig.bridge, desk, "desk-1") };
}

test("an event held back until the head lock changed is answered TOO LATE and decides nothing", async (t) => {
  const { rig, gates, lock, press, send, ackFor, nonce } = await setup(t);
  const first = await lock();
  const second = await lock();
  // The gadget shows the first lock; its release press (released mode would pass every lock) is
  // kept back by the attacker.
  const held = press({ button: "release", gesture: "short", nonce: await nonce() });
  gates.runAdmin("boss", "decide", { decision: "approve", id: first });
  const now = await nonce();
  t.not(now, held.nonce, "the view changed: a new nonce");
  await send(held);
  t.like(await ackFor(held), { ok: false, message: "TOO LATE" });
  await sleep(200);
  t.is(gates.locks.mode().mode, "default", "the held release changed nothing");
  t.is(gates.locks.get(second)?.state, "pending");
  const late = rig.audit("gadget.late");
  t.is(late.length, 1);
  t.regex(String(late[0]?.detail?.why), /superseded/);
  // Redelivered, it is a duplicate: the same answer, still nothing decided.
  await send(held);
  await sleep(200);
  t.is(gates.locks.mode().mode, "default");

  // A normal press on what the gadget shows now decides.
  const approve = press({ button: "approve", gesture: "short", lock_id: second, nonce: now });
  await send(approve);
  t.like(await ackFor(approve), { ok: true });
  await waitFor("the approval", () => gates.locks.get(second)?.state === "approved");
});

test("after 31 s of refreshes of an unchanged view, a held event is TOO LATE; so is a signed one without a nonce", async (t) => {
  const clock = new FakeClock(Date.now());
  const { rig, gates, lock, press, send, ackFor, nonce } = await setup(t, clock);
  const id = await lock();
  const shown = await nonce();
  const held = press({ button: "approve", gesture: "short", lock_id: id, nonce: shown });
  // The view stays the same; the bridge renews its nonce every 15 s.
  clock.advance(16_000);
  const refreshed = await nonce();
  t.not(refreshed, shown, "the unchanged view was republished with a new nonce");
  clock.advance(15_000);
  t.not(await nonce(), refreshed);
  await send(held);
  t.like(await ackFor(held), { ok: false, message: "TOO LATE" });
  await sleep(200);
  t.is(gates.locks.get(id)?.state, "pending", "nothing decided by the late approval");
  t.is(rig.audit("gadget.late").length, 1);

  // A signed press without any nonce (firmware from before the check) is refused as well.
  const old = press({ button: "approve", gesture: "short", lock_id: id });
  await send(old);
  t.like(await ackFor(old), { ok: false, message: "TOO LATE" });
  t.regex(String(rig.audit("gadget.late").at(-1)?.detail?.why), /no view nonce/);
  t.is(gates.locks.get(id)?.state, "pending");

  const fresh = press({ button: "reject", gesture: "short", lock_id: id, nonce: await nonce() });
  await send(fresh);
  t.like(await ackFor(fresh), { ok: true });
  await waitFor("the rejection", () => gates.locks.get(id)?.state === "rejected");
});

test("a press answering the view a refresh just replaced (same content) still counts", async (t) => {
  const clock = new FakeClock(Date.now());
  const { gates, lock, press, send, ackFor, nonce } = await setup(t, clock);
  const id = await lock();
  const shown = await nonce();
  const approve = press({ button: "approve", gesture: "short", lock_id: id, nonce: shown });
  clock.advance(15_500);
  t.not(await nonce(), shown);
  await send(approve);
  t.like(await ackFor(approve), { ok: true });
  await waitFor("the approval", () => gates.locks.get(id)?.state === "approved");
});
