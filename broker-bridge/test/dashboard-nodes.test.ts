// The dashboard shows the fleet's nodes from their presence beats, in a real browser against a
// real bridge: a viewer account beats as itself over MQTT, the page lists it with its part and
// facts, and an offline beat turns it offline.

import test from "ava";
import { DEFAULT_PREFIX, Topics, encode } from "@shipgate/protocol";
import { chromiumMissing, launchChromium, startDashboardBridge } from "./dashboard-support";

const topics = new Topics(DEFAULT_PREFIX);
const missing = chromiumMissing();
if (missing !== null) console.warn(`dashboard-nodes.test.ts: ${missing}`);
const browserTest = missing === null ? test : test.skip;

browserTest("a node's beats appear on the dashboard with part and facts, and its offline beat too", async (t) => {
  const rig = await startDashboardBridge({});
  const browser = await launchChromium();
  t.teardown(async () => {
    await browser.close().catch(() => {});
    await rig.stop();
  });
  const page = await browser.newPage();
  await page.goto(rig.bridge.httpUrl + "/");
  await page.locator("#connection[data-state=live]").waitFor();
  await page.locator("#nodes li", { hasText: "No node beats yet" }).waitFor();

  const node = await rig.connectAs("web-1", "viewer");
  await node.publishAsync(topics.presence("web-1"), encode({ state: "online", interval_s: 60, part: "web", label: "Web <1>", facts: { addr: "10.0.0.11:8080" } }), { qos: 1 });
  const item = page.locator('#nodes li.node[data-id="web-1"][data-online="true"]');
  await item.waitFor();
  t.regex((await item.textContent()) ?? "", /web-1\s*web\s*online.*Web <1>\s*addr=10\.0\.0\.11:8080/);
  t.is(await page.textContent("#node-count"), "1 of 1 online");

  await node.publishAsync(topics.presence("web-1"), encode({ state: "offline", interval_s: 60 }), { qos: 1 });
  await page.locator('#nodes li.node[data-id="web-1"][data-online="false"]').waitFor();
  t.is(await page.textContent("#node-count"), "0 of 1 online");
});
