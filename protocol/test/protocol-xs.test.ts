// The protocol cases run on Node and inside the real XS engine, and must agree.
import test from "ava";
import { registerXsAndNodeTests } from "../../tools/xs/cases";

await registerXsAndNodeTests(test, new URL("./protocol.cases.ts", import.meta.url));
