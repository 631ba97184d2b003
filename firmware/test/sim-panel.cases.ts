// The simulator's panel (adapters/sim) drawn into a frame buffer: pane messages to buttons, the
// MAX7219 bytes from the core's driver through the simulated chips onto the screen, ring LEDs
// round the circle, button LEDs, and Poco-style update areas. Run on Node and in XS.

import { Max7219Matrix } from "../core/max7219";
import { RingAnimator } from "../core/rings";
import { MIN_PRESS_MS, SimBoard, pinName } from "../adapters/sim/board";
import { buttonChanges } from "../adapters/sim/keys";
import { macFromName } from "../adapters/sim/mac";
import { layoutPanel, Panel, type PanelOptions } from "../adapters/sim/panel";
import { FrameBuffer } from "../adapters/sim/surface";
import type { SimMax7219Chain } from "../adapters/node/sim-spi";

const PINS = { approve: 1, reject: 2, release: 3, sync: 4, ring_a: 5, ring_b: 6, led_approve: 11, led_reject: 12, led_release: 13, led_sync: 14 };
const OPTIONS: PanelOptions = { rings: 2, ringLeds: 24, display: "matrix", matrixModules: 4, brightnessCap: 64 };

/** A clock the case moves by hand: pending callbacks run when advance() passes their time. */
class StepClock {
  t = 0;
  readonly pending: { at: number; fn: () => void }[] = [];
  now(): number {
    return this.t;
  }
  after(ms: number, fn: () => void): unknown {
    const entry = { at: this.t + ms, fn };
    this.pending.push(entry);
    return entry;
  }
  advance(ms: number): void {
    this.t += ms;
    for (let i = 0; i < this.pending.length; ) {
      const p = this.pending[i]!;
      if (p.at <= this.t) {
        this.pending.splice(i, 1);
        p.fn();
      } else i++;
    }
  }
}

function board(width = 240, height = 320, options: PanelOptions = OPTIONS): { fb: FrameBuffer; b: SimBoard; panel: Panel; clock: StepClock } {
  const fb = new FrameBuffer(width, height);
  const panel = new Panel(fb, options);
  const clock = new StepClock();
  return { fb, b: new SimBoard(panel, PINS, options.display === "seg7" ? 1 : options.matrixModules, clock), panel, clock };
}

/** The matrix as 8 strings read back from the screen: '#' where the dot's centre is the lit colour. */
function screenMatrix(fb: FrameBuffer, panel: Panel, cols: number): string[] {
  const { display, pitch } = panel.layout;
  const rows: string[] = [];
  for (let y = 0; y < 8; y++) {
    let row = "";
    for (let x = 0; x < cols; x++) {
      const c = fb.pixel(display.x + x * pitch + (pitch >> 1) - 1, display.y + y * pitch + (pitch >> 1) - 1);
      row += ((c >>> 16) & 0xff) >= 0x90 ? "#" : ".";
    }
    rows.push(row);
  }
  return rows;
}

function seg7At(width: number, height: number): { lit: boolean; outside: number; digitLooksLikeADigit: boolean } {
  const fb = new FrameBuffer(width, height);
  const panel = new Panel(fb, { ...OPTIONS, display: "seg7" });
  let lit = 0;
  let x0 = 1e9,
    x1 = -1,
    y0 = 1e9,
    y1 = -1;
  panel.drawDisplay({ matrixPixel: () => false, seg7Segments: () => [0x7f, 0, 0, 0, 0, 0, 0, 0], intensity: () => 15 });
  const { display } = panel.layout;
  for (let y = display.y; y < display.y + display.h; y++) {
    for (let x = display.x; x < display.x + display.w; x++) {
      if (((fb.pixel(x, y) >>> 16) & 0xff) < 0x90) continue;
      lit++;
      x0 = Math.min(x0, x);
      x1 = Math.max(x1, x);
      y0 = Math.min(y0, y);
      y1 = Math.max(y1, y);
    }
  }
  // An "8" (segments A-G) is about twice as tall as wide, like the module's digits.
  const aspect = (y1 - y0 + 1) / (x1 - x0 + 1);
  const firstCell = { x: display.x, w: panel.layout.pitch };
  let outside = 0;
  for (let y = display.y; y < display.y + display.h; y++) {
    for (let x = firstCell.x + firstCell.w; x < display.x + display.w; x++) if (((fb.pixel(x, y) >>> 16) & 0xff) >= 0x90) outside++;
  }
  return { lit: lit > 0, outside, digitLooksLikeADigit: aspect > 1.4 && aspect < 3 };
}

export default {
  paneMessages: () => ({
    pico: [buttonChanges('{"aButton":1}'), buttonChanges('{"bButton":0}'), buttonChanges('{"xButton":1}'), buttonChanges('{"yButton":1}')],
    m5stackC: buttonChanges('{"cButton":1}'),
    moddableDefault: buttonChanges('{"button":1}'),
    ignored: [buttonChanges('{"xsbug":"abort"}'), buttonChanges("not json"), buttonChanges("7"), buttonChanges('{"aButton":"yes"}')],
  }),

  /** A pane press reaches the button's pin as a low level with an edge, and a release as high. */
  pressThroughPins: () => {
    const { b, clock } = board();
    const approve = b.button(1);
    const sync = b.button(4);
    let edges = 0;
    approve.onChange(() => edges++);
    const levels: number[] = [approve.read()];
    b.onMessage('{"aButton":1}');
    levels.push(approve.read(), sync.read());
    clock.advance(200);
    b.onMessage('{"aButton":0}');
    levels.push(approve.read());
    b.onMessage('{"yButton":1}');
    levels.push(sync.read());
    return { levels, edges };
  },

  /** Press and release in one turn (a busy simulator): the release waits until the press lasted MIN_PRESS_MS. */
  quickPressIsHeld: () => {
    const { b, clock } = board();
    const reject = b.button(2);
    b.onMessage('{"bButton":1}');
    b.onMessage('{"bButton":0}');
    const levels: number[] = [reject.read()];
    clock.advance(MIN_PRESS_MS - 1);
    levels.push(reject.read());
    clock.advance(1);
    levels.push(reject.read());
    // A press again before the held-back release: the button stays down.
    b.onMessage('{"bButton":1}');
    b.onMessage('{"bButton":0}');
    b.onMessage('{"bButton":1}');
    clock.advance(MIN_PRESS_MS * 2);
    levels.push(reject.read());
    return levels;
  },

  pinNames: () => ({ led: pinName(PINS, 13), ring: pinName(PINS, 6), none: pinName(PINS, 99) ?? null }),

  wrongPins: () => {
    const { b } = board();
    const errors: string[] = [];
    for (const make of [() => b.button(11), () => b.led(1), () => b.ring(1, 24), () => b.button(99)]) {
      try {
        make();
        errors.push("none");
      } catch (e) {
        errors.push(String((e as Error).message));
      }
    }
    b.button(2);
    try {
      b.button(2);
    } catch (e) {
      errors.push(String((e as Error).message));
    }
    return errors;
  },

  /** The core's MAX7219 driver draws text; the screen shows exactly what the simulated chips latched. */
  matrixOnScreen: () => {
    const { fb, b, panel } = board();
    const bus = b.displayBus();
    const m = new Max7219Matrix(bus, 4, { intensity: 8 });
    m.init();
    m.drawText("HI", 0, 0, 32);
    m.render();
    const chips = (bus as unknown as { chain: SimMax7219Chain }).chain.matrixImage();
    return { screen: screenMatrix(fb, panel, 32), chips };
  },

  ringOnScreen: () => {
    const { fb, b, panel } = board();
    const ring = b.ring(6, 24); // ring_b
    ring.setPixel(0, 0x000040); // full blue at the cap
    ring.setPixel(6, 0x400000);
    ring.update();
    const xy = panel.layout.ringCentres[1]!;
    const at = (i: number): number => fb.pixel(xy[2 * i]!, xy[2 * i + 1]!);
    const box = panel.layout.rings[1]!;
    return {
      top: at(0),
      right: at(6),
      offLed: at(12),
      // LED 0 is at the top centre, LED 6 at the right (clockwise).
      topIsCentred: Math.abs(xy[0]! - (box.x + box.w / 2)) <= 1 && xy[1]! < box.y + box.h / 4,
      rightIsRight: xy[12]! > box.x + (3 * box.w) / 4,
      ringAUntouched: fb.pixel(panel.layout.ringCentres[0]![0]!, panel.layout.ringCentres[0]![1]!),
    };
  },

  /** The animator's frame reaches the screen; a frame with no change repaints nothing. */
  animatorFrames: () => {
    const { fb, b } = board();
    const anim = new RingAnimator(b.ring(5, 24), { brightnessCap: 64 });
    anim.setView({ scene: "failed" });
    anim.frame(0);
    const afterFirst = fb.frames;
    anim.frame(16);
    return { repainted: afterFirst > 0, steady: fb.frames - afterFirst };
  },

  ledsAndHeld: () => {
    const { fb, b, panel, clock } = board();
    const led = b.led(12); // led_reject
    const box = panel.layout.buttons[1]!;
    const centre = (): number => fb.pixel(box.x + (box.w >> 1), box.y + (box.h >> 1));
    const corner = (): number => fb.pixel(box.x, box.y);
    const off = centre();
    led.write(1);
    const on = centre();
    b.onMessage('{"bButton":1}');
    const held = corner();
    clock.advance(MIN_PRESS_MS);
    b.onMessage('{"bButton":0}');
    return { off, on, held, released: corner() };
  },

  /** Every part of the layout stays on screen, for the panes' sizes and the largest chain. */
  layoutsFit: () => {
    const out: string[] = [];
    const sizes: [number, number][] = [
      [240, 320],
      [320, 240],
      [240, 135],
      [135, 240],
      [128, 128],
    ];
    for (const [w, h] of sizes) {
      for (const o of [OPTIONS, { ...OPTIONS, rings: 1 as const, matrixModules: 16 }, { ...OPTIONS, display: "seg7" as const, ringLeds: 64 }]) {
        const l = layoutPanel(w, h, o);
        const boxes = [l.display, ...l.rings, ...l.buttons];
        const inside = boxes.every((x) => x.x >= 0 && x.y >= 0 && x.x + x.w <= w && x.y + x.h <= h);
        const overlap = l.rings.some((r) => r.y < l.display.y + l.display.h) || l.buttons.some((bt) => l.rings.some((r) => bt.y < r.y + r.h));
        out.push(`${w}x${h} ${o.display}${o.matrixModules} rings${o.rings}: ${inside ? "inside" : "OUTSIDE"}${overlap ? " OVERLAP" : ""}`);
      }
    }
    return out;
  },

  seg7OnScreen: () =>
    [
      [240, 320],
      [135, 240],
      [320, 240],
    ].map(([w, h]) => seg7At(w!, h!)),

  macs: () => ({ a: macFromName("desk-1"), b: macFromName("desk-2"), again: macFromName("desk-1") }),

  frameBufferClips: () => {
    const fb = new FrameBuffer(4, 3);
    fb.begin(1, 1, 2, 2);
    fb.fill(0xabcdef, -5, -5, 100, 100);
    fb.end();
    const rows: string[] = [];
    for (let y = 0; y < 3; y++) {
      let r = "";
      for (let x = 0; x < 4; x++) r += fb.pixel(x, y) === 0xabcdef ? "#" : ".";
      rows.push(r);
    }
    let outside = "none";
    try {
      fb.fill(1, 0, 0, 1, 1);
    } catch (e) {
      outside = String((e as Error).message);
    }
    return { rows, outside };
  },
};
