// DigitalInput port on the device: one ECMA-419 Digital input per button (device.io.Digital,
// $(MODDABLE)/modules/io). The buttons pull the pin to ground, so pressed reads 0.
//
// - Internal pull-up only where the board has none: GPIO 34 to 39 on the ESP32 are input-only and
//   have no internal pull resistors (ESP32 datasheet, "GPIO and RTC_GPIO"), which is why
//   hardware/pinout.json says buttons_pullup "external" and fits 10 kΩ resistors.
// - Both edges wake us; edges that arrive before the callback runs are merged into one call and
//   nothing debounces in hardware, so the core's Buttons reads the level and debounces in code.

import type { DigitalInput, DigitalOutput, Log } from "../../core/ports";

export type PullUp = "internal" | "external";

export class ModdableDigitalInput implements DigitalInput {
  readonly #io: InstanceType<typeof device.io.Digital>;
  #listener: (() => void) | undefined;

  /** `log` traces a listener that throws (it runs from the driver's callback). */
  constructor(pin: number, pullUp: PullUp, log?: Log) {
    const self = this;
    // The constants come from the class the provider hands out, not from an import of
    // "embedded:io/digital", so the adapter depends on the device provider alone.
    const Digital = device.io.Digital;
    this.#io = new Digital({
      pin,
      mode: pullUp === "internal" ? Digital.InputPullUp : Digital.Input,
      edge: Digital.Rising | Digital.Falling,
      onReadable() {
        // A press before onChange is wired has nobody to tell; the core reads the level on its
        // next frame anyway.
        const fn = self.#listener;
        if (fn === undefined) return;
        try {
          fn();
        } catch (e) {
          // Thrown into the driver's callback, it would abort the VM.
          log?.warn(`button GPIO ${pin}: listener failed: ${String(e)}`);
        }
      },
    });
  }

  read(): 0 | 1 {
    return this.#io.read();
  }

  onChange(fn: () => void): void {
    this.#listener = fn;
  }

  close(): void {
    this.#listener = undefined;
    this.#io.close();
  }
}

/**
 * DigitalOutput port on the device: one ECMA-419 Digital output per button LED. The LED hangs from
 * the GPIO through 220 Ω to ground (hardware/README.md), about 6 mA at 3.3 V, within the ESP32's
 * default drive strength (datasheet, "DC Characteristics": 20 mA at the default level), so the pin
 * drives it directly. Starts off.
 */
export class ModdableDigitalOutput implements DigitalOutput {
  readonly #io: InstanceType<typeof device.io.Digital>;

  constructor(pin: number) {
    const Digital = device.io.Digital;
    this.#io = new Digital({ pin, mode: Digital.Output });
    this.#io.write(0);
  }

  write(level: 0 | 1): void {
    this.#io.write(level);
  }

  close(): void {
    this.#io.close();
  }
}
