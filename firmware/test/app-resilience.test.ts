// Safe mode and throwing timer callbacks, in XS 13.3 and on Node (app-resilience.cases.ts).
import test from "ava";
import { registerXsAndNodeTests } from "../../tools/xs/cases";

await registerXsAndNodeTests(test, new URL("./app-resilience.cases.ts", import.meta.url));
