// What a new user read on the dashboard, in a real Chromium against a real bridge: an anonymous
// load logs nothing in the console (it asked GET /api/session and got a 401 every time), a lock
// says when it was asked ("asked 5s ago", not "waiting 5s ago"), the until field suggests no date
// in the past, and an offline gadget is not said to "decide the head lock".
import { randomUUID } from "node:crypto";
import test from "ava";
import { encode, DEFAULT_PREFIX, Topics } from "@shipgate/protocol";
import { GatesService } from "../src/gates/gates-service";
import { chromiumMissing, launchChromium, startDashboardBridge } from "./dashboard-support";

const topics = new Topics(DEFAULT_PREFIX);
const missing = chromiumMissing();
if (missing !== null) console.warn(`dashboard-words.test.ts: ${missing}`);
const browserTest = missing === null ? test : test.skip;

browserTest("the anonymous page: no console errors, plain words for a waiting lock and an offline gadget", async (t) => {
  const rig = await startDashboardBridge({ gadgets: { "desk-1": {} } });
  t.teardown(() => rig.stop());
  const browser = await launchChromium();
  t.teardown(() => browser.close());
  const page = await (await browser.newContext()).newPage();
  const problems: string[] = [];
  page.on("console", (m) => void (m.type() === "error" && problems.push(m.text())));
  page.on("pageerror", (e) => problems.push(e.message));
  await page.goto(rig.bridge.httpUrl + "/");
  await page.locator("#connection[data-state=live]").waitFor();

  const ci = await rig.connectAs("ci", "pipeline");
  const id = randomUUID();
  await ci.publishAsync(topics.lockRequest(), encode({ id, pipeline: "api", step: "deploy-prod", summary: "v1.4.2 by alice" }), { qos: 1 });
  const card = page.locator(`#queue li.lock[data-id="${id}"] .waiting`);
  await card.waitFor();
  t.regex((await card.textContent()) ?? "", /^asked .+ ago$/);
  t.notRegex((await card.textContent()) ?? "", /waiting .* ago/);

  const gadget = page.locator("#gadgets", { hasText: "desk-1" });
  await gadget.getByText("offline: cannot decide now").waitFor();
  t.false((await page.locator("#gadgets").textContent())?.includes("can decide the head lock"));

  const placeholder = (await page.locator("input[name=until]").getAttribute("placeholder")) ?? "";
  for (const m of placeholder.matchAll(/\d{4}-\d{2}-\d{2}(T\d{2}:\d{2})?/g)) t.true(Date.parse(m[0]) > Date.now(), `a past date in the placeholder: ${placeholder}`);
  t.regex(placeholder, /2h/);

  // Rejected without a reason: the row says who once, not "by user:admin ... rejected by user:admin".
  const gates = rig.bridge.service(GatesService)!;
  gates.locks.decide({ decision: "reject", id, decider: { kind: "user", name: "admin", admin: true } });
  const row = page.locator(`#recent li.decided[data-id="${id}"]`);
  await row.waitFor();
  t.is(((await row.textContent()) ?? "").match(/by user:admin/g)?.length, 1, (await row.textContent()) ?? "");

  await page.waitForTimeout(300);
  t.deepEqual(problems, [], "an anonymous load logs no error (no 401 from GET /api/session)");
  await ci.endAsync();
});
