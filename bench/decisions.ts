// Issue 9, part 1: decision latency, side by side with the raw MQTT round trip on the same broker.
//
// - request -> view: a pipeline publishes locks/request until the gadget's retained view names the
//   lock as head (the queue is empty before each request, so the new lock is the head).
// - approve -> approved: the gadget publishes its approve event until the pipeline, subscribed to
//   locks/<id> as `shipgate gate` is, reads state "approved". That is the in-protocol part of
//   "approve until `shipgate gate` exits 0"; the real CLI is timed separately (gateCliRuns), because
//   its start-up (Node loading the built command) dwarfs the message path.
// - raw round trip: one QoS 1 publish until a second client subscribed to it receives it.
// The approve path needs two broker hops (gadget -> bridge, bridge -> pipeline), so its ideal is
// about twice the raw round trip; the report gives approve / (2 x raw).

import { randomUUID } from "node:crypto";
import { performance } from "node:perf_hooks";
import { runShipgate, tempDir } from "../broker-bridge/test/helpers/bridge";
import { BenchClient, lockStateOf, viewHeadOf } from "./clients";
import { type FigureSink, median, percentile } from "./figures";
import { BenchGadget, BenchPipeline, type BrokerKind, startRig, topics } from "./rig";

export const SECTION = "Decision latency";

export interface DecisionOptions {
  decisions: number;
  warmup: number;
  rttSamples: number;
  cliRuns: number;
}

export const DEFAULT_DECISION_OPTIONS: DecisionOptions = Object.freeze({ decisions: 1000, warmup: 50, rttSamples: 1000, cliRuns: 5 });

/** Sequential QoS 1 round trips from one client to another through the broker, in ms. */
export async function rawRoundTrips(url: string, samples: number, warmup: number): Promise<number[]> {
  const subscriber = await BenchClient.connect(url, { clientId: `bench-rtt-sub-${randomUUID().slice(0, 6)}` });
  const publisher = await BenchClient.connect(url, { clientId: `bench-rtt-pub-${randomUUID().slice(0, 6)}` });
  const topic = `bench/rtt/${randomUUID().slice(0, 8)}`;
  await subscriber.client.subscribeAsync(topic, { qos: 1 });
  const out: number[] = [];
  try {
    for (let i = 0; i < warmup + samples; i++) {
      const tag = String(i);
      const arrived = subscriber.arrival(topic, (p) => p.toString() === tag);
      const sent = performance.now();
      publisher.client.publish(topic, tag, { qos: 1 });
      const at = await arrived;
      if (i >= warmup) out.push(at - sent);
    }
  } finally {
    await subscriber.end();
    await publisher.end();
  }
  return out;
}

export interface DecisionSamples {
  requestToView: number[];
  approveToApproved: number[];
}

export async function decisionRoundTrips(url: string, decisions: number, warmup: number): Promise<DecisionSamples> {
  const gadget = await BenchGadget.connect(url);
  const pipeline = await BenchPipeline.connect(url);
  const out: DecisionSamples = { requestToView: [], approveToApproved: [] };
  const viewTopic = topics.gadgetView(gadget.id);
  try {
    for (let i = 0; i < warmup + decisions; i++) {
      const id = randomUUID();
      await pipeline.watch(id);
      const shown = gadget.mqtt.arrival(viewTopic, (p) => viewHeadOf(p) === id);
      const requested = performance.now();
      pipeline.request(id, "bench-latency");
      const shownAt = await shown;

      const approved = pipeline.mqtt.arrival(topics.lockState(id), (p) => lockStateOf(p) === "approved");
      const pressed = performance.now();
      gadget.approve(id);
      const approvedAt = await approved;
      await pipeline.unwatch(id);
      if (i < warmup) continue;
      out.requestToView.push(shownAt - requested);
      out.approveToApproved.push(approvedAt - pressed);
    }
  } finally {
    await gadget.end();
    await pipeline.end();
  }
  return out;
}

export interface CliSamples {
  /** Spawn of `shipgate gate` until the gadget's view shows its lock: the CLI's start-up and request. */
  spawnToView: number[];
  /** The gadget's approve until the process has exited with 0. */
  approveToExit: number[];
}

/** A handful of real `shipgate gate` runs, each approved by the gadget as soon as its view shows it. */
export async function gateCliRuns(url: string, runs: number): Promise<CliSamples> {
  const gadget = await BenchGadget.connect(url);
  const out: CliSamples = { spawnToView: [], approveToExit: [] };
  // No credentials: the bench brokers are open, and an empty state dir keeps the CLI from reading any.
  const stateDir = tempDir("shipgate-bench-cli-");
  try {
    for (let i = 0; i < runs; i++) {
      const id = randomUUID();
      const shown = gadget.mqtt.arrival(topics.gadgetView(gadget.id), (p) => viewHeadOf(p) === id, 60_000);
      const spawned = performance.now();
      const run = runShipgate(["gate", "--pipeline", "bench-cli", "--step", "deploy", "--id", id], { SHIPGATE_BROKER_URL: url, SHIPGATE_STATE_DIR: stateDir });
      const exitedAt = run.exit.then((code) => ({ code, at: performance.now() }));
      const shownAt = await shown;
      const pressed = performance.now();
      gadget.approve(id);
      const exit = await exitedAt;
      if (exit.code !== 0) throw new Error(`bench: shipgate gate exited ${exit.code} after an approve: ${run.stderr()}`);
      out.spawnToView.push(shownAt - spawned);
      out.approveToExit.push(exit.at - pressed);
    }
  } finally {
    await gadget.end();
  }
  return out;
}

/** One broker's figures. Every socket runs with TCP_NODELAY, as the product's do (link/no-delay.ts). */
export async function measureDecisions(sink: FigureSink, kind: BrokerKind, o: DecisionOptions, log: (line: string) => void): Promise<void> {
  const rig = await startRig(kind, {});
  const label = kind;
  try {
    log(`decisions on ${label}: raw round trip x ${o.rttSamples}`);
    const rtt = await rawRoundTrips(rig.brokerUrl, o.rttSamples, o.warmup);
    log(`decisions on ${label}: ${o.decisions} decisions`);
    const d = await decisionRoundTrips(rig.brokerUrl, o.decisions, o.warmup);

    const on = { broker: kind, n: o.decisions };
    const rttP50 = percentile(rtt, 50);
    const rttP99 = percentile(rtt, 99);
    sink.add(SECTION, `${label}: raw MQTT round trip p50`, rttP50, "ms", "lower", { ...on, n: rtt.length, note: "QoS 1 publish to a subscriber on the same broker" });
    sink.add(SECTION, `${label}: raw MQTT round trip p99`, rttP99, "ms", "lower", { ...on, n: rtt.length });
    for (const [path, samples] of [
      ["request -> view shows it", d.requestToView],
      ["approve -> pipeline reads approved", d.approveToApproved],
    ] as const) {
      const p50 = percentile(samples, 50);
      const p99 = percentile(samples, 99);
      sink.add(SECTION, `${label}: ${path} p50`, p50, "ms", "lower", on);
      sink.add(SECTION, `${label}: ${path} p99`, p99, "ms", "lower", on);
      sink.add(SECTION, `${label}: ${path} p50 / raw round trip p50`, p50 / rttP50, "x", "lower", on);
      sink.add(SECTION, `${label}: ${path} p99 / raw round trip p99`, p99 / rttP99, "x", "lower", on);
    }
    sink.add(SECTION, `${label}: approve p50 / (2 x raw round trip p50)`, percentile(d.approveToApproved, 50) / (2 * rttP50), "x", "lower", {
      ...on,
      note: "1.0 = exactly the two broker hops the approve needs",
    });
    if (o.cliRuns === 0) return;
    log(`decisions on ${label}: ${o.cliRuns} shipgate gate runs`);
    const cli = await gateCliRuns(rig.brokerUrl, o.cliRuns);
    sink.add(SECTION, `${label}: shipgate gate spawn -> view shows its lock (median)`, median(cli.spawnToView), "ms", "lower", {
      broker: kind,
      n: cli.spawnToView.length,
      note: "CLI start-up (node loading the built command) plus the request",
    });
    sink.add(SECTION, `${label}: approve -> shipgate gate exits 0 (median)`, median(cli.approveToExit), "ms", "lower", {
      broker: kind,
      n: cli.approveToExit.length,
      note: "real process; includes its MQTT disconnect and exit",
    });
  } finally {
    await rig.stop();
  }
}
