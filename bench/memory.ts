// Issue 16, part 3: the gadget's memory at its realistic peak (firmware/test/memory-peak.scenario.ts:
// booted, connected, a view at the 2,048-byte limit with a 200-character summary scrolling, a full
// outbox, its reconnect and a burst of acks) against the manifest's fixed budget, measured in XS by
// the meter host (tools/xs/meter.ts, which says how its units map to the ESP32's). The test
// firmware/test/memory-budget.test.ts fails above 70 % of any of the three.
//
// What TLS adds comes from the SDK's sources (8.2.3), not from a measurement: the TLS socket and
// ssl/session are not in this repository and xsnap cannot run them.
// - session_419.js readPacket: one record buffer, `new ArrayBuffer(5, {maxByteLength: 32768})`,
//   resized to each record's length + 5; records carry at most 2^14 bytes of fragment
//   (maxFragmentSize 16384), so a full record needs 16,389 bytes of chunk and the buffer may grow
//   to 32,768.
// - session_419.js write: an SSLStream for records being written, as large as the write.

import { manifestBudget, measurePeak } from "../firmware/test/memory-budget";
import type { FigureSink } from "./figures";

export const SECTION = "Gadget memory budget (XS)";

export const TLS_FROM_SOURCES = Object.freeze({
  /** The record buffer's maxByteLength in session_419.js (readPacket). */
  recordBufferMaxBytes: 32_768,
  /** A full record: maxFragmentSize 16384 + the 5-byte header. */
  fullRecordBytes: 16_384 + 5,
});

export async function measureMemoryBudget(sink: FigureSink, log: (line: string) => void): Promise<void> {
  const budget = manifestBudget();
  const peak = await measurePeak();
  const c = { broker: "xs", n: 1, note: `peak at "${peak.peakStep}"; live after GC, over the loaded code; view ${peak.viewBytes} bytes` };
  log(`memory: ${peak.slots} slots, ${peak.chunkBytes} chunk bytes, ${peak.stackSlots} stack slots at "${peak.peakStep}"`);
  sink.add(SECTION, "App peak: heap slots", peak.slots, "slots", "lower", c);
  sink.add(SECTION, "App peak: share of the manifest's heap (4,928 slots)", (100 * peak.slots) / budget.heapSlots, "%", "lower", c);
  sink.add(SECTION, "App peak: chunk bytes (64-bit xsnap, an upper bound)", peak.chunkBytes, "bytes", "lower", c);
  sink.add(SECTION, "App peak: share of the manifest's chunk (78,848 bytes)", (100 * peak.chunkBytes) / budget.chunkBytes, "%", "lower", c);
  sink.add(SECTION, "App peak: stack slots", peak.stackSlots, "slots", "lower", c);
  sink.add(SECTION, "App peak: share of the manifest's stack (512 slots)", (100 * peak.stackSlots) / budget.stackSlots, "%", "lower", c);
  const sdk = { broker: "none", n: 0, note: "from the Moddable SDK 8.2.3 sources (ssl/session_419.js), not measured" };
  sink.add(SECTION, "TLS: record buffer, largest (maxByteLength)", TLS_FROM_SOURCES.recordBufferMaxBytes, "bytes", "lower", sdk);
  sink.add(SECTION, "TLS: one full record (2^14 fragment + header)", TLS_FROM_SOURCES.fullRecordBytes, "bytes", "lower", sdk);
}
