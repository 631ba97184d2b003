// One steady-state App frame per call, for allocation metering in XS (app-xs.test.ts): the App is
// built, online and showing an animated view with scrolling text when the bundle loads.

import { App } from "../core/app";
import { loadConfig } from "../core/config";
import type { Clock, MqttHandlers, SpiBus, TimerHandle } from "../core/ports";
import { SimOutputPin, SimPin } from "../adapters/node/sim-pins";
import { SimPixelStrip } from "../adapters/node/sim-pixels";

let now = 0;
/** A clock whose time moves one frame per frame; timers are never due (the case calls frame()). */
const clock: Clock = {
  now: () => now,
  after: (): TimerHandle => 0,
  every: (): TimerHandle => 0,
  cancel: () => {},
};
let handlers: MqttHandlers | undefined;
const pins = { approve: new SimPin(), reject: new SimPin(), release: new SimPin(), sync: new SimPin() };
/** A bus that drops the bytes: SimMax7219Chain records every latch, which would count as the app's. */
const spi: SpiBus & { bytes: number } = {
  bytes: 0,
  write(b) {
    this.bytes += b.length;
  },
  flush() {},
  close() {},
};
const leds = { approve: new SimOutputPin(), reject: new SimOutputPin(), release: new SimOutputPin(), sync: new SimOutputPin() };
const ringA = new SimPixelStrip(12);
const ringB = new SimPixelStrip(12);
const values: { [k: string]: number | string | boolean } = {};
const app = new App({
  config: loadConfig({ broker: "mqtt://h:1883", gadget: "desk-1" }),
  clock,
  log: { info: () => {}, warn: () => {} },
  mqtt: {
    connect: (_o, h) => {
      handlers = h;
    },
    publish: () => {},
    subscribe: () => {},
    end: () => {},
  },
  network: { start: (up) => up(), rssi: () => 0, mac: () => "000000000000" },
  system: { freeHeap: () => 0, restartReason: () => "", version: () => "1" },
  settings: {
    get: (k) => values[k],
    set: (k, v) => {
      values[k] = v;
    },
    delete: () => {},
  },
  buttons: pins,
  leds,
  ringA,
  ringB,
  spi,
  // A minute-long hold: the fill moves during the metered frames, the hold itself never completes.
  tuning: { buttons: { holdMs: 60_000 } },
});
app.start();
handlers!.onConnect();
handlers!.onMessage(
  "shipgate/v1/gadgets/desk-1/view",
  new TextEncoder().encode(
    JSON.stringify({
      mode: "default",
      head: { id: "3f2b8c1e-0d4a-4f7e-9c61-2a5d8e7f9b10", pipeline: "api", step: "deploy-prod", summary: "v1.4.2 by alice" },
      queue: 1,
      rings: [{ scene: "locked" }, { scene: "syncing", progress: 400, segments: [{ start: 0, count: 3, scene: "building" }] }],
      display: { kind: "text", text: "" },
      can_decide: true,
      sync_ready: 0,
      at: "2026-11-20T15:04:05.000Z",
    }),
  ),
);
// A release press whose ack never comes: its LED blinks during the metered frames.
pins.release.press();
for (let i = 0; i < 10; i++) {
  now += 17;
  app.frame();
}
pins.release.release();
for (let i = 0; i < 10; i++) {
  now += 17;
  app.frame();
}
pins.sync.press(); // held: the hold fill is live on ring B

export default {
  frame: () => {
    now += 17;
    app.frame();
    return spi.bytes > 0 && ringA.updates > 0 && leds.release.toggles > 0;
  },
};
