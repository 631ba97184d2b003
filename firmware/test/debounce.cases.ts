// Debounce and gesture cases over recorded-style button traces, run on Node and in XS.
//
// The traces model what a tactile switch on a wire does (see debounce.ts): each press and release
// is a bounce burst lasting 2-10 ms made of 0.1-5 ms stretches, EMI spikes shorter than 1 ms arrive
// while idle and while held, and some edges reach the app merged (no callback) so only the frame's
// poll sees them. A seeded generator makes the traces, so a run is repeatable everywhere.

import type { ButtonName } from "@shipgate/protocol/messages";
import { type ButtonSignal, Buttons } from "../core/buttons";
import type { Clock, TimerHandle } from "../core/ports";
import { type Edge, SimPin } from "../adapters/node/sim-pins";

/** mulberry32: a tiny seeded PRNG (public domain), enough for test traces. Returns [0, 1). */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** A clock the test moves by hand. Buttons only calls now(). */
export class TestClock implements Clock {
  time = 0;
  now(): number {
    return this.time;
  }
  after(): TimerHandle {
    throw new Error("TestClock.after: not used by the code under test");
  }
  every(): TimerHandle {
    throw new Error("TestClock.every: not used by the code under test");
  }
  cancel(): void {}
}

export interface Press {
  /** When the contact first closes, ms. */
  at: number;
  /** How long the finger holds it, ms (from first close to first open). */
  holdMs: number;
}

export interface TraceOptions {
  seed: number;
  /** Longest bounce burst at each make and break, ms (2-10 ms typical). */
  bounceMaxMs?: number;
  /** EMI spikes per second, spread uniformly. */
  spikesPerSecond?: number;
  /** Total length of the trace, ms. */
  lengthMs: number;
}

/**
 * The edges a bouncy, noisy contact produces for the given presses. A bounce burst alternates the
 * level in stretches of 0.1-5 ms for 2-bounceMax ms and ends on the new level; spikes invert the
 * level for 0.05-0.9 ms.
 */
export function makeTrace(presses: readonly Press[], options: TraceOptions): Edge[] {
  const random = prng(options.seed);
  const bounceMax = options.bounceMaxMs ?? 10;
  // The clean level as intervals, then bounce at each transition, then spikes on top.
  const levelAt = (t: number): 0 | 1 => {
    for (const p of presses) if (t >= p.at && t < p.at + p.holdMs) return 0;
    return 1;
  };
  const changes: Edge[] = [];
  const burst = (start: number, finalLevel: 0 | 1): void => {
    const length = 2 + random() * (bounceMax - 2);
    let t = start;
    let level = finalLevel;
    while (t < start + length) {
      changes.push({ at: t, level });
      t += 0.1 + random() * 4.9;
      level = level === 0 ? 1 : 0;
    }
    // `level` is now the opposite of the last stretch pushed; if that stretch had the wrong level,
    // one more edge settles on the final level.
    if (level === finalLevel) changes.push({ at: t, level: finalLevel });
  };
  for (const p of presses) {
    burst(p.at, 0);
    burst(p.at + p.holdMs, 1);
  }
  const spikes = Math.round(((options.spikesPerSecond ?? 0) * options.lengthMs) / 1000);
  for (let i = 0; i < spikes; i++) {
    const at = random() * options.lengthMs;
    const width = 0.05 + random() * 0.85;
    // A spike inside a bounce burst could leave the wire at the wrong level once the burst ends,
    // which would no longer be the trace of the presses we claim; EMI there is bounce anyway.
    let nearTransition = false;
    for (const p of presses) {
      for (const edge of [p.at, p.at + p.holdMs]) if (at + width >= edge - 1 && at <= edge + bounceMax + 6) nearTransition = true;
    }
    if (nearTransition) continue;
    const base = levelAt(at);
    const inverted = base === 0 ? 1 : 0;
    changes.push({ at, level: inverted }, { at: at + width, level: base });
  }
  // Bursts and spikes can overlap; time order, and drop edges that do not change the level.
  changes.sort((a, b) => a.at - b.at);
  const edges: Edge[] = [];
  let level: 0 | 1 = 1;
  for (const c of changes) {
    if (c.level === level) continue;
    edges.push(c);
    level = c.level;
  }
  return edges;
}

export interface Recorded {
  at: number;
  kind: ButtonSignal["kind"];
  button: ButtonName;
  progress?: number;
}

export interface ReplayOptions {
  /** Frame period of the app's tick, ms (60 Hz by default). */
  frameMs?: number;
  /**
   * Longest delay from an edge to its callback, ms. Edges inside that delay are merged into the one
   * callback, which reads the level at the time it runs (shared/docs/moddable.md). 0: every edge
   * gets its own immediate callback.
   */
  callbackLatencyMs?: number;
  seed?: number;
  holdButtons?: ButtonName[];
  button?: ButtonName;
}

/** Replays a trace into a real Buttons over a SimPin, ticking at the frame rate; returns every signal. */
export function replay(edges: readonly Edge[], lengthMs: number, options: ReplayOptions = {}): Recorded[] {
  const frameMs = options.frameMs ?? 1000 / 60;
  const latency = options.callbackLatencyMs ?? 0;
  const random = prng(options.seed ?? 7);
  const button = options.button ?? "approve";
  const clock = new TestClock();
  const pin = new SimPin(1);
  const buttons = new Buttons(clock, { [button]: pin }, {}, options.holdButtons ?? ["sync"]);
  const out: Recorded[] = [];
  buttons.onSignal((s) => {
    const r: Recorded = { at: Math.round(clock.time * 100) / 100, kind: s.kind, button: s.button };
    if (s.kind === "hold-progress") r.progress = s.progress;
    out.push(r);
  });
  let next = 0;
  let callbackAt = Infinity;
  let frame = 0;
  for (;;) {
    const frameAt = frame * frameMs;
    const edgeAt = next < edges.length ? edges[next]!.at : Infinity;
    const at = Math.min(frameAt, edgeAt, callbackAt);
    if (at > lengthMs) break;
    clock.time = at;
    if (at === callbackAt) {
      callbackAt = Infinity;
      pin.notify();
    } else if (at === edgeAt) {
      pin.set(edges[next++]!.level, false);
      if (callbackAt === Infinity) callbackAt = at + random() * latency;
    } else {
      buttons.tick(at);
      frame++;
    }
  }
  buttons.close();
  return out;
}

/** Evenly spread presses with random hold times and gaps, for the scenarios below. */
export function pressSchedule(seed: number, count: number, holdMin: number, holdMax: number, gapMin: number, gapMax: number, start = 100): Press[] {
  const random = prng(seed);
  const presses: Press[] = [];
  let t = start;
  for (let i = 0; i < count; i++) {
    const holdMs = holdMin + random() * (holdMax - holdMin);
    presses.push({ at: t, holdMs });
    t += holdMs + gapMin + random() * (gapMax - gapMin);
  }
  return presses;
}

export interface Score {
  presses: number;
  rawFallingEdges: number;
  downs: number;
  shorts: number;
  longs: number;
  holds: number;
  cancels: number;
  /** Signals not explained by a press (each down must fall inside one press, one per press). */
  ghosts: number;
  missed: number;
  /** Worst time from the contact first closing to the "down" signal, ms (one decimal). */
  worstDownLatencyMs: number;
}

/** Matches signals to the intended presses: one down per press, inside the press. */
export function score(presses: readonly Press[], edges: readonly Edge[], signals: readonly Recorded[]): Score {
  const downs = signals.filter((s) => s.kind === "down");
  let ghosts = 0;
  let worst = 0;
  const matched: boolean[] = presses.map(() => false);
  for (const d of downs) {
    // A down belongs to the press whose contact closed before it and which had not been matched yet;
    // it may arrive up to the release debounce after the press ends (a very short press).
    let hit = -1;
    for (let i = 0; i < presses.length; i++) {
      const p = presses[i]!;
      if (!matched[i] && d.at >= p.at && d.at <= p.at + p.holdMs + 40) {
        hit = i;
        break;
      }
    }
    if (hit < 0) ghosts++;
    else {
      matched[hit] = true;
      worst = Math.max(worst, d.at - presses[hit]!.at);
    }
  }
  return {
    presses: presses.length,
    rawFallingEdges: edges.filter((e) => e.level === 0).length,
    downs: downs.length,
    shorts: signals.filter((s) => s.kind === "short").length,
    longs: signals.filter((s) => s.kind === "long").length,
    holds: signals.filter((s) => s.kind === "hold").length,
    cancels: signals.filter((s) => s.kind === "hold-cancel").length,
    ghosts,
    missed: matched.filter((m) => !m).length,
    worstDownLatencyMs: Math.round(worst * 10) / 10,
  };
}

function run(presses: Press[], lengthMs: number, trace: Omit<TraceOptions, "lengthMs">, options: ReplayOptions = {}): Score {
  const edges = makeTrace(presses, { ...trace, lengthMs });
  return score(presses, edges, replay(edges, lengthMs, options));
}

export default {
  /** Ten taps of 80-250 ms with 10 ms bounce bursts: ten downs, ten shorts, nothing else. */
  bouncyShortPresses: () => run(pressSchedule(1, 10, 80, 250, 150, 600), 6000, { seed: 11, bounceMaxMs: 10 }),

  /** Five seconds of nothing but EMI: 40 spikes a second under 1 ms must not press anything. */
  noiseOnlyNoPress: () => run([], 5000, { seed: 12, spikesPerSecond: 40 }),

  /** Taps with bounce and 30 spikes a second, during presses too: no ghost, none missed. */
  noisyBouncyPresses: () => run(pressSchedule(2, 12, 60, 300, 120, 500), 7000, { seed: 13, bounceMaxMs: 10, spikesPerSecond: 30 }),

  /** Holds of 1-3 s with spikes while held: one long each, reported while still held, no short. */
  longHolds: () => {
    const presses = pressSchedule(3, 4, 1000, 3000, 300, 800);
    const edges = makeTrace(presses, { seed: 14, bounceMaxMs: 8, spikesPerSecond: 20, lengthMs: 14000 });
    const signals = replay(edges, 14000);
    const longsWhileHeld = signals.filter((s) => s.kind === "long").every((s) => presses.some((p) => s.at >= p.at + 800 && s.at < p.at + p.holdMs));
    return { ...score(presses, edges, signals), longsWhileHeld };
  },

  /** Double taps: 40-90 ms presses 60-100 ms apart stay two presses each. */
  doubleTaps: () => {
    const presses: Press[] = [];
    const random = prng(4);
    let t = 100;
    for (let i = 0; i < 6; i++) {
      const first = 40 + random() * 50;
      const gap = 60 + random() * 40;
      const second = 40 + random() * 50;
      presses.push({ at: t, holdMs: first }, { at: t + first + gap, holdMs: second });
      t += first + gap + second + 700;
    }
    return run(presses, t + 200, { seed: 15, bounceMaxMs: 6, spikesPerSecond: 10 });
  },

  /** Edge callbacks up to 3 ms late, merging the edges between: every press is still seen once. */
  mergedEdges: () => run(pressSchedule(5, 10, 80, 400, 150, 500), 7000, { seed: 16, bounceMaxMs: 10, spikesPerSecond: 10 }, { callbackLatencyMs: 3, seed: 3 }),

  /** A fast double tap with 30 spikes a second in the gap: the gap's spikes do not merge the taps. */
  spikesBetweenTaps: () => {
    const presses: Press[] = [];
    for (let i = 0; i < 8; i++) presses.push({ at: 100 + i * 600, holdMs: 70 }, { at: 100 + i * 600 + 70 + 65, holdMs: 70 });
    return run(presses, 5200, { seed: 19, bounceMaxMs: 10, spikesPerSecond: 60 }, { callbackLatencyMs: 0.5 });
  },

  /** Sync held 2.5 s: down, rising progress to 1000, then hold once; nothing on release. */
  holdToConfirm: () => {
    const presses = [{ at: 100, holdMs: 2500 }];
    const edges = makeTrace(presses, { seed: 17, bounceMaxMs: 10, spikesPerSecond: 20, lengthMs: 3000 });
    const signals = replay(edges, 3000, { button: "sync" });
    const progress = signals.filter((s) => s.kind === "hold-progress").map((s) => s.progress ?? -1);
    let rising = true;
    for (let i = 1; i < progress.length; i++) if (progress[i]! <= progress[i - 1]!) rising = false;
    const hold = signals.find((s) => s.kind === "hold");
    return {
      kinds: signals.filter((s) => s.kind !== "hold-progress").map((s) => s.kind),
      firstProgress: progress[0],
      lastProgress: progress[progress.length - 1],
      progressRising: rising,
      progressFrames: progress.length,
      holdAfterMs: hold === undefined ? null : Math.round(hold.at - 100),
    };
  },

  /** Sync let go after 0.9 s: the fill stops below 1000 and the gesture is cancelled. */
  holdReleasedEarly: () => {
    const presses = [{ at: 100, holdMs: 900 }];
    const edges = makeTrace(presses, { seed: 18, bounceMaxMs: 10, lengthMs: 1500 });
    const signals = replay(edges, 1500, { button: "sync" });
    const progress = signals.filter((s) => s.kind === "hold-progress").map((s) => s.progress ?? -1);
    return {
      kinds: signals.filter((s) => s.kind !== "hold-progress").map((s) => s.kind),
      maxProgress: Math.max(...progress),
    };
  },

  /** A button held while the gadget boots is not a press; its release reports nothing. */
  heldThroughBoot: () => {
    const clock = new TestClock();
    const pin = new SimPin(0);
    const buttons = new Buttons(clock, { reject: pin }, {}, []);
    const kinds: string[] = [];
    buttons.onSignal((s) => kinds.push(s.kind));
    for (let t = 0; t < 1000; t += 16) {
      clock.time = t;
      if (t === 500) pin.release();
      buttons.tick(t);
    }
    return kinds;
  },
};
