// What each ring scene looks like: data (a pattern, a colour, a period and two levels) and a few
// small pure functions of (LED position, ring length, time, progress) that return a colour. Levels
// are perceptual (0-255); the animator maps them through the gamma and brightness-cap table.

import { SCENES, type SceneName } from "@shipgate/protocol/messages";
import { BLACK, scale, WAVE } from "./color";

/** Pattern kinds. */
export const SOLID = 0; // high level, steady
export const SLIDE = 1; // `heads` bright heads going round with a fading tail, over the low level
export const FLASH = 2; // high for the first half of each period, low for the second
export const PULSE = 3; // smooth wave between low and high
export const PROGRESS = 4; // the first progress/1000 of the LEDs at high, the rest at low

export interface Scene {
  readonly pattern: number;
  readonly color: number;
  /** Milliseconds per cycle (one revolution, one flash, one breath). */
  readonly periodMs: number;
  /** Levels 0-255. */
  readonly low: number;
  readonly high: number;
  /** SLIDE: how many heads, evenly spaced, and how many LEDs their tail fades over. */
  readonly heads: number;
  readonly tail: number;
}

export const BLUE = 0x0000ff;
export const GREEN = 0x00ff30;
export const RED = 0xff0000;
export const AMBER = 0xff9000;
export const WHITE = 0xffffff;
export const CYAN = 0x00c0ff;

function scene(pattern: number, color: number, periodMs: number, low: number, high: number, heads = 1, tail = 1): Scene {
  return Object.freeze({ pattern, color, periodMs, low, high, heads, tail });
}

/** Every scene of protocol/messages SCENES, as data. */
export const SCENE_TABLE: Readonly<Record<SceneName, Scene>> = Object.freeze({
  idle: scene(SOLID, BLACK, 1000, 0, 0),
  locked: scene(SLIDE, BLUE, 1200, 24, 255, 1, 6), // blue slide: waiting for a decision
  released: scene(FLASH, GREEN, 600, 40, 255), // green flash: the lock went through
  blocked: scene(SLIDE, RED, 700, 40, 255, 2, 3), // red spin: blocked mode
  building: scene(PULSE, AMBER, 1600, 30, 220), // amber pulse: a build is running
  failed: scene(SOLID, RED, 1000, 0, 200), // red: a build failed
  passing: scene(SOLID, GREEN, 1000, 0, 110), // soft green: builds pass
  out_of_sync: scene(SOLID, AMBER, 1000, 0, 200), // amber segment: Argo CD app out of sync
  syncing: scene(PROGRESS, CYAN, 1000, 16, 220), // progress of a sync
  unknown: scene(PULSE, WHITE, 3000, 0, 40), // state not known yet
  offline: scene(PULSE, WHITE, 3000, 8, 70), // dim white breathing: MQTT is down
});

/** Scenes by index in SCENES, so that a frame can look one up without a string. */
export const SCENE_BY_INDEX: readonly Scene[] = Object.freeze(SCENES.map((name) => SCENE_TABLE[name]));

export function sceneIndex(name: SceneName): number {
  const i = SCENES.indexOf(name);
  if (i < 0) throw new RangeError(`sceneIndex: unknown scene "${String(name)}"`);
  return i;
}

/** Phase 0-255 of time t in a period. */
function phase(t: number, periodMs: number): number {
  const p = t % periodMs;
  return (((p < 0 ? p + periodMs : p) * 256) / periodMs) & 255;
}

/**
 * Level 0-255 of a SLIDE at LED `pos` of `len`: each head is at full level, the LEDs behind it fade
 * over `tail` LEDs, and everything else sits at the low level.
 */
export function slideLevel(s: Scene, pos: number, len: number, t: number): number {
  const spacing = len / s.heads;
  // The head's position in LEDs, fractional; the distance behind the head, wrapped into one spacing.
  const head = ((((t % s.periodMs) + s.periodMs) % s.periodMs) * len) / s.periodMs;
  let behind = (head - pos) % spacing;
  if (behind < 0) behind += spacing;
  // behind in [0, 1) is the head LED itself.
  const fade = behind < 1 ? 255 : Math.max(0, Math.round(255 - ((behind - 0.5) * 255) / (s.tail + 0.5)));
  const level = (s.low + ((s.high - s.low) * fade) / 255) | 0;
  return level;
}

/** Colour of LED `pos` of a ring (or segment) of `len` LEDs, t ms into the scene. */
export function sceneColor(s: Scene, pos: number, len: number, t: number, progress: number): number {
  switch (s.pattern) {
    case SLIDE:
      return scale(s.color, slideLevel(s, pos, len, t));
    case FLASH:
      return scale(s.color, t % s.periodMs < s.periodMs / 2 ? s.high : s.low);
    case PULSE:
      return scale(s.color, s.low + ((((s.high - s.low) * WAVE[phase(t, s.periodMs)]!) / 255) | 0));
    case PROGRESS:
      return scale(s.color, progressLevel(s, pos, len, progress));
    default:
      return scale(s.color, s.high);
  }
}

/** PROGRESS: LEDs below the filled length at high, the one at the edge in between, the rest low. */
export function progressLevel(s: Scene, pos: number, len: number, progress: number): number {
  const p = progress < 0 ? 0 : progress > 1000 ? 1000 : progress;
  // Filled length in 1/1000 LED.
  const filled = p * len;
  const from = pos * 1000;
  if (filled >= from + 1000) return s.high;
  if (filled <= from) return s.low;
  return s.low + ((((s.high - s.low) * (filled - from)) / 1000) | 0);
}
