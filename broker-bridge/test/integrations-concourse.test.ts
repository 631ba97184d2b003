// The Concourse resource type (integrations/concourse): check, in and out run as Concourse runs
// them, as executables with JSON on stdin, against a real bridge whose gadget decides.
import test from "ava";
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { randomUUID } from "node:crypto";
import { fileURLToPath } from "node:url";
import { newerVersions } from "../../integrations/concourse/src/check";
import { RECORD_FILE } from "../../integrations/concourse/src/in";
import { shipgateBin } from "../../integrations/concourse/src/out";
import { checkOutParams, checkSource } from "../../integrations/concourse/src/source";
import { runShipgate, waitFor } from "./helpers/bridge";
import { type GateRig, run, startGateRig } from "./integrations-support";

const BIN = fileURLToPath(new URL("../../integrations/concourse/bin/", import.meta.url));
const BUILD_ENV = { BUILD_PIPELINE_NAME: "api", BUILD_JOB_NAME: "deploy-prod", BUILD_NAME: "42", BUILD_ID: "1234", BUILD_TEAM_NAME: "main" };

function sourceOf(g: GateRig, extra: Record<string, unknown> = {}) {
  return { broker: g.brokerUrl, username: g.pipelineUser.username, password: g.pipelineUser.password, settle: "300ms", ...extra };
}

function resource(command: "check" | "in" | "out", input: unknown, args: string[] = [], env: NodeJS.ProcessEnv = BUILD_ENV) {
  return run(path.join(BIN, command), args, { stdin: JSON.stringify(input), env });
}

interface VersionOut {
  version: { id: string; pipeline: string; step: string };
  metadata: { name: string; value: string }[];
}

test.serial("out waits for the gadget's approval; check lists the approved lock; in writes the record file", async (t) => {
  const g = await startGateRig();
  try {
    const sources = mkdtempSync(path.join(tmpdir(), "concourse-sources-"));
    mkdirSync(path.join(sources, "version"));
    writeFileSync(path.join(sources, "version", "version"), "1.4.2\n");
    const put = await resource("out", { source: sourceOf(g), params: { summary_file: "version/version", timeout: "5m" } }, [sources]);
    t.is(put.code, 0, put.stderr);
    const out = JSON.parse(put.stdout) as VersionOut;
    t.deepEqual(out.version, { id: out.version.id, pipeline: "api", step: "deploy-prod" });
    t.like(Object.fromEntries(out.metadata.map((m) => [m.name, m.value])), { state: "approved", decided_by: "gadget:desk-1", mode: "default" });
    t.is(g.states.get(out.version.id)?.summary, "1.4.2", "the summary came from the summary_file");
    t.regex(put.stderr, /api\/deploy-prod waiting for approval \(position 1\)/);
    t.regex(put.stderr, /approved by gadget:desk-1/);

    const checked = await resource("check", { source: sourceOf(g), version: null });
    t.is(checked.code, 0, checked.stderr);
    t.deepEqual(JSON.parse(checked.stdout), [out.version]);

    // A second approval: check from the first version lists both, oldest first.
    const put2 = await resource("out", { source: sourceOf(g), params: { summary: "1.4.3" } }, [sources]);
    t.is(put2.code, 0, put2.stderr);
    const second = (JSON.parse(put2.stdout) as VersionOut).version;
    const since = await resource("check", { source: sourceOf(g), version: out.version });
    t.deepEqual(JSON.parse(since.stdout), [out.version, second]);
    const filtered = await resource("check", { source: sourceOf(g, { step: "deploy-staging" }) });
    t.deepEqual(JSON.parse(filtered.stdout), [], "source.step filters the versions");

    const dest = mkdtempSync(path.join(tmpdir(), "concourse-dest-"));
    const got = await resource("in", { source: sourceOf(g), version: out.version, params: {} }, [dest]);
    t.is(got.code, 0, got.stderr);
    t.deepEqual((JSON.parse(got.stdout) as VersionOut).version, out.version);
    const record = JSON.parse(readFileSync(path.join(dest, RECORD_FILE), "utf8")) as Record<string, unknown>;
    t.deepEqual(Object.keys(record).sort(), ["decided_at", "decided_by", "id", "mode", "pipeline", "requested_at", "state", "step", "time_locked_ms"]);
    t.like(record, { id: out.version.id, pipeline: "api", step: "deploy-prod", state: "approved", decided_by: "gadget:desk-1", mode: "default" });
    t.is(readFileSync(path.join(dest, "id"), "utf8").trim(), out.version.id);
  } finally {
    await g.stop();
  }
});

test.serial("a rejection fails the put with exit 1; blocked mode fails check and rejects out", async (t) => {
  const g = await startGateRig();
  try {
    const sources = mkdtempSync(path.join(tmpdir(), "concourse-sources-"));
    g.desk.decision = "reject";
    const rejected = await resource("out", { source: sourceOf(g), params: {} }, [sources]);
    t.is(rejected.code, 1);
    t.is(rejected.stdout, "", "no version for a rejected lock");
    t.regex(rejected.stderr, /rejected by gadget:desk-1/);
    t.regex(rejected.stderr, /shipgate gate exited 1 \(rejected or blocked\)/);
    const none = await resource("check", { source: sourceOf(g) });
    t.deepEqual(JSON.parse(none.stdout), [], "a rejected lock is no version");

    const mode = runShipgate(["mode", "blocked", "--reason", "release freeze", "--until", "1h"], { SHIPGATE_BROKER_URL: g.brokerUrl, SHIPGATE_STATE_DIR: g.rig.stateDir });
    t.is(await mode.exit, 0, mode.stderr());
    const blocked = await resource("check", { source: sourceOf(g) });
    t.is(blocked.code, 1);
    t.regex(blocked.stderr, /shipgate is in blocked mode until \S+ \(set by user:admin: release freeze\)/);
    const put = await resource("out", { source: sourceOf(g), params: {} }, [sources]);
    t.is(put.code, 1);
    t.regex(put.stderr, /rejected by mode:blocked/);
  } finally {
    await g.stop();
  }
});

test.serial("in asks the bridge again once the retained state is cleared, and withdraws a lock the bridge never had", async (t) => {
  const g = await startGateRig({ gates: { grace: "1s" } });
  try {
    const sources = mkdtempSync(path.join(tmpdir(), "concourse-sources-"));
    const put = await resource("out", { source: sourceOf(g), params: {} }, [sources]);
    t.is(put.code, 0, put.stderr);
    const version = (JSON.parse(put.stdout) as VersionOut).version;
    await waitFor(
      "the retained state to be cleared",
      async () => {
        const c = await resource("check", { source: sourceOf(g) });
        return c.stdout.trim() === "[]";
      },
      20_000,
      200,
    );
    const dest = mkdtempSync(path.join(tmpdir(), "concourse-dest-"));
    const got = await resource("in", { source: sourceOf(g), version }, [dest]);
    t.is(got.code, 0, got.stderr);
    t.regex(got.stderr, /no longer retained; asking the bridge/);
    t.like(JSON.parse(readFileSync(path.join(dest, "record.json"), "utf8")), { id: version.id, state: "approved" });

    g.desk.decision = null;
    const unknown = { id: randomUUID(), pipeline: "api", step: "deploy-prod" };
    const lost = await resource("in", { source: sourceOf(g), version: unknown }, [mkdtempSync(path.join(tmpdir(), "concourse-dest-"))]);
    t.is(lost.code, 1);
    t.regex(lost.stderr, /does not know lock/);
    await waitFor("the accidental lock to be cancelled", () => g.states.get(unknown.id)?.state === "cancelled");
    t.pass();
  } finally {
    await g.stop();
  }
});

/** The image's file tree: the Dockerfile's COPY lines applied to an empty directory (WORKDIR
 *  /opt/shipgate), with node_modules linked in and the workspace packages pointing into the copy. */
/** The final stage of the Dockerfile, laid out in a temporary directory: its COPY lines from the
 *  build context, and its COPY --from=build lines from the build stage, which builds in a copy of
 *  the repository (this checkout, built by ava's config). No node_modules anywhere. */
function imageTree(): string {
  const repo = fileURLToPath(new URL("../../", import.meta.url));
  const root = mkdtempSync(path.join(tmpdir(), "concourse-image-"));
  const dockerfile = readFileSync(path.join(repo, "integrations/concourse/Dockerfile"), "utf8");
  const stages = dockerfile.split(/^FROM /m);
  const build = stages[1] ?? "";
  const workdir = /^WORKDIR (\S+)/m.exec(build)?.[1] ?? "/";
  const final = stages[stages.length - 1] ?? "";
  const copies = final
    .split("\n")
    .filter((l) => /^COPY\s/.test(l))
    .map((l) => l.trim().split(/\s+/).slice(1));
  for (const parts of copies) {
    const fromBuild = parts[0] === "--from=build";
    const args = fromBuild ? parts.slice(1) : parts;
    const dest = args[args.length - 1] as string;
    for (const src of args.slice(0, -1)) {
      const from = fromBuild ? path.join(repo, path.relative(workdir, src)) : path.join(repo, src);
      const to = dest.endsWith("/") && !statSync(from).isDirectory() ? path.join(root, dest, path.basename(src)) : path.join(root, dest);
      cpSync(from, to, { recursive: true });
    }
  }
  return root;
}

test.serial("the files the Dockerfile copies are enough to run check and out (the image cannot be built here)", async (t) => {
  const image = imageTree();
  const g = await startGateRig();
  try {
    // No SHIPGATE_BIN: out must find the copied gate file next to itself.
    const env = { ...BUILD_ENV, SHIPGATE_BIN: undefined };
    t.false(existsSync(path.join(image, "node_modules")));
    const put = await run(path.join(image, "opt/resource/out"), [image], { stdin: JSON.stringify({ source: sourceOf(g), params: { summary: "from the image" } }), env });
    t.is(put.code, 0, put.stderr);
    const version = (JSON.parse(put.stdout) as VersionOut).version;
    const checked = await run(path.join(image, "opt/resource/check"), [], { stdin: JSON.stringify({ source: sourceOf(g) }), env });
    t.is(checked.code, 0, checked.stderr);
    t.deepEqual(JSON.parse(checked.stdout), [version]);
  } finally {
    await g.stop();
  }
});

test("bad input names the field; the source and params checkers", async (t) => {
  const noBroker = await resource("check", { source: { username: "ci" } });
  t.is(noBroker.code, 1);
  t.regex(noBroker.stderr, /source\.broker is required/);
  const notJson = await run(path.join(BIN, "check"), [], { stdin: "{" });
  t.is(notJson.code, 1);
  t.regex(notJson.stderr, /stdin is not JSON/);
  const noVersion = await resource("in", { source: { broker: "mqtt://127.0.0.1:1" } }, [tmpdir()]);
  t.is(noVersion.code, 1);
  t.regex(noVersion.stderr, /shipgate in: version is required/);

  t.like(checkSource({ broker: "http://x" }), { ok: false, field: "source.broker" });
  t.like(checkSource({ broker: "mqtt://x", colour: "red" }), { ok: false, field: "source.colour" });
  t.like(checkSource({ broker: "mqtt://x", settle: "soon" }), { ok: false, field: "source.settle" });
  t.like(checkSource({ broker: "mqtts://x:8883" }), { ok: true, value: { prefix: "shipgate/v1/", settleMs: 1000, pipeline: null } });
  t.like(checkOutParams({ timeout: 5 }), { ok: false, field: "params.timeout" });
  t.true(existsSync(shipgateBin({})), "out finds the gate file of this checkout");
  t.is(shipgateBin({ SHIPGATE_BIN: "/usr/local/bin/shipgate" }), "/usr/local/bin/shipgate");
});

test("check's versions follow Concourse's rule: from the given one on, else the newest", (t) => {
  const v = (id: string) => ({ id, pipeline: "p", step: "s" });
  t.deepEqual(newerVersions([], null), []);
  t.deepEqual(newerVersions([v("a"), v("b"), v("c")], null), [v("c")]);
  t.deepEqual(newerVersions([v("a"), v("b"), v("c")], v("b")), [v("b"), v("c")]);
  t.deepEqual(newerVersions([v("a"), v("b")], v("gone")), [v("b")]);
});
