// The gadget's front panel drawn on the simulator's screen: the MAX7219 display on top (an 8x8
// matrix per module, or eight 7-segment digits), the rings below it side by side, LED 0 at the
// top and clockwise as on the desk (core/rings.ts), and the four button LEDs along the bottom with
// a white frame while a button is held. The simulator panes differ in size (240x135 Pico Display,
// 320x240 M5Stack, 240x320 Moddable Two), so the layout is computed from the screen's size.
//
// Each part is redrawn alone inside its own begin()/end() area, only when it changed, as Poco
// apps on a device update only what changed (documentation/commodetto/poco.md, begin and end).

import type { ButtonName } from "@shipgate/protocol/messages";
import { screenColor } from "../node/terminal";
import type { Surface } from "./surface";

export const BUTTON_ORDER: readonly ButtonName[] = Object.freeze(["approve", "reject", "release", "sync"]);

/** The button LEDs' colours (hardware/pinout.json, parts.button_leds) and a dark body when off. */
const BUTTON_COLOURS: Readonly<Record<ButtonName, number>> = Object.freeze({ approve: 0x20d040, reject: 0xe02020, release: 0xff8000, sync: 0xf0d000 });
const LED_OFF = 0x282828;
const BACKGROUND = 0x000000;
const MATRIX_OFF = 0x301010;
const HELD = 0xffffff;

export interface PanelOptions {
  rings: 1 | 2;
  ringLeds: number;
  display: "matrix" | "seg7";
  /** 8x8 modules in the chain (matrix), ignored for seg7. */
  matrixModules: number;
  /** The rings' brightness cap (config brightness_cap), undone for the screen (node/terminal.ts). */
  brightnessCap: number;
}

interface Box {
  x: number;
  y: number;
  w: number;
  h: number;
}

export interface PanelLayout {
  display: Box;
  /** Pixels per matrix dot (dot plus gap); for seg7, the width of one digit cell. */
  pitch: number;
  rings: Box[];
  /** Each ring's LED centres: x0, y0, x1, y1, ... */
  ringCentres: Int16Array[];
  ringDot: number;
  buttons: Box[];
}

export function layoutPanel(width: number, height: number, o: PanelOptions): PanelLayout {
  const margin = Math.max(2, Math.floor(Math.min(width, height) / 40));
  const buttonSize = Math.max(4, Math.floor(height / 14));
  // A matrix dot is square; a 7-segment cell is 1.6 times as tall as wide, which leaves the digit
  // (narrower than its cell, for the decimal point) about twice as tall as wide.
  const cols = o.display === "seg7" ? 8 : o.matrixModules * 8;
  const rows = o.display === "seg7" ? 1.6 : 8;
  const pitch = Math.max(1, Math.floor(Math.min((width - 2 * margin) / cols, (height * 0.35) / rows)));
  const display = { x: Math.floor((width - cols * pitch) / 2), y: margin, w: cols * pitch, h: Math.round(rows * pitch) };
  const top = display.y + display.h + margin;
  const bottom = height - buttonSize - 2 * margin;
  const ringsBoxes: Box[] = [];
  const centres: Int16Array[] = [];
  const slot = Math.floor(width / o.rings);
  const side = Math.max(8, Math.min(slot - 2 * margin, bottom - top));
  const perimeterPerLed = (Math.PI * side) / o.ringLeds;
  const ringDot = Math.max(2, Math.floor(perimeterPerLed * 0.7));
  for (let r = 0; r < o.rings; r++) {
    const box = { x: r * slot + Math.floor((slot - side) / 2), y: top, w: side, h: side };
    ringsBoxes.push(box);
    const cx = box.x + side / 2;
    const cy = box.y + side / 2;
    const radius = side / 2 - ringDot / 2 - 1;
    const xy = new Int16Array(o.ringLeds * 2);
    for (let i = 0; i < o.ringLeds; i++) {
      const angle = -Math.PI / 2 + (2 * Math.PI * i) / o.ringLeds;
      xy[2 * i] = Math.round(cx + radius * Math.cos(angle));
      xy[2 * i + 1] = Math.round(cy + radius * Math.sin(angle));
    }
    centres.push(xy);
  }
  const buttons: Box[] = [];
  const gap = Math.floor((width - 4 * buttonSize) / 5);
  for (let b = 0; b < 4; b++) buttons.push({ x: gap + b * (buttonSize + gap), y: height - buttonSize - margin, w: buttonSize, h: buttonSize });
  return { display, pitch, rings: ringsBoxes, ringCentres: centres, ringDot, buttons };
}

/** What the display shows: matrix dots, or 7-segment digits (DP A B C D E F G = bits 7..0). */
export interface DisplaySource {
  matrixPixel(x: number, y: number): boolean;
  seg7Segments(): number[];
  /** 0-15, the MAX7219 intensity register. */
  intensity(): number;
}

export class Panel {
  readonly layout: PanelLayout;
  readonly #surface: Surface;
  readonly #options: PanelOptions;
  readonly #ringColours: Uint32Array[] = [];
  readonly #leds: Record<ButtonName, 0 | 1> = { approve: 0, reject: 0, release: 0, sync: 0 };
  readonly #held: Record<ButtonName, boolean> = { approve: false, reject: false, release: false, sync: false };

  constructor(surface: Surface, options: PanelOptions) {
    this.#surface = surface;
    this.#options = options;
    this.layout = layoutPanel(surface.width, surface.height, options);
    for (let r = 0; r < options.rings; r++) this.#ringColours.push(new Uint32Array(options.ringLeds));
  }

  /** Clears the screen and draws every part once (at start, and after the pane was switched). */
  drawAll(display: DisplaySource | undefined): void {
    const s = this.#surface;
    s.begin(0, 0, s.width, s.height);
    s.fill(BACKGROUND, 0, 0, s.width, s.height);
    s.end();
    if (display !== undefined) this.drawDisplay(display);
    else this.#drawBlankDisplay();
    for (let r = 0; r < this.#ringColours.length; r++) this.#drawRing(r);
    for (const b of BUTTON_ORDER) this.#drawButton(b);
  }

  /** Ring r (0 = ring A) now shows these 0xRRGGBB colours (what update() latched). */
  showRing(r: number, colours: ArrayLike<number>): void {
    const mine = this.#ringColours[r];
    if (mine === undefined) return;
    let changed = false;
    for (let i = 0; i < mine.length && i < colours.length; i++) {
      if (mine[i] !== colours[i]) {
        mine[i] = colours[i]!;
        changed = true;
      }
    }
    if (changed) this.#drawRing(r);
  }

  setLed(button: ButtonName, level: 0 | 1): void {
    if (this.#leds[button] === level) return;
    this.#leds[button] = level;
    this.#drawButton(button);
  }

  setHeld(button: ButtonName, held: boolean): void {
    if (this.#held[button] === held) return;
    this.#held[button] = held;
    this.#drawButton(button);
  }

  drawDisplay(source: DisplaySource): void {
    const s = this.#surface;
    const { display: box, pitch } = this.layout;
    const level = source.intensity();
    const on = ((0x90 + level * 7) << 16) | ((level * 2) << 8);
    if (this.#options.display === "seg7") {
      s.begin(box.x, box.y, box.w, box.h);
      s.fill(BACKGROUND, box.x, box.y, box.w, box.h);
      this.#drawSeg7(source.seg7Segments(), on);
      s.end();
      return;
    }
    // One row per begin()/end(): Poco queues every fill of an update in a display list of 1,024
    // bytes by default and throws "display list overflow" at end() when an update holds more
    // (documentation/commodetto/poco.md, displayListLength; seen with the whole matrix in one
    // update). A 16-module row is 129 fills; screen.ts sizes the list for that.
    const dot = pitch >= 3 ? pitch - 1 : pitch;
    const cols = this.#options.matrixModules * 8;
    for (let y = 0; y < 8; y++) {
      const top = box.y + y * pitch;
      s.begin(box.x, top, box.w, pitch);
      s.fill(BACKGROUND, box.x, top, box.w, pitch);
      for (let x = 0; x < cols; x++) s.fill(source.matrixPixel(x, y) ? on : MATRIX_OFF, box.x + x * pitch, top, dot, dot);
      s.end();
    }
  }

  #drawBlankDisplay(): void {
    const s = this.#surface;
    const box = this.layout.display;
    s.begin(box.x, box.y, box.w, box.h);
    s.fill(BACKGROUND, box.x, box.y, box.w, box.h);
    s.end();
  }

  /** Eight digits, leftmost first, one pitch-wide cell each; segments as bars t pixels thick. */
  #drawSeg7(digits: readonly number[], on: number): void {
    const s = this.#surface;
    const { display: box, pitch } = this.layout;
    const t = Math.max(1, Math.floor(pitch / 7));
    const w = pitch - 3 * t;
    const h = Math.floor((box.h - 3 * t) / 2);
    for (let d = 0; d < digits.length && d < 8; d++) {
      const segs = digits[d]!;
      const x = box.x + d * pitch + t;
      const y = box.y + t;
      const seg = (bit: number, sx: number, sy: number, sw: number, sh: number): void => {
        s.fill((segs >> bit) & 1 ? on : MATRIX_OFF, sx, sy, sw, sh);
      };
      seg(6, x + t, y, w - 2 * t, t); // A
      seg(5, x + w - t, y + t, t, h - t); // B
      seg(4, x + w - t, y + h + t, t, h - t); // C
      seg(3, x + t, y + 2 * h, w - 2 * t, t); // D
      seg(2, x, y + h + t, t, h - t); // E
      seg(1, x, y + t, t, h - t); // F
      seg(0, x + t, y + h, w - 2 * t, t); // G
      seg(7, x + w + t, y + 2 * h, t, t); // DP
    }
  }

  #drawRing(r: number): void {
    const s = this.#surface;
    const box = this.layout.rings[r]!;
    const xy = this.layout.ringCentres[r]!;
    const colours = this.#ringColours[r]!;
    const dot = this.layout.ringDot;
    const half = Math.floor(dot / 2);
    // Poco leaves what an update does not cover undefined, so every update paints its whole area.
    s.begin(box.x, box.y, box.w, box.h);
    s.fill(BACKGROUND, box.x, box.y, box.w, box.h);
    for (let i = 0; i < colours.length; i++) {
      s.fill(screenColor(colours[i]!, this.#options.brightnessCap), xy[2 * i]! - half, xy[2 * i + 1]! - half, dot, dot);
    }
    s.end();
  }

  #drawButton(button: ButtonName): void {
    const s = this.#surface;
    const box = this.layout.buttons[BUTTON_ORDER.indexOf(button)]!;
    s.begin(box.x, box.y, box.w, box.h);
    s.fill(this.#held[button] ? HELD : BACKGROUND, box.x, box.y, box.w, box.h);
    const inset = Math.max(1, Math.floor(box.w / 6));
    s.fill(this.#leds[button] === 1 ? BUTTON_COLOURS[button] : LED_OFF, box.x + inset, box.y + inset, box.w - 2 * inset, box.h - 2 * inset);
    s.end();
  }
}
