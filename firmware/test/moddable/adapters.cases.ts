// The ESP32 adapters (adapters/moddable/) in XS against fakes of Moddable's io classes and SDK
// modules (sdk/io.ts), so that a wrong option, a missed call or a wrong conversion fails here.
// Run by moddable-adapters-xs.test.ts, in XS only.

import { Backoff } from "@shipgate/protocol/backoff";
import { ModdableClock } from "../../adapters/moddable/clock";
import { ModdableDigitalInput, ModdableDigitalOutput } from "../../adapters/moddable/digital";
import { ModdableWifiNetwork } from "../../adapters/moddable/network";
import { ModdablePixelStrip } from "../../adapters/moddable/pixels";
import { PreferenceSettings } from "../../adapters/moddable/settings";
import { ModdableSpiBus } from "../../adapters/moddable/spi";
import { ModdableSystem } from "../../adapters/moddable/system";
import { ManualClock } from "../../adapters/node/manual-clock";
import {
  calls,
  clearPreferences,
  FakeDigital,
  FakeNeoPixel,
  FakeSNTP,
  FakeSPI,
  FakeTime,
  FakeTimer,
  FakeWiFi,
  installDeviceIo,
  instrumentation,
  preferenceWrites,
  resetReason,
  timers,
} from "./sdk/io";

function same(actual: unknown, expected: unknown, what: string): void {
  const a = JSON.stringify(actual);
  const e = JSON.stringify(expected);
  if (a !== e) throw new Error(`${what}: expected ${e}, got ${a}`);
}

function throws(fn: () => unknown, what: string): string {
  try {
    fn();
  } catch (e) {
    return String(e);
  }
  throw new Error(`${what}: did not throw`);
}

const log = () => {
  const lines: string[] = [];
  return { lines, info: (m: string) => void lines.push(m), warn: (m: string) => void lines.push(m) };
};

export default {
  "digital input: the pull-up mode, both edges, and onReadable reaches the listener": () => {
    installDeviceIo();
    const internal = new ModdableDigitalInput(34, "internal");
    const external = new ModdableDigitalInput(35, "external");
    const [a, b] = FakeDigital.all;
    same([a!.options.pin, a!.options.mode, (a!.options as { edge?: number }).edge], [34, FakeDigital.InputPullUp, FakeDigital.Rising | FakeDigital.Falling], "internal pull-up");
    same(b!.options.mode, FakeDigital.Input, "external pull-up: plain input");
    a!.edge(0); // before onChange: nobody to tell, nothing thrown
    let changes = 0;
    internal.onChange(() => changes++);
    a!.edge(1);
    a!.edge(0);
    same([changes, internal.read(), external.read()], [2, 0, 1], "edges and levels");
    internal.close();
    same(a!.closed, true, "closed");
    return changes;
  },
  "a throwing listener never reaches the driver's callback (it would abort the VM)": () => {
    installDeviceIo();
    const l = log();
    const button = new ModdableDigitalInput(34, "internal", l);
    button.onChange(() => {
      throw new Error("core bug");
    });
    FakeDigital.all[0]!.edge(0);
    FakeWiFi.all.length = 0;
    const net = new ModdableWifiNetwork({ ssid: "office", password: "pw", joinTimeoutMs: 20_000 }, new ManualClock(0), l, new Backoff({}, () => 0));
    net.start(
      () => {
        throw new Error("session bug");
      },
      () => {},
    );
    FakeWiFi.all[0]!.set(500);
    same(
      l.lines.filter((x) => x.includes("failed")),
      ["button GPIO 34: listener failed: Error: core bug", "wifi: callback failed: Error: session bug"],
      "traced",
    );
    return l.lines.length;
  },
  "digital output: starts off, writes levels, closes": () => {
    installDeviceIo();
    const led = new ModdableDigitalOutput(25);
    led.write(1);
    led.write(0);
    led.close();
    same(FakeDigital.all[0]!.options.mode, FakeDigital.Output, "output mode");
    same(calls, ["digital 25 write 0", "digital 25 write 1", "digital 25 write 0"], "starts off, then the levels written");
    same(FakeDigital.all[0]!.closed, true, "closed");
    return calls;
  },
  "SPI: the MAX7219 bus options, writes framed by flush(true), close": () => {
    installDeviceIo();
    const bus = new ModdableSpiBus({ clock: 18, mosi: 23, select: 5 }, 2, 1_000_000);
    bus.write(new Uint8Array([0x0c, 0x01]));
    bus.write(new Uint8Array([0x0c, 0x01]));
    bus.flush(true);
    bus.close();
    const spi = FakeSPI.all[0]!;
    same(spi.options, { clock: 18, out: 23, select: 5, active: 0, hz: 1_000_000, mode: 0, port: 2 }, "options");
    same(spi.closed, true, "closed");
    same(spi.frames, [[0x0c, 0x01, 0x0c, 0x01]], "one chip-select frame for both writes");
    return spi.frames;
  },
  "pixels: GRB order, 0xRRGGBB converted, full brightness, update sends, close": () => {
    FakeNeoPixel.all.length = 0;
    const ring = new ModdablePixelStrip(26, 12);
    ring.setPixel(0, 0xff8000);
    ring.setPixel(11, 0x0000ff);
    ring.update();
    ring.close();
    const np = FakeNeoPixel.all[0]!;
    same([np.options, np.brightness, ring.length, np.closed], [{ length: 12, pin: 26, order: "GRB" }, 255, 12, true], "strip");
    same([np.sent[0]![0], np.sent[0]![11]], [0x80ff00, 0x0000ff], "GRB on the wire");
    return throws(() => ring.setPixel(12, 0), "out of range");
  },
  "settings: Preference in the shipgate domain, NVS key limits, no rewrite of an equal value": () => {
    clearPreferences();
    const s = new PreferenceSettings();
    s.set("boot", 7);
    s.set("boot", 7);
    s.set("boot_fails", 1);
    same([s.get("boot"), s.get("boot_fails"), s.get("ssid")], [7, 1, undefined], "values");
    same(preferenceWrites, ["shipgate.boot", "shipgate.boot_fails"], "an equal value is not written again (flash wear)");
    s.delete("boot_fails");
    same(s.get("boot_fails"), undefined, "deleted");
    return throws(() => s.set("a_key_longer_than_15", 1), "long key");
  },
  "system: free memory from Instrumentation, the reset reason, the version": () => {
    resetReason.reason = 4;
    resetReason.string = "Panic";
    const panic = new ModdableSystem("1.2.3");
    resetReason.reason = 14;
    resetReason.string = "Invalid";
    const newer = new ModdableSystem("1.2.3");
    instrumentation.freeMemory = 48_000;
    const figures = [panic.restartReason(), newer.restartReason(), panic.freeHeap(), panic.version()];
    same(figures, ["Panic", "esp_reset_reason 14", 48_000, "1.2.3"], "system facts");
    return figures;
  },
  "clock: Time.ticks wrapping past 2^31 still moves forward; timers through Timer": () => {
    timers.length = 0;
    FakeTime.ticks = 0x7ffffff0 | 0;
    const clock = new ModdableClock();
    FakeTime.ticks = (0x7ffffff0 + 0x20) | 0; // negative now, as on the ESP32 after 24.8 days
    const now = clock.now();
    let fired = 0;
    const once = clock.after(-5, () => fired++);
    const every = clock.every(0, () => fired++);
    same([timers[0]!.interval, timers[1]!.interval, timers[1]!.repeat], [0, 1, true], "delays clamped");
    FakeTimer.fire(timers[0]!);
    FakeTimer.fire(timers[1]!);
    clock.cancel(every);
    clock.cancel(once);
    same([fired, timers[1]!.cleared], [2, true], "fired and cancelled");
    same(now, 0x20, "32 ms later across the wrap");
    return now;
  },
  "wifi: joins, reports up once it has an address, down and a rejoin with backoff on loss": () => {
    FakeWiFi.all.length = 0;
    FakeSNTP.all.length = 0;
    const clock = new ManualClock(0);
    const l = log();
    const net = new ModdableWifiNetwork({ ssid: "office", password: "pw", joinTimeoutMs: 20_000 }, clock, l, new Backoff({}, () => 0));
    const wifi = FakeWiFi.all[0]!;
    const seen: string[] = [];
    net.start(
      () => seen.push("up"),
      () => seen.push("down"),
    );
    same(wifi.joins, [{ SSID: "office", password: "pw" }], "join");
    wifi.set(500);
    same([seen, net.mac(), net.rssi()], [["up"], "a0b1c2d3e4f5", -58], "up, MAC and RSSI");
    wifi.set(200);
    same(seen, ["up", "down"], "down on loss");
    clock.advance(1000);
    same(wifi.joins.length, 2, "rejoined after the backoff");
    return l.lines.filter((x) => x.startsWith("wifi:"));
  },
  "wifi: a join that fails (wrong password) is retried; one that hangs is abandoned at the timeout": () => {
    FakeWiFi.all.length = 0;
    const clock = new ManualClock(0);
    const l = log();
    const net = new ModdableWifiNetwork({ ssid: "office", password: "wrong", joinTimeoutMs: 20_000 }, clock, l, new Backoff({}, () => 0));
    const wifi = FakeWiFi.all[0]!;
    net.start(
      () => {},
      () => {},
    );
    wifi.set(200); // the driver gives up: back to down
    clock.advance(1000);
    same(wifi.joins.length, 2, "retried");
    clock.advance(20_000); // no answer at all
    same(wifi.disconnects, 1, "a hung join is abandoned");
    return l.lines.filter((x) => x.startsWith("wifi:"));
  },
  "wifi with a time server: up only after SNTP set the clock": () => {
    FakeWiFi.all.length = 0;
    FakeSNTP.all.length = 0;
    FakeTime.setTo = undefined;
    const clock = new ManualClock(0);
    const net = new ModdableWifiNetwork({ ssid: "office", password: undefined, joinTimeoutMs: 20_000, timeServer: "pool.ntp.org" }, clock, log(), new Backoff({}, () => 0));
    const seen: string[] = [];
    net.start(
      () => seen.push("up"),
      () => seen.push("down"),
    );
    // An ESP32 starts in 1970: the adapter asks SNTP only while the clock was never set.
    const realNow = Date.now;
    Date.now = () => 1000;
    try {
      FakeWiFi.all[0]!.set(500);
    } finally {
      Date.now = realNow;
    }
    same([seen, FakeSNTP.all.length, FakeSNTP.all[0]?.options.host], [[], 1, "pool.ntp.org"], "waits for SNTP");
    FakeSNTP.all[0]!.callback(FakeSNTP.retry);
    FakeSNTP.all[0]!.callback(FakeSNTP.time, 1_767_225_600);
    same([seen, FakeTime.setTo], [["up"], 1_767_225_600], "clock set, then up");
    same(FakeWiFi.all[0]!.joins, [{ SSID: "office" }], "no password: SSID only");
    return FakeWiFi.all[0]!.joins;
  },
};
