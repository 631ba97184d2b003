// Runs backoff.cases.ts on Node and in XS 13.3 and checks both agree.
import test from "ava";
import { registerXsAndNodeTests } from "../../tools/xs/cases";

await registerXsAndNodeTests(test, new URL("./backoff.cases.ts", import.meta.url));
