// The App's way out of failures, in XS and on Node: safe mode after three boots in a row that
// never reached the broker (core/boot-record.ts), and timer callbacks that throw (GuardedClock).
// Registered by app-resilience.test.ts.

import { App, BOOT_FAILS_KEY } from "../core/app";
import { loadConfig } from "../core/config";
import type { MqttConnectOptions, MqttHandlers, MqttPort, NetworkPort, Settings } from "../core/ports";
import { GuardedClock } from "../core/guarded-clock";
import { ManualClock } from "../adapters/node/manual-clock";

function same(actual: unknown, expected: unknown, what: string): void {
  const a = JSON.stringify(actual);
  const e = JSON.stringify(expected);
  if (a !== e) throw new Error(`${what}: expected ${e}, got ${a}`);
}

class Broker implements MqttPort {
  handlers: MqttHandlers | undefined;
  connects = 0;
  connect(_o: MqttConnectOptions, h: MqttHandlers): void {
    this.handlers = h;
    this.connects++;
  }
  publish(): void {}
  subscribe(): void {}
  end(): void {}
}

/** Preference as a plain object that outlives each "boot" (an App made and dropped). */
function nvs(values: { [k: string]: string | number | boolean } = {}): Settings & { values: typeof values } {
  return {
    values,
    get: (k) => values[k],
    set: (k, v) => {
      values[k] = v;
    },
    delete: (k) => {
      delete values[k];
    },
  };
}

function boot(settings: Settings, rssi: () => number = () => -60) {
  const clock = new ManualClock(0);
  const mqtt = new Broker();
  const lines: string[] = [];
  const network: NetworkPort = { start: (up) => up(), rssi, mac: () => "a0b1c2d3e4f5" };
  const app = new App({
    config: loadConfig({ broker: "mqtt://bridge.local:1883", gadget: "desk-1" }, settings),
    clock,
    log: { info: (m) => lines.push(m), warn: (m) => lines.push(m) },
    mqtt,
    network,
    settings,
    system: { freeHeap: () => 40_000, restartReason: () => "panic", version: () => "1.0.0" },
    buttons: {},
    random: () => 0,
  });
  app.start();
  return { app, clock, mqtt, lines };
}

export default {
  "three boots that never reach the broker: the fourth comes up in safe mode, and the fifth tries again": () => {
    const settings = nvs();
    const seen: unknown[] = [];
    for (let i = 1; i <= 3; i++) {
      const b = boot(settings);
      seen.push([b.app.safeMode, b.app.sessionState, settings.values[BOOT_FAILS_KEY]]);
      // ...and the device restarts (a crash, a watchdog) before CONNACK.
    }
    same(
      seen,
      [
        [false, "connecting", 1],
        [false, "connecting", 2],
        [false, "connecting", 3],
      ],
      "each failed boot counted",
    );
    const safe = boot(settings);
    same([safe.app.safeMode, safe.app.sessionState, safe.app.displayText, safe.mqtt.connects], [true, "setup", "SETUP", 0], "safe mode: setup screen, no connection");
    same(
      safe.lines.some((l) => l.startsWith("boot: 3 boots in a row ended before reaching the broker; safe mode")),
      true,
      "safe mode says why",
    );
    same(settings.values[BOOT_FAILS_KEY], 0, "the safe boot clears the count");
    const next = boot(settings);
    same([next.app.safeMode, next.mqtt.connects], [false, 1], "the next boot tries the configuration again");
    return settings.values;
  },
  "a boot that reaches the broker clears the count": () => {
    const settings = nvs({ [BOOT_FAILS_KEY]: 2 });
    const b = boot(settings);
    same(settings.values[BOOT_FAILS_KEY], 3, "counted as failed until the broker answers");
    b.mqtt.handlers!.onConnect();
    same(settings.values[BOOT_FAILS_KEY], 0, "cleared on CONNACK");
    const again = boot(settings);
    return [again.app.safeMode, settings.values[BOOT_FAILS_KEY]];
  },
  "safe mode ignores the stored overrides the way main.ts loads them": () => {
    // A stored broker that crashes the gadget; main.ts loads without the overrides in safe mode.
    const settings = nvs({ [BOOT_FAILS_KEY]: 3, broker: "mqtt://crashing.example:1883" });
    const withOverrides = loadConfig({ broker: "mqtt://bridge.local:1883", gadget: "desk-1" }, settings).config.broker;
    const defaults = loadConfig({ broker: "mqtt://bridge.local:1883", gadget: "desk-1" }).config.broker;
    const b = boot(settings);
    return [withOverrides, defaults, b.app.safeMode];
  },
  "a timer callback that throws is traced and counted; its timer and the others keep running": () => {
    const clock = new ManualClock(0);
    const lines: string[] = [];
    const guarded = new GuardedClock(clock, { info: (m) => lines.push(m), warn: (m) => lines.push(m) });
    let ticks = 0;
    let thrown = 0;
    guarded.every(10, () => {
      thrown++;
      throw new Error("store is read-only");
    });
    guarded.every(10, () => void ticks++);
    guarded.after(25, () => {
      throw new TypeError("late");
    });
    clock.advance(35); // on the device, each throw would have aborted the VM
    same([thrown, ticks, guarded.failures], [3, 3, 4], "every callback ran, every throw counted");
    return lines;
  },
  "a heartbeat whose RSSI read throws is traced; the gadget stays online and keeps its heartbeat timer": () => {
    let reads = 0;
    const b = boot(nvs(), () => {
      reads++;
      throw new Error("wifi: not associated");
    });
    b.mqtt.handlers!.onConnect();
    b.clock.advance(30_000);
    same([b.app.online, reads], [true, 2], "online, heartbeat attempted at connect and after 30 s");
    return b.lines.filter((l) => l.startsWith("heartbeat:"));
  },
};
