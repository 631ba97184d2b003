// The power budget: the datasheet arithmetic, and the check that each variant's brightness_cap
// keeps the whole gadget inside the kit's supply.
import test from "ava";
import fc from "fast-check";
import { CHIPS } from "../chips";
import { parsePinout } from "../pinout";
import { buttonLedMa, max7219CurrentMa, max7219DutyCycle, max7219SegmentMa, powerBudget, ringCurrentMa, WS2812B } from "../power";
import { checkPinout } from "../validate";
import { readRootManifest } from "../generate";
import { realPinoutJson } from "./fixtures";

test("a WS2812 LED draws 60 mA at full white and only its idle current when dark", (t) => {
  t.is(ringCurrentMa(1, 255), 61);
  t.is(ringCurrentMa(24, 255), 24 * 61);
  t.is(ringCurrentMa(24, 0), 24 * WS2812B.idleMa);
  t.is(ringCurrentMa(24, 64).toFixed(1), "385.4");
  // A cap beyond the 8-bit range cannot raise the current past full white.
  t.is(ringCurrentMa(24, 1000), ringCurrentMa(24, 255));
});

test("ring current grows with the cap and in proportion to the LED count", (t) => {
  fc.assert(
    fc.property(fc.integer({ min: 1, max: 256 }), fc.integer({ min: 0, max: 254 }), (leds, cap) => {
      return ringCurrentMa(leds, cap) < ringCurrentMa(leds, cap + 1) && Math.abs(ringCurrentMa(2 * leds, cap) - 2 * ringCurrentMa(leds, cap)) < 1e-9;
    }),
  );
  t.pass();
});

test("MAX7219 segment current matches Table 11 at its own points and scales with 1/RSET beyond 40 mA", (t) => {
  const close = (a: number, b: number): boolean => Math.abs(a - b) < 0.05;
  t.true(close(max7219SegmentMa(11_800, 2.0), 40));
  t.true(close(max7219SegmentMa(17_100, 2.0), 30));
  t.true(close(max7219SegmentMa(28_000, 2.0), 20));
  t.true(close(max7219SegmentMa(63_700, 2.0), 10));
  t.true(close(max7219SegmentMa(9_690, 3.5), 40));
  // Between the 1.5 V and 2.0 V columns the RSET for 40 mA is interpolated: 12.0 kΩ at 1.75 V.
  t.true(close(max7219SegmentMa(12_000, 1.75), 40));
  // FC-16 modules: 10 kΩ with red LEDs gives 40 x 11.8 / 10 = 47.2 mA.
  t.true(close(max7219SegmentMa(10_000, 2.0), 47.2));
  // Between rows the current is monotonic in RSET.
  t.true(max7219SegmentMa(20_000, 2.0) < 30 && max7219SegmentMa(20_000, 2.0) > 20);
});

test("MAX7219 intensity follows Table 7 and the chip current reproduces the datasheet 330 mA", (t) => {
  t.is(max7219DutyCycle(0), 1 / 32);
  t.is(max7219DutyCycle(4), 9 / 32);
  t.is(max7219DutyCycle(15), 31 / 32);
  // "Operating supply current, all segments and decimal point on, ISEG = -40 mA: 330 mA".
  const full = max7219CurrentMa(1, 15, { rsetOhm: 11_800, ledVf: 2.0, chipMa: 10 });
  t.is(Math.round(full.peakMa), 330);
  t.is(Math.round(full.averageMa), Math.round(320 * (31 / 32) + 10));
  const chain = max7219CurrentMa(4, 15, { rsetOhm: 11_800, ledVf: 2.0, chipMa: 10 });
  t.is(Math.round(chain.peakMa), 4 * 330);
});

test("a button LED current is the resistor voltage over its resistance", (t) => {
  t.is(buttonLedMa(3.3, { colour: "red", vf: 2.0, resistorOhm: 220 }).toFixed(2), "5.91");
  t.is(buttonLedMa(3.3, { colour: "blue", vf: 3.4, resistorOhm: 220 }), 0);
});

const builds = checkPinout(parsePinout(realPinoutJson()), readRootManifest());

test("every variant fits the kit supply at its configured brightness_cap", (t) => {
  for (const build of builds) {
    const budget = build.budget;
    if (!budget) return t.fail(`${build.variant.name} has no budget`);
    t.true(budget.fits, build.variant.name);
    t.true(budget.requiredMa <= budget.supplyMa, build.variant.name);
    t.true(build.config.brightness_cap <= budget.maxBrightnessCap, build.variant.name);
    // The recommended rating covers the need, and so does the supply the kit lists.
    t.true(budget.recommendedSupplyA * 1000 >= budget.requiredMa, build.variant.name);
  }
});

test("the highest cap is exactly the last one that fits", (t) => {
  const pinout = parsePinout(realPinoutJson());
  for (const build of builds) {
    const { board, chip, budget } = build;
    if (!board || !chip || !budget) return t.fail(build.variant.name);
    const at = (cap: number) => powerBudget({ ...build.config, brightness_cap: cap }, board, chip, pinout.parts);
    t.true(at(budget.maxBrightnessCap).fits, build.variant.name);
    if (budget.maxBrightnessCap < 255) t.false(at(budget.maxBrightnessCap + 1).fits, build.variant.name);
  }
});

test("the ESP32 matrix build adds up to the README figures", (t) => {
  const build = builds.find((b) => b.variant.name === "esp32-matrix");
  const budget = build?.budget;
  if (!budget) return t.fail("no esp32-matrix budget");
  t.is(Math.round(budget.lines[0]?.averageMa ?? 0), 771); // 2 x 24 x (1 + 60 x 64/255)
  t.is(Math.round(budget.lines[1]?.averageMa ?? 0), 465); // 4 x (8 x 47.2 x 9/32 + 10)
  t.is(budget.lines[2]?.averageMa, CHIPS.esp32.wifiPeakMa + 30);
  t.is(Math.round(budget.worstMa), 1664);
  t.is(budget.recommendedSupplyA, 2.5);
  t.is(budget.maxBrightnessCap, 129);
  // Even the instant when every MAX7219 is in its on-time stays below the 3 A rating.
  t.true(budget.peakMa < budget.supplyMa);
});
