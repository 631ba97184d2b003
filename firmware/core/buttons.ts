// The gadget's buttons: debounced presses turned into gestures.
//
// Pure logic over the DigitalInput and Clock ports: no Timer. The app calls tick() every frame; edges
// reported by DigitalInput.onChange are sampled at once, so a press is confirmed on the edge or on the
// next frame, and the "down" signal lets the app show local feedback in that same frame.
//
// Gestures per button:
// - ordinary buttons: "down", then "long" once longMs has passed while held (nothing on release), or
//   "short" on release before longMs.
// - hold-to-confirm buttons (sync): "down", "hold-progress" 0..1000 on every frame where it changed
//   while held, then "hold" when holdMs is reached, or "hold-cancel" if released before.

import type { ButtonName } from "@shipgate/protocol/messages";
import { BECAME_PRESSED, BECAME_RELEASED, Debouncer, DEFAULT_DEBOUNCE, type Level, PRESSED_THEN_RELEASED, RELEASED_THEN_PRESSED } from "./debounce";
import type { Clock, DigitalInput } from "./ports";

export interface ButtonTiming {
  /** Milliseconds a release must be stable before it counts (longer than any contact bounce). */
  debounceMs: number;
  /** Milliseconds a press must be stable before it counts (longer than any EMI spike). */
  pressMs: number;
  /** Excursions shorter than this are EMI spikes and are ignored. */
  glitchMs: number;
  /** Milliseconds held before an ordinary button reports "long". */
  longMs: number;
  /** Milliseconds held before a hold-to-confirm button reports "hold". */
  holdMs: number;
}

export const DEFAULT_BUTTON_TIMING: Readonly<ButtonTiming> = Object.freeze({
  debounceMs: DEFAULT_DEBOUNCE.releaseMs,
  pressMs: DEFAULT_DEBOUNCE.pressMs,
  glitchMs: DEFAULT_DEBOUNCE.glitchMs,
  longMs: 800,
  holdMs: 2000,
});

export type ButtonSignal =
  | { readonly kind: "down"; readonly button: ButtonName }
  | { readonly kind: "short" | "long"; readonly button: ButtonName }
  | { readonly kind: "hold-progress"; readonly button: ButtonName; readonly progress: number }
  | { readonly kind: "hold"; readonly button: ButtonName }
  | { readonly kind: "hold-cancel"; readonly button: ButtonName };

/** The hold-progress signal is one object per button, updated in place: read it in the callback. */
interface ProgressSignal {
  readonly kind: "hold-progress";
  readonly button: ButtonName;
  progress: number;
}

// Phases of one button between its debounced down and up.
const UP = 0;
const HELD = 1; // down, no gesture reported yet
const DONE = 2; // long or hold already reported; the release reports nothing

class ButtonState {
  readonly debouncer: Debouncer;
  phase = UP;
  downAt = 0;
  lastProgress = -1;
  // Signals made once, so that steady-state frames allocate nothing.
  readonly down: ButtonSignal;
  readonly short: ButtonSignal;
  readonly long: ButtonSignal;
  readonly hold: ButtonSignal;
  readonly cancel: ButtonSignal;
  readonly progress: ProgressSignal;

  constructor(
    readonly name: ButtonName,
    readonly input: DigitalInput,
    readonly holdToConfirm: boolean,
    timing: ButtonTiming,
    now: number,
  ) {
    // Start from the level the pin reads now: a button held through boot is not a press.
    this.debouncer = new Debouncer({ pressMs: timing.pressMs, releaseMs: timing.debounceMs, glitchMs: timing.glitchMs }, input.read(), now);
    if (this.debouncer.pressed) this.phase = DONE;
    this.down = Object.freeze({ kind: "down", button: name });
    this.short = Object.freeze({ kind: "short", button: name });
    this.long = Object.freeze({ kind: "long", button: name });
    this.hold = Object.freeze({ kind: "hold", button: name });
    this.cancel = Object.freeze({ kind: "hold-cancel", button: name });
    this.progress = { kind: "hold-progress", button: name, progress: 0 };
  }
}

export class Buttons {
  private readonly states: ButtonState[] = [];
  private readonly listeners: ((s: ButtonSignal) => void)[] = [];
  private readonly timing: ButtonTiming;
  private closed = false;

  constructor(
    private readonly clock: Clock,
    inputs: { [b in ButtonName]?: DigitalInput },
    timing: Partial<ButtonTiming> = {},
    holdButtons: ButtonName[] = ["sync"],
  ) {
    this.timing = {
      debounceMs: timing.debounceMs ?? DEFAULT_BUTTON_TIMING.debounceMs,
      pressMs: timing.pressMs ?? DEFAULT_BUTTON_TIMING.pressMs,
      glitchMs: timing.glitchMs ?? DEFAULT_BUTTON_TIMING.glitchMs,
      longMs: timing.longMs ?? DEFAULT_BUTTON_TIMING.longMs,
      holdMs: timing.holdMs ?? DEFAULT_BUTTON_TIMING.holdMs,
    };
    const t = this.timing;
    if (!(t.longMs > t.debounceMs) || !(t.holdMs > 0)) {
      throw new RangeError(`Buttons: longMs (${t.longMs}) must exceed debounceMs (${t.debounceMs}) and holdMs (${t.holdMs}) must be > 0`);
    }
    const now = clock.now();
    const names = Object.keys(inputs) as ButtonName[];
    for (let i = 0; i < names.length; i++) {
      const name = names[i]!;
      const input = inputs[name];
      if (input === undefined) continue;
      const state = new ButtonState(name, input, holdButtons.indexOf(name) >= 0, t, now);
      this.states.push(state);
      // One closure per button, made once here; edges are sampled at once for the quickest feedback.
      input.onChange(() => {
        if (!this.closed) this.sampleOne(state, this.clock.now(), true);
      });
    }
  }

  onSignal(fn: (s: ButtonSignal) => void): void {
    this.listeners.push(fn);
  }

  /** Whether a button is down right now (debounced). */
  isDown(button: ButtonName): boolean {
    for (let i = 0; i < this.states.length; i++) {
      const s = this.states[i]!;
      if (s.name === button) return s.debouncer.pressed;
    }
    return false;
  }

  /** Called every frame by the app: polls every input (edges may have been merged) and runs the timers. */
  tick(now: number): void {
    if (this.closed) return;
    for (let i = 0; i < this.states.length; i++) this.sampleOne(this.states[i]!, now, false);
  }

  /** Stops reporting and releases the input pins. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    for (let i = 0; i < this.states.length; i++) this.states[i]!.input.close();
  }

  private sampleOne(s: ButtonState, now: number, byEdge: boolean): void {
    const change = s.debouncer.sample(s.input.read() as Level, now, byEdge);
    if (change === BECAME_PRESSED) this.pressed(s, now);
    else if (change === BECAME_RELEASED) this.released(s);
    else if (change === RELEASED_THEN_PRESSED) {
      this.released(s);
      this.pressed(s, now);
    } else if (change === PRESSED_THEN_RELEASED) {
      // A whole press between two samples: report it, so that it is never lost.
      this.pressed(s, now);
      this.released(s);
    }
    if (s.phase !== HELD) return;
    const held = now - s.downAt;
    if (s.holdToConfirm) {
      const holdMs = this.timing.holdMs;
      const progress = held >= holdMs ? 1000 : Math.floor((held * 1000) / holdMs);
      if (progress !== s.lastProgress) {
        s.lastProgress = progress;
        s.progress.progress = progress;
        this.emit(s.progress);
      }
      if (held >= holdMs) {
        s.phase = DONE;
        this.emit(s.hold);
      }
    } else if (held >= this.timing.longMs) {
      s.phase = DONE;
      this.emit(s.long);
    }
  }

  private pressed(s: ButtonState, now: number): void {
    s.phase = HELD;
    s.downAt = now;
    s.lastProgress = -1;
    this.emit(s.down);
  }

  private released(s: ButtonState): void {
    const phase = s.phase;
    s.phase = UP;
    if (phase === HELD) this.emit(s.holdToConfirm ? s.cancel : s.short);
  }

  private emit(signal: ButtonSignal): void {
    for (let i = 0; i < this.listeners.length; i++) this.listeners[i]!(signal);
  }
}
