// Change detection across restarts: the store remembers every build by pipeline and id with its
// last state, so only new builds and changed states are reported, and history is reported once,
// marked as the baseline. On SQLite and on PostgreSQL (helpers/store-backends.ts).

import test from "ava";
import { rmSync } from "node:fs";
import { BuildLog } from "../src/ci/build-log";
import type { Build } from "../src/builds";
import { newestFirst, summarize } from "../src/ci/pipeline-health";
import { Store } from "../src/store";
import { tempDir } from "./helpers/bridge";
import { bothStores, freshStore, storeUrl } from "./helpers/store-backends";

/** The state directory's SQLite file, or a new connection to the variant's PostgreSQL database. */
const reopen = (dir: string): Store => (storeUrl() === null ? Store.open(dir) : freshStore());

const b = (id: string, state: Build["state"], extra: Partial<Build> = {}): Build => ({
  provider: "github",
  pipeline: "api",
  id,
  state,
  branch: "main",
  url: null,
  started_at: `2026-03-01T10:0${id}:00.000Z`,
  finished_at: null,
  ...extra,
});

bothStores("new and changed builds are reported once, also after reopening the store", (t) => {
  const dir = tempDir();
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  let store = reopen(dir);
  let log = new BuildLog(store);
  const first = log.record("api", [b("2", "building"), b("1", "passing")], 1);
  t.deepEqual(
    first.map((c) => [c.build.id, c.previous, c.baseline]),
    [
      ["2", null, true],
      ["1", null, true],
    ],
  );
  t.deepEqual(log.record("api", [b("2", "building"), b("1", "passing")], 2), []);
  store.close();

  store = reopen(dir);
  log = new BuildLog(store);
  t.deepEqual(log.record("api", [b("2", "building"), b("1", "passing")], 3), [], "history is not news after a restart");
  const changed = log.record("api", [b("3", "building"), b("2", "failing"), b("1", "passing")], 4);
  t.deepEqual(
    changed.map((c) => [c.build.id, c.build.state, c.previous, c.baseline]),
    [
      ["3", "building", null, false],
      ["2", "failing", "building", false],
    ],
  );
  t.deepEqual(
    log.record("web", [b("1", "passing")], 5).map((c) => c.baseline),
    [true],
    "pipelines are separate",
  );
  const deploys = [{ provider: "github", pipeline: "api", environment: "production", id: "9", at: "2026-02-27T14:05:00.000Z", ok: true }];
  t.is(log.recordDeployments(deploys).length, 1);
  t.is(log.recordDeployments(deploys).length, 0);
  store.close();
});

test("health: the worst part wins; cancelled builds keep the previous result; building over passing", (t) => {
  t.is(summarize([]).health, "unknown");
  t.is(summarize([b("2", "cancelled"), b("1", "failing")]).health, "failing");
  t.is(summarize([b("2", "building"), b("1", "passing")]).health, "building");
  t.is(summarize([b("2", "building"), b("1", "failing")]).health, "failing", "failing stays red while a fix builds");
  const parts = summarize([b("2", "passing", { workflow: "lint" }), b("1", "failing", { workflow: "test" })]);
  t.is(parts.health, "failing");
  t.deepEqual(parts.failing, ["test"]);
  t.true(summarize([b("2", "awaiting"), b("1", "passing")]).awaiting);
  t.deepEqual(
    newestFirst([b("1", "passing"), b("3", "building", { started_at: null }), b("2", "passing")]).map((x) => x.id),
    ["3", "2", "1"],
  );
});
