// The dashboard's server side over real HTTP: the page and its headers, the bundled script,
// /api/status, the live stream (state on connect, changes only, audit entries, pings), the cap on
// streams, a clean stop with streams open, and the config section's checks.

import { randomUUID } from "node:crypto";
import test from "ava";
import { encode } from "@shipgate/protocol";
import { ConfigError } from "../src/config";
import { DashboardService, type DashboardState } from "../src/dashboard/dashboard-service";
import { GatesService } from "../src/gates/gates-service";
import { openSse } from "./dashboard-support";
import { FakeClock } from "./helpers/fake-clock";
import { connectClient, startTestBridge, waitFor } from "./helpers/bridge";

const lockTopic = "shipgate/v1/locks/request";

test("the page is served with a strict CSP, an escaped title and an ETag; the script is bundled", async (t) => {
  const bridge = await startTestBridge({ config: { dashboard: { title: "Ops <b>&</b>" } } });
  try {
    const res = await fetch(bridge.httpUrl + "/");
    t.is(res.status, 200);
    t.regex(res.headers.get("content-type") ?? "", /^text\/html/);
    const csp = res.headers.get("content-security-policy") ?? "";
    t.regex(csp, /script-src 'self'/);
    t.regex(csp, /frame-ancestors 'none'/);
    t.notRegex(csp, /unsafe-inline|unsafe-eval/);
    t.is(res.headers.get("x-content-type-options"), "nosniff");
    const html = await res.text();
    t.true(html.includes("Ops &#60;b&#62;&#38;&#60;/b&#62;"), "the title is escaped");
    t.false(html.includes("<b>&</b>"));
    t.notRegex(html, /https?:\/\/(?!www\.w3\.org)/, "no external resources");

    const again = await fetch(bridge.httpUrl + "/", { headers: { "if-none-match": res.headers.get("etag") ?? "" } });
    t.is(again.status, 304);

    const js = await fetch(bridge.httpUrl + "/dashboard/app.js");
    t.regex(js.headers.get("content-type") ?? "", /^text\/javascript/);
    const code = await js.text();
    t.notRegex(code, /from\s+["'](@shipgate|\.\.?\/)/, "every import is bundled in");
    t.regex(code, /RingAnimator/, "the firmware's ring animator is part of the bundle");
    const css = await fetch(bridge.httpUrl + "/dashboard/app.css");
    t.regex(css.headers.get("content-type") ?? "", /^text\/css/);
  } finally {
    await bridge.stop();
  }
});

test("/api/status is the status snapshot", async (t) => {
  const bridge = await startTestBridge();
  try {
    const body = (await (await fetch(bridge.httpUrl + "/api/status")).json()) as Record<string, unknown>;
    t.deepEqual(Object.keys(body).sort(), Object.keys(bridge.context.status.snapshot()).sort());
    t.is((body.mode as { mode: string }).mode, "default");
    t.deepEqual(body.locks, []);
  } finally {
    await bridge.stop();
  }
});

test("the stream sends the state on connect, then changes only, audit entries, and pings when idle", async (t) => {
  const clock = new FakeClock();
  const bridge = await startTestBridge({ clock });
  const sse = await openSse(bridge.httpUrl + "/api/events");
  try {
    t.is(sse.status, 200);
    const first = JSON.parse((await sse.next((f) => f.event === "state")).data) as DashboardState;
    t.is((first.status.mode as { mode: string }).mode, "default");
    t.deepEqual(first.recent, []);

    // Nothing changes: polling sends nothing new, and an idle stream gets a ping after 15 s.
    clock.advance(10_000);
    await new Promise((r) => setTimeout(r, 100));
    t.is(sse.frames.filter((f) => f.event === "state").length, 1);
    t.is(sse.pings, 0);
    clock.advance(6_000);
    await waitFor("a ping", () => sse.pings > 0);

    const pipeline = await connectClient(bridge.brokerUrl);
    const id = randomUUID();
    await pipeline.publishAsync(lockTopic, encode({ id, pipeline: "api", step: "deploy", summary: "v2" }), { qos: 1 });
    const audit = JSON.parse((await sse.next((f) => f.event === "audit" && f.data.includes(id))).data) as { action: string; subject: string; at: string };
    t.is(audit.action, "lock.request");
    t.is(audit.at, new Date(clock.now()).toISOString());
    await waitFor("the lock to be queued", () => bridge.service(GatesService)!.locks.pendingCount() === 1);
    clock.advance(60); // the coalescing window
    const withLock = JSON.parse((await sse.next((f) => f.event === "state" && f.data.includes(id))).data) as DashboardState;
    t.is((withLock.status.locks as { id: string }[])[0]?.id, id);

    bridge.service(GatesService)!.locks.decide({ decision: "approve", id, decider: { kind: "user", name: "bob", admin: true } });
    clock.advance(60);
    const decided = JSON.parse((await sse.next((f) => f.event === "state" && JSON.parse(f.data).recent.length > 0)).data) as DashboardState;
    t.is(decided.recent[0]?.id, id);
    t.is(decided.recent[0]?.state, "approved");
    t.deepEqual(decided.status.locks, []);
    await pipeline.endAsync();
  } finally {
    sse.close();
    await bridge.stop();
  }
});

test("streams beyond dashboard.max_streams are refused with 503, and stopping the bridge ends open streams", async (t) => {
  const bridge = await startTestBridge({ config: { dashboard: { max_streams: 1 } } });
  const one = await openSse(bridge.httpUrl + "/api/events");
  await one.next((f) => f.event === "state");
  const res = await fetch(bridge.httpUrl + "/api/events");
  t.is(res.status, 503);
  t.regex(((await res.json()) as { error: string }).error, /max_streams is 1/);
  t.is(bridge.service(DashboardService)!.streams, 1);
  await bridge.stop(); // would hang if the open stream kept the HTTP server from closing
  await one.closed;
  t.pass();
});

test("a bad dashboard setting fails the start naming the key", async (t) => {
  const err = await t.throwsAsync(startTestBridge({ config: { dashboard: { colour: "red" } } }), { instanceOf: ConfigError });
  t.regex(err?.message ?? "", /dashboard\.colour: is not a known setting \(known: title, max_streams\)/);
  const err2 = await t.throwsAsync(startTestBridge({ config: { dashboard: { max_streams: 0 } } }), { instanceOf: ConfigError });
  t.regex(err2?.message ?? "", /dashboard\.max_streams/);
});
