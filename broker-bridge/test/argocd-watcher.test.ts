// The watcher against the fake Argo CD: list then stream, reconnect after a dropped connection,
// fall back to polling when the stream keeps failing, and get back to the stream later. Time runs
// 50 times faster through the injected clock, so backoffs of seconds take milliseconds.

import test from "ava";
import { AppBook } from "../src/argocd/app-book";
import { ArgoClient } from "../src/argocd/client";
import { HttpTransport } from "../src/argocd/http";
import { AppWatcher, reconnectDelay } from "../src/argocd/watcher";
import type { Clock } from "../src/clock";
import { createLogger } from "../src/log";
import { Store } from "../src/store";
import { FakeArgo } from "./fakes/argocd-server";
import { Swagger, suiteNeedsSwagger } from "./fakes/argocd-swagger";

const swagger = Swagger.load();

function fastClock(factor: number): Clock {
  const t0 = Date.now();
  return {
    now: () => t0 + (Date.now() - t0) * factor,
    setTimeout: (fn, ms) => setTimeout(fn, Math.max(0, ms) / factor),
    clearTimeout: (h) => h !== undefined && clearTimeout(h),
    defer: (fn) => void setImmediate(fn),
  };
}

async function setup(options: { streamFailures?: number; streamRetryMs?: number } = {}) {
  const fake = await new FakeArgo(swagger as Swagger).start();
  const transport = new HttpTransport({ url: fake.url, ca: null, insecure: false, timeoutMs: 5000 });
  const clock = fastClock(50);
  const client = new ArgoClient({ transport, credentials: { kind: "token", token: "api-token-1" }, clock });
  const store = Store.memory();
  const deploys: string[] = [];
  const book = new AppBook(store.kv(), { app: () => {}, deploy: (d) => deploys.push(`${d.app.name}@${d.entry.deployedAt}${d.baseline ? " baseline" : ""}`) });
  const watcher = new AppWatcher({
    client,
    clock,
    log: createLogger("silent"),
    options: { filter: { projects: ["shop"], selector: null }, pollIntervalMs: 1000, streamFailures: options.streamFailures ?? 3, streamRetryMs: options.streamRetryMs ?? 60_000, stableMs: 10_000 },
    handlers: { snapshot: (apps) => book.replace(apps), event: (e) => book.apply(e), changed: () => {} },
  });
  return {
    fake,
    book,
    watcher,
    deploys,
    store,
    [Symbol.asyncDispose]: async () => {
      watcher.stop();
      transport.close();
      await fake.stop();
      store.close();
    },
  };
}

const sync = (s: { book: AppBook }, name: string) => s.book.get(name)?.sync;

test("reconnect delays double from 1 s and stop at 64 s", (t) => {
  t.deepEqual([1, 2, 3, 7, 8, 20].map(reconnectDelay), [1000, 2000, 4000, 64_000, 64_000, 64_000]);
});

if (swagger === null) {
  suiteNeedsSwagger("Argo CD watcher");
} else {
  test("lists, streams ADDED/MODIFIED, and after a dropped connection lists and streams again", async (t) => {
    await using s = await setup();
    s.fake.addApp({ name: "web", project: "shop" });
    s.fake.addApp({ name: "ops", project: "infra" });
    s.watcher.start();
    await s.fake.until(() => s.watcher.mode === "streaming", 5000, "streaming");
    t.deepEqual(
      s.book.all().map((a) => a.name),
      ["web"],
    );

    s.fake.modify("web", (a) => (a.status.sync.status = "OutOfSync"));
    await s.fake.until(() => sync(s, "web") === "OutOfSync", 5000, "MODIFIED web");

    // While the stream is down an app goes away and another changes: the next list catches both.
    s.fake.dropStreams();
    s.fake.deleteApp("web");
    s.fake.addApp({ name: "cart", project: "shop", sync: "OutOfSync" });
    await s.fake.until(() => s.fake.requestsTo("GET", "/api/v1/stream/applications").length === 2 && s.watcher.mode === "streaming", 5000, "second stream");
    await s.fake.until(() => s.book.get("web") === undefined && sync(s, "cart") === "OutOfSync", 5000, "book after reconnect");
    t.is(s.fake.requestsTo("GET", "/api/v1/applications").length, 2);
    t.deepEqual(s.fake.problems, []);
  });

  test("falls back to polling when the stream keeps failing, and returns to the stream later", async (t) => {
    await using s = await setup({ streamFailures: 2, streamRetryMs: 5000 });
    s.fake.addApp({ name: "web", project: "shop" });
    s.fake.failStreams = 2;
    s.watcher.start();
    await s.fake.until(() => s.watcher.mode === "polling", 5000, "polling");
    t.regex(s.watcher.status().last_error ?? "", /HTTP 503/);

    // Polls follow changes without the stream.
    s.fake.modify("web", (a) => (a.status.sync.status = "OutOfSync"));
    await s.fake.until(() => sync(s, "web") === "OutOfSync", 5000, "a poll");
    t.true(s.fake.requestsTo("GET", "/api/v1/applications").length >= 3);

    // After stream_retry the stream is tried again, and it works now.
    await s.fake.until(() => s.watcher.mode === "streaming", 5000, "back to streaming");
    t.is(s.fake.openStreams, 1);
    t.deepEqual(s.fake.problems, []);
  });

  test("each deploy in status.history is reported once, also across a reconnect and a restart", async (t) => {
    await using s = await setup();
    s.fake.addApp({ name: "web", project: "shop", deployedAt: ["2026-11-20T10:00:00Z", "2026-11-20T11:00:00Z"] });
    s.watcher.start();
    await s.fake.until(() => s.watcher.mode === "streaming", 5000, "streaming");
    t.deepEqual(s.deploys, ["web@2026-11-20T10:00:00Z baseline", "web@2026-11-20T11:00:00Z baseline"]);

    s.fake.modify("web", (a) => a.status.history?.push({ id: 2, revision: "r2", deployedAt: "2026-11-20T12:00:00Z", deployStartedAt: "2026-11-20T11:59:00Z" }));
    s.fake.dropStreams();
    await s.fake.until(() => s.fake.requestsTo("GET", "/api/v1/stream/applications").length === 2 && s.watcher.mode === "streaming", 5000, "reconnect");
    t.deepEqual(s.deploys, ["web@2026-11-20T10:00:00Z baseline", "web@2026-11-20T11:00:00Z baseline", "web@2026-11-20T12:00:00Z"]);

    // A new book on the same store (a restart) announces nothing already counted.
    const again: string[] = [];
    const book = new AppBook(s.store.kv(), { app: () => {}, deploy: (d) => again.push(d.entry.deployedAt) });
    book.replace([...s.fake.apps.values()]);
    t.deepEqual(again, []);
  });
}
