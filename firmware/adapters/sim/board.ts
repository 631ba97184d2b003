// The simulated board behind the ports: which simulated pin is which button, LED or ring (from
// the same `pins` config as the device), the simulated parts themselves (node/sim-pins.ts,
// node/sim-pixels.ts and node/sim-spi.ts, which model the chips and run in XS too), and the panel
// that shows them. The port adapters (digital.ts, pixels.ts, spi.ts) ask the board for their part
// by pin, as the device's adapters ask the GPIO matrix; the simulator pane's button messages come in
// through onMessage.

import type { ButtonName } from "@shipgate/protocol/messages";
import type { Clock, DigitalInput, DigitalOutput, PixelStrip, SpiBus } from "../../core/ports";
import { SimOutputPin, SimPin } from "../node/sim-pins";
import { SimPixelStrip } from "../node/sim-pixels";
import { SimMax7219Chain } from "../node/sim-spi";
import { buttonChanges } from "./keys";
import { BUTTON_ORDER, type DisplaySource, type Panel } from "./panel";

export type PinMap = { readonly [name: string]: number | undefined };

/** The pin's name in the config's `pins` (approve, led_sync, ring_a, ...), or undefined. */
export function pinName(pins: PinMap, pin: number): string | undefined {
  for (const name in pins) if (pins[name] === pin) return name;
  return undefined;
}

function asButton(name: string | undefined): ButtonName | undefined {
  return name !== undefined && (BUTTON_ORDER as readonly string[]).includes(name) ? (name as ButtonName) : undefined;
}

class BoardButton implements DigitalInput {
  readonly pin = new SimPin(1);
  read(): 0 | 1 {
    return this.pin.read();
  }
  onChange(fn: () => void): void {
    this.pin.onChange(fn);
  }
  close(): void {
    this.pin.close();
  }
}

class BoardLed implements DigitalOutput {
  readonly #pin = new SimOutputPin();
  readonly #panel: Panel;
  readonly #button: ButtonName;
  constructor(panel: Panel, button: ButtonName) {
    this.#panel = panel;
    this.#button = button;
  }
  write(level: 0 | 1): void {
    this.#pin.write(level);
    this.#panel.setLed(this.#button, level);
  }
  close(): void {
    this.#pin.close();
    this.#panel.setLed(this.#button, 0);
  }
}

class BoardRing implements PixelStrip {
  readonly #strip: SimPixelStrip;
  readonly #panel: Panel;
  readonly #ring: number;
  readonly #shown: Uint32Array;
  readonly length: number;
  constructor(panel: Panel, ring: number, length: number) {
    this.#strip = new SimPixelStrip(length);
    this.#panel = panel;
    this.#ring = ring;
    this.length = length;
    this.#shown = new Uint32Array(length);
  }
  setPixel(i: number, rgb: number): void {
    this.#strip.setPixel(i, rgb);
  }
  update(): void {
    this.#strip.update();
    for (let i = 0; i < this.length; i++) this.#shown[i] = this.#strip.pixel(i);
    this.#panel.showRing(this.#ring, this.#shown);
  }
  close(): void {
    this.#shown.fill(0);
    this.#panel.showRing(this.#ring, this.#shown);
    this.#strip.close();
  }
}

/** The MAX7219 chain: the bytes go through the simulated chips; each latch redraws the display. */
class BoardDisplayBus implements SpiBus, DisplaySource {
  readonly chain: SimMax7219Chain;
  readonly #panel: Panel;
  constructor(panel: Panel, chips: number) {
    this.chain = new SimMax7219Chain(chips, 0);
    this.#panel = panel;
  }
  write(bytes: Uint8Array): void {
    this.chain.write(bytes);
  }
  flush(deselect: boolean): void {
    this.chain.flush(deselect);
    if (deselect) this.#panel.drawDisplay(this);
  }
  close(): void {
    this.chain.close();
  }
  matrixPixel(x: number, y: number): boolean {
    return this.chain.matrixPixel(x, y);
  }
  seg7Segments(): number[] {
    return this.chain.seg7Segments();
  }
  intensity(): number {
    return this.chain.registers(0).intensity;
  }
}

/**
 * The shortest press the board passes on. The pane sends press and release as two messages, and a
 * busy simulator can deliver both in one turn of its loop; the core samples the level once a frame
 * and debounces it (core/debounce.ts: 5 ms to press), so a press it never sees would be lost.
 * A release that comes sooner is held back until the press has lasted this long.
 */
export const MIN_PRESS_MS = 80;

export class SimBoard {
  readonly panel: Panel;
  readonly #clock: Pick<Clock, "now" | "after">;
  readonly #pressedAt: { [b in ButtonName]?: number } = {};
  readonly #pins: PinMap;
  readonly #chips: number;
  readonly #buttons: { [b in ButtonName]?: BoardButton } = {};
  #display: BoardDisplayBus | undefined;

  /** chips: MAX7219s in the chain (matrix_modules, or 1 for a 7-segment module). */
  constructor(panel: Panel, pins: PinMap, chips: number, clock: Pick<Clock, "now" | "after">) {
    this.panel = panel;
    this.#clock = clock;
    this.#pins = pins;
    this.#chips = chips;
    panel.drawAll(undefined);
  }

  button(pin: number): DigitalInput {
    const button = asButton(pinName(this.#pins, pin));
    if (button === undefined) throw new Error(`simulator: pin ${pin} is not a button in config pins`);
    if (this.#buttons[button] !== undefined) throw new Error(`simulator: button ${button} (pin ${pin}) is already in use`);
    const b = new BoardButton();
    this.#buttons[button] = b;
    return b;
  }

  led(pin: number): DigitalOutput {
    const name = pinName(this.#pins, pin);
    const button = name?.startsWith("led_") ? asButton(name.slice(4)) : undefined;
    if (button === undefined) throw new Error(`simulator: pin ${pin} is not a button LED (led_*) in config pins`);
    return new BoardLed(this.panel, button);
  }

  ring(pin: number, length: number): PixelStrip {
    const name = pinName(this.#pins, pin);
    const ring = name === "ring_a" ? 0 : name === "ring_b" ? 1 : -1;
    if (ring < 0 || ring >= this.panel.layout.rings.length) throw new Error(`simulator: pin ${pin} is not a ring shown on this panel`);
    return new BoardRing(this.panel, ring, length);
  }

  displayBus(): SpiBus {
    if (this.#display !== undefined) throw new Error("simulator: the MAX7219 bus is already open");
    this.#display = new BoardDisplayBus(this.panel, this.#chips);
    return this.#display;
  }

  /** A message from the simulator pane (its buttons and keys, keys.ts): presses and releases. */
  onMessage(message: string): void {
    for (const { button, pressed } of buttonChanges(message)) {
      if (pressed) {
        this.#pressedAt[button] = this.#clock.now();
        this.#level(button, true);
        continue;
      }
      const at = this.#pressedAt[button];
      const early = at === undefined ? 0 : MIN_PRESS_MS - (this.#clock.now() - at);
      this.#pressedAt[button] = undefined;
      if (early > 0)
        this.#clock.after(early, () => {
          // A new press in the meantime keeps the button down.
          if (this.#pressedAt[button] === undefined) this.#level(button, false);
        });
      else this.#level(button, false);
    }
  }

  #level(button: ButtonName, pressed: boolean): void {
    this.panel.setHeld(button, pressed);
    this.#buttons[button]?.pin.set(pressed ? 0 : 1);
  }
}
