// The gadget's entry point on the device, and the one place that reads mc/config and maps it to
// hardware: each port of core/ports.ts gets its Moddable adapter, then the core App runs.
// "shipgate/adapters/board/*" are the adapters bound to hardware: the manifest maps them to
// adapters/moddable/ on the ESP32 and to adapters/sim/ in the Moddable simulator (lin, mac, win).
//
// A part that fails to start (a pin in use, no RMT channel left) is logged and left out instead
// of stopping the gadget: the app runs without that ring, button or display, as node-red-mcu
// shows a status for missing hardware instead of crashing.

// First import: protocol modules build their TextDecoder when they load.
import "./adapters/moddable/text-globals";

import config from "mc/config";
import type { ButtonName } from "@shipgate/protocol/messages";
import { App } from "./core/app";
import { BootGuard } from "./core/boot-record";
import { Backoff } from "@shipgate/protocol/backoff";
import { loadConfig } from "./core/config";
import { GuardedClock } from "./core/guarded-clock";
import type { DigitalInput, DigitalOutput, PixelStrip, SpiBus } from "./core/ports";
import { ModdableClock } from "./adapters/moddable/clock";
import { ModdableDigitalInput, ModdableDigitalOutput, type PullUp } from "shipgate/adapters/board/digital";
import { TraceLog } from "./adapters/moddable/log";
import { ModdableMqtt } from "./adapters/moddable/mqtt";
import { installMqttsTransport } from "./adapters/moddable/mqtts";
import { ModdableWifiNetwork, WIFI_DEFAULTS } from "shipgate/adapters/board/network";
import { ModdablePixelStrip } from "shipgate/adapters/board/pixels";
import { PreferenceSettings } from "./adapters/moddable/settings";
import { ModdableSpiBus } from "shipgate/adapters/board/spi";
import { ModdableSystem } from "shipgate/adapters/board/system";
import { guardDeviceNetwork, LinkMonitor } from "./adapters/moddable/transport-guard";

const BUTTON_NAMES: readonly ButtonName[] = ["approve", "reject", "release", "sync"];

const log = new TraceLog();
const clock = new ModdableClock();
const settings = new PreferenceSettings();
// Safe mode (core/boot-record.ts): after three boots in a row that never reached the broker, the
// built-in configuration only, without the stored overrides one of which may be what fails.
const bootGuard = new BootGuard(settings, log);
const loaded = loadConfig(config, bootGuard.safeMode ? undefined : settings);
const c = loaded.config;

/** Runs make(); on failure logs what did not start and why, and returns undefined. */
function attempt<T>(what: string, make: () => T): T | undefined {
  try {
    return make();
  } catch (e) {
    log.warn(`${what}: did not start: ${String(e)}; running without it`);
    return undefined;
  }
}

// hardware/pinout.json: "external" where the board has pull-up resistors (GPIO 34-39 on the
// ESP32 have no internal ones), "internal" to use the chip's.
const pullUp: PullUp = config.buttons_pullup === "internal" ? "internal" : "external";

const buttons: { [b in ButtonName]?: DigitalInput } = {};
for (const name of BUTTON_NAMES) {
  const pin = c.pins[name];
  if (pin === undefined) continue;
  const input = attempt(`button ${name} (GPIO ${pin})`, () => new ModdableDigitalInput(pin, pullUp, log));
  if (input !== undefined) buttons[name] = input;
}

// The buttons' LEDs: hardware/pinout.json's led_<button> pins.
const leds: { [b in ButtonName]?: DigitalOutput } = {};
for (const name of BUTTON_NAMES) {
  const pin = c.pins[`led_${name}`];
  if (pin === undefined) continue;
  const output = attempt(`LED of button ${name} (GPIO ${pin})`, () => new ModdableDigitalOutput(pin));
  if (output !== undefined) leds[name] = output;
}

function ring(name: "ring_a" | "ring_b"): PixelStrip | undefined {
  const pin = c.pins[name];
  if (pin === undefined) return undefined;
  return attempt(`${name} (GPIO ${pin}, ${c.ringLeds} LEDs)`, () => new ModdablePixelStrip(pin, c.ringLeds));
}

function spiBus(): SpiBus | undefined {
  const { spi_clock: clockPin, spi_mosi: mosi, spi_select: select } = c.pins;
  if (clockPin === undefined || mosi === undefined || select === undefined) return undefined;
  return attempt(`MAX7219 SPI (port ${c.spiPort}, ${c.spiHz} Hz)`, () => new ModdableSpiBus({ clock: clockPin, mosi, select }, c.spiPort, c.spiHz));
}

// mqtts://: mqtt/js needs device.network.mqtts (adapters/moddable/mqtts.ts), trusting the CA from
// the "ca" key, and TLS needs a set clock, so the Wi-Fi adapter asks SNTP first.
const tls = c.broker?.startsWith("mqtts:") === true;
if (tls) {
  if (c.ca === undefined) {
    log.warn('config: ca is missing: an mqtts:// broker needs its CA certificate (mcconfig ca=<base64 DER> or the "ca" setting); the gadget trusts no server until then');
  } else {
    attempt("mqtts transport", () => installMqttsTransport(c.ca!));
  }
}

// No network or TLS failure may abort the VM (a restart on the ESP32): the SDK's transport
// classes are wrapped so a throw in their callbacks closes the connection and says why.
const linkMonitor = new LinkMonitor(log);
attempt("network guard", () => guardDeviceNetwork(linkMonitor));

const rings = config.rings === 1 || config.rings === "1" ? 1 : 2;
const version = typeof config.version === "string" ? config.version : "0.0.0";

const app = new App({
  config: loaded,
  clock,
  log,
  mqtt: new ModdableMqtt(linkMonitor, log),
  network: new ModdableWifiNetwork(
    { ssid: c.ssid, password: c.wifiPassword, joinTimeoutMs: WIFI_DEFAULTS.joinTimeoutMs, timeServer: tls ? (c.sntp ?? WIFI_DEFAULTS.timeServer) : undefined },
    // The adapter's join and retry timers, guarded like the core's.
    new GuardedClock(clock, log),
    log,
    new Backoff(),
  ),
  system: new ModdableSystem(version),
  settings,
  bootGuard,
  buttons,
  leds,
  ringA: ring("ring_a"),
  // hardware/pinout.json's "rings": a one-ring build leaves ring_b's pin unused.
  ringB: rings >= 2 ? ring("ring_b") : undefined,
  spi: spiBus(),
});
app.start();
