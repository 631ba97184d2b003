// Ring scene frames at given times, read back from a simulated WS2812 ring. Run on Node and in XS.

import type { RingView } from "@shipgate/protocol/messages";
import { SCENES } from "@shipgate/protocol/messages";
import { RingAnimator } from "../core/rings";
import { SimPixelStrip } from "../adapters/node/sim-pixels";

const LEDS = 24;

function ring(view: RingView | null, cap = 255): { strip: SimPixelStrip; anim: RingAnimator } {
  const strip = new SimPixelStrip(LEDS);
  const anim = new RingAnimator(strip, { brightnessCap: cap });
  if (view !== null) anim.setView(view);
  return { strip, anim };
}

const r = (c: number): number => (c >>> 16) & 0xff;
const g = (c: number): number => (c >>> 8) & 0xff;
const b = (c: number): number => c & 0xff;
const sum = (c: number): number => r(c) + g(c) + b(c);

/** Index of the brightest LED (the first one on ties). */
function brightest(strip: SimPixelStrip): number {
  let best = 0;
  for (let i = 1; i < strip.length; i++) if (sum(strip.pixel(i)) > sum(strip.pixel(best))) best = i;
  return best;
}

/** The dominant channel of every LED, as one string: r, g, b, w (all equal), or . (off). */
function channels(strip: SimPixelStrip): string {
  let out = "";
  for (let i = 0; i < strip.length; i++) {
    const c = strip.pixel(i);
    const m = Math.max(r(c), g(c), b(c));
    out += m === 0 ? "." : r(c) === m && g(c) === m && b(c) === m ? "w" : r(c) === m ? "r" : g(c) === m ? "g" : "b";
  }
  return out;
}

function maxChannel(strip: SimPixelStrip): number {
  let m = 0;
  for (let i = 0; i < strip.length; i++) m = Math.max(m, r(strip.pixel(i)), g(strip.pixel(i)), b(strip.pixel(i)));
  return m;
}

export default {
  /** Locked: one blue head goes round once in 1200 ms, so 6 LEDs every 300 ms. */
  lockedSlide: () => {
    const { strip, anim } = ring({ scene: "locked" });
    const heads: number[] = [];
    for (const t of [0, 300, 600, 900, 1200]) {
      anim.frame(1000 + t);
      heads.push(brightest(strip));
    }
    return { heads, colors: channels(strip), head: strip.pixel(0), tail1: strip.pixel(23), far: strip.pixel(12) };
  },

  /** Released: green on for 300 ms, low for 300 ms. */
  releasedFlash: () => {
    const { strip, anim } = ring({ scene: "released" });
    const at = (t: number): number => (anim.frame(t), strip.pixel(5));
    return { on: at(0), stillOn: at(290), low: at(310), onAgain: at(610), colors: channels(strip) };
  },

  /** Blocked: two red heads opposite each other, going round in 700 ms. */
  blockedSpin: () => {
    const { strip, anim } = ring({ scene: "blocked" });
    anim.frame(0);
    const lit0: number[] = [];
    for (let i = 0; i < LEDS; i++) if (r(strip.pixel(i)) === 255) lit0.push(i);
    anim.frame(175); // a quarter turn: 6 LEDs on
    const lit1: number[] = [];
    for (let i = 0; i < LEDS; i++) if (r(strip.pixel(i)) === 255) lit1.push(i);
    return { lit0, lit1, colors: channels(strip) };
  },

  /** Building: amber (red above green, no blue) breathing from low at 0 ms to high at 800 ms. */
  buildingPulse: () => {
    const { strip, anim } = ring({ scene: "building" });
    const at = (t: number): number => (anim.frame(t), strip.pixel(3));
    return { start: at(0), peak: at(800), end: at(1600) };
  },

  /** Steady scenes: failed red, passing soft green, idle off. */
  steadyScenes: () => {
    const out: Record<string, number> = {};
    for (const scene of ["failed", "passing", "idle", "out_of_sync"] as const) {
      const { strip, anim } = ring({ scene });
      anim.frame(0);
      out[scene] = strip.pixel(7);
    }
    return out;
  },

  /** Passing ring with the Argo CD app's amber segment on LEDs 18-23. */
  segment: () => {
    const { strip, anim } = ring({ scene: "passing", segments: [{ start: 18, count: 6, scene: "out_of_sync" }] });
    anim.frame(0);
    return channels(strip);
  },

  /** A segment that wraps past the last LED. */
  wrappingSegment: () => {
    const { strip, anim } = ring({ scene: "idle", segments: [{ start: 22, count: 4, scene: "failed" }] });
    anim.frame(0);
    return channels(strip);
  },

  /** Syncing at 500/1000 lights the first half high and the rest low; at 1000 all high. */
  syncingProgress: () => {
    const { strip, anim } = ring({ scene: "syncing", progress: 500 });
    anim.frame(0);
    const half = { first: strip.pixel(0), last: strip.pixel(11), after: strip.pixel(12) };
    anim.setView({ scene: "syncing", progress: 1000 });
    anim.frame(16);
    return { half, full: strip.pixel(23) };
  },

  /** Offline replaces the view with dim white breathing, peaking at 1500 ms; back online, the view returns. */
  offline: () => {
    const { strip, anim } = ring({ scene: "failed" });
    anim.setOffline(true);
    anim.frame(0);
    const low = strip.pixel(0);
    anim.frame(1500);
    const peak = strip.pixel(0);
    const colors = channels(strip);
    anim.setOffline(false);
    anim.frame(1516);
    return { low, peak, colors, online: strip.pixel(0) };
  },

  /** Hold fill at 500/1000 covers LEDs 0-11 in white, over the scene; null removes it. */
  holdFill: () => {
    const { strip, anim } = ring({ scene: "failed" });
    anim.setHoldFill(500);
    anim.frame(0);
    const filled = channels(strip);
    anim.setHoldFill(null);
    anim.frame(16);
    return { filled, after: channels(strip) };
  },

  /** Ack: a green flash over the whole ring that fades out in 250 ms. */
  ackBlip: () => {
    const { strip, anim } = ring({ scene: "idle" });
    anim.frame(0);
    anim.blip("ack");
    const at = (t: number): number => (anim.frame(t), strip.pixel(9));
    return { start: at(100), mid: at(225), gone: at(360) };
  },

  /** Error: three red blinks, 110 ms on and 90 ms off, then the scene again. */
  errorBlink: () => {
    const { strip, anim } = ring({ scene: "passing" });
    anim.blip("error");
    const at = (t: number): number => (anim.frame(t), strip.pixel(0));
    return [at(0), at(50), at(150), at(250), at(350), at(450), at(550), at(650)];
  },

  /** The cap bounds every channel of every scene and overlay, at every time. */
  capBoundsEveryChannel: () => {
    let worst = 0;
    for (const scene of SCENES) {
      const { strip, anim } = ring({ scene, progress: 700 }, 64);
      for (let t = 0; t < 3000; t += 37) {
        if (t === 740) anim.setHoldFill(800);
        if (t === 1480) anim.blip("ack");
        if (t === 2220) anim.blip("error");
        anim.frame(t);
        worst = Math.max(worst, maxChannel(strip));
      }
    }
    return worst;
  },

  /** A steady scene sends one frame, then nothing until something changes. */
  sendsOnlyChanges: () => {
    const { strip, anim } = ring({ scene: "failed" });
    for (let t = 0; t < 1000; t += 16) anim.frame(t);
    const steady = { updates: strip.updates, writes: strip.writes };
    anim.setView({ scene: "failed", segments: [{ start: 0, count: 2, scene: "passing" }] });
    anim.frame(1000);
    return { steady, afterSegment: { updates: strip.updates, writes: strip.writes } };
  },

  /** Re-sending the same scene keeps the animation going; a new scene restarts it. */
  sameSceneKeepsPhase: () => {
    const { strip, anim } = ring({ scene: "locked" });
    anim.frame(0);
    anim.frame(300);
    anim.setView({ scene: "locked" });
    anim.frame(600);
    const kept = brightest(strip);
    anim.setView({ scene: "blocked" });
    anim.setView({ scene: "locked" });
    anim.frame(900);
    return { kept, restarted: brightest(strip) };
  },
};
