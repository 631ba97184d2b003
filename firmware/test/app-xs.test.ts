// The whole App in XS 13.3 and on Node (app-xs.cases.ts), and the cost of one frame in XS.
import test from "ava";
import { measureInXs, registerXsAndNodeTests } from "../../tools/xs/cases";

await registerXsAndNodeTests(test, new URL("./app-xs.cases.ts", import.meta.url));

test("one App frame (buttons, two animated rings, a scrolling matrix) allocates nothing in XS", async (t) => {
  const m = await measureInXs(new URL("./app-frame.cases.ts", import.meta.url).pathname, "frame", 200);
  t.log(`XS: ${m.computePerCall.toFixed(0)} computrons and ${m.slotsPerCall} slots per App frame`);
  t.true(m.slotsPerCall <= 0, `${m.slotsPerCall} slots per frame`);
});
