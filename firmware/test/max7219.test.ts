// The MAX7219 byte stream checked against the datasheet (Maxim MAX7219/MAX7221, Table 2 register
// map; 16-bit packets MSB first, address in D11-D8; in a daisy chain the first packet shifted ends in
// the last chip), and pixels decoded by the simulated chips. On Node and in XS.

import test from "ava";
import { registerXsAndNodeTests } from "../../tools/xs/cases";
import cases from "./max7219.cases";

await registerXsAndNodeTests(test, new URL("./max7219.cases.ts", import.meta.url));

const all4 = (packet: string): string => packet.repeat(4) + " |";

test("matrix init writes Display Test 0, Scan Limit 7, Decode 0, Intensity, Shutdown 1 (normal), then blank digits, each to all chips in one latched transfer", (t) => {
  const expected = [all4("0f00"), all4("0b07"), all4("0900"), all4("0a03"), all4("0c01"), ...[1, 2, 3, 4, 5, 6, 7, 8].map((d) => all4("0" + d + "00"))].join(" ");
  t.is(cases.matrixInitStream(), expected);
});

test("7-segment init: decode 0xFF for code B, 0x00 for our segment table; intensity clamps to 0x0F", (t) => {
  t.deepEqual(cases.seg7InitStreams(), {
    codeB: "0f00 | 0b07 | 09ff | 0a0f | 0c01 |",
    segments: "0f00 | 0b07 | 0900 | 0a0f | 0c01 |",
  });
});

test("daisy chain: chip 3's packet is shifted first, chip 0's last, and each chip latches its own", (t) => {
  t.deepEqual(cases.daisyChainOrder(), { stream: "03a303a203a103a0 |", digit2: [0xa0, 0xa1, 0xa2, 0xa3] });
});

test("control registers as the chips latch them", (t) => {
  t.deepEqual(cases.controlRegisters(), {
    powerUpShutdown: 0,
    after: { decode: 0, intensity: 5, scanLimit: 7, shutdown: 1, displayTest: 0 },
    clamped: 15,
    testAllLit: true,
    shutdownWritten: 0,
    misaligned: 0,
  });
});

test("every packet addresses a register of Table 2, one packet per chip per latch", (t) => {
  const r = cases.streamUsesOnlyDatasheetRegisters();
  t.is(r.bad, 0);
  t.is(r.misaligned, 0);
  t.true(r.latches >= 13);
});

test("the simulated chain keeps only its last latches and counts every one", (t) => {
  t.deepEqual(cases.simKeepsOnlyTheLastLatches(), { kept: 8, counted: true, lastHasAllChips: 4, misaligned: 0 });
});

test("the letter A lands on columns 0-4 of the panel", (t) => {
  const img = cases.letterAOnPanel();
  t.deepEqual(
    img.map((row) => row.slice(0, 5)),
    [".###.", "#...#", "#...#", "#####", "#...#", "#...#", "#...#", "....."],
  );
  t.true(img.every((row) => row.slice(5) === ".".repeat(27)));
});

test("other wirings show the same picture when the driver knows the wiring", (t) => {
  const [a, b, c] = cases.otherWirings();
  t.deepEqual(b, a);
  t.deepEqual(c, a);
  t.is(a![0], "....###.........");
});

test("a repeated picture sends nothing; one changed row sends one transfer", (t) => {
  t.deepEqual(cases.sendsOnlyChangedRows(), { again: 0, oneRow: 1 });
});
