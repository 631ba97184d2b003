// The cc.xml provider against a loopback feed: last status, a running build, project filter,
// and a body that is not a feed.

import test from "ava";
import { CiHttpError } from "../src/http/http-client";
import { cctrayState } from "../src/ci/providers/cctray";
import { CctrayFake } from "./fakes/ci-cctray-fake";
import { providerFor } from "./fakes/ci-provider-harness";

test("maps lastBuildStatus", (t) => {
  t.is(cctrayState("Success"), "passing");
  t.is(cctrayState("Failure"), "failing");
  t.is(cctrayState("Exception"), "failing");
  t.is(cctrayState("Unknown"), "unknown");
});

test("reads the projects it is told to, a Building activity as a running build", async (t) => {
  const fake = await CctrayFake.start();
  t.teardown(() => fake.close());
  fake.projects = [
    { name: "shop :: build", activity: "Building", lastBuildStatus: "Success", lastBuildLabel: "41", lastBuildTime: "2026-03-01T10:00:00Z", webUrl: "https://gocd.example/go/pipelines/shop/41" },
    { name: "shop :: deploy", activity: "Sleeping", lastBuildStatus: "Failure", lastBuildLabel: "12", lastBuildTime: "2026-03-01T09:00:00Z", webUrl: "https://gocd.example/go/pipelines/deploy/12" },
    { name: "other", activity: "Sleeping", lastBuildStatus: "Success", lastBuildLabel: "1", lastBuildTime: "2026-03-01T09:00:00Z", webUrl: "x" },
  ];
  const { provider, http } = providerFor({ provider: "cctray", base_url: fake.url, projects: ["shop :: build", "shop :: deploy"] });
  const { builds } = await provider.poll();
  t.deepEqual(
    builds.map((b) => [b.workflow, b.id, b.state]),
    [
      ["shop :: build", "shop :: build#41+", "building"],
      ["shop :: build", "shop :: build#41", "passing"],
      ["shop :: deploy", "shop :: deploy#12", "failing"],
    ],
  );
  await provider.poll();
  t.is(http.stats.notModified, 1);
  fake.server.mode = "garbage";
  await t.throwsAsync(provider.poll(), { instanceOf: CiHttpError, message: /no <Projects>|not XML/ });
});
