// The dashboard's audit view filters by action, in a real browser (Debian's Chromium) against a
// real bridge: typing a prefix reloads the list from GET /api/audit?action=, later pushed entries
// that do not match stay out, and the CSV link carries the same filter.

import test from "ava";
import { chromiumMissing, launchChromium, startDashboardBridge } from "./dashboard-support";
import { waitFor } from "./helpers/bridge";

const missing = chromiumMissing();
if (missing !== null) console.warn(`dashboard-audit-filter.test.ts: ${missing}`);
const browserTest = missing === null ? test : test.skip;

browserTest("the audit view filters by action prefix, live entries included", async (t) => {
  const rig = await startDashboardBridge({});
  const browser = await launchChromium();
  t.teardown(async () => {
    await browser.close().catch(() => {});
    await rig.stop();
  });
  const { bus } = rig.bridge.context;
  for (let i = 0; i < 5; i++) bus.emit("audit", { actor: "user:alice", action: "lock.approve", subject: `lock-${i}` });
  for (let i = 0; i < 5; i++) bus.emit("audit", { actor: "user:alice", action: "mode.change", subject: `mode-${i}` });
  const page = await browser.newPage();
  await page.goto(rig.bridge.httpUrl + "/");
  await page.locator("#connection[data-state=live]").waitFor();
  await page.locator("#audit tr", { hasText: "mode-4" }).waitFor();

  await page.fill("#audit-action", "lock.");
  // Polled from the test (the page's CSP forbids the string evaluation waitForFunction would use).
  await waitFor("only the lock rows", async () => {
    const rows = await page.locator("#audit tr").allTextContents();
    return rows.length === 5 && rows.every((r) => r.includes("lock.approve"));
  });
  t.is(await page.getAttribute("#audit-csv", "href"), "/api/audit.csv?action=lock.");

  bus.emit("audit", { actor: "user:bob", action: "mode.change", subject: "mode-late" });
  bus.emit("audit", { actor: "user:bob", action: "lock.reject", subject: "lock-late" });
  await page.locator("#audit tr", { hasText: "lock-late" }).waitFor();
  t.is(await page.locator("#audit tr", { hasText: "mode-late" }).count(), 0);

  await page.fill("#audit-action", "");
  await page.locator("#audit tr", { hasText: "mode-late" }).waitFor();
  t.is(await page.getAttribute("#audit-csv", "href"), "/api/audit.csv");
});
