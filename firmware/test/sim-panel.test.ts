// The Moddable simulator's adapters (adapters/sim) without the SDK: pane messages to buttons,
// the panel drawn into a frame buffer. On Node and in XS (tools/xs).

import test from "ava";
import { registerXsAndNodeTests } from "../../tools/xs/cases";
import cases from "./sim-panel.cases";

await registerXsAndNodeTests(test, new URL("./sim-panel.cases.ts", import.meta.url));

test("pane messages: Pico Display's a, b, x, y are approve, reject, release, sync; M5Stack's c releases; a one-button pane approves; other messages change nothing", (t) => {
  const m = cases.paneMessages();
  t.deepEqual(m.pico, [[{ button: "approve", pressed: true }], [{ button: "reject", pressed: false }], [{ button: "release", pressed: true }], [{ button: "sync", pressed: true }]]);
  t.deepEqual(m.m5stackC, [{ button: "release", pressed: true }]);
  t.deepEqual(m.moddableDefault, [{ button: "approve", pressed: true }]);
  t.deepEqual(m.ignored, [[], [], [], []]);
});

test("a pane press pulls the button's pin low with an edge, the release lets it go high", (t) => {
  t.deepEqual(cases.pressThroughPins(), { levels: [1, 0, 1, 1, 0], edges: 2 });
});

test("a press and release delivered together still reach the core: the release waits 80 ms; a new press keeps it down", (t) => {
  t.deepEqual(cases.quickPressIsHeld(), [0, 0, 1, 0]);
});

test("parts are found by the config's pin names, and a wrong or reused pin says which", (t) => {
  t.deepEqual(cases.pinNames(), { led: "led_release", ring: "ring_b", none: null });
  t.deepEqual(cases.wrongPins(), [
    "simulator: pin 11 is not a button in config pins",
    "simulator: pin 1 is not a button LED (led_*) in config pins",
    "simulator: pin 1 is not a ring shown on this panel",
    "simulator: pin 99 is not a button in config pins",
    "simulator: button reject (pin 2) is already in use",
  ]);
});

test("the matrix on screen is what the simulated MAX7219s latched from the core's driver", (t) => {
  const { screen, chips } = cases.matrixOnScreen();
  t.deepEqual(screen, chips);
  t.is(screen[3], "#####..#" + ".".repeat(24), "an H and an I in the first module");
});

test("ring LEDs sit clockwise from the top, in their colour brought up from the cap; the other ring stays dark", (t) => {
  const r = cases.ringOnScreen();
  t.is(r.top, 0x0000ff, "blue at the cap shows full blue");
  t.is(r.right, 0xff0000);
  t.is(r.offLed, 0x202020, "an off LED shows as a dark body");
  t.true(r.topIsCentred);
  t.true(r.rightIsRight);
  t.is(r.ringAUntouched, 0x202020);
});

test("an animator frame with no change repaints nothing", (t) => {
  t.deepEqual(cases.animatorFrames(), { repainted: true, steady: 0 });
});

test("button LEDs light in their colour; a held button gets a white frame until released", (t) => {
  t.deepEqual(cases.ledsAndHeld(), { off: 0x282828, on: 0xe02020, held: 0xffffff, released: 0 });
});

test("the layout fits every pane size, one or two rings, up to 16 modules, and seg7", (t) => {
  for (const line of cases.layoutsFit()) t.regex(line, /: inside$/, line);
});

test("a 7-segment module draws its lit digit inside that digit's cell only, about twice as tall as wide", (t) => {
  for (const r of cases.seg7OnScreen()) t.deepEqual(r, { lit: true, outside: 0, digitLooksLikeADigit: true });
});

test("the simulated MAC is stable per gadget id, distinct between ids, and locally administered", (t) => {
  const m = cases.macs();
  t.is(m.a, m.again);
  t.not(m.a, m.b);
  for (const mac of [m.a, m.b]) t.regex(mac, /^02[0-9a-f]{10}$/);
});

test("the frame buffer clips fills to begin()'s area and refuses a fill outside an update", (t) => {
  t.deepEqual(cases.frameBufferClips(), { rows: ["....", ".##.", ".##."], outside: "FrameBuffer.fill: outside begin()/end()" });
});
