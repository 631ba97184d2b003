// Notifications to a loopback Slack-compatible webhook from a real bridge: a pending lock, its
// approval, a pipeline failing and recovering; events not chosen are not sent; a failing receiver
// is retried a bounded number of times.

import { type IncomingMessage, createServer } from "node:http";
import type { AddressInfo } from "node:net";
import test from "ava";
import { GatesService } from "../src/gates/gates-service";
import { NotifyService } from "../src/notify/notify-service";
import { GithubFake } from "./fakes/ci-github-fake";
import { startTestBridge } from "./helpers/bridge";

async function receiver(t: import("ava").ExecutionContext, failFirst = 0) {
  const posts: { text: string; blocks?: unknown[] }[] = [];
  let calls = 0;
  const server = createServer(async (req: IncomingMessage, res) => {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    calls++;
    if (calls <= failFirst) {
      res.writeHead(500).end("try later");
      return;
    }
    posts.push(JSON.parse(Buffer.concat(chunks).toString("utf8")));
    res.writeHead(200, { "content-type": "text/plain" }).end("ok");
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  t.teardown(() => new Promise<void>((r) => server.close(() => r())));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/services/T000/B000/XXXX`, posts, calls: () => calls };
}

test("lock pending and approved, build failed and recovered reach the webhook; unchosen events do not", async (t) => {
  const hook = await receiver(t, 1);
  const github = await GithubFake.start();
  t.teardown(() => github.close());
  github.addRun("acme/api", { id: 1, status: "completed", conclusion: "success" });
  process.env.CI_TEST_SLACK = hook.url;
  const bridge = await startTestBridge({
    config: {
      ci: { pipelines: { api: { provider: "github", repo: "acme/api", base_url: github.url, interval: "100ms" } } },
      notifications: { slack: { url_env: "CI_TEST_SLACK", events: ["lock.pending", "lock.approved", "build.failed", "build.recovered"] } },
    },
  });
  t.teardown(() => bridge.stop());
  const notify = bridge.service(NotifyService) as NotifyService;
  const gates = bridge.service(GatesService) as GatesService;
  const settle = async (n: number) => {
    for (let i = 0; i < 200 && hook.posts.length < n; i++) await new Promise((r) => setTimeout(r, 25));
    await notify.idle();
  };

  const id = "3f2b8c1e-0d4a-4f7e-9c61-2a5d8e7f9b10";
  gates.locks.request({ id, pipeline: "api", step: "deploy-prod", summary: "v1.2.3" }, null);
  await settle(1);
  t.regex(hook.posts[0]?.text ?? "", /Waiting for approval: api deploy-prod \(v1\.2\.3\)/);
  t.is(hook.calls(), 2, "the first attempt got a 500 and was retried");
  gates.locks.decide({ decision: "approve", id, decider: { kind: "user", name: "alice", admin: true } });
  await settle(2);
  t.regex(hook.posts[1]?.text ?? "", /Approved by user:alice: api deploy-prod/);

  github.addRun("acme/api", { id: 2, status: "completed", conclusion: "failure" });
  await settle(3);
  t.regex(hook.posts[2]?.text ?? "", /api is failing/);
  github.addRun("acme/api", { id: 3, status: "completed", conclusion: "success" });
  await settle(4);
  t.regex(hook.posts[3]?.text ?? "", /api recovered/);
  t.is(hook.posts.length, 4);
  t.true(hook.posts.every((p) => Array.isArray(p.blocks)));

  const rejected = "4a2b8c1e-0d4a-4f7e-9c61-2a5d8e7f9b10";
  gates.locks.request({ id: rejected, pipeline: "api", step: "deploy-prod", summary: "v1.2.4" }, null);
  await settle(5);
  gates.locks.decide({ decision: "reject", id: rejected, decider: { kind: "user", name: "bob", admin: true } });
  await new Promise((r) => setTimeout(r, 200));
  await notify.idle();
  t.false(
    hook.posts.some((p) => /Rejected/.test(p.text)),
    "lock.rejected was not chosen",
  );
});

test("a webhook that keeps failing is tried a bounded number of times", async (t) => {
  const hook = await receiver(t, 1000);
  const bridge = await startTestBridge({ config: { notifications: { ops: { url: hook.url, events: ["lock.pending"], attempts: 3 } } } });
  t.teardown(() => bridge.stop());
  const gates = bridge.service(GatesService) as GatesService;
  gates.locks.request({ id: "5a2b8c1e-0d4a-4f7e-9c61-2a5d8e7f9b10", pipeline: "api", step: "deploy", summary: "" }, null);
  for (let i = 0; i < 200 && hook.calls() < 3; i++) await new Promise((r) => setTimeout(r, 25));
  await bridge.service(NotifyService)?.idle();
  await new Promise((r) => setTimeout(r, 300));
  t.is(hook.calls(), 3);
});
