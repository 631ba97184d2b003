// End to end: a real bridge whose ci section points at loopback GitHub and GitLab fakes; an MQTT
// client on gadgets/<id>/view sees ring B fail and the display name the failing pipeline after the
// fake flips a build, while a gadget watching only healthy pipelines shows its counter. The feeds
// and the status report the same picture. On SQLite and on PostgreSQL (CI state and counters).

import { XMLParser } from "fast-xml-parser";
import { type GadgetView, checkGadgetView } from "@shipgate/protocol";
import { GithubFake } from "./fakes/ci-github-fake";
import { GitlabFake } from "./fakes/ci-gitlab-fake";
import { connectClient, startTestBridge } from "./helpers/bridge";
import { bothStores, storeConfig } from "./helpers/store-backends";

function viewsOf(client: import("mqtt").MqttClient): Map<string, GadgetView> {
  const latest = new Map<string, GadgetView>();
  client.on("message", (topic, payload) => {
    const checked = checkGadgetView(JSON.parse(payload.toString("utf8")));
    if (checked.ok) latest.set(topic, checked.value);
  });
  return latest;
}

async function until<T>(what: string, probe: () => T | undefined | false, timeoutMs = 10_000): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const value = probe();
    if (value !== undefined && value !== false) return value;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

bothStores("a build flipping to failure turns ring B red and names the pipeline; the counter shows elsewhere", async (t) => {
  const github = await GithubFake.start();
  const gitlab = await GitlabFake.start();
  t.teardown(() => github.close());
  t.teardown(() => gitlab.close());
  github.addRun("acme/api", { id: 1, status: "completed", conclusion: "success" });
  // A Friday afternoon production deploy, Berlin time (Friday 2026-02-27 15:05 CET).
  github.addDeployment("acme/api", { id: 77, environment: "production", created_at: "2026-02-27T14:00:00Z", statuses: [{ state: "success", created_at: "2026-02-27T14:05:00Z" }] });
  gitlab.addPipeline("acme/web", { id: 900, status: "success" });
  process.env.CI_TEST_GH_TOKEN = "ghp_e2e";

  const bridge = await startTestBridge({
    config: {
      ...storeConfig(),
      ci: {
        freshness: "1m",
        pipelines: {
          api: { provider: "github", repo: "acme/api", base_url: github.url, token_env: "CI_TEST_GH_TOKEN", interval: "150ms", environments: ["production"] },
          web: { provider: "gitlab", project: "acme/web", base_url: gitlab.url, interval: "150ms" },
        },
      },
      counters: { friday: { kind: "deploy-day", day: "fri", timezone: "Europe/Berlin", environment: "production" } },
      gadgets: { "desk-1": { watch: ["api", "web"] }, "desk-2": { watch: ["web"], counter: "friday" } },
    },
  });
  t.teardown(() => bridge.stop());
  const topics = bridge.context.topics;
  const client = await connectClient(bridge.brokerUrl);
  t.teardown(() => client.endAsync());
  const views = viewsOf(client);
  await client.subscribeAsync([topics.gadgetView("desk-1"), topics.gadgetView("desk-2")], { qos: 1 });

  const desk1 = () => views.get(topics.gadgetView("desk-1"));
  const desk2 = () => views.get(topics.gadgetView("desk-2"));
  await until("desk-1 passing", () => desk1()?.rings[1]?.scene === "passing");
  t.deepEqual(desk1()?.rings[1]?.segments, [
    { start: 0, count: 12, scene: "passing" },
    { start: 12, count: 12, scene: "passing" },
  ]);
  const counter = await until("desk-2 counter", () => (desk2()?.display.kind === "counter" && desk2()?.display.value !== undefined ? desk2()?.display : undefined));
  t.is(counter.text, "WEEKS SINCE FRIDAY DEPLOY");
  t.is(counter.value, Math.floor((Date.now() - Date.parse("2026-02-27T14:05:00Z")) / (7 * 86_400_000)));

  github.addRun("acme/api", { id: 2, status: "completed", conclusion: "failure" });
  const failed = await until("desk-1 failed", () => (desk1()?.rings[1]?.scene === "failed" ? desk1() : undefined));
  t.is(failed.display.text, "FAILING: api");
  t.deepEqual(failed.rings[1]?.segments, [
    { start: 0, count: 12, scene: "failed" },
    { start: 12, count: 12, scene: "passing" },
  ]);
  t.is(desk2()?.rings[1]?.scene, "passing");
  t.is(desk2()?.display.kind, "counter");
  t.is(github.server.requests[0]?.headers.authorization, "Bearer ghp_e2e");

  // The feeds tell other monitors the same.
  const xml = await (await fetch(`${bridge.httpUrl}/cc.xml`)).text();
  const projects = new XMLParser({ ignoreAttributes: false, attributeNamePrefix: "", isArray: (n) => n === "Project" }).parse(xml).Projects.Project as Record<string, string>[];
  t.deepEqual(
    projects.map((p) => [p.name, p.activity, p.lastBuildStatus]),
    [
      ["api", "Sleeping", "Failure"],
      ["web", "Sleeping", "Success"],
    ],
  );
  const status = bridge.context.status.snapshot() as { ci: { pipelines: { name: string; health: string }[] } };
  t.deepEqual(
    status.ci.pipelines.map((p) => [p.name, p.health]),
    [
      ["api", "failing"],
      ["web", "passing"],
    ],
  );
  t.true(github.server.notModified > 0, "repeated polls were answered 304");
  // What the counters and the CI state keep, in the bridge's store (its upserts ran on this dialect).
  const db = bridge.context.store.db;
  t.deepEqual(
    (db.prepare("SELECT pipeline FROM counter_red").all() as { pipeline: string }[]).map((r) => r.pipeline),
    ["api"],
  );
  t.true((db.prepare("SELECT environment FROM counter_deploys").all() as { environment: string }[]).some((r) => r.environment === "production"));
  t.is((db.prepare("SELECT state FROM ci_builds WHERE pipeline = ? AND id = ?").get("api", "2") as { state: string } | undefined)?.state, "failing");
});
