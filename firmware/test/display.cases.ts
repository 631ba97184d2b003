// The Display over simulated MAX7219 chains: static text, a marquee that moves one column per step,
// counters, flashed messages, and the 7-segment module. Pixels are read back from the chips' decoded
// registers. Run on Node and in XS.

import { Display } from "../core/display";
import { Max7219Matrix, Max7219Seg7 } from "../core/max7219";
import { SimMax7219Chain } from "../adapters/node/sim-spi";

function matrix(modules = 4): { sim: SimMax7219Chain; display: Display } {
  const sim = new SimMax7219Chain(modules);
  const driver = new Max7219Matrix(sim, modules);
  driver.init();
  return { sim, display: new Display(driver, { scrollMsPerColumn: 35 }) };
}

function seg7(codeB = false): { sim: SimMax7219Chain; display: Display } {
  const sim = new SimMax7219Chain(1);
  const driver = new Max7219Seg7(sim, { codeB });
  driver.init();
  return { sim, display: new Display(driver) };
}

export default {
  /** A word that fits is centred and does not move. */
  staticText: () => {
    const { sim, display } = matrix();
    display.showText("GO");
    display.frame(0);
    const first = sim.matrixImage();
    const writes = sim.writes;
    display.frame(500);
    return { image: first, moved: sim.matrixImage().join() !== first.join(), writesWhileStill: sim.writes - writes };
  },

  /** A long text scrolls: each 35 ms step moves the picture one column to the left. */
  scrollOneColumnPerStep: () => {
    const { sim, display } = matrix();
    display.showText("deploy/api step 3: migrate");
    const images: string[][] = [];
    for (let step = 0; step < 12; step++) {
      display.frame(1000 + step * 35);
      images.push(sim.matrixImage());
    }
    let shiftsByOne = 0;
    for (let s = 1; s < images.length; s++) {
      const prev = images[s - 1]!;
      const cur = images[s]!;
      let ok = true;
      for (let y = 0; y < 8; y++) if (cur[y]!.slice(0, 31) !== prev[y]!.slice(1)) ok = false;
      if (ok) shiftsByOne++;
    }
    return { steps: images.length - 1, shiftsByOne, start: images[0], halfStep: (display.frame(1000 + 17), sim.matrixImage()) };
  },

  /** The marquee comes round again: after width + gap steps the picture repeats. */
  scrollWraps: () => {
    const { sim, display } = matrix();
    const text = "BUILD FAILED";
    const cycle = new Max7219Matrix(new SimMax7219Chain(4), 4).textWidth(text) + Math.floor(32 / 3);
    display.showText(text);
    display.frame(0);
    const start = sim.matrixImage().join("/");
    display.frame(cycle * 35);
    const again = sim.matrixImage().join("/");
    display.frame((cycle - 1) * 35);
    return { cycle, repeats: again === start, differsBefore: sim.matrixImage().join("/") !== start };
  },

  /** A counter: the number fixed at the right; a label that does not fit scrolls beside it. */
  counter: () => {
    const { sim, display } = matrix();
    display.showCounter("weeks since a Friday deploy", 3);
    display.frame(0);
    const a = sim.matrixImage();
    display.frame(35 * 5);
    const b = sim.matrixImage();
    const right = (img: string[]): string => img.map((r) => r.slice(27)).join("/");
    const left = (img: string[]): string => img.map((r) => r.slice(0, 25)).join("/");
    return { numberStill: right(a) === right(b), labelMoves: left(a) !== left(b), number: a.map((r) => r.slice(27)) };
  },

  /** A short counter shows label and number side by side, still. */
  shortCounter: () => {
    const { sim, display } = matrix();
    display.showCounter("wk", 12);
    display.frame(0);
    return sim.matrixImage();
  },

  /** flash() shows its text for the given time, then the content comes back. */
  flash: () => {
    const { sim, display } = matrix();
    display.showText("OK");
    display.frame(0);
    const content = sim.matrixImage().join("/");
    display.flash("ERR", 1000);
    display.frame(100);
    const flashed = sim.matrixImage().join("/");
    display.frame(1099);
    const still = sim.matrixImage().join("/") === flashed;
    display.frame(1100);
    return { flashedDiffers: flashed !== content, still, back: sim.matrixImage().join("/") === content };
  },

  /** 7 segments with our table: text, a DP riding on its digit, a counter. */
  seg7Text: () => {
    const a = seg7();
    a.display.showText("PASS 4.2");
    a.display.frame(0);
    const b = seg7();
    b.display.showCounter("dEP", 3);
    b.display.frame(0);
    return { text: a.sim.seg7Text(), counter: b.sim.seg7Text(), segments: a.sim.seg7Segments() };
  },

  /** 7 segments in code-B mode: the chip's own font for digits, '-', E, H, L, P and blank. */
  seg7CodeB: () => {
    const { sim, display } = seg7(true);
    display.showText("12.5-HELP");
    display.frame(0);
    const registers = sim.registers(0);
    return { text: sim.seg7Text(), decode: registers.decode, raw: registers.digits };
  },

  /** 7 segments scroll one digit per step. */
  seg7Scroll: () => {
    const { sim, display } = seg7();
    display.showText("HELLO 2026");
    const texts: string[] = [];
    for (let step = 0; step < 4; step++) {
      display.frame(step * 300);
      texts.push(sim.seg7Text());
    }
    return texts;
  },
};
