// Webhooks on a real bridge: GitHub deliveries must carry a valid X-Hub-Signature-256 (HMAC-SHA256
// of the raw body), GitLab ones the X-Gitlab-Token; a redelivery and a build already seen by polling
// are not reported again.

import { createHmac } from "node:crypto";
import test from "ava";
import "../src/build-events";
import type { BuildChange } from "../src/ci/build-log";
import { CiService } from "../src/ci/ci-service";
import { githubSignatureValid } from "../src/ci/webhooks";
import { GithubFake } from "./fakes/ci-github-fake";
import { GitlabFake } from "./fakes/ci-gitlab-fake";
import { startTestBridge } from "./helpers/bridge";

const SECRET = "It's a Secret to Everybody";

test("GitHub's documented example signature verifies; a changed body or secret does not", (t) => {
  // GitHub docs, "Validating webhook deliveries": secret "It's a Secret to Everybody", body "Hello, World!".
  const header = "sha256=757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17";
  t.true(githubSignatureValid(SECRET, Buffer.from("Hello, World!"), header));
  t.false(githubSignatureValid(SECRET, Buffer.from("Hello, World?"), header));
  t.false(githubSignatureValid("other", Buffer.from("Hello, World!"), header));
  t.false(githubSignatureValid(SECRET, Buffer.from("Hello, World!"), undefined));
  t.false(githubSignatureValid(SECRET, Buffer.from("Hello, World!"), "sha1=abc"));
});

async function bridgeWithHooks(t: import("ava").ExecutionContext) {
  const github = await GithubFake.start();
  const gitlab = await GitlabFake.start();
  t.teardown(() => github.close());
  t.teardown(() => gitlab.close());
  github.addRun("acme/api", { id: 1, status: "completed", conclusion: "success" });
  gitlab.addPipeline("acme/web", { id: 900, status: "success" });
  process.env.CI_HOOK_SECRET = SECRET;
  process.env.CI_HOOK_TOKEN = "gitlab-hook-token";
  const bridge = await startTestBridge({
    config: {
      ci: {
        webhooks: { github: { secret_env: "CI_HOOK_SECRET" }, gitlab: { token_env: "CI_HOOK_TOKEN" } },
        pipelines: {
          // Long intervals: after the first poll, only webhooks bring news.
          api: { provider: "github", repo: "acme/api", base_url: github.url, interval: "1h" },
          web: { provider: "gitlab", project: "acme/web", base_url: gitlab.url, interval: "1h" },
        },
      },
    },
  });
  t.teardown(() => bridge.stop());
  const events: BuildChange[] = [];
  bridge.context.bus.on("ci:build", (c) => events.push(c));
  const ci = bridge.service(CiService) as CiService;
  for (let i = 0; i < 100 && ci.pipelines().some((p) => !p.fresh); i++) await new Promise((r) => setTimeout(r, 20));
  return { bridge, events, ci };
}

function run(id: number, conclusion: string | null, status = "completed") {
  return {
    action: status === "completed" ? "completed" : "in_progress",
    workflow_run: {
      id,
      name: "CI",
      head_branch: "main",
      run_number: id,
      status,
      conclusion,
      workflow_id: 161335,
      path: ".github/workflows/ci.yml",
      html_url: `https://github.com/acme/api/actions/runs/${id}`,
      created_at: "2026-03-05T10:00:00Z",
      updated_at: "2026-03-05T10:05:00Z",
      run_started_at: "2026-03-05T10:00:00Z",
    },
    repository: { full_name: "acme/api" },
  };
}

async function postGithub(url: string, payload: unknown, delivery: string, secret = SECRET) {
  const body = JSON.stringify(payload);
  const signature = `sha256=${createHmac("sha256", secret).update(body).digest("hex")}`;
  return fetch(`${url}/hooks/github`, {
    method: "POST",
    body,
    headers: { "content-type": "application/json", "x-github-event": "workflow_run", "x-github-delivery": delivery, "x-hub-signature-256": signature },
  });
}

test("a signed workflow_run turns the pipeline red; wrong signatures, redeliveries and builds seen by polling change nothing", async (t) => {
  const { bridge, events, ci } = await bridgeWithHooks(t);
  t.is(ci.healthOf("api"), "passing");
  events.length = 0;

  const forged = await postGithub(bridge.httpUrl, run(2, "failure"), "d-1", "wrong secret");
  t.is(forged.status, 401);
  t.is(ci.healthOf("api"), "passing");

  // The build the poll already saw, with the same state: deduplicated against polling.
  const seen = await postGithub(bridge.httpUrl, run(1, "success"), "d-2");
  t.is(seen.status, 200);
  t.deepEqual(events, []);

  const good = await postGithub(bridge.httpUrl, run(2, "failure"), "d-3");
  t.deepEqual(await good.json(), { ok: true, matched: 1 });
  t.is(ci.healthOf("api"), "failing");
  t.deepEqual(
    events.map((e) => [e.build.id, e.build.state, e.previous]),
    [["2", "failing", null]],
  );

  const again = await postGithub(bridge.httpUrl, run(2, "failure"), "d-3");
  t.deepEqual(await again.json(), { ok: true, duplicate: true });
  t.is(events.length, 1);
});

test("GitLab Pipeline Hook with the right token counts; a wrong token is refused", async (t) => {
  const { bridge, events, ci } = await bridgeWithHooks(t);
  events.length = 0;
  const payload = {
    object_kind: "pipeline",
    object_attributes: { id: 901, iid: 2, ref: "main", status: "failed", created_at: "2026-03-05 10:00:00 UTC", finished_at: "2026-03-05 10:04:00 UTC" },
    project: { id: 7, path_with_namespace: "acme/web", web_url: "https://gitlab.example/acme/web" },
  };
  const post = (token: string) =>
    fetch(`${bridge.httpUrl}/hooks/gitlab`, {
      method: "POST",
      body: JSON.stringify(payload),
      headers: { "content-type": "application/json", "x-gitlab-event": "Pipeline Hook", "x-gitlab-token": token },
    });
  t.is((await post("nope")).status, 401);
  t.is(ci.healthOf("web"), "passing");
  t.is((await post("gitlab-hook-token")).status, 200);
  t.is(ci.healthOf("web"), "failing");
  t.deepEqual(
    events.map((e) => [e.build.id, e.build.finished_at]),
    [["901", "2026-03-05T10:04:00.000Z"]],
  );
});
