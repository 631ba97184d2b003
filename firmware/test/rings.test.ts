// Ring scenes read back from a simulated WS2812 ring, on Node and in XS; and what a steady-state
// frame allocates in XS.

import test from "ava";
import { measureInXs, registerXsAndNodeTests } from "../../tools/xs/cases";
import cases from "./rings.cases";

await registerXsAndNodeTests(test, new URL("./rings.cases.ts", import.meta.url));

const red = (c: number): number => (c >>> 16) & 0xff;
const green = (c: number): number => (c >>> 8) & 0xff;
const blue = (c: number): number => c & 0xff;

test("locked: one blue head moves 6 LEDs per 300 ms and wraps after 1200 ms, with a fading tail", (t) => {
  const s = cases.lockedSlide();
  t.deepEqual(s.heads, [0, 6, 12, 18, 0]);
  t.is(s.colors, "b".repeat(24));
  t.is(s.head, 0x0000ff);
  t.true(blue(s.tail1) < 255 && blue(s.tail1) > blue(s.far), "the LED behind the head is dimmer than it, brighter than the rest");
});

test("released: green on for the first half of each 600 ms, low for the second", (t) => {
  const s = cases.releasedFlash();
  t.is(green(s.on), 255);
  t.is(s.stillOn, s.on);
  t.true(green(s.low) > 0 && green(s.low) < 20);
  t.is(s.onAgain, s.on);
});

test("blocked: two red heads opposite each other turn a quarter in 175 ms", (t) => {
  const s = cases.blockedSpin();
  t.deepEqual(s.lit0, [0, 12]);
  t.deepEqual(s.lit1, [6, 18]);
  t.is(s.colors, "r".repeat(24));
});

test("building: an amber pulse, low at the start, high mid-period, low again", (t) => {
  const s = cases.buildingPulse();
  t.true(red(s.peak) > 150 && green(s.peak) > 30 && blue(s.peak) === 0, `peak ${s.peak.toString(16)}`);
  t.true(red(s.peak) > green(s.peak));
  t.true(red(s.start) < 10);
  t.is(s.end, s.start);
});

test("steady scenes: failed is red, passing a soft green, idle off, out-of-sync amber", (t) => {
  const s = cases.steadyScenes();
  t.true(red(s.failed!) > 100 && green(s.failed!) === 0);
  t.true(green(s.passing!) > 0 && green(s.passing!) < 80 && red(s.passing!) === 0, "soft: well under full");
  t.is(s.idle, 0);
  t.true(red(s.out_of_sync!) > green(s.out_of_sync!) && green(s.out_of_sync!) > 0);
});

test("segments draw their own scene over the base, also across the ring's end", (t) => {
  t.is(cases.segment(), "g".repeat(18) + "r".repeat(6));
  t.is(cases.wrappingSegment(), "rr" + ".".repeat(20) + "rr");
});

test("syncing shows progress: half lit at 500, all at 1000", (t) => {
  const s = cases.syncingProgress();
  t.is(s.half.first, s.half.last);
  t.true(s.half.after < s.half.first);
  t.is(s.full, s.half.first);
});

test("offline: dim white breathing replaces the view, and the view returns", (t) => {
  const s = cases.offline();
  t.is(s.colors, "w".repeat(24));
  t.true(red(s.peak) > red(s.low) && red(s.peak) < 40, "dim");
  t.is(red(s.online), red(cases.steadyScenes().failed!));
});

test("hold fill covers the first half at 500, and leaves when removed", (t) => {
  const s = cases.holdFill();
  t.is(s.filled, "w".repeat(12) + "r".repeat(12));
  t.is(s.after, "r".repeat(24));
});

test("ack blip fades out within 250 ms; error blinks red three times, then the scene returns", (t) => {
  const a = cases.ackBlip();
  t.true(green(a.start) > green(a.mid) && green(a.mid) > 0);
  t.is(a.gone, 0);
  const e = cases.errorBlink();
  t.deepEqual(e.slice(0, 7), [0xff0000, 0xff0000, 0, 0xff0000, 0, 0xff0000, 0]);
  t.is(e[7], cases.steadyScenes().passing);
});

test("the brightness cap bounds every channel of every scene and overlay", (t) => {
  t.is(cases.capBoundsEveryChannel(), 64);
});

test("a steady scene is sent once; a change sends only the changed LEDs", (t) => {
  t.deepEqual(cases.sendsOnlyChanges(), { steady: { updates: 1, writes: 24 }, afterSegment: { updates: 2, writes: 26 } });
});

test("re-sending the same scene keeps its phase; a new scene restarts it", (t) => {
  t.deepEqual(cases.sameSceneKeepsPhase(), { kept: 12, restarted: 0 });
});

test("in XS, a steady-state animated frame allocates nothing", async (t) => {
  const m = await measureInXs(new URL("./rings-frame.cases.ts", import.meta.url).pathname, "animatedFrame", 200);
  t.log(`XS: ${m.computePerCall.toFixed(0)} computrons and ${m.slotsPerCall} slots per 24-LED frame`);
  // The harness subtracts an empty loop's slots; a small negative value is that loop's own noise.
  t.true(m.slotsPerCall <= 0, `${m.slotsPerCall} slots per frame`);
});
