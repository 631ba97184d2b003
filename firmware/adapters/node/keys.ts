// Terminal keys to held buttons for the terminal twin.
//
// A terminal sends a byte when a key goes down and then, while it stays down, repeats after the
// system's initial delay (often 250-600 ms) at the repeat rate (often 30-50 ms); it sends nothing
// on release. So a key counts as held while repeats keep coming: up to firstRepeatMs after the
// first byte, then up to repeatMs after each repeat. Terminals that speak the kitty keyboard
// protocol (https://sw.kovidgoyal.net/kitty/keyboard-protocol/) report press, repeat and release
// exactly once asked with the "report event types" flag; when such an event arrives, that key
// follows the reported events instead of the timing guess.

import type { Clock, TimerHandle } from "../../core/ports";

export type KeyEventType = "press" | "repeat" | "release";

export interface KeyInput {
  /** The key: one lowercase character, or a name such as "ctrl-c", "escape". */
  key: string;
  type: KeyEventType;
  /** True when the terminal reported the event type itself (kitty protocol). */
  exact: boolean;
}

/**
 * Asks a kitty-protocol terminal for "disambiguate" (1), "report event types" (2) and "report all
 * keys as escape codes" (8), pushed on the terminal's stack so POP_KITTY_FLAGS restores the
 * previous mode. Other terminals ignore the unknown CSI sequence.
 */
export const PUSH_KITTY_FLAGS = "\x1b[>11u";
export const POP_KITTY_FLAGS = "\x1b[<u";

const EVENT_TYPES: readonly KeyEventType[] = ["press", "press", "repeat", "release"];

// CSI key-code[:alternates] [; modifiers[:event-type]] [; text] u
const KITTY_KEY = /^\x1b\[(\d+)((?::\d*)*)(?:;(\d*)(?::(\d+))?)?(?:;[\d:]*)?u/;
// CSI ? flags u: the terminal's answer to a query of its flags.
const KITTY_FLAGS_REPLY = /^\x1b\[\?\d*u/;
// Any other CSI sequence (arrows, function keys, device attributes): skipped.
const OTHER_CSI = /^\x1b\[[0-9;:?<>=]*[\x40-\x7e]/;

function nameOf(code: number, modifiers: number): string | undefined {
  const ctrl = (modifiers & 4) !== 0;
  if (code === 27) return "escape";
  if (code === 13) return "enter";
  if (code < 32 || code > 0x10ffff) return undefined;
  const ch = String.fromCodePoint(code).toLowerCase();
  return ctrl ? "ctrl-" + ch : ch;
}

/** Splits terminal input into key events; unknown escape sequences are skipped. */
export function parseKeys(data: string): KeyInput[] {
  const out: KeyInput[] = [];
  let i = 0;
  while (i < data.length) {
    const rest = data.slice(i);
    if (rest.charCodeAt(0) === 0x1b) {
      const kitty = KITTY_KEY.exec(rest);
      if (kitty !== null) {
        const modifiers = kitty[3] === undefined || kitty[3] === "" ? 0 : Number(kitty[3]) - 1;
        const type = EVENT_TYPES[kitty[4] === undefined ? 1 : Number(kitty[4])] ?? "press";
        const key = nameOf(Number(kitty[1]), modifiers);
        // A CSI u key means the terminal took our flags, event types included: a press without
        // an event type field is a plain press (the spec omits ":1"), and its release will come.
        if (key !== undefined) out.push({ key, type, exact: true });
        i += kitty[0].length;
        continue;
      }
      const skip = KITTY_FLAGS_REPLY.exec(rest) ?? OTHER_CSI.exec(rest);
      if (skip !== null) {
        i += skip[0].length;
        continue;
      }
      out.push({ key: "escape", type: "press", exact: false });
      i += 1;
      continue;
    }
    const code = rest.codePointAt(0)!;
    if (code === 3) out.push({ key: "ctrl-c", type: "press", exact: false });
    else if (code === 13 || code === 10) out.push({ key: "enter", type: "press", exact: false });
    else if (code >= 32) out.push({ key: String.fromCodePoint(code).toLowerCase(), type: "press", exact: false });
    i += code > 0xffff ? 2 : 1;
  }
  return out;
}

export interface KeyHoldTiming {
  /** Milliseconds after the first byte within which a repeat must come for the key to stay held. */
  firstRepeatMs: number;
  /** Milliseconds after each repeat within which the next must come. */
  repeatMs: number;
}

export const KEY_HOLD_TIMING: Readonly<KeyHoldTiming> = Object.freeze({ firstRepeatMs: 600, repeatMs: 120 });

interface Held {
  timer: TimerHandle | undefined;
  exact: boolean;
}

/** Tracks which keys are held, from key events; reports each down and up once. */
export class KeyHolds {
  readonly #clock: Clock;
  readonly #timing: KeyHoldTiming;
  readonly #onChange: (key: string, down: boolean) => void;
  readonly #held = new Map<string, Held>();

  constructor(clock: Clock, onChange: (key: string, down: boolean) => void, timing: Partial<KeyHoldTiming> = {}) {
    this.#clock = clock;
    this.#onChange = onChange;
    this.#timing = { ...KEY_HOLD_TIMING, ...timing };
  }

  isDown(key: string): boolean {
    return this.#held.has(key);
  }

  feed(input: KeyInput): void {
    const held = this.#held.get(input.key);
    if (input.exact) {
      if (held?.timer !== undefined) this.#clock.cancel(held.timer);
      if (input.type === "release") {
        if (held !== undefined) this.#up(input.key);
        return;
      }
      if (held === undefined) {
        this.#held.set(input.key, { timer: undefined, exact: true });
        this.#onChange(input.key, true);
      } else {
        held.timer = undefined;
        held.exact = true;
      }
      return;
    }
    if (held === undefined) {
      const entry: Held = { timer: undefined, exact: false };
      this.#held.set(input.key, entry);
      entry.timer = this.#clock.after(this.#timing.firstRepeatMs, () => this.#up(input.key));
      this.#onChange(input.key, true);
      return;
    }
    if (held.exact) return;
    if (held.timer !== undefined) this.#clock.cancel(held.timer);
    held.timer = this.#clock.after(this.#timing.repeatMs, () => this.#up(input.key));
  }

  /** Releases every held key (on exit). */
  releaseAll(): void {
    for (const key of [...this.#held.keys()]) this.#up(key);
  }

  #up(key: string): void {
    const held = this.#held.get(key);
    if (held === undefined) return;
    if (held.timer !== undefined) this.#clock.cancel(held.timer);
    this.#held.delete(key);
    this.#onChange(key, false);
  }
}
