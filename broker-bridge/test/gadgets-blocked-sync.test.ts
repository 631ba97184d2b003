// In blocked mode a sync hold is refused (docs/argocd.md), so the view must not offer one: the
// retained view's sync_ready is 0 while blocked, whatever the contributors count, and comes back
// with the default mode. Before, the view kept sync_ready: 1 and the twin lit its sync LED.
import test from "ava";
import { DEFAULT_PREFIX, type GadgetView, Topics } from "@shipgate/protocol";
import { GadgetService } from "../src/gadgets/gadget-service";
import { GatesService } from "../src/gates/gates-service";
import { connectClient, nextMessage, startTestBridge } from "./helpers/bridge";

test("blocked mode publishes sync_ready 0; default brings the contributors' count back", async (t) => {
  const bridge = await startTestBridge({ config: { gadgets: { "desk-1": {} } } });
  t.teardown(() => bridge.stop());
  const topics = new Topics(DEFAULT_PREFIX);
  const client = await connectClient(bridge.brokerUrl);
  t.teardown(() => client.endAsync());
  await client.subscribeAsync(topics.gadgetView("desk-1"), { qos: 1 });
  const view = (accept: (v: GadgetView) => boolean) =>
    nextMessage(client, topics.gadgetView("desk-1"), (p) => accept(JSON.parse(p.toString()) as GadgetView)).then((p) => JSON.parse(p.toString()) as GadgetView);

  const gadgets = bridge.service(GadgetService)!;
  const gates = bridge.service(GatesService)!;
  const ready = view((v) => v.sync_ready === 2);
  gadgets.views.contribute("out-of-sync-apps", () => ({ syncReady: 2 }));
  t.is((await ready).mode, "default");

  const blocked = view((v) => v.mode === "blocked");
  gates.locks.setMode({ mode: "blocked", until: null, reason: "freeze", actor: "user:test" });
  t.is((await blocked).sync_ready, 0);

  const back = view((v) => v.mode === "default");
  gates.locks.setMode({ mode: "default", until: null, reason: null, actor: "user:test" });
  t.is((await back).sync_ready, 2);
});
