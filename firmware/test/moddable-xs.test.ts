// The Moddable adapters in XS against fakes of the SDK's modules (firmware/test/moddable/sdk/),
// so a mistake in an adapter fails here, not on a device.
import test from "ava";
import { registerXsTests } from "../../tools/xs/cases";

const sdk = (name: string) => decodeURIComponent(new URL(`./moddable/sdk/${name}.ts`, import.meta.url).pathname);

export const SDK_FAKES: Readonly<Record<string, string>> = {
  "mqtt/js": sdk("mqtt-js"),
  "embedded:io/socket/tcp/tls": sdk("tls-socket"),
};

await registerXsTests(test, new URL("./moddable/mqtt-failures.cases.ts", import.meta.url), SDK_FAKES);
