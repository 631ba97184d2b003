// No network or TLS failure aborts: the Moddable MQTT adapter, mqtts transport and transport
// guard in XS over fakes of the SDK's mqtt/js, TLS socket, TCP and DNS (moddable/mqtt-failures.cases.ts).
import test from "ava";
import { registerXsTests } from "../../tools/xs/cases";
import { SDK_FAKES } from "./sdk-fakes";

await registerXsTests(test, new URL("./moddable/mqtt-failures.cases.ts", import.meta.url), SDK_FAKES);
