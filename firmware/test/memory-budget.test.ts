// Issue 16: the whole App through its realistic peak in XS must need at most 70 % of the
// manifest's heap slots, chunk bytes and stack (memory-budget.ts; figures in docs/performance.md).
import test from "ava";
import { manifestBudget, measurePeak } from "./memory-budget";

const SHARE = 0.7;

test("the App's peak fits in 70 % of the manifest's heap, chunk and stack", async (t) => {
  const budget = manifestBudget();
  const peak = await measurePeak();
  t.log(`peak at "${peak.peakStep}": ${peak.slots} slots of ${budget.heapSlots}, ${peak.chunkBytes} chunk bytes of ${budget.chunkBytes}, ${peak.stackSlots} stack slots of ${budget.stackSlots}`);
  for (const [step, s] of Object.entries(peak.steps)) t.log(`  ${step}: ${s.slots} slots, ${s.chunkBytes} chunk bytes`);
  t.true(peak.viewBytes > 1900, `the view is near the 2,048-byte limit (${peak.viewBytes})`);
  t.true(peak.slots <= SHARE * budget.heapSlots, `${peak.slots} slots > 70 % of ${budget.heapSlots}`);
  t.true(peak.chunkBytes <= SHARE * budget.chunkBytes, `${peak.chunkBytes} chunk bytes > 70 % of ${budget.chunkBytes}`);
  t.true(peak.stackSlots <= SHARE * budget.stackSlots, `${peak.stackSlots} stack slots > 70 % of ${budget.stackSlots}`);
});
