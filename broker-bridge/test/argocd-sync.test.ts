// End to end: a real bridge (the default services, embedded broker, SQLite in a temp dir), the
// fake Argo CD on loopback, and the gadget's own App as the terminal twin, whose sync button the
// test holds. The fake checks every request and answer against Argo CD's swagger file.

import { writeFileSync } from "node:fs";
import path from "node:path";
import test from "ava";
import type { GadgetView } from "@shipgate/protocol";
import { startTwin, type TwinHandle } from "../../firmware/adapters/node/twin";
import { ArgoCdService } from "../src/argocd/argocd-service";
import { formatArgoStatus } from "../src/argocd/status-text";
import { INFO_APPROVED_BY } from "../src/argocd/sync";
import { AuditService } from "../src/audit/audit-service";
import type { RunningBridge } from "../src/bridge";
import type { Clock } from "../src/clock";
import { GatesService } from "../src/gates/gates-service";
import { FakeArgo } from "./fakes/argocd-server";
import { Swagger, suiteNeedsSwagger } from "./fakes/argocd-swagger";
import { startTestBridge, tempDir, waitFor } from "./helpers/bridge";
import { FakeClock } from "./helpers/fake-clock";

const swagger = Swagger.load();

/** The twin's sync hold is shortened: the gesture is the same, the test just waits less. */
const HOLD_MS = 300;

interface Rig {
  fake: FakeArgo;
  bridge: RunningBridge;
  twin: TwinHandle;
  argocd: ArgoCdService;
  [Symbol.asyncDispose](): Promise<void>;
}

async function rig(argocd: Record<string, unknown> = {}, extra: { gates?: Record<string, unknown>; clock?: Clock; beforeStart?: (fake: FakeArgo) => void } = {}): Promise<Rig> {
  const gadgets = ["desk-1"];
  const fake = await new FakeArgo(swagger as Swagger).start();
  fake.addApp({ name: "web", project: "shop", labels: { tier: "frontend" }, sync: "OutOfSync", deployedAt: ["2026-11-20T09:00:00Z"] });
  fake.addApp({ name: "api", project: "shop", labels: { tier: "backend" }, sync: "OutOfSync" });
  fake.addApp({ name: "docs", project: "shop", labels: { tier: "frontend" } });
  extra.beforeStart?.(fake);
  const dir = tempDir("shipgate-argocd-");
  writeFileSync(path.join(dir, "argocd-password"), "s3cret\n");
  const bridge = await startTestBridge({
    stateDir: dir,
    ...(extra.clock ? { clock: extra.clock } : {}),
    config: {
      ...(extra.gates ? { gates: extra.gates } : {}),
      gadgets: Object.fromEntries(gadgets.map((g) => [g, {}])),
      argocd: {
        url: fake.url,
        username: "shipgate",
        password_file: path.join(dir, "argocd-password"),
        projects: ["shop"],
        allow: ["web*", "docs"],
        sync_selector: "tier in (frontend)",
        follow_interval: "200ms",
        ...argocd,
      },
    },
  });
  const twin = await startTwin({ id: gadgets[0] ?? "desk-1", broker: bridge.brokerUrl, tuning: { buttons: { holdMs: HOLD_MS } } });
  const service = bridge.service(ArgoCdService);
  if (service === undefined) throw new Error("the argocd service is not among the default services");
  return {
    fake,
    bridge,
    twin,
    argocd: service,
    async [Symbol.asyncDispose]() {
      await twin.close();
      await bridge.stop();
      await fake.stop();
    },
  };
}

const ringB = (twin: TwinHandle) => twin.view?.rings[1];
const shown = (twin: TwinHandle) => twin.view?.display.text ?? "";
const syncPosts = (fake: FakeArgo) => fake.requestsTo("POST", /^\/api\/v1\/applications\/[^/]+\/sync$/);

function audit(bridge: RunningBridge, prefix: string): string[] {
  const rows = bridge.service(AuditService)?.recent(200) ?? [];
  return rows
    .filter((r) => r.action.startsWith(prefix))
    .reverse()
    .map((r) => `${r.actor} ${r.action} ${r.subject}`);
}

async function readyToSync(r: Rig, count: number): Promise<void> {
  await r.twin.waitFor(`sync_ready ${count}`, () => r.twin.view?.sync_ready === count, 10_000);
}

if (swagger === null) {
  suiteNeedsSwagger("Argo CD end-to-end");
} else {
  test.serial("out-of-sync apps light the amber segment and are named; holding sync sends exactly one sync, followed to success", async (t) => {
    await using r = await rig();
    await readyToSync(r, 1);
    t.deepEqual(ringB(r.twin)?.segments, [{ start: 20, count: 4, scene: "out_of_sync" }]);
    t.is(shown(r.twin), "OUT OF SYNC: api web");

    const deploys: string[] = [];
    r.bridge.context.bus.on("ci:deploy", ({ deployment: d, baseline }) => deploys.push(`${d.provider} ${d.pipeline} ${d.environment} ${d.ok} ${baseline} ${d.at}`));

    await r.twin.press("sync", HOLD_MS + 200);
    await r.twin.waitFor("the ack", () => r.twin.lastAck !== null);
    t.deepEqual(r.twin.lastAck && { ok: r.twin.lastAck.ok, message: r.twin.lastAck.message }, { ok: true, message: "SYNCING web" });

    const posts = syncPosts(r.fake);
    t.is(posts.length, 1);
    const body = posts[0]?.body as { infos: { name: string; value: string }[] };
    const at = body.infos.find((i) => i.name === "shipgate-at")?.value ?? "";
    t.deepEqual(posts[0]?.path, "/api/v1/applications/web/sync");
    t.deepEqual(body, {
      name: "web",
      prune: false,
      dryRun: false,
      infos: [
        { name: "shipgate-gadget", value: "desk-1" },
        { name: "shipgate-at", value: at },
      ],
    });
    t.true(Math.abs(Date.parse(at) - Date.now()) < 60_000);
    t.regex(posts[0]?.authorization ?? "", /^Bearer /);

    // Accepted: ring B shows the sync at 0 until the controller starts the operation, then half.
    await r.twin.waitFor("syncing on ring B", () => ringB(r.twin)?.scene === "syncing");
    t.is(shown(r.twin), "SYNCING web");
    r.fake.run("web");
    await r.twin.waitFor("progress on ring B", () => ringB(r.twin)?.progress === 500);

    r.fake.finish("web", "Succeeded");
    await r.twin.waitFor("the result", () => shown(r.twin) === "SYNCED web");
    t.not(ringB(r.twin)?.scene, "syncing");
    t.is(r.twin.view?.sync_ready, 0);
    t.is(deploys.length, 1);
    t.regex(deploys[0] ?? "", /^argocd web shop true false 20\d\d-/);

    const status = r.bridge.context.status.snapshot().argocd as { out_of_sync: string[]; sync: { apps: unknown[] }; watch: { mode: string } };
    t.deepEqual(status.out_of_sync, ["api"]);
    t.deepEqual(status.sync.apps, [{ name: "web", state: "succeeded", message: "successfully synced (all tasks run)" }]);
    t.is(status.watch.mode, "streaming");
    t.deepEqual(formatArgoStatus(status).slice(1), [
      "  shop/api: OutOfSync, Healthy (not syncable from gadgets)",
      "  shop/docs: Synced, Healthy",
      "  shop/web: Synced, Healthy, last sync Succeeded",
      `  last sync from desk-1 at ${at}: web succeeded`,
    ]);
    t.deepEqual(audit(r.bridge, "argocd.sync"), [
      "gadget:desk-1 argocd.sync.request web",
      "gadget:desk-1 argocd.sync.accepted web",
      "gadget:desk-1 argocd.sync.succeeded web",
      "gadget:desk-1 argocd.sync.finished web",
    ]);
    t.is(syncPosts(r.fake).length, 1);
    t.deepEqual(r.fake.problems, []);
  });

  test.serial("a failed operation and a Degraded app show as errors; an expired session is renewed on the way", async (t) => {
    await using r = await rig();
    await readyToSync(r, 1);
    r.fake.expireSessions();
    await r.twin.press("sync", HOLD_MS + 200);
    await r.twin.waitFor("the ack", () => r.twin.lastAck !== null);
    t.true(r.twin.lastAck?.ok);
    // One 401, a new session, then the sync again: Argo CD accepted exactly one.
    t.deepEqual(
      r.fake.requests.slice(-3).map((q) => q.operation),
      ["ApplicationService_Sync", "SessionService_Create", "ApplicationService_Sync"],
    );
    t.is(r.argocd.client.logins, 2);

    r.fake.run("web");
    r.fake.finish("web", "Failed", "one or more objects failed to apply");
    await r.twin.waitFor("the failure", () => shown(r.twin).startsWith("SYNC FAILED"));
    t.is(shown(r.twin), "SYNC FAILED web one or more objects failed to apply");
    t.is(ringB(r.twin)?.scene, "failed");
    t.deepEqual(audit(r.bridge, "argocd.sync.failed"), ["gadget:desk-1 argocd.sync.failed web"]);

    // A Degraded app is an error even without a sync from the bridge.
    r.fake.modify("docs", (a) => (a.status.health.status = "Degraded"));
    await waitFor("docs degraded in status", () => (r.bridge.context.status.snapshot().argocd as { errors: string[] }).errors.includes("docs"));
    t.deepEqual(r.fake.problems, []);
  });

  test.serial("Argo CD's refusals come back to the gadget as a failed ack with the reason", async (t) => {
    await using r = await rig({ allow: ["web", "api"], sync_selector: null });
    await readyToSync(r, 2);
    r.fake.syncBehaviour.set("web", "sync-window");
    r.fake.syncBehaviour.set("api", "sync-window");
    await r.twin.press("sync", HOLD_MS + 200);
    await r.twin.waitFor("the refusal", () => r.twin.lastAck !== null);
    t.deepEqual({ ok: r.twin.lastAck?.ok, message: r.twin.lastAck?.message }, { ok: false, message: "SYNC WINDOW" });
    t.true(r.twin.feedback.some((f) => f.kind === "acked" && !f.ack.ok));

    r.fake.syncBehaviour.set("web", "in-progress");
    r.fake.syncBehaviour.set("api", "accept");
    const seq = r.twin.lastAck?.seq;
    await r.twin.press("sync", HOLD_MS + 200);
    await r.twin.waitFor("the second answer", () => r.twin.lastAck?.seq !== seq);
    t.deepEqual({ ok: r.twin.lastAck?.ok, message: r.twin.lastAck?.message }, { ok: false, message: "1 OF 2: IN PROGRESS" });
    t.deepEqual(audit(r.bridge, "argocd.sync.refused").slice(-1), ["gadget:desk-1 argocd.sync.refused web"]);
    t.deepEqual(r.fake.problems, []);
  });

  test.serial("blocked mode refuses with a visible reason and sends nothing to Argo CD", async (t) => {
    await using r = await rig();
    await readyToSync(r, 1);
    r.bridge.service(GatesService)?.locks.setMode({ mode: "blocked", actor: "user:alice", reason: "incident" });
    await r.twin.press("sync", HOLD_MS + 200);
    await r.twin.waitFor("the refusal", () => r.twin.lastAck !== null);
    t.deepEqual({ ok: r.twin.lastAck?.ok, message: r.twin.lastAck?.message }, { ok: false, message: "BLOCKED" });
    t.is(syncPosts(r.fake).length, 0);
    t.deepEqual(audit(r.bridge, "argocd.sync.refused"), ["gadget:desk-1 argocd.sync.refused argocd"]);
  });

  test.serial("without the stream, the sync is followed by GET until it ends", async (t) => {
    await using r = await rig({ stream_failures: 1, poll_interval: "1h", stream_retry: "1h" }, { beforeStart: (f) => (f.failStreams = 1000) });
    await readyToSync(r, 1);
    t.is((r.bridge.context.status.snapshot().argocd as { watch: { mode: string } }).watch.mode, "polling");
    await r.twin.press("sync", HOLD_MS + 200);
    await r.twin.waitFor("the ack", () => r.twin.lastAck?.ok === true);
    r.fake.run("web");
    r.fake.finish("web", "Succeeded");
    await r.twin.waitFor("the result", () => shown(r.twin) === "SYNCED web");
    t.true(r.fake.requestsTo("GET", "/api/v1/applications/web").length >= 1);
    t.is(syncPosts(r.fake).length, 1);
    t.deepEqual(r.fake.problems, []);
  });

  test.serial("an unreachable Argo CD shows on the gadget and in the status", async (t) => {
    const fake = await new FakeArgo(swagger).start();
    await fake.stop();
    const dir = tempDir("shipgate-argocd-");
    writeFileSync(path.join(dir, "token"), "api-token-1");
    const bridge = await startTestBridge({ stateDir: dir, config: { gadgets: { "desk-1": {} }, argocd: { url: fake.url, token_file: path.join(dir, "token"), timeout: "2s" } } });
    const twin = await startTwin({ id: "desk-1", broker: bridge.brokerUrl });
    try {
      await twin.waitFor("the unreachable view", () => shown(twin) === "ARGO CD UNREACHABLE");
      t.is(ringB(twin)?.scene, "unknown");
      const watch = (bridge.context.status.snapshot().argocd as { watch: { reachable: boolean; last_error: string } }).watch;
      t.false(watch.reachable);
      t.regex(watch.last_error, /ECONNREFUSED/);
    } finally {
      await twin.close();
      await bridge.stop();
    }
  });

  test.serial("a freeze window refuses with FREEZE", async (t) => {
    // Saturday inside a weekend freeze; the bridge's clock is the test's.
    await using r = await rig({}, { gates: { timezone: "UTC", freeze: [{ name: "weekend", from: "fri 15:00", to: "mon 06:00" }] }, clock: new FakeClock("2026-11-21T10:00:00Z") });
    await r.twin.waitFor("the blocked view", () => r.twin.view?.mode === "blocked");
    await r.twin.press("sync", HOLD_MS + 200);
    await r.twin.waitFor("the refusal", () => r.twin.lastAck !== null);
    t.deepEqual({ ok: r.twin.lastAck?.ok, message: r.twin.lastAck?.message }, { ok: false, message: "FREEZE" });
    t.is(syncPosts(r.fake).length, 0);
  });

  test.serial("with require_approval the sync waits for a second person's approval of its lock", async (t) => {
    await using r = await rig({ require_approval: true });
    await readyToSync(r, 1);
    await r.twin.press("sync", HOLD_MS + 200);
    await r.twin.waitFor("the ack", () => r.twin.lastAck !== null);
    t.deepEqual({ ok: r.twin.lastAck?.ok, message: r.twin.lastAck?.message }, { ok: true, message: "NEEDS APPROVAL" });
    t.is(syncPosts(r.fake).length, 0);
    const locks = r.bridge.service(GatesService)?.locks;
    const lock = locks?.pending()[0];
    t.like(lock, { pipeline: "argocd", step: "sync web", state: "pending" });
    await r.twin.waitFor("the lock on the display", () => (r.twin.view as GadgetView | null)?.head?.id === lock?.id);

    // The gadget that asked cannot be the one that approves.
    locks?.decide({ decision: "approve", id: lock?.id, decider: { kind: "gadget", name: "desk-1", admin: false } });
    await waitFor("self approval refused", () => audit(r.bridge, "argocd.sync.refused").length === 1);
    t.is(syncPosts(r.fake).length, 0);

    // A second request, approved by another person, syncs and records who approved.
    const seq = r.twin.lastAck?.seq;
    await r.twin.press("sync", HOLD_MS + 200);
    await r.twin.waitFor("the second ack", () => r.twin.lastAck?.seq !== seq);
    const second = locks?.pending()[0];
    locks?.decide({ decision: "approve", id: second?.id, decider: { kind: "user", name: "bob", admin: true } });
    await waitFor("the sync", () => syncPosts(r.fake).length === 1);
    const infos = (syncPosts(r.fake)[0]!.body as { infos: { name: string; value: string }[] }).infos;
    t.deepEqual(
      infos.find((i) => i.name === INFO_APPROVED_BY),
      { name: INFO_APPROVED_BY, value: "user:bob" },
    );
    t.deepEqual(r.fake.problems, []);
  });
}
