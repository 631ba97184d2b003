// Issue 9, part 2: scale. One bridge (embedded broker, own process).
//
// - Throughput: 1,000 pipelines, each its own MQTT connection subscribed to its lock as `shipgate
//   gate` is, request at once; when all wait, a gadget approves them head after head (by lock id,
//   in queue order) with `window` approvals in flight, which keeps the bridge busy all the time;
//   the rate it settles them at is the fastest it accepts. Latency: approve sent -> that pipeline
//   reads "approved".
// - Memory: resident set (after two full GCs in the bridge) with 0, 10, 100, 1,000 and 10,000 locks
//   waiting, requested by one client; and, at 10,000, how long one decision at the head takes
//   (every lock behind it moves up one place, and its new position is published).

import { randomUUID } from "node:crypto";
import { performance } from "node:perf_hooks";
import { BenchClient, jsonField, lockStateOf } from "./clients";
import { type FigureSink, median, percentile } from "./figures";
import { BenchGadget, BenchPipeline, startRig, topics } from "./rig";

export const SECTION = "Scale";

export interface ScaleOptions {
  pipelines: number;
  window: number;
  levels: number[];
  headDecisions: number;
}

export const DEFAULT_SCALE_OPTIONS: ScaleOptions = Object.freeze({ pipelines: 1000, window: 64, levels: [10, 100, 1000, 10_000], headDecisions: 20 });

const MiB = 2 ** 20;
/** Enough room for every level in one pipeline's queue (the default allows 100 per pipeline). */
const GATES = { max_pending_per_pipeline: 100_000, default_timeout: "2h" };

async function inBatches<T>(count: number, batch: number, make: (i: number) => Promise<T>): Promise<T[]> {
  const out: T[] = [];
  for (let i = 0; i < count; i += batch) {
    out.push(...(await Promise.all(Array.from({ length: Math.min(batch, count - i) }, (_, k) => make(i + k)))));
  }
  return out;
}

function positionOf(payload: Buffer): number | undefined {
  return jsonField(payload, (v) => (typeof v.position === "number" ? v.position : undefined));
}

export async function measureThroughput(sink: FigureSink, o: ScaleOptions, log: (line: string) => void): Promise<void> {
  const rig = await startRig("embedded", { gates: GATES });
  const pipelines: BenchPipeline[] = [];
  let gadget: BenchGadget | null = null;
  try {
    const idle = await rig.bridge.memory();
    log(`scale: connecting ${o.pipelines} pipelines`);
    pipelines.push(...(await inBatches(o.pipelines, 50, () => BenchPipeline.connect(rig.brokerUrl))));
    gadget = await BenchGadget.connect(rig.brokerUrl);
    const ids = pipelines.map(() => randomUUID());
    await inBatches(o.pipelines, 100, (i) => pipelines[i]!.watch(ids[i]!));

    log(`scale: ${o.pipelines} requests at once`);
    const position = new Map<string, number>();
    const waiting = ids.map((id, i) =>
      pipelines[i]!.mqtt.arrival(
        topics.lockState(id),
        (p) => {
          const pos = lockStateOf(p) === "pending" ? positionOf(p) : undefined;
          if (pos !== undefined) position.set(id, pos);
          return pos !== undefined;
        },
        120_000,
      ),
    );
    const requested = performance.now();
    for (const [i, id] of ids.entries()) pipelines[i]!.request(id, `bench-scale-${i}`);
    const allWaitingAt = Math.max(...(await Promise.all(waiting)));
    const waitingMem = await rig.bridge.memory();

    // Positions move as earlier locks are decided; the order they were first given is the queue order.
    const order = [...ids].sort((a, b) => (position.get(a) ?? 0) - (position.get(b) ?? 0));
    const indexOf = new Map(ids.map((id, i) => [id, i]));
    log(`scale: ${o.pipelines} approvals, ${o.window} in flight`);
    const latencies: number[] = [];
    const started = performance.now();
    let next = 0;
    await new Promise<void>((resolve, reject) => {
      let done = 0;
      const send = () => {
        const id = order[next++];
        if (id === undefined) return;
        const pipeline = pipelines[indexOf.get(id)!]!;
        const approved = pipeline.mqtt.arrival(topics.lockState(id), (p) => lockStateOf(p) === "approved", 120_000);
        const sent = performance.now();
        gadget!.approve(id);
        approved.then((at) => {
          latencies.push(at - sent);
          if (++done === o.pipelines) resolve();
          else send();
        }, reject);
      };
      for (let k = 0; k < o.window; k++) send();
    });
    const elapsed = (performance.now() - started) / 1000;

    const c = { broker: "embedded", n: o.pipelines, note: `${o.pipelines} pipelines, one connection each; ${o.window} approvals in flight` };
    sink.add(SECTION, `${o.pipelines} requests at once -> all waiting`, allWaitingAt - requested, "ms", "lower", c);
    sink.add(SECTION, "decision throughput", o.pipelines / elapsed, "decisions/s", "higher", c);
    sink.add(SECTION, "decision latency under full load p50", percentile(latencies, 50), "ms", "lower", c);
    sink.add(SECTION, "decision latency under full load p99", percentile(latencies, 99), "ms", "lower", c);
    sink.add(SECTION, "bridge RSS, idle (no client)", idle.rss / MiB, "MiB", "lower", { broker: "embedded", n: 1 });
    sink.add(SECTION, `bridge RSS with ${o.pipelines} pipelines connected and waiting`, waitingMem.rss / MiB, "MiB", "lower", c);
  } finally {
    await gadget?.end();
    await Promise.all(pipelines.map((p) => p.end().catch(() => {})));
    await rig.stop();
  }
}

export async function measureMemoryGrowth(sink: FigureSink, o: ScaleOptions, log: (line: string) => void): Promise<void> {
  const rig = await startRig("embedded", { gates: GATES });
  const pipeline = await BenchPipeline.connect(rig.brokerUrl);
  const watcher = await BenchClient.connect(rig.brokerUrl, { clientId: "bench-scale-watcher" });
  const gadget = await BenchGadget.connect(rig.brokerUrl);
  try {
    const pending = new Set<string>();
    let reached: { target: number; resolve: () => void } | null = null;
    watcher.onMessage = (topic, payload) => {
      const parsed = topics.parse(topic);
      if (parsed.kind !== "lock-state") return;
      if (lockStateOf(payload) === "pending") pending.add(parsed.id);
      else pending.delete(parsed.id);
      if (reached !== null && pending.size >= reached.target) reached.resolve();
    };
    await watcher.client.subscribeAsync(topics.allLockStates(), { qos: 1 });

    const base = await rig.bridge.memory();
    sink.add(SECTION, "bridge RSS with 0 locks waiting", base.rss / MiB, "MiB", "lower", { broker: "embedded", n: 1, note: "after two full GCs" });
    let previous = { locks: 0, rss: base.rss, heap: base.heapUsed };
    const ids: string[] = [];
    for (const level of o.levels) {
      const add = level - ids.length;
      const all = new Promise<void>((resolve) => (reached = { target: level, resolve }));
      const t0 = performance.now();
      for (let i = 0; i < add; i++) {
        const id = randomUUID();
        ids.push(id);
        pipeline.request(id, "bench-memory");
        // Let the socket drain now and then, as many pipelines on their own connections would.
        if (i % 500 === 499) await new Promise((r) => setImmediate(r));
      }
      await all;
      const seconds = (performance.now() - t0) / 1000;
      const m = await rig.bridge.memory();
      log(`scale: ${level} locks waiting: RSS ${(m.rss / MiB).toFixed(1)} MiB, heap ${(m.heapUsed / MiB).toFixed(1)} MiB, ${add} requests in ${seconds.toFixed(2)} s`);
      const c = { broker: "embedded", n: level, note: "after two full GCs" };
      sink.add(SECTION, `bridge RSS with ${level} locks waiting`, m.rss / MiB, "MiB", "lower", c);
      sink.add(SECTION, `bridge heap per waiting lock, ${previous.locks} -> ${level}`, (m.heapUsed - previous.heap) / (level - previous.locks), "bytes", "lower", c);
      sink.add(SECTION, `request rate while ${previous.locks} -> ${level} locks wait`, add / seconds, "requests/s", "higher", {
        broker: "embedded",
        n: add,
        note: "one client publishing back to back",
      });
      previous = { locks: level, rss: m.rss, heap: m.heapUsed };
    }

    // One decision at the head of a long queue: every lock behind it moves up one place.
    const latencies: number[] = [];
    for (let i = 0; i < o.headDecisions; i++) {
      const id = ids[i]!;
      const approved = watcher.arrival(topics.lockState(id), (p) => lockStateOf(p) === "approved", 120_000);
      const sent = performance.now();
      gadget.approve(id);
      latencies.push((await approved) - sent);
    }
    const last = o.levels[o.levels.length - 1] ?? 0;
    sink.add(SECTION, `approve at the head with ${last} locks waiting (median)`, median(latencies), "ms", "lower", {
      broker: "embedded",
      n: latencies.length,
      note: "approve sent -> a locks/+ subscriber reads approved",
    });
  } finally {
    await gadget.end();
    await watcher.end();
    await pipeline.end();
    await rig.stop();
  }
}
