// The gadget's side of the gates over a real broker: views retained per gadget, button events
// deciding once, acks answering each event (again for a redelivery), replays refused and audited.
import { randomUUID } from "node:crypto";
import type { MqttClient } from "mqtt";
import { DEFAULT_PREFIX, type GadgetAck, type GadgetView, Topics } from "@shipgate/protocol";
import { AuditService } from "../src/audit/audit-service";
import { connectClient, nextMessage, startTestBridge } from "./helpers/bridge";
import { bothStores, storeConfig } from "./helpers/store-backends";

const topics = new Topics(DEFAULT_PREFIX);

async function setup() {
  const bridge = await startTestBridge({ config: { ...storeConfig(), gadgets: { "desk-1": {} } } });
  const gadget = await connectClient(bridge.brokerUrl, { clientId: "desk-1" });
  await gadget.subscribeAsync([topics.gadgetView("desk-1"), topics.gadgetAck("desk-1"), topics.errors("desk-1")], { qos: 1 });
  const pipeline = await connectClient(bridge.brokerUrl, { clientId: "pipe" });
  const audit = () => bridge.service(AuditService)!.recent(100);
  return { bridge, gadget, pipeline, audit };
}

const ack = (c: MqttClient, seq: number) => nextMessage(c, topics.gadgetAck("desk-1"), (p) => (JSON.parse(p.toString()) as GadgetAck).seq === seq).then((p) => JSON.parse(p.toString()) as GadgetAck);
const view = (c: MqttClient, accept: (v: GadgetView) => boolean) =>
  nextMessage(c, topics.gadgetView("desk-1"), (p) => accept(JSON.parse(p.toString()) as GadgetView)).then((p) => JSON.parse(p.toString()) as GadgetView);

bothStores("the gadget's view shows the head lock; approve decides it once; a redelivered event is answered again but decides nothing", async (t) => {
  const { bridge, gadget, pipeline, audit } = await setup();
  try {
    const id = randomUUID();
    const shown = view(gadget, (v) => v.head?.id === id);
    await pipeline.publishAsync(topics.lockRequest(), JSON.stringify({ id, pipeline: "api", step: "deploy-prod", summary: "v1.4.2 by alice" }), { qos: 1 });
    const v = await shown;
    t.is(v.mode, "default");
    t.is(v.queue, 1);
    t.true(v.can_decide);
    t.is(v.rings[0]?.scene, "locked");
    t.deepEqual(v.display, { kind: "text", text: "api deploy-prod v1.4.2 by alice" });

    const event = JSON.stringify({ button: "approve", gesture: "short", boot: 3, seq: 1, lock_id: id });
    const first = ack(gadget, 1);
    const idle = view(gadget, (x) => x.head === null && x.rings[0]?.scene === "idle");
    await gadget.publishAsync(topics.gadgetEvent("desk-1"), event, { qos: 1 });
    t.deepEqual(await first, { boot: 3, seq: 1, ok: true, message: "APPROVED" });
    await idle;
    const again = ack(gadget, 1);
    await gadget.publishAsync(topics.gadgetEvent("desk-1"), event, { qos: 1, dup: true });
    t.deepEqual(await again, { boot: 3, seq: 1, ok: true, message: "APPROVED" });
    t.is(audit().filter((a) => a.action === "lock.approve" && a.subject === id).length, 1, "decided exactly once");
  } finally {
    await Promise.all([gadget.endAsync(), pipeline.endAsync()]);
    await bridge.stop();
  }
});

bothStores("an older (boot, seq) is a replay: refused on the errors topic and audited; a new boot starts over", async (t) => {
  const { bridge, gadget, pipeline, audit } = await setup();
  try {
    const press = (boot: number, seq: number) => gadget.publishAsync(topics.gadgetEvent("desk-1"), JSON.stringify({ button: "release", gesture: "short", boot, seq }), { qos: 1 });
    const a = ack(gadget, 5);
    await press(2, 5);
    t.true((await a).ok);
    const refused = nextMessage(gadget, topics.errors("desk-1"));
    await press(2, 4);
    const error = JSON.parse((await refused).toString()) as { field: string; error: string };
    t.is(error.field, "seq");
    t.regex(error.error, /replay refused/);
    t.true(audit().some((e) => e.action === "gadget.replay" && e.subject === "desk-1"));
    const next = ack(gadget, 1);
    await press(3, 1);
    t.true((await next).ok, "a restarted gadget (boot + 1) starts its seq again");
  } finally {
    await Promise.all([gadget.endAsync(), pipeline.endAsync()]);
    await bridge.stop();
  }
});

bothStores("approve with nothing pending is answered with a reason for the display", async (t) => {
  const { bridge, gadget, pipeline } = await setup();
  try {
    const a = ack(gadget, 1);
    await gadget.publishAsync(topics.gadgetEvent("desk-1"), JSON.stringify({ button: "approve", gesture: "short", boot: 1, seq: 1 }), { qos: 1 });
    t.deepEqual(await a, { boot: 1, seq: 1, ok: false, message: "NO LOCK" });
  } finally {
    await Promise.all([gadget.endAsync(), pipeline.endAsync()]);
    await bridge.stop();
  }
});
