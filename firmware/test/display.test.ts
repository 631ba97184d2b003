// The display's text, marquee, counter and flash, read back as pixels from simulated MAX7219s;
// on Node and in XS; and what a steady-state display frame allocates in XS.

import test from "ava";
import { measureInXs, registerXsAndNodeTests } from "../../tools/xs/cases";
import cases from "./display.cases";

await registerXsAndNodeTests(test, new URL("./display.cases.ts", import.meta.url));

test("a word that fits is centred and still: no SPI traffic while nothing changes", (t) => {
  const r = cases.staticText();
  t.false(r.moved);
  t.is(r.writesWhileStill, 0);
  // "GO" is 11 columns wide: centred in 32, it starts at column 10.
  t.true(r.image.every((row) => row.slice(0, 10) === ".".repeat(10) && row.slice(21) === ".".repeat(11)));
  t.is(r.image[3]!.slice(10, 21), "#.###.#...#");
});

test("the marquee moves exactly one column per 35 ms step, and not between steps", (t) => {
  const r = cases.scrollOneColumnPerStep();
  t.is(r.shiftsByOne, r.steps);
  t.deepEqual(r.halfStep, r.start);
});

test("the marquee comes round after width + gap steps", (t) => {
  const r = cases.scrollWraps();
  t.true(r.repeats);
  t.true(r.differsBefore);
});

test("a counter keeps its number still at the right while a long label scrolls beside it", (t) => {
  const r = cases.counter();
  t.true(r.numberStill);
  t.true(r.labelMoves);
  t.deepEqual(r.number, ["#####", "...#.", "..#..", "...#.", "....#", "#...#", ".###.", "....."]); // the digit 3
});

test("a short counter: label at the left, number at the right", (t) => {
  const img = cases.shortCounter();
  t.is(img[0]!.slice(23), "#....###."); // "12" ends at the right edge
  t.is(img[6]!.slice(0, 5), ".#.#."); // "w" starts at the left edge
});

test("flash shows its text for its time, then the content returns", (t) => {
  t.deepEqual(cases.flash(), { flashedDiffers: true, still: true, back: true });
});

test("7 segments with our table: letters, a DP on its digit, a counter", (t) => {
  const r = cases.seg7Text();
  t.is(r.text, "PA55 4.2 ");
  t.is(r.counter, "dEP    3");
  // P = A|B|E|F|G = 0x67; '4.' = B|C|F|G with DP = 0xB3 (datasheet Table 6 bit order).
  t.is(r.segments[0], 0x67);
  t.is(r.segments[5], 0xb3);
});

test("7 segments in code-B mode send code-B values (Table 5) and read back right", (t) => {
  const r = cases.seg7CodeB();
  t.is(r.text, "12.5-HELP");
  t.is(r.decode, 0xff);
  // Registers Digit0..Digit7 (rightmost first): P, L, E, H, -, 5, 2 with DP, 1.
  t.deepEqual(r.raw, [0x0e, 0x0d, 0x0b, 0x0c, 0x0a, 0x05, 0x82, 0x01]);
});

test("7 segments scroll one digit per step", (t) => {
  t.deepEqual(cases.seg7Scroll(), ["HELL0 20", "ELL0 202", "LL0 2026", "L0 2026 "]);
});

for (const name of ["marqueeFrame", "seg7CounterFrame"]) {
  test(`in XS, a steady-state display frame allocates nothing (${name})`, async (t) => {
    const m = await measureInXs(new URL("./display-frame.cases.ts", import.meta.url).pathname, name, 200);
    t.log(`XS: ${m.computePerCall.toFixed(0)} computrons and ${m.slotsPerCall} slots per frame`);
    t.true(m.slotsPerCall <= 0, `${m.slotsPerCall} slots per frame`);
  });
}
