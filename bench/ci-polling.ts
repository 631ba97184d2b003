// CI polling cost and latency. Part one runs the real bridge (CI service, GitHub provider, store,
// views) against the GitHub fake with 50 watched repositories for a simulated hour on a fake clock,
// and counts requests per hour per pipeline and how many were 304s. Part two, in real time, measures
// the delay from a build flipping on the fake to the gadget's view on MQTT (polling at 1 s).
// Called by `npm run bench` (bench/run.ts); run alone with `node --import tsx bench/ci-polling.ts`.

import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { pathToFileURL } from "node:url";
import mqtt from "mqtt";
import { pino } from "pino";
import { openAuthorizer } from "../broker-bridge/src/broker/embedded-broker";
import { type RunningBridge, startBridge } from "../broker-bridge/src/bridge";
import { CiService } from "../broker-bridge/src/ci/ci-service";
import type { Clock } from "../broker-bridge/src/clock";
import { checkConfig } from "../broker-bridge/src/bridge-config";
import { FakeClock } from "../broker-bridge/test/fakes/ci-clock";
import { GithubFake } from "../broker-bridge/test/fakes/ci-github-fake";

export interface PollingBenchmark {
  pipelines: number;
  interval_s: number;
  simulated_hours: number;
  /** Builds added on the fake during the hour (each pipeline changes every 20 minutes). */
  changes: number;
  requests: number;
  requests_per_hour_per_pipeline: number;
  not_modified: number;
  /** Share of requests answered 304 (free against GitHub's limit). */
  not_modified_share: number;
  /** Requests that counted against the token's 5,000 an hour. */
  rate_limited_requests: number;
  /** Real time from a build flipping on the fake to the gadget's view showing it (1 s interval). */
  change_to_view_ms: { interval_ms: number; samples: number[]; median: number; max: number };
}

const quiet = pino({ level: "silent" });

async function bridgeFor(ci: unknown, gadgets: unknown, clock: Clock | undefined, stateDir: string): Promise<RunningBridge> {
  const checked = checkConfig({ state_dir: stateDir, broker: { port: 0, host: "127.0.0.1" }, http: { port: 0 }, ci, gadgets }, "<bench>", stateDir);
  if (!checked.ok) throw new Error(`bench config: ${checked.field} ${checked.error}`);
  return startBridge({ config: checked.value, log: quiet, authorizer: openAuthorizer, ...(clock ? { clock } : {}) });
}

async function simulatedHour(pipelines: number, intervalS: number): Promise<Omit<PollingBenchmark, "change_to_view_ms">> {
  const clock = new FakeClock();
  const fake = await GithubFake.start({ now: () => clock.now() });
  const dir = mkdtempSync(path.join(tmpdir(), "shipgate-bench-ci-"));
  const repos = Array.from({ length: pipelines }, (_, i) => `acme/service-${i}`);
  for (const repo of repos) fake.addRun(repo, { status: "completed", conclusion: "success" });
  const bridge = await bridgeFor(
    { pipelines: Object.fromEntries(repos.map((r, i) => [`svc-${i}`, { provider: "github", repo: r, base_url: fake.url, interval: `${intervalS}s` }])) },
    { "desk-1": { watch: repos.slice(0, 8).map((_, i) => `svc-${i}`) } },
    clock,
    dir,
  );
  const ci = bridge.service(CiService) as CiService;
  let changes = 0;
  // Every pipeline gets a new build every 20 minutes, staggered.
  repos.forEach((repo, i) => {
    const add = () => {
      fake.addRun(repo, { status: "completed", conclusion: changes % 7 === 0 ? "failure" : "success" });
      changes++;
      clock.setTimeout(add, 20 * 60_000);
    };
    clock.setTimeout(add, Math.floor((i * 20 * 60_000) / pipelines) + 1);
  });
  const before = fake.server.requests.length;
  const notModifiedBefore = fake.server.notModified;
  await clock.advance(3_600_000, () => ci.idle());
  const requests = fake.server.requests.length - before;
  const notModified = fake.server.notModified - notModifiedBefore;
  await bridge.stop();
  await fake.close();
  rmSync(dir, { recursive: true, force: true });
  return {
    pipelines,
    interval_s: intervalS,
    simulated_hours: 1,
    changes,
    requests,
    requests_per_hour_per_pipeline: requests / pipelines,
    not_modified: notModified,
    not_modified_share: requests === 0 ? 0 : notModified / requests,
    rate_limited_requests: requests - notModified,
  };
}

async function changeToView(samples: number, intervalMs: number): Promise<PollingBenchmark["change_to_view_ms"]> {
  const fake = await GithubFake.start({ windowMs: 60_000 });
  const dir = mkdtempSync(path.join(tmpdir(), "shipgate-bench-ci-"));
  fake.addRun("acme/api", { status: "completed", conclusion: "success" });
  const bridge = await bridgeFor({ pipelines: { api: { provider: "github", repo: "acme/api", base_url: fake.url, interval: `${intervalMs}ms` } } }, { "desk-1": { watch: ["api"] } }, undefined, dir);
  const client = await mqtt.connectAsync(bridge.brokerUrl, { reconnectPeriod: 0 });
  const topic = bridge.context.topics.gadgetView("desk-1");
  let scene = "";
  let changedAt = 0;
  client.on("message", (_t, payload) => {
    const view = JSON.parse(payload.toString("utf8")) as { rings: { scene: string }[] };
    scene = view.rings[1]?.scene ?? "";
    changedAt = performance.now();
  });
  await client.subscribeAsync(topic, { qos: 1 });
  const waitScene = async (want: string) => {
    const end = Date.now() + 30_000;
    while (scene !== want) {
      if (Date.now() > end) throw new Error(`view never showed ${want}`);
      await new Promise((r) => setTimeout(r, 5));
    }
  };
  await waitScene("passing");
  const out: number[] = [];
  for (let i = 0; i < samples; i++) {
    const want = i % 2 === 0 ? "failed" : "passing";
    // Flip at a random point of the poll cycle, as real changes fall.
    await new Promise((r) => setTimeout(r, Math.random() * intervalMs));
    const flippedAt = performance.now();
    fake.addRun("acme/api", { status: "completed", conclusion: want === "failed" ? "failure" : "success" });
    await waitScene(want);
    out.push(Math.round(changedAt - flippedAt));
  }
  await client.endAsync();
  await bridge.stop();
  await fake.close();
  rmSync(dir, { recursive: true, force: true });
  const sorted = [...out].sort((a, b) => a - b);
  return { interval_ms: intervalMs, samples: out, median: sorted[Math.floor(sorted.length / 2)] ?? 0, max: sorted[sorted.length - 1] ?? 0 };
}

export async function pollingBenchmark(options: { pipelines?: number; intervalS?: number; samples?: number } = {}): Promise<PollingBenchmark> {
  const hour = await simulatedHour(options.pipelines ?? 50, options.intervalS ?? 60);
  const latency = await changeToView(options.samples ?? 6, 1000);
  return { ...hour, change_to_view_ms: latency };
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  pollingBenchmark().then(
    (r) => {
      console.log(JSON.stringify(r, null, 2));
      process.exit(0);
    },
    (err) => {
      console.error(err);
      process.exit(1);
    },
  );
}
