// Issue 9, part 3: frame cost on the device, inside XS 13.3 (xsnap-worker), per frame of each ring
// scene (2 x 24 LEDs), per MAX7219 frame (4 modules, static and scrolling) and per button event.
// Computrons are XS's deterministic count of executed work (tools/xs/README.md): the same on any
// machine, and relative costs carry over to the ESP32. Allocation is in slots (16 bytes each on the
// ESP32); string and ArrayBuffer chunks are not metered per command by xsnap.

import { fileURLToPath } from "node:url";
import { XsCaseRunner } from "../tools/xs/cases";
import type { FigureSink } from "./figures";

export const SECTION = "Frame cost on the device (XS)";

const CASES = fileURLToPath(new URL("./frames.cases.ts", import.meta.url));
/** Bytes per XS slot on the ESP32 (tools/xs/README.md). */
const SLOT_BYTES = 16;

export async function measureFrames(sink: FigureSink, repeats: number, log: (line: string) => void): Promise<void> {
  const cases = (await import("./frames.cases")).default;
  const runner = await XsCaseRunner.start(CASES);
  try {
    for (const name of Object.keys(cases)) {
      const m = await runner.measure(name, repeats);
      const unit = name.startsWith("button event") ? "event" : "frame";
      const unknown = Number.isNaN(m.slotsPerCall);
      // The harness subtracts an empty loop measured in its own command; their slot counts differ by
      // a few slots per command whatever the repeats, so less than one slot per 100 calls is nothing.
      const slots = unknown ? null : Math.abs(m.slotsPerCall) * m.repeats < m.repeats / 100 + 16 ? 0 : m.slotsPerCall;
      const c = { broker: "xs", n: m.repeats, note: unknown ? "a GC ran inside a single call: allocation unknown" : `steady state; raw ${m.slotsPerCall} slots per call` };
      log(`frames: ${name}: ${m.computePerCall.toFixed(0)} computrons, ${m.slotsPerCall} slots per ${unit}`);
      sink.add(SECTION, `${name}: computrons per ${unit}`, m.computePerCall, "computrons", "lower", c);
      sink.add(SECTION, `${name}: bytes allocated per ${unit}`, slots === null ? null : slots * SLOT_BYTES, "bytes", "lower", c);
    }
  } finally {
    await runner.close();
  }
}
