// The DigitalInput port (core/ports.ts) for a button on the page: pressed with the pointer (held
// while the pointer is down, so the hold gestures work) or with a key. Like the real buttons it
// reads 0 while pressed (they pull to ground: hardware/README.md), 1 when released; the firmware's
// debouncer and gesture code run unchanged on these levels.

import type { DigitalInput } from "../../core/ports";

export class DomButton implements DigitalInput {
  #level: 0 | 1 = 1;
  #listener: (() => void) | null = null;
  readonly #element: HTMLElement;
  readonly #abort = new AbortController();

  /** key: a KeyboardEvent.key that also presses it ("a"), or null. */
  constructor(element: HTMLElement, key: string | null) {
    this.#element = element;
    const signal = this.#abort.signal;
    element.addEventListener(
      "pointerdown",
      (e) => {
        element.setPointerCapture(e.pointerId);
        this.#set(0);
      },
      { signal },
    );
    element.addEventListener("pointerup", () => this.#set(1), { signal });
    element.addEventListener("pointercancel", () => this.#set(1), { signal });
    if (key !== null) {
      const typing = (e: KeyboardEvent) => e.target instanceof HTMLInputElement || e.target instanceof HTMLTextAreaElement || e.target instanceof HTMLSelectElement;
      window.addEventListener(
        "keydown",
        (e) => {
          if (e.key === key && !e.repeat && !typing(e)) this.#set(0);
        },
        { signal },
      );
      window.addEventListener(
        "keyup",
        (e) => {
          if (e.key === key) this.#set(1);
        },
        { signal },
      );
    }
  }

  read(): 0 | 1 {
    return this.#level;
  }

  onChange(fn: () => void): void {
    this.#listener = fn;
  }

  close(): void {
    this.#abort.abort();
    this.#listener = null;
  }

  #set(level: 0 | 1): void {
    if (level === this.#level) return;
    this.#level = level;
    this.#element.classList.toggle("pressed", level === 0);
    this.#listener?.();
  }
}
