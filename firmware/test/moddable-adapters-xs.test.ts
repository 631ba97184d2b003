// The ESP32 adapters in XS against fakes of Moddable's io classes (moddable/adapters.cases.ts),
// so a mistake in an adapter fails here, not on a device.
import test from "ava";
import { registerXsTests } from "../../tools/xs/cases";
import { SDK_FAKES } from "./sdk-fakes";

await registerXsTests(test, new URL("./moddable/adapters.cases.ts", import.meta.url), SDK_FAKES);
