// SpiBus port on the device: ECMA-419 SPI (device.io.SPI, $(MODDABLE)/modules/io) for the MAX7219
// chain, write-only (no MISO) with chip select driven by the driver.
//
// - Mode 0: the MAX7219 samples DIN on CLK's rising edge with CLK idle low (datasheet, figure 1
//   timing diagram); up to 10 MHz (timing characteristics, fCLK).
// - The MAX7219 latches on LOAD's (chip select's) rising edge, and the SPI driver keeps select
//   asserted across writes until flush(true), so the core writes one frame for the whole chain and
//   then flushes with deselect.
// - On the ESP32 `port` (SPI host 0, 1 or 2) must be given (moddable.md, Device APIs).

import type { SpiBus } from "../../core/ports";

export interface SpiPins {
  clock: number;
  mosi: number;
  select: number;
}

/** Both typings packages leave close() off SPI, though the ESP32 driver has it (modules/io/spi/spi.js). */
interface Closable {
  close(): void;
}

export class ModdableSpiBus implements SpiBus {
  readonly #io: InstanceType<typeof device.io.SPI>;

  constructor(pins: SpiPins, port: number, hz: number) {
    this.#io = new device.io.SPI({
      clock: pins.clock,
      out: pins.mosi,
      select: pins.select,
      active: 0,
      hz,
      mode: 0,
      port,
    });
  }

  write(bytes: Uint8Array): void {
    this.#io.write(bytes);
  }

  flush(deselect: boolean): void {
    this.#io.flush(deselect);
  }

  close(): void {
    (this.#io as unknown as Closable).close();
  }
}
