// The MAX7219 driver's byte stream against the datasheet's register map, and what a simulated chain
// of chips shows after decoding it. Run on Node and in XS.

import { Max7219Chain, Max7219Matrix, Max7219Seg7, REG } from "../core/max7219";
import type { SpiBus } from "../core/ports";
import { SimMax7219Chain } from "../adapters/node/sim-spi";

/** Records what goes over the bus: each transfer as hex, "|" where chip-select rises. */
class RecordingBus implements SpiBus {
  log: string[] = [];
  write(bytes: Uint8Array): void {
    let s = "";
    for (let i = 0; i < bytes.length; i++) s += (bytes[i]! < 16 ? "0" : "") + bytes[i]!.toString(16);
    this.log.push(s);
  }
  flush(deselect: boolean): void {
    if (deselect) this.log.push("|");
  }
  close(): void {}
}

const VALID_ADDRESSES = [0x00, 0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08, 0x09, 0x0a, 0x0b, 0x0c, 0x0f];

export default {
  /** init() of a 4-module matrix: every control register to every chip, then the blank rows. */
  matrixInitStream: () => {
    const bus = new RecordingBus();
    new Max7219Matrix(bus, 4, { intensity: 3 }).init();
    return bus.log.join(" ");
  },

  /** init() of a 7-segment module in code-B mode and with our own segment table. */
  seg7InitStreams: () => {
    const a = new RecordingBus();
    new Max7219Seg7(a, { codeB: true, intensity: 15 }).init();
    const b = new RecordingBus();
    new Max7219Seg7(b, { intensity: 99 }).init();
    return { codeB: a.log.slice(0, 10).join(" "), segments: b.log.slice(0, 10).join(" ") };
  },

  /** writeEach: the first two bytes shifted go to the LAST chip; the chips latch their own values. */
  daisyChainOrder: () => {
    const bus = new RecordingBus();
    const sim = new SimMax7219Chain(4);
    new Max7219Chain(bus, 4).writeEach(REG.DIGIT0 + 2, Uint8Array.of(0xa0, 0xa1, 0xa2, 0xa3));
    new Max7219Chain(sim, 4).writeEach(REG.DIGIT0 + 2, Uint8Array.of(0xa0, 0xa1, 0xa2, 0xa3));
    return { stream: bus.log.join(" "), digit2: [0, 1, 2, 3].map((c) => sim.registers(c).digits[2]) };
  },

  /** Shutdown, display test, intensity clamp and scan limit, as the chips see them. */
  controlRegisters: () => {
    const sim = new SimMax7219Chain(2);
    const m = new Max7219Matrix(sim, 2, { intensity: 5 });
    const before = sim.registers(1);
    m.init();
    const after = sim.registers(1);
    m.setIntensity(40);
    const clamped = sim.registers(0).intensity;
    m.chain.displayTest(true);
    const test = sim.matrixImage().join("");
    m.chain.displayTest(false);
    m.chain.shutdown(true);
    const off = sim.registers(0).shutdown;
    m.chain.shutdown(false);
    return {
      powerUpShutdown: before.shutdown,
      after: { decode: after.decode, intensity: after.intensity, scanLimit: after.scanLimit, shutdown: after.shutdown, displayTest: after.displayTest },
      clamped,
      testAllLit: test === "#".repeat(16 * 8),
      shutdownWritten: off,
      misaligned: sim.misaligned,
    };
  },

  /** Every latched packet uses a register of Table 2, and every transfer is one packet per chip. */
  streamUsesOnlyDatasheetRegisters: () => {
    const sim = new SimMax7219Chain(4);
    const m = new Max7219Matrix(sim, 4);
    m.init();
    m.drawText("Ship it!", 0, 0, 32);
    m.render();
    let bad = 0;
    for (const latch of sim.latches) for (const p of latch) if (VALID_ADDRESSES.indexOf(p.address) < 0) bad++;
    return { latches: sim.latches.length, bad, misaligned: sim.misaligned };
  },

  /** A long session keeps only the last latches (the twin runs for hours) but counts all of them. */
  simKeepsOnlyTheLastLatches: () => {
    const sim = new SimMax7219Chain(4, 8);
    const m = new Max7219Matrix(sim, 4);
    m.init();
    for (let i = 0; i < 500; i++) {
      m.clear();
      m.drawText(String(i), 0, 0, 32);
      m.render();
    }
    const last = sim.latches[sim.latches.length - 1]!;
    return { kept: sim.latches.length, counted: sim.latchCount > 1000, lastHasAllChips: last.length, misaligned: sim.misaligned };
  },

  /** "A" drawn at column 0 shows at columns 0-4 of the panel, the rest dark, for FC-16 wiring. */
  letterAOnPanel: () => {
    const sim = new SimMax7219Chain(4);
    const m = new Max7219Matrix(sim, 4);
    m.init();
    m.drawText("A", 0, 0, 32);
    m.render();
    return sim.matrixImage();
  },

  /** The same picture comes out for the other wirings, when the driver is told the wiring. */
  otherWirings: () => {
    const out: string[][] = [];
    for (const w of [
      { chainStartsAt: "left" as const, digitsAreRows: true, msbLeftOrLsbTop: false },
      { chainStartsAt: "left" as const, digitsAreRows: false, msbLeftOrLsbTop: true },
      { chainStartsAt: "right" as const, digitsAreRows: false, msbLeftOrLsbTop: false },
    ]) {
      const sim = new SimMax7219Chain(2);
      const m = new Max7219Matrix(sim, 2, w);
      m.init();
      m.drawText("Go", 3, 0, 16);
      m.render();
      out.push(sim.matrixImage(w));
    }
    return out;
  },

  /** Rendering the same picture again sends nothing; changing one row sends one transfer. */
  sendsOnlyChangedRows: () => {
    const sim = new SimMax7219Chain(4);
    const m = new Max7219Matrix(sim, 4);
    m.init();
    m.drawText("OK", 0, 0, 32);
    m.render();
    const w0 = sim.writes;
    m.render();
    const w1 = sim.writes;
    m.canvas.setPixel(20, 7, true);
    m.render();
    return { again: w1 - w0, oneRow: sim.writes - w1 };
  },
};
