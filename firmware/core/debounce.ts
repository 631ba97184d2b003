// Debouncing one push button from timestamped level samples.
//
// A mechanical contact bounces for a few milliseconds when it closes and when it opens (bursts of
// 1-5 ms edges lasting 2-10 ms), and long wires pick up EMI spikes shorter than a millisecond.
// Moddable's Digital input has no debounce and merges edges that arrive before its callback runs
// (shared/docs/moddable.md), so the level we read is only a sample at the time we read it.
//
// The rules, over samples (level, time, whether an edge callback took it):
// 1. A sample that disagrees with the current stretch opens an "excursion". If a later sample finds
//    the level back within `glitchMs` (2 ms), the excursion was a spike and is forgotten: it neither
//    counts nor interrupts the stretch. Otherwise the excursion becomes the new stretch, starting
//    when it was first seen.
// 2. A stretch of the other level counts once it has lasted its wait, confirmed either by a read at
//    or after that time that still agrees, or by an edge callback that ends the stretch after that
//    time. Only edge callbacks may confirm a stretch by ending it: an edge means the level really
//    held until then, while a poll that lands on a spike proves nothing about the time before.
// So a spike cannot press anything (it is shorter than any wait, and its trailing edge ends it),
// and a press cannot be lost to bounce or to spikes in the gap between two taps.
// Assumption: edge callbacks run within about 1 ms of their edge. A callback that runs much later
// (a long frame, a GC) stretches what we see: an excursion seen by a callback and ended by a callback
// more than pressMs later would count as a press. Keep frames short.
//
// The waits are asymmetric on purpose:
// - press: `pressMs` (default 5 ms). Five times the longest EMI spike, and short enough that the
//   press is confirmed on the first frame after the contact closes; during a closing bounce, any
//   5 ms closed stretch is already a real press.
// - release: `releaseMs` (default 20 ms, the `debounceMs` of ButtonTiming). Longer than the longest
//   bounce burst, so opening bounce never splits one press into two; still shorter than the gap of
//   a human double tap (60 ms or more), so double taps stay two presses.

/** Electrical level of a button input: pulled up, so pressed reads 0. */
export type Level = 0 | 1;

export const PRESSED: Level = 0;
export const RELEASED: Level = 1;

export interface DebounceTiming {
  /** Milliseconds the input must read pressed without interruption before a press counts. */
  pressMs: number;
  /** Milliseconds the input must read released without interruption before a release counts. */
  releaseMs: number;
  /**
   * Excursions seen for less than this are spikes and are ignored. EMI spikes last under 1 ms, but
   * the time between a spike's two callbacks also includes their latency jitter: 2 ms allows up to
   * 1 ms of jitter. Must stay below pressMs, which is what finally keeps a spike from pressing.
   */
  glitchMs: number;
}

export const DEFAULT_DEBOUNCE: Readonly<DebounceTiming> = Object.freeze({ pressMs: 5, releaseMs: 20, glitchMs: 2 });

/**
 * Result of Debouncer.sample(). One sample can settle two changes when samples are far apart
 * (an edge ends a long release stretch, and the next frame's read confirms the new press).
 */
export const NO_CHANGE = 0 as const;
export const BECAME_PRESSED = 1 as const;
export const BECAME_RELEASED = 2 as const;
export const RELEASED_THEN_PRESSED = 3 as const;
export const PRESSED_THEN_RELEASED = 4 as const;
export type DebounceChange = 0 | 1 | 2 | 3 | 4;

const NONE = -1;

export class Debouncer {
  private readonly pressMs: number;
  private readonly releaseMs: number;
  private readonly glitchMs: number;
  /** The debounced level. */
  private stable: Level;
  /** The level of the current stretch, and since when it has been seen without interruption. */
  private candidate: Level;
  private candidateSince: number;
  /** A disagreeing level seen at excursionSince, not yet known to be more than a spike. */
  private excursion: Level | typeof NONE = NONE;
  private excursionSince = 0;
  private excursionByEdge = false;
  /** Time the debounced level last changed. */
  private changedAt: number;

  constructor(timing: Partial<DebounceTiming> = {}, initial: Level = RELEASED, now = 0) {
    this.pressMs = timing.pressMs ?? DEFAULT_DEBOUNCE.pressMs;
    this.releaseMs = timing.releaseMs ?? DEFAULT_DEBOUNCE.releaseMs;
    this.glitchMs = timing.glitchMs ?? DEFAULT_DEBOUNCE.glitchMs;
    if (!(this.pressMs > this.glitchMs) || !(this.releaseMs > this.glitchMs) || !(this.glitchMs >= 0)) {
      throw new RangeError(`Debouncer: pressMs (${this.pressMs}) and releaseMs (${this.releaseMs}) must exceed glitchMs (${this.glitchMs}) >= 0`);
    }
    this.stable = initial;
    this.candidate = initial;
    this.candidateSince = now;
    this.changedAt = now;
  }

  get pressed(): boolean {
    return this.stable === PRESSED;
  }

  /** When the debounced level last changed (the confirming sample's time). */
  get since(): number {
    return this.changedAt;
  }

  /**
   * Feed one raw sample read at `now`, from an edge callback (`byEdge`) or a frame's poll. Samples
   * must come in time order. Returns what changed in the debounced level with this sample.
   */
  sample(level: Level, now: number, byEdge: boolean): DebounceChange {
    let first: DebounceChange = NO_CHANGE;
    // Rule 1: an excursion that outlived glitchMs becomes the new stretch.
    if (this.excursion !== NONE && now - this.excursionSince >= this.glitchMs) {
      // Rule 2, confirmed by ending: the old stretch held until an edge showed the excursion.
      if (this.excursionByEdge) first = this.settle(this.excursionSince, now);
      this.candidate = this.excursion;
      this.candidateSince = this.excursionSince;
      this.excursion = NONE;
    }
    if (level !== this.candidate) {
      if (this.excursion === NONE) {
        this.excursion = level;
        this.excursionSince = now;
        this.excursionByEdge = byEdge;
      } else if (byEdge && !this.excursionByEdge && now - this.excursionSince < this.glitchMs) {
        // A frame's poll saw the change a moment before the edge's callback ran: the edge vouches
        // for it, since callbacks run within about a millisecond of their edge (see above).
        this.excursionByEdge = true;
      }
      return first;
    }
    // Back on the stretch's level: a young excursion was a spike.
    this.excursion = NONE;
    // Rule 2, confirmed by a read that still agrees.
    const second = this.settle(now, now);
    if (first === NO_CHANGE) return second;
    if (second === NO_CHANGE) return first;
    return first === BECAME_RELEASED ? RELEASED_THEN_PRESSED : PRESSED_THEN_RELEASED;
  }

  /** Commit the current stretch if it lasted its wait by `until`; `at` is when we learnt it. */
  private settle(until: number, at: number): DebounceChange {
    if (this.candidate === this.stable) return NO_CHANGE;
    const wait = this.candidate === PRESSED ? this.pressMs : this.releaseMs;
    if (until - this.candidateSince < wait) return NO_CHANGE;
    this.stable = this.candidate;
    this.changedAt = at;
    return this.stable === PRESSED ? BECAME_PRESSED : BECAME_RELEASED;
  }
}
