// Where the Moddable SDK's module names point in XS tests: the fakes in moddable/sdk/ (bundled by
// tools/xs/bundle.ts's module map). Used by the moddable-*-xs.test.ts files.

const sdk = (name: string) => decodeURIComponent(new URL(`./moddable/sdk/${name}.ts`, import.meta.url).pathname);

export const SDK_FAKES: Readonly<Record<string, string>> = Object.freeze({
  "mqtt/js": sdk("mqtt-js"),
  "embedded:io/socket/tcp/tls": sdk("tls-socket"),
  "embedded:network/interface/wifi": sdk("wifi"),
  neopixel: sdk("neopixel"),
  preference: sdk("preference"),
  instrumentation: sdk("instrumentation"),
  resetReason: sdk("reset-reason"),
  sntp: sdk("sntp"),
  time: sdk("time"),
  timer: sdk("timer"),
});
