// The gadget's memory at its peak (memory-peak.scenario.ts) against the manifest's fixed budget,
// measured in XS by the meter host (tools/xs/meter.ts). Shared by memory-budget.test.ts and
// bench/memory.ts.

import { readFileSync } from "node:fs";
import { runMetered } from "../../tools/xs/meter";

const here = (p: string) => decodeURIComponent(new URL(p, import.meta.url).pathname);

export interface Budget {
  heapSlots: number;
  chunkBytes: number;
  stackSlots: number;
}

/** The root manifest's creation: heap and chunk with no increments, and the stack. */
export function manifestBudget(): Budget {
  const manifest = JSON.parse(readFileSync(here("../../manifest.json"), "utf8")) as {
    creation: { heap: { initial: number }; chunk: { initial: number }; stack: number };
  };
  return { heapSlots: manifest.creation.heap.initial, chunkBytes: manifest.creation.chunk.initial, stackSlots: manifest.creation.stack };
}

export interface PeakFigures {
  /** Live slots (after GC) the App adds at its peak step, over the loaded code. */
  slots: number;
  /** Live chunk bytes likewise (64-bit xsnap: an upper bound of the ESP32's). */
  chunkBytes: number;
  /** Stack slots the deepest call path needed, from the scenario's top level. */
  stackSlots: number;
  /** The step that held the most slots. */
  peakStep: string;
  viewBytes: number;
  steps: { [step: string]: { slots: number; chunkBytes: number } };
}

export async function measurePeak(): Promise<PeakFigures> {
  const scenario = here("./memory-peak.scenario.ts");
  const raw = (await runMetered(`import { runPeak } from ${JSON.stringify(scenario)};\nprint(JSON.stringify(runPeak()));`, "memory-peak")) as {
    steps: { [step: string]: number[] };
    viewBytes: number;
    depth: number;
  };
  const base = raw.steps.baseline!;
  const steps: PeakFigures["steps"] = {};
  let slots = 0;
  let chunkBytes = 0;
  let stackPeak = 0;
  let peakStep = "";
  for (const [name, m] of Object.entries(raw.steps)) {
    if (name === "baseline") continue;
    const s = { slots: m[0]! - base[0]!, chunkBytes: m[1]! - base[1]! };
    steps[name] = s;
    if (s.slots > slots) {
      slots = s.slots;
      peakStep = name;
    }
    chunkBytes = Math.max(chunkBytes, s.chunkBytes);
    stackPeak = Math.max(stackPeak, m[5]!);
  }
  return { slots, chunkBytes, stackSlots: stackPeak - raw.depth, peakStep, viewBytes: raw.viewBytes, steps };
}
