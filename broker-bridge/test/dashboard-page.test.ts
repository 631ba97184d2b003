// The dashboard in a real browser (Debian's Chromium through playwright-core) against a real,
// secure bridge: a pipeline's lock appears live, a gadget coming online appears with its
// telemetry and view, an admin logs in and approves and rejects from the page, a mode change
// shows, and unauthenticated or cross-site admin requests are refused.

import { randomUUID } from "node:crypto";
import http from "node:http";
import type { AddressInfo } from "node:net";
import test from "ava";
import type { Browser, Page } from "playwright-core";
import { encode } from "@shipgate/protocol";
import { GatesService } from "../src/gates/gates-service";
import { DEFAULT_PREFIX, Topics } from "@shipgate/protocol";
import { type DashboardRig, chromiumMissing, launchChromium, startDashboardBridge } from "./dashboard-support";
import { nextMessage, waitFor } from "./helpers/bridge";

const topics = new Topics(DEFAULT_PREFIX);

const missing = chromiumMissing();
if (missing !== null) console.warn(`dashboard-page.test.ts: ${missing}`);
const browserTest = missing === null ? test.serial : test.skip;

let rig: DashboardRig;
let browser: Browser;
let page: Page;
let admin: { username: string; password: string };

test.before(async () => {
  if (missing !== null) return;
  rig = await startDashboardBridge({ dashboard: { title: "Team <Rocket>" }, gadgets: { "desk-1": {}, "desk-2": {} } });
  admin = rig.addUser("alice", "admin");
  browser = await launchChromium();
  const context = await browser.newContext({ viewport: { width: 1440, height: 1000 } });
  page = await context.newPage();
  const problems: string[] = [];
  page.on("pageerror", (err) => problems.push(err.message));
  page.on("console", (m) => {
    // A 401 is expected: the page asks GET /api/session whether someone is logged in, and one test
    // posts without a session on purpose. Anything else (CSP violations, 404s, exceptions) is a bug.
    if (m.type() === "error" && !/status of 401/.test(m.text())) problems.push(m.text());
  });
  (globalThis as { pageProblems?: string[] }).pageProblems = problems;
  await page.goto(rig.bridge.httpUrl + "/");
  await page.locator("#connection[data-state=live]").waitFor();
});

test.after.always(async () => {
  await browser?.close().catch(() => {});
  await rig?.stop();
});

const lockCard = (id: string) => page.locator(`#queue li.lock[data-id="${id}"]`);

async function requestLock(pipeline: string, step: string, summary: string): Promise<string> {
  const ci = await rig.connectAs("ci", "pipeline");
  const id = randomUUID();
  await ci.publishAsync(topics.lockRequest(), encode({ id, pipeline, step, summary }), { qos: 1 });
  return id;
}

browserTest("the page loads with the mode banner, escapes the configured title, and shows a new lock live", async (t) => {
  await page.locator("#mode-banner[data-mode=default]").waitFor();
  t.is(await page.locator("#mode-name").textContent(), "DEFAULT");
  t.is(await page.locator("#title").textContent(), "Team <Rocket>");
  t.is(await page.title(), "Team <Rocket> · shipgate");

  const id = await requestLock("api", "deploy-prod", "v1.4.2 by alice");
  await lockCard(id).waitFor();
  t.regex((await lockCard(id).textContent()) ?? "", /api \/ deploy-prod/);
  t.regex((await lockCard(id).textContent()) ?? "", /v1\.4\.2 by alice/);
  // Nobody can decide yet: the gates say why it waits.
  t.regex((await lockCard(id).locator(".wait-reason").textContent()) ?? "", /no gadget that may decide it is online \(desk-1, desk-2 offline\)/);
  t.is(await page.locator("#queue-count").textContent(), "1");
  // Admin buttons are hidden until an admin logs in.
  t.false(await lockCard(id).locator("button.approve").isVisible());
});

browserTest("a gadget that comes online appears with its telemetry and what its display shows", async (t) => {
  const gadget = await rig.connectAs("desk-1", "gadget");
  await gadget.publishAsync(topics.gadgetStatus("desk-1"), encode({ state: "online", version: "0.3.1" }), { qos: 1, retain: true });
  await gadget.publishAsync(topics.gadgetTelemetry("desk-1"), encode({ uptime_s: 7260, rssi: -58, free_heap: 91_000, version: "0.3.1", restart_reason: "power-on", outbox: 0, interval_s: 30 }), {
    qos: 0,
  });
  const card = page.locator('.gadget[data-id="desk-1"][data-online="true"]');
  await card.waitFor();
  await card.locator(".telemetry", { hasText: "RSSI -58 dBm" }).waitFor();
  const telemetry = (await card.locator(".telemetry").textContent()) ?? "";
  t.regex(telemetry, /heap 89 KB/);
  t.regex(telemetry, /fw 0\.3\.1/);
  t.regex(telemetry, /up 2h 1m/);
  // The view the bridge composed for it: the head lock scrolls on the display.
  await card.locator(".matrix", { hasText: "api deploy-prod" }).waitFor();
  // Ring A is drawn by the firmware's animator: the "locked" scene lights blue LEDs.
  // (The root tsconfig has no DOM types; the canvas is typed by what this reads of it.)
  type Canvas = { width: number; height: number; getContext(kind: "2d"): { getImageData(x: number, y: number, w: number, h: number): { data: Uint8ClampedArray } } };
  const lit = await card
    .locator("canvas.ring")
    .first()
    .evaluate((element) => {
      const c = element as unknown as Canvas;
      const d = c.getContext("2d").getImageData(0, 0, c.width, c.height).data;
      let blue = 0;
      for (let i = 0; i < d.length; i += 4) if (d[i + 2]! > 120 && d[i]! < 60) blue++;
      return blue;
    });
  t.true(lit > 0, "ring A shows the locked scene's blue");
  t.regex((await page.locator("#gadget-count").textContent()) ?? "", /1\/2 online/);
  // With a gadget online, the lock no longer says nobody can decide it.
  await page.locator("#queue li.lock .wait-reason").waitFor({ state: "detached" });
});

browserTest("admin routes refuse a request without a session and a cross-site request with one", async (t) => {
  const id = (await page.locator("#queue li.lock").first().getAttribute("data-id")) as string;
  const anonymous = await page.evaluate(async (lockId) => {
    const res = await fetch("/api/admin/decide", { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ decision: "approve", id: lockId }) });
    return res.status;
  }, id);
  t.is(anonymous, 401);

  // Log in through the page's form, then let a page from another origin (same site: another port
  // on 127.0.0.1, so the SameSite=Strict cookie goes along) try to approve with that cookie.
  await page.fill("#login-form input[name=username]", admin.username);
  await page.fill("#login-form input[name=password]", admin.password);
  await page.click("#login-form button[type=submit]");
  await page.locator("#who-name", { hasText: "alice (admin)" }).waitFor();

  const evil = http.createServer((_req, res) => {
    res.setHeader("content-type", "text/html");
    res.end("<!doctype html><title>evil</title>");
  });
  await new Promise<void>((r) => evil.listen(0, "127.0.0.1", r));
  try {
    const evilPage = await page.context().newPage();
    await evilPage.goto(`http://127.0.0.1:${(evil.address() as AddressInfo).port}/`);
    await evilPage.evaluate(
      async ({ url, lockId }) => {
        // A classic CSRF: a "simple" request (no preflight) that carries the cookie.
        await fetch(url, { method: "POST", mode: "no-cors", credentials: "include", headers: { "content-type": "text/plain" }, body: JSON.stringify({ decision: "approve", id: lockId }) });
      },
      { url: rig.bridge.httpUrl + "/api/admin/decide", lockId: id },
    );
    await evilPage.close();
  } finally {
    evil.close();
  }
  const gates = rig.bridge.service(GatesService)!;
  t.is(gates.locks.get(id)?.state, "pending", "the cross-site request changed nothing");
  const denied = rig.audit("http.denied").map((r) => String(r.detail?.reason));
  t.true(
    denied.some((r) => /cross-site request from http:\/\/127\.0\.0\.1:\d+ refused/.test(r)),
    denied.join("; "),
  );
  t.true(denied.some((r) => /log in first/.test(r)));
});

browserTest("an admin approves from the page: the lock is approved and moves to recently decided", async (t) => {
  const id = (await page.locator("#queue li.lock").first().getAttribute("data-id")) as string;
  const watcher = await rig.connectAs("watcher", "admin");
  await watcher.subscribeAsync(topics.lockState(id), { qos: 1 });
  const approved = nextMessage(watcher, topics.lockState(id), (p) => p.length > 0 && JSON.parse(p.toString()).state === "approved");
  await lockCard(id).locator("button.approve").click();
  const lock = JSON.parse((await approved).toString()) as { state: string; decided_by: string };
  t.is(lock.state, "approved");
  t.regex(lock.decided_by, /alice/);
  await lockCard(id).waitFor({ state: "detached" });
  const decided = page.locator(`#recent li.decided[data-id="${id}"]`);
  await decided.waitFor();
  t.is(await decided.locator(".pill").textContent(), "approved");
  await page.locator("#queue li.empty").waitFor();
  await page.locator("#audit tr", { hasText: "lock.approve" }).first().waitFor();
});

browserTest("an admin rejects with a reason through the dialog", async (t) => {
  const id = await requestLock("web", "deploy-staging", "feature flags");
  await lockCard(id).waitFor();
  await lockCard(id).locator("button.danger").click();
  await page.fill("#reject-dialog input[name=reason]", "not during the demo");
  await page.click("#reject-dialog button[value=reject]");
  const decided = page.locator(`#recent li.decided[data-id="${id}"]`);
  await decided.waitFor();
  t.is(await decided.locator(".pill").textContent(), "rejected");
  t.regex((await decided.textContent()) ?? "", /not during the demo/);
});

browserTest("the virtual gadget (the firmware's App in the page) comes online and approves with a signed press", async (t) => {
  const account = rig.addUser("desk-2", "gadget");
  const { secret } = rig.users.createGadgetSecret("desk-2");
  await page.fill("#vg-form input[name=id]", "desk-2");
  await page.fill("#vg-form input[name=password]", account.password);
  await page.fill("#vg-form input[name=secret]", secret);
  await page.click("#vg-form button[type=submit]");
  await page.locator("#vg[data-online=true]").waitFor();
  await page.locator('.gadget[data-id="desk-2"][data-online="true"]').waitFor();

  const id = await requestLock("api", "deploy-eu", "v1.5.0");
  await lockCard(id).waitFor();
  const gates = rig.bridge.service(GatesService)!;
  // The firmware draws the head lock on its MAX7219 matrix (through the simulated chip chain).
  type Canvas = { width: number; height: number; getContext(kind: "2d"): { getImageData(x: number, y: number, w: number, h: number): { data: Uint8ClampedArray } } };
  const litPixels = () =>
    page.locator("canvas.vg-matrix").evaluate((element) => {
      const c = element as unknown as Canvas;
      const d = c.getContext("2d").getImageData(0, 0, c.width, c.height).data;
      let lit = 0;
      for (let i = 0; i < d.length; i += 4) if (d[i]! > 200) lit++;
      return lit;
    });
  t.true(await waitFor("the matrix to light", async () => (await litPixels()) > 0), "the matrix shows text");

  // A press of the approve key, held long enough for the firmware's debouncer.
  await page.locator("#virtual-panel h2").click();
  await page.keyboard.down("a");
  await new Promise((r) => setTimeout(r, 150));
  await page.keyboard.up("a");
  await page.locator(`#recent li.decided[data-id="${id}"]`).waitFor();
  t.is(gates.locks.get(id)?.state, "approved");
  t.regex(gates.locks.get(id)?.decided_by ?? "", /desk-2/);
  t.true(rig.audit("lock.approve").some((r) => r.subject === id && /desk-2/.test(r.actor)));

  await page.click("#vg-stop");
  await page.locator('.gadget[data-id="desk-2"][data-online="false"]').waitFor();
  t.true(await page.locator("#vg-form").isVisible());
});

browserTest("mode changes show on the page, from the page's form and from elsewhere", async (t) => {
  await page.selectOption("#mode-form select[name=mode]", "released");
  await page.fill("#mode-form input[name=until]", "2h");
  await page.fill("#mode-form input[name=reason]", "hotfix window");
  await page.click("#mode-form button[type=submit]");
  await page.locator("#mode-banner[data-mode=released]").waitFor();
  t.is(await page.locator("#mode-name").textContent(), "RELEASED");
  const meta = (await page.locator("#mode-meta").textContent()) ?? "";
  t.regex(meta, /hotfix window/);
  t.regex(meta, /set by user:alice/);
  t.regex(meta, /in (1h 59m|2h)/);

  // From another path (the CLI and gadgets go through the same gates): the page follows.
  const gates = rig.bridge.service(GatesService)!;
  gates.locks.setMode({ mode: "blocked", reason: "incident 42", actor: "user:bob" });
  await page.locator("#mode-banner[data-mode=blocked]").waitFor();
  t.regex((await page.locator("#mode-meta").textContent()) ?? "", /incident 42/);

  await page.screenshot({ path: "/tmp/shipgate-dashboard.png", fullPage: true });
  const problems = (globalThis as { pageProblems?: string[] }).pageProblems ?? [];
  t.deepEqual(problems, [], "no script errors or CSP violations on the page");
});

browserTest("logging out hides the admin controls again", async (t) => {
  await page.click("#logout");
  await page.locator("#login-form").waitFor();
  t.false(await page.locator("#mode-form").isVisible());
  const status = await page.evaluate(async () => (await fetch("/api/session")).status);
  t.is(status, 401);
});
