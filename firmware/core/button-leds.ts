// The LEDs in the four buttons: each is lit when pressing its button would do something now
// (intents.ts, buttonLit), and blinks while an event from that button waits for the bridge's ack
// (sent and unanswered, or queued in the outbox), so the person sees the press is still on its way.
//
// frame() runs in the App's frame loop: it allocates nothing and writes a pin only when its level
// changes, since each write is a GPIO register access on the device (ECMA-419 Digital.write).

import type { ButtonName } from "@shipgate/protocol/messages";
import type { DigitalOutput } from "./ports";

export const LED_BUTTONS: readonly ButtonName[] = Object.freeze(["approve", "reject", "release", "sync"]);

export interface ButtonLedTiming {
  /** Milliseconds the LED stays on, then off, while a press waits for its ack (4 Hz at 125). */
  blinkMs: number;
}

export const BUTTON_LED_TIMING: Readonly<ButtonLedTiming> = Object.freeze({ blinkMs: 125 });

export class ButtonLeds {
  readonly #outputs: (DigitalOutput | undefined)[] = [];
  readonly #lit: boolean[] = [false, false, false, false];
  readonly #waiting: boolean[] = [false, false, false, false];
  /** The level last written to each pin; -1 before the first write. */
  readonly #written: number[] = [-1, -1, -1, -1];
  readonly #blinkMs: number;
  #closed = false;

  constructor(outputs: { [b in ButtonName]?: DigitalOutput }, timing: Partial<ButtonLedTiming> = {}) {
    for (const b of LED_BUTTONS) this.#outputs.push(outputs[b]);
    const blinkMs = timing.blinkMs ?? BUTTON_LED_TIMING.blinkMs;
    if (!(blinkMs > 0)) throw new RangeError(`button LEDs: blinkMs must be > 0, got ${blinkMs}`);
    this.#blinkMs = blinkMs;
  }

  /** Whether the button's LED is lit (the press would do something), apart from blinking. */
  setLit(button: ButtonName, lit: boolean): void {
    this.#lit[LED_BUTTONS.indexOf(button)] = lit;
  }

  /** Whether an event from the button waits for its ack (then the LED blinks). */
  setWaiting(button: ButtonName, waiting: boolean): void {
    this.#waiting[LED_BUTTONS.indexOf(button)] = waiting;
  }

  isWaiting(button: ButtonName): boolean {
    return this.#waiting[LED_BUTTONS.indexOf(button)] === true;
  }

  /** Drives every LED for time `now`; writes only changed levels. */
  frame(now: number): void {
    if (this.#closed) return;
    const blinkOn = Math.floor(now / this.#blinkMs) % 2 === 0;
    for (let i = 0; i < 4; i++) {
      const out = this.#outputs[i];
      if (out === undefined) continue;
      const level = this.#waiting[i] ? (blinkOn ? 1 : 0) : this.#lit[i] ? 1 : 0;
      if (level === this.#written[i]) continue;
      this.#written[i] = level;
      out.write(level);
    }
  }

  /** Turns every LED off and releases the pins. */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    for (const out of this.#outputs) {
      if (out === undefined) continue;
      out.write(0);
      out.close();
    }
  }
}
