// With an external broker the bridge can go away while gadgets stay connected. The gadget (the
// twin's real App) must stop showing the last view as current and refuse presses, then recover.
import test from "ava";
import { randomUUID } from "node:crypto";
import { startTwin } from "@shipgate/firmware/adapters/node/twin";
import { connectClient, startMosquitto, startTestBridge } from "./helpers/bridge";

test("Mosquitto: when the bridge goes offline the gadget shows BRIDGE OFFLINE and refuses presses; a new bridge brings the view back", async (t) => {
  const mosquitto = await startMosquitto();
  t.teardown(() => mosquitto.stop());
  let bridge = await startTestBridge({ config: { broker: { url: mosquitto.url }, gadgets: { "desk-1": {} } } });
  const twin = await startTwin({ id: "desk-1", broker: mosquitto.url });
  t.teardown(() => twin.close());
  const pipeline = await connectClient(mosquitto.url);
  t.teardown(() => pipeline.endAsync());
  const id = randomUUID();
  await pipeline.publishAsync("shipgate/v1/locks/request", JSON.stringify({ id, pipeline: "api", step: "prod" }), { qos: 1 });
  await twin.waitFor("the lock on the gadget", () => twin.view?.head?.id === id, 10_000);
  await twin.waitFor("the approve LED lit for the lock", () => twin.leds.approve.level === 1, 5_000);

  await bridge.stop(); // publishes its offline status, as its Will would on a crash
  await twin.waitFor("BRIDGE OFFLINE", () => twin.logLines.some((l) => l.endsWith("bridge: offline")), 10_000);
  // The approve LED goes dark (within a frame or two): the lock on screen is no longer current.
  await twin.waitFor("the approve LED to go dark", () => twin.leds.approve.level === 0, 1_000);
  await twin.press("approve", 120);
  await twin.waitFor("a local refusal", () => twin.feedback.some((f) => f.kind === "error" && f.message === "BRIDGE OFFLINE"), 5_000);
  t.false(
    twin.feedback.some((f) => f.kind === "sent"),
    "no decision went out",
  );

  bridge = await startTestBridge({ config: { broker: { url: mosquitto.url }, gadgets: { "desk-1": {} } }, stateDir: bridge.stateDir });
  t.teardown(() => bridge.stop());
  await twin.waitFor("the bridge back", () => twin.logLines.some((l) => l.endsWith("bridge: online")), 10_000);
  await twin.waitFor("the lock back on the gadget", () => twin.view?.head?.id === id && twin.leds.approve.level === 1, 10_000);
  await twin.press("approve", 120);
  await twin.waitFor("the approve acked", () => twin.lastAck?.ok === true, 10_000);
  t.pass();
});
