// The feeds on a real bridge: /cc.xml lists every watched pipeline and a pending lock as its own
// project; /api/feed.json says "awaiting approval" where cc.xml can only say Building; data past
// its freshness bound is Unknown, never a stale Success.

import test from "ava";
import { XMLParser } from "fast-xml-parser";
import { CiService } from "../src/ci/ci-service";
import { GatesService } from "../src/gates/gates-service";
import { GithubFake } from "./fakes/ci-github-fake";
import { startTestBridge } from "./helpers/bridge";

const parse = (xml: string) => new XMLParser({ ignoreAttributes: false, attributeNamePrefix: "", isArray: (n) => n === "Project" }).parse(xml).Projects.Project as Record<string, string>[];

test("cc.xml and feed.json show pipelines, a pending lock, and stale data as unknown", async (t) => {
  // A one-minute window: the budget lets a 100 ms interval through (an hour's would stretch it).
  const github = await GithubFake.start({ windowMs: 60_000 });
  t.teardown(() => github.close());
  github.addRun("acme/api", { id: 1, status: "completed", conclusion: "success", run_number: 41 });
  github.addRun("acme/shop", { id: 2, status: "waiting", conclusion: null });
  const bridge = await startTestBridge({
    config: {
      ci: {
        freshness: "700ms",
        pipelines: {
          api: { provider: "github", repo: "acme/api", base_url: github.url, interval: "100ms" },
          shop: { provider: "github", repo: "acme/shop", base_url: github.url, interval: "100ms" },
        },
      },
    },
  });
  t.teardown(() => bridge.stop());
  const ci = bridge.service(CiService) as CiService;
  for (let i = 0; i < 100 && ci.pipelines().some((p) => !p.fresh); i++) await new Promise((r) => setTimeout(r, 20));
  const gates = bridge.service(GatesService) as GatesService;
  gates.locks.request({ id: "3f2b8c1e-0d4a-4f7e-9c61-2a5d8e7f9b10", pipeline: "api", step: "deploy-prod", summary: "v2" }, null);

  const res = await fetch(`${bridge.httpUrl}/cc.xml`);
  t.regex(res.headers.get("content-type") ?? "", /application\/xml/);
  const projects = parse(await res.text());
  t.deepEqual(
    projects.map((p) => [p.name, p.activity, p.lastBuildStatus]),
    [
      ["api", "Building", "Success"],
      ["shop", "Building", "Unknown"],
      ["gate: api deploy-prod", "Building", "Unknown"],
    ],
  );
  t.is(projects[0]?.lastBuildLabel, "41");
  t.is(projects[0]?.webUrl, "https://github.com/acme/api/actions/runs/1");

  const feed = (await (await fetch(`${bridge.httpUrl}/api/feed.json`)).json()) as { items: { name: string; state: string; kind: string }[] };
  t.deepEqual(
    feed.items.map((i) => [i.name, i.kind, i.state]),
    [
      ["api", "pipeline", "awaiting approval"],
      ["shop", "pipeline", "awaiting approval"],
      ["gate: api deploy-prod", "gate", "awaiting approval"],
    ],
  );

  // The fake stops answering: after the freshness bound, Unknown, not the last Success.
  github.server.mode = "error503";
  await new Promise((r) => setTimeout(r, 1000));
  const stale = parse(await (await fetch(`${bridge.httpUrl}/cc.xml`)).text());
  t.deepEqual(
    stale.slice(0, 2).map((p) => [p.name, p.activity, p.lastBuildStatus]),
    [
      ["api", "Sleeping", "Unknown"],
      ["shop", "Sleeping", "Unknown"],
    ],
  );
  t.is(ci.healthOf("api"), "unknown");
});
