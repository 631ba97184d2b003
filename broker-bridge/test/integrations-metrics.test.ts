// Prometheus: /metrics scraped from a real bridge after real decisions (docs/deploy.md shows the
// scrape config and these series). Values are counts of what the test did, never timings.
import test from "ava";
import { randomUUID } from "node:crypto";
import { runShipgate, waitFor } from "./helpers/bridge";
import { startGateRig } from "./integrations-support";

interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

/** The Prometheus text format, version 0.0.4: `name{label="value",...} number` lines. */
function parseMetrics(text: string): Sample[] {
  const out: Sample[] = [];
  for (const line of text.split("\n")) {
    if (line === "" || line.startsWith("#")) continue;
    const m = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
    if (m === null) throw new Error(`not a sample line: ${line}`);
    const labels: Record<string, string> = {};
    for (const l of (m[2] ?? "").matchAll(/([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g)) labels[l[1] as string] = l[2] as string;
    out.push({ name: m[1] as string, labels, value: Number(m[3]) });
  }
  return out;
}

function value(samples: Sample[], name: string, labels: Record<string, string> = {}): number | undefined {
  return samples.find((s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v))?.value;
}

test("after real decisions /metrics counts them: pending locks, decisions by outcome, latency, gadgets", async (t) => {
  const g = await startGateRig();
  try {
    const env = { SHIPGATE_BROKER_URL: g.brokerUrl, SHIPGATE_USERNAME: g.pipelineUser.username, SHIPGATE_PASSWORD: g.pipelineUser.password };
    const gate = (step: string, extra: string[] = []) => runShipgate(["gate", "--pipeline", "api", "--step", step, "--id", randomUUID(), ...extra], env);
    const scrape = async () => {
      const res = await fetch(`${g.rig.bridge.httpUrl}/metrics`);
      t.is(res.status, 200);
      t.regex(res.headers.get("content-type") ?? "", /^text\/plain; version=0\.0\.4/);
      return parseMetrics(await res.text());
    };

    const before = await scrape();
    t.is(value(before, "shipgate_locks_pending"), 0);
    t.is(value(before, "shipgate_decision_latency_seconds_count"), 0);

    g.desk.decision = "approve";
    t.is(await gate("one").exit, 0);
    t.is(await gate("two").exit, 0);
    g.desk.decision = "reject";
    t.is(await gate("three").exit, 1);
    g.desk.decision = null;
    t.is(await gate("four", ["--timeout", "2s"]).exit, 2);
    const waiting = gate("five");
    await waitFor("a pending lock", () => [...g.states.values()].some((l) => l.step === "five" && l.state === "pending"));

    const after = await scrape();
    t.is(value(after, "shipgate_locks_pending"), 1);
    t.is(value(after, "shipgate_decisions_total", { outcome: "approved" }), 2);
    t.is(value(after, "shipgate_decisions_total", { outcome: "rejected" }), 1);
    t.is(value(after, "shipgate_decisions_total", { outcome: "expired" }), 1);
    t.is(value(after, "shipgate_decision_latency_seconds_count"), 4);
    // The expired lock waited exactly its timeout, 2 s, so the sum holds at least that.
    t.true((value(after, "shipgate_decision_latency_seconds_sum") ?? 0) >= 2);
    t.is(value(after, "shipgate_decision_latency_seconds_bucket", { le: "+Inf" }), 4);
    t.is(value(after, "shipgate_gadgets_connected"), 1);

    waiting.child.kill("SIGTERM");
    t.is(await waiting.exit, 143);
    const cancelled = await waitFor("the cancel counted", async () => {
      const s = await scrape();
      return value(s, "shipgate_decisions_total", { outcome: "cancelled" }) === 1 ? s : undefined;
    });
    t.is(value(cancelled, "shipgate_locks_pending"), 0);
  } finally {
    await g.stop();
  }
});
