// Simulated button pins for the terminal twin and the tests. Plain TypeScript with no Node APIs, so
// the same simulation also runs inside XS in the portable test cases.

import type { DigitalInput, DigitalOutput } from "../../core/ports";

/**
 * One button input with a pull-up: released reads 1, pressed reads 0 (ports.ts). Setting a level
 * calls the onChange listeners like an edge interrupt would. To model the device, where edges that
 * arrive before the callback runs are merged into one late call, set levels with `notify: false`
 * and call `notify()` when the callback would run.
 */
export class SimPin implements DigitalInput {
  private level: 0 | 1;
  private readonly listeners: (() => void)[] = [];
  private open = true;
  /** Edges delivered to listeners so far (for tests). */
  edges = 0;

  constructor(initial: 0 | 1 = 1) {
    this.level = initial;
  }

  read(): 0 | 1 {
    return this.level;
  }

  onChange(fn: () => void): void {
    this.listeners.push(fn);
  }

  set(level: 0 | 1, notify = true): void {
    if (!this.open) throw new Error("SimPin.set: the pin is closed");
    if (level === this.level) return;
    this.level = level;
    if (notify) this.notify();
  }

  /** Runs the onChange listeners, as the device does some time after one or more edges. */
  notify(): void {
    this.edges++;
    for (let i = 0; i < this.listeners.length; i++) this.listeners[i]!();
  }

  /** Pressed is electrical 0 (pull-up, switch to ground). */
  press(notify = true): void {
    this.set(0, notify);
  }

  release(notify = true): void {
    this.set(1, notify);
  }

  get closed(): boolean {
    return !this.open;
  }

  close(): void {
    this.open = false;
    this.listeners.length = 0;
  }
}

/** A level change at a time, for replaying recorded input. */
export interface Edge {
  /** Milliseconds from the start of the trace. */
  at: number;
  level: 0 | 1;
}

/** One output pin (a button's LED): keeps the level last written and counts the writes. */
export class SimOutputPin implements DigitalOutput {
  private current: 0 | 1 = 0;
  private open = true;
  /** write() calls so far (for tests: the app writes only changes). */
  writes = 0;
  /** Level changes so far (a blinking LED counts two per period). */
  toggles = 0;

  write(level: 0 | 1): void {
    if (!this.open) throw new Error("SimOutputPin.write: the pin is closed");
    if (level !== 0 && level !== 1) throw new RangeError(`SimOutputPin.write: level must be 0 or 1, got ${String(level)}`);
    this.writes++;
    if (level !== this.current) this.toggles++;
    this.current = level;
  }

  /** The level on the pin: 1 lights the LED. */
  get level(): 0 | 1 {
    return this.current;
  }

  get closed(): boolean {
    return !this.open;
  }

  close(): void {
    this.open = false;
  }
}
