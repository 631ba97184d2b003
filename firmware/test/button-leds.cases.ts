// The buttons' LEDs through the whole App: lit when a press would do something under the view,
// blinking while the press waits for its ack, steady again after the ack, all off in setup and
// after stop. Portable cases, run on Node and in XS 13.3 (button-leds.test.ts).

import type { GadgetView } from "@shipgate/protocol/messages";
import { App } from "../core/app";
import { ButtonLeds } from "../core/button-leds";
import { loadConfig } from "../core/config";
import { buttonLit } from "../core/intents";
import type { MqttHandlers, MqttPort } from "../core/ports";
import { ManualClock } from "../adapters/node/clock";
import { SimOutputPin, SimPin } from "../adapters/node/sim-pins";

function same(actual: unknown, expected: unknown, what: string): void {
  const a = JSON.stringify(actual);
  const e = JSON.stringify(expected);
  if (a !== e) throw new Error(`${what}: expected ${e}, got ${a}`);
}

const LOCK = "3f2b8c1e-0d4a-4f7e-9c61-2a5d8e7f9b10";
const HEAD = { id: LOCK, pipeline: "api", step: "prod", summary: "v2" };

function view(over: Partial<GadgetView> = {}): GadgetView {
  return {
    mode: "default",
    head: HEAD,
    queue: 1,
    rings: [{ scene: "locked" }, { scene: "idle" }],
    display: { kind: "text", text: "" },
    can_decide: true,
    sync_ready: 0,
    at: "2026-11-20T15:04:05.000Z",
    ...over,
  };
}

class Loopback implements MqttPort {
  handlers: MqttHandlers | undefined;
  readonly events: { button: string; boot: number; seq: number }[] = [];
  connect(_o: unknown, h: MqttHandlers): void {
    this.handlers = h;
  }
  publish(topic: string, payload: string): void {
    if (topic.endsWith("/event")) this.events.push(JSON.parse(payload) as { button: string; boot: number; seq: number });
  }
  subscribe(): void {}
  end(): void {}
  deliver(topic: string, body: unknown): void {
    this.handlers!.onMessage("shipgate/v1/gadgets/desk-1/" + topic, new TextEncoder().encode(JSON.stringify(body)));
  }
}

function gadget(config: { [k: string]: unknown } = { broker: "mqtt://bridge.local:1883", gadget: "desk-1" }) {
  const clock = new ManualClock(0);
  const mqtt = new Loopback();
  const pins = { approve: new SimPin(), reject: new SimPin(), release: new SimPin(), sync: new SimPin() };
  const leds = { approve: new SimOutputPin(), reject: new SimOutputPin(), release: new SimOutputPin(), sync: new SimOutputPin() };
  const values: { [k: string]: string | number | boolean } = {};
  const app = new App({
    config: loadConfig(config),
    clock,
    log: { info: () => {}, warn: () => {} },
    mqtt,
    network: { start: (up) => up(), rssi: () => 0, mac: () => "a0b1c2d3e4f5" },
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
    random: () => 0,
  });
  const lit = () => [leds.approve.level, leds.reject.level, leds.release.level, leds.sync.level];
  const tap = (button: keyof typeof pins) => {
    pins[button].press();
    clock.advance(100);
    pins[button].release();
    clock.advance(60);
  };
  return { app, clock, mqtt, pins, leds, lit, tap };
}

/** Levels of one LED sampled every 25 ms over `ms`. */
function sample(g: ReturnType<typeof gadget>, button: "approve" | "reject" | "release" | "sync", ms: number): number[] {
  const out: number[] = [];
  for (let t = 0; t < ms; t += 25) {
    g.clock.advance(25);
    out.push(g.leds[button].level);
  }
  return out;
}

export default {
  "which press would do something, per view": () => {
    const table = [view(), view({ can_decide: false }), view({ head: null }), view({ mode: "released" }), view({ sync_ready: 3 })].map((v) => [
      buttonLit("approve", v),
      buttonLit("reject", v),
      buttonLit("release", v),
      buttonLit("sync", v),
    ]);
    same(
      table,
      [
        [true, true, true, false],
        [false, false, true, false],
        [false, false, true, false],
        [true, true, false, false],
        [true, true, true, true],
      ],
      "lit table",
    );
    same([buttonLit("approve", null), buttonLit("release", null), buttonLit("sync", null)], [false, false, false], "no view");
    return table;
  },
  "all off before the first view; the view lights what a press would do": () => {
    const g = gadget();
    g.app.start();
    g.mqtt.handlers!.onConnect();
    g.clock.advance(50);
    same(g.lit(), [0, 0, 0, 0], "before the view");
    g.mqtt.deliver("view", view({ sync_ready: 2 }));
    g.clock.advance(20);
    same(g.lit(), [1, 1, 1, 1], "lock to decide, default mode, apps to sync");
    g.mqtt.deliver("view", view({ head: null, mode: "released" }));
    g.clock.advance(20);
    same(g.lit(), [0, 0, 0, 0], "nothing to decide, already released, nothing to sync");
    return g.lit();
  },
  "a press blinks its LED until the ack, then the LED follows the view again": () => {
    const g = gadget();
    g.app.start();
    g.mqtt.handlers!.onConnect();
    g.mqtt.deliver("view", view());
    g.tap("approve");
    same(g.mqtt.events.length, 1, "approve sent");
    const blinking = sample(g, "approve", 500);
    // 125 ms on, 125 ms off: both levels, and about four changes in half a second.
    let changes = 0;
    for (let i = 1; i < blinking.length; i++) if (blinking[i] !== blinking[i - 1]) changes++;
    same([blinking.indexOf(0) >= 0, blinking.indexOf(1) >= 0, changes >= 3 && changes <= 5], [true, true, true], `blinks while waiting (${blinking.join("")})`);
    same(g.leds.reject.level, 1, "reject, not pressed, stays steady");
    const e = g.mqtt.events[0]!;
    g.mqtt.deliver("ack", { boot: e.boot, seq: e.seq, ok: true, message: "APPROVED" });
    // The bridge's next view has no lock left to decide.
    g.mqtt.deliver("view", view({ head: null }));
    const after = sample(g, "approve", 300);
    same(after.join(""), "000000000000", "off after the ack: no lock left");
    return { blinking: blinking.join(""), changes };
  },
  "no ack: the LED stops blinking at the timeout and shows the view again": () => {
    const g = gadget();
    g.app.start();
    g.mqtt.handlers!.onConnect();
    g.mqtt.deliver("view", view());
    g.tap("reject");
    g.clock.advance(3000);
    const steady = sample(g, "reject", 300);
    same(steady.join(""), "111111111111", "steady again: the lock still waits");
    return steady.join("");
  },
  "a press queued while offline blinks until it is sent and acked": () => {
    const g = gadget();
    g.app.start();
    g.mqtt.handlers!.onConnect();
    g.mqtt.deliver("view", view());
    g.mqtt.handlers!.onClose();
    g.tap("release");
    same(g.app.outboxSize, 1, "queued");
    const queued = sample(g, "release", 250);
    same([queued.indexOf(0) >= 0, queued.indexOf(1) >= 0], [true, true], "blinks while queued");
    g.clock.advance(1000); // backoff: the session reconnects
    g.mqtt.handlers!.onConnect();
    same(g.mqtt.events.length, 1, "sent on reconnect");
    const e = g.mqtt.events[0]!;
    g.mqtt.deliver("ack", { boot: e.boot, seq: e.seq, ok: true });
    g.mqtt.deliver("view", view({ mode: "released" }));
    same(sample(g, "release", 250).join(""), "0000000000", "already released: off");
    return queued.join("");
  },
  "in setup every LED stays off; stop turns them off and frees the pins": () => {
    const setup = gadget({ gadget: "desk-1" });
    setup.app.start();
    setup.clock.advance(200);
    same(setup.lit(), [0, 0, 0, 0], "setup");
    const g = gadget();
    g.app.start();
    g.mqtt.handlers!.onConnect();
    g.mqtt.deliver("view", view({ sync_ready: 1 }));
    g.clock.advance(20);
    same(g.lit(), [1, 1, 1, 1], "lit");
    g.app.stop();
    same([g.lit(), g.leds.approve.closed, g.leds.sync.closed], [[0, 0, 0, 0], true, true], "after stop");
    return g.lit();
  },
  "frames write a pin only when its level changes": () => {
    const out = new SimOutputPin();
    const leds = new ButtonLeds({ sync: out }, { blinkMs: 100 });
    for (let t = 0; t < 1000; t += 17) leds.frame(t);
    same([out.writes, out.level], [1, 0], "one write while off");
    leds.setLit("sync", true);
    for (let t = 1000; t < 2000; t += 17) leds.frame(t);
    same([out.writes, out.level], [2, 1], "one more when lit");
    leds.setWaiting("sync", true);
    for (let t = 2000; t < 3000; t += 17) leds.frame(t);
    // Lit at 2000 is also the blink's on phase: changes at 2100, 2200, ... 2900.
    same(out.toggles, 1 + 9, "nine changes in a second of 100 ms blinking");
    return out.writes;
  },
};
