// Debouncing and gestures over bouncy, noisy traces: the fixed cases on Node and in XS, plus a
// property check over many random traces on Node.

import test from "ava";
import fc from "fast-check";
import { measureInXs, registerXsAndNodeTests } from "../../tools/xs/cases";
import cases, { makeTrace, pressSchedule, replay, score } from "./debounce.cases";

// The XS harness loads the cases before ava starts, so it is registered first.
await registerXsAndNodeTests(test, new URL("./debounce.cases.ts", import.meta.url));

const clean = { ghosts: 0, missed: 0, holds: 0, cancels: 0 };

test("bouncy taps: one down and one short per tap, though the wire shows about three falling edges per tap", (t) => {
  const s = cases.bouncyShortPresses();
  t.like(s, { ...clean, presses: 10, downs: 10, shorts: 10, longs: 0 });
  t.true(s.rawFallingEdges >= 20, "the trace must actually bounce");
});

test("EMI alone presses nothing", (t) => {
  const s = cases.noiseOnlyNoPress();
  t.like(s, { downs: 0, shorts: 0, longs: 0, ghosts: 0 });
  t.true(s.rawFallingEdges >= 150);
});

test("noisy bouncy taps: nothing invented, nothing lost; the down comes within 45 ms of first contact", (t) => {
  const s = cases.noisyBouncyPresses();
  t.like(s, { ...clean, presses: 12, downs: 12, shorts: 12, longs: 0 });
  t.true(s.worstDownLatencyMs <= 45, `worst latency ${s.worstDownLatencyMs} ms`);
});

test("long holds report long while still held, and no short on release", (t) => {
  t.like(cases.longHolds(), { ...clean, presses: 4, downs: 4, shorts: 0, longs: 4, longsWhileHeld: true });
});

test("double taps stay two presses", (t) => {
  t.like(cases.doubleTaps(), { ...clean, presses: 12, downs: 12, shorts: 12 });
});

test("late, merged edge callbacks: every press is still seen exactly once", (t) => {
  t.like(cases.mergedEdges(), { ...clean, presses: 10, downs: 10, shorts: 10 });
});

test("spikes in the 65 ms gap of a double tap do not merge the taps", (t) => {
  t.like(cases.spikesBetweenTaps(), { ...clean, presses: 16, downs: 16, shorts: 16 });
});

test("hold to confirm: progress rises every frame to 1000, then one hold about 2 s after the press", (t) => {
  const r = cases.holdToConfirm();
  t.deepEqual(r.kinds, ["down", "hold"]);
  t.is(r.firstProgress, 0);
  t.is(r.lastProgress, 1000);
  t.true(r.progressRising);
  t.true(r.progressFrames > 100, "one progress signal per frame while held");
  t.true(r.holdAfterMs !== null && r.holdAfterMs >= 2000 && r.holdAfterMs <= 2050, `hold after ${r.holdAfterMs} ms`);
});

test("hold released early cancels", (t) => {
  const r = cases.holdReleasedEarly();
  t.deepEqual(r.kinds, ["down", "hold-cancel"]);
  t.true(r.maxProgress > 300 && r.maxProgress < 1000);
});

test("a button held through boot is not a press", (t) => {
  t.deepEqual(cases.heldThroughBoot(), []);
});

// Bounce bursts last up to ~15 ms here (10 ms plus a last stretch of up to 5 ms). A tap of at least
// 30 ms leaves a closed stretch longer than pressMs; a gap of at least 40 ms leaves an open stretch
// longer than releaseMs; spikes and late, merged callbacks must change nothing. Human taps last
// 70-150 ms, and the gap in a fast double tap is about 60 ms.
test("property: random taps with bounce, spikes under 1 ms and merged callbacks are counted exactly", (t) => {
  fc.assert(
    fc.property(
      fc.integer({ min: 1, max: 2 ** 31 - 1 }),
      fc.integer({ min: 1, max: 12 }),
      fc.integer({ min: 30, max: 1500 }),
      fc.integer({ min: 40, max: 600 }),
      fc.integer({ min: 0, max: 60 }),
      fc.double({ min: 0, max: 0.9, noNaN: true }),
      fc.constantFrom(1000 / 60, 20),
      (seed, count, holdMax, gapMax, spikesPerSecond, callbackLatencyMs, frameMs) => {
        const presses = pressSchedule(seed, count, 30, holdMax, 40, gapMax);
        const last = presses[presses.length - 1]!;
        const lengthMs = last.at + last.holdMs + 3000;
        const edges = makeTrace(presses, { seed: seed ^ 0x5bd1e995, bounceMaxMs: 10, spikesPerSecond, lengthMs });
        const s = score(presses, edges, replay(edges, lengthMs, { callbackLatencyMs, seed, frameMs }));
        const longPresses = presses.filter((p) => p.holdMs > 800 + 40).length;
        return s.ghosts === 0 && s.missed === 0 && s.downs === count && s.shorts + s.longs === count && s.longs >= longPresses;
      },
    ),
    { numRuns: Number(process.env.DEBOUNCE_RUNS ?? 400) },
  );
  t.pass();
});

for (const name of ["idleTick", "holdingTick"]) {
  test(`in XS, a Buttons tick allocates nothing (${name})`, async (t) => {
    const m = await measureInXs(new URL("./buttons-frame.cases.ts", import.meta.url).pathname, name, 200);
    t.log(`XS: ${m.computePerCall.toFixed(0)} computrons and ${m.slotsPerCall} slots per tick`);
    t.true(m.slotsPerCall <= 0, `${m.slotsPerCall} slots per tick`);
  });
}
