// What the MAX7219 display shows: text (static when it fits, else a marquee that moves one unit per
// step), a counter (the number fixed at the right, its label beside it or scrolling), and flashed
// messages that hide the content for a while. The app calls frame(now) every frame; a frame redraws
// into the driver's preallocated picture and the driver sends only the rows that changed.

import { encodeAscii } from "./font8x8";
import type { DisplayDriver, Max7219Matrix, Max7219Seg7 } from "./max7219";

export type { DisplayDriver } from "./max7219";

export interface DisplayOptions {
  /** Milliseconds per scroll step (one column on a matrix, one digit on 7 segments); the driver's default. */
  scrollMsPerColumn?: number;
  /** Blank units between the end of a scrolling text and its next start; a third of the display by default. */
  gap?: number;
}

const TEXT = 0;
const COUNTER = 1;

/** Longest text kept (DisplayView text is at most 240 characters: protocol/messages). */
export const TEXT_MAX = 256;

/** A line of text as character codes in a buffer made once, with its width on the display. */
class Line {
  readonly codes = new Uint8Array(TEXT_MAX);
  length = 0;
  width = 0;
  set(text: string, driver: DisplayDriver): void {
    this.length = encodeAscii(text, this.codes);
    this.width = driver.codesWidth(this.codes, this.length);
  }
}

export class Display {
  private readonly driver: DisplayDriver;
  private readonly msPerStep: number;
  private readonly gap: number;
  private mode = TEXT;
  private readonly text = new Line();
  private readonly label = new Line();
  private readonly value = new Line();
  private readonly flashLine = new Line();
  /** When the content last changed (NaN: stamp at the next frame). */
  private since = Number.NaN;
  private flashMs = 0;
  private flashSince = Number.NaN;
  private flashing = false;

  constructor(driver: Max7219Matrix | Max7219Seg7 | DisplayDriver, options: DisplayOptions = {}) {
    this.driver = driver;
    this.msPerStep = options.scrollMsPerColumn ?? driver.scrollMsPerUnit;
    if (!(this.msPerStep > 0)) throw new RangeError(`Display: scrollMsPerColumn must be > 0, got ${this.msPerStep}`);
    this.gap = options.gap ?? Math.max(1, Math.floor(driver.columns / 3));
  }

  /** Shows text: static (centred) if it fits, else scrolling from its start. */
  showText(text: string): void {
    this.mode = TEXT;
    this.text.set(text, this.driver);
    this.since = Number.NaN;
  }

  /** Shows a number at the right with its label left of it (scrolling there if it does not fit). */
  showCounter(label: string, value: number): void {
    this.mode = COUNTER;
    this.label.set(label, this.driver);
    this.value.set(String(Math.trunc(value)), this.driver);
    this.since = Number.NaN;
  }

  /** Shows text for `ms`, then the content again (whose scroll has kept going meanwhile). */
  flash(text: string, ms: number): void {
    this.flashLine.set(text, this.driver);
    this.flashMs = ms;
    this.flashSince = Number.NaN;
    this.flashing = true;
  }

  setIntensity(level: number): void {
    this.driver.setIntensity(level);
  }

  frame(now: number): void {
    const d = this.driver;
    const cols = d.columns;
    if (Number.isNaN(this.since)) this.since = now;
    d.clear();
    if (this.flashing) {
      if (Number.isNaN(this.flashSince)) this.flashSince = now;
      if (now - this.flashSince >= this.flashMs) this.flashing = false;
    }
    if (this.flashing) {
      this.drawLine(this.flashLine, now - this.flashSince, 0, cols, false);
    } else if (this.mode === TEXT) {
      this.drawLine(this.text, now - this.since, 0, cols, false);
    } else {
      const label = this.label;
      const value = this.value;
      const sep = cols > 8 ? 2 : 1; // blank units between label and number
      if (label.width + sep + value.width <= cols) {
        d.drawCodes(label.codes, label.length, 0, 0, cols);
      } else if (value.width + sep < cols) {
        this.drawLine(label, now - this.since, 0, cols - value.width - sep, true);
      }
      d.drawCodes(value.codes, value.length, cols - value.width, 0, cols);
    }
    d.render();
  }

  /**
   * Draws text in [from, to): centred if it fits, else a marquee t ms into its scroll: the text
   * starts at `from` and moves one unit left every msPerStep, followed by a gap and the text again.
   */
  private drawLine(line: Line, t: number, from: number, to: number, leftAlign: boolean): void {
    const room = to - from;
    const d = this.driver;
    if (line.width <= room) {
      d.drawCodes(line.codes, line.length, leftAlign ? from : from + ((room - line.width) >> 1), from, to);
      return;
    }
    const cycle = line.width + this.gap;
    const offset = Math.floor(t / this.msPerStep) % cycle;
    d.drawCodes(line.codes, line.length, from - offset, from, to);
    d.drawCodes(line.codes, line.length, from - offset + cycle, from, to);
  }
}
