// The gadget's realistic peak, for the memory budget (memory-budget.test.ts, bench/memory.ts):
// the whole App booted and connected, a view at the protocol's size limit whose head lock has a
// 200-character summary scrolling on the matrix, the outbox full (16 presses while the link is
// down), the reconnect that sends them all, and the burst of acks that answers them. It runs in
// the meter host only (tools/xs/meter-host.c): meter() collects garbage and reads the machine.

import { GADGET_VIEW_MAX_BYTES } from "@shipgate/protocol/limits";
import { App } from "../core/app";
import { loadConfig } from "../core/config";
import type { MqttConnectOptions, MqttHandlers, MqttPort, NetworkPort, Settings } from "../core/ports";
import { ManualClock } from "../adapters/node/manual-clock";
import { SimPin } from "../adapters/node/sim-pins";
import { SimPixelStrip } from "../adapters/node/sim-pixels";
import { SimMax7219Chain } from "../adapters/node/sim-spi";

declare function meter(): number[];
declare function paintStack(): void;

class Loopback implements MqttPort {
  handlers: MqttHandlers | undefined;
  readonly events: string[] = [];
  connect(_o: MqttConnectOptions, h: MqttHandlers): void {
    this.handlers = h;
  }
  publish(topic: string, payload: string): void {
    if (topic.endsWith("/event")) this.events.push(payload);
  }
  subscribe(): void {}
  end(): void {}
}

const encoder = new TextEncoder();
const x = (n: number, c = "x") => c.repeat(n);

/** A view at the size limit: the longest head the checks allow, four rings of segments, a long display text. */
function fullView(): Uint8Array {
  const segments = [];
  for (let i = 0; i < 6; i++) segments.push({ start: i * 2, count: 2, scene: "locked" });
  const view = {
    mode: "default",
    head: { id: "3f2b8c1e-0d4a-4f7e-9c61-2a5d8e7f9b10", pipeline: x(100, "p"), step: x(100, "s"), summary: x(200, "S") },
    queue: 999_999,
    rings: [
      { scene: "locked", progress: 500, segments },
      { scene: "out_of_sync", segments },
      { scene: "locked", segments },
      { scene: "locked", segments },
    ],
    display: { kind: "text", text: "" },
    can_decide: true,
    sync_ready: 9999,
    at: "2026-11-20T15:04:05.000Z",
  };
  const room = GADGET_VIEW_MAX_BYTES - encoder.encode(JSON.stringify(view)).byteLength;
  view.display.text = x(Math.max(0, Math.min(200, room)), "D");
  return encoder.encode(JSON.stringify(view));
}

export function runPeak(): { steps: { [step: string]: number[] }; viewBytes: number; depth: number } {
  const steps: { [step: string]: number[] } = {};
  steps.baseline = meter();
  const depth = steps.baseline[4]!;
  paintStack();

  const clock = new ManualClock(1000);
  const mqtt = new Loopback();
  const values: { [k: string]: string | number | boolean } = { boot: 41 };
  const settings: Settings = {
    get: (k) => values[k],
    set: (k, v) => {
      values[k] = v;
    },
    delete: (k) => {
      delete values[k];
    },
  };
  const network: NetworkPort = { start: (up) => up(), rssi: () => -61, mac: () => "a0b1c2d3e4f5" };
  const pins = { approve: new SimPin(), reject: new SimPin(), release: new SimPin(), sync: new SimPin() };
  const led = () => ({
    level: 0,
    write(level: 0 | 1) {
      this.level = level;
    },
    close() {},
  });
  const leds = { approve: led(), reject: led(), release: led(), sync: led() };
  const app = new App({
    config: loadConfig({ broker: "mqtts://bridge.example:8883", gadget: "desk-1", secret: x(32, "k") }),
    clock,
    log: { info: () => {}, warn: () => {} },
    mqtt,
    network,
    settings,
    system: { freeHeap: () => 40_000, restartReason: () => "power-on", version: () => "1.0.0" },
    buttons: pins,
    leds,
    ringA: new SimPixelStrip(12),
    ringB: new SimPixelStrip(12),
    spi: new SimMax7219Chain(4),
    random: () => 0.5,
  });
  app.start();
  clock.advance(100);
  steps.booted = meter();

  mqtt.handlers!.onConnect();
  clock.advance(100);
  steps.connected = meter();

  const view = fullView();
  mqtt.handlers!.onMessage("shipgate/v1/gadgets/desk-1/view", view);
  if (app.view === null) throw new Error("the full-size view was refused");
  clock.advance(5000); // the head's text scrolls
  steps["full view, scrolling"] = meter();

  mqtt.handlers!.onClose("closed");
  const tap = (pin: SimPin) => {
    pin.press();
    clock.advance(80);
    pin.release();
    clock.advance(400);
  };
  for (let i = 0; i < 16; i++) tap(i % 2 === 0 ? pins.approve : pins.reject);
  if (app.outboxSize !== 16) throw new Error(`outbox holds ${app.outboxSize}, expected 16`);
  steps["outbox full"] = meter();

  clock.advance(2000); // the backoff's retry
  mqtt.handlers!.onConnect();
  if (mqtt.events.length !== 16) throw new Error(`${mqtt.events.length} events sent on reconnect, expected 16`);
  steps["reconnected, 16 sent"] = meter();

  for (const payload of mqtt.events) {
    const event = JSON.parse(payload) as { boot: number; seq: number };
    mqtt.handlers!.onMessage("shipgate/v1/gadgets/desk-1/ack", encoder.encode(JSON.stringify({ boot: event.boot, seq: event.seq, ok: true, message: "needs 1 more" })));
  }
  clock.advance(500);
  steps["burst of acks"] = meter();
  return { steps, viewBytes: view.byteLength, depth };
}
