// The whole App inside XS 13.3 (and on Node, for comparison): config, session, buttons, outbox,
// signing, acks, rings and display, driven by a manual clock and a loopback MQTT port that stands
// in for the broker. Registered by app-xs.test.ts.

import { eventSigningText, type GadgetEvent } from "@shipgate/protocol/messages";
import { hmacHex } from "@shipgate/protocol/hmac";
import { App, type Feedback } from "../core/app";
import { loadConfig } from "../core/config";
import type { MqttConnectOptions, MqttHandlers, MqttPort, NetworkPort, Settings } from "../core/ports";
import { ManualClock } from "../adapters/node/clock";
import { SimPin } from "../adapters/node/sim-pins";
import { SimPixelStrip } from "../adapters/node/sim-pixels";
import { SimMax7219Chain } from "../adapters/node/sim-spi";

function same(actual: unknown, expected: unknown, what: string): void {
  const a = JSON.stringify(actual);
  const e = JSON.stringify(expected);
  if (a !== e) throw new Error(`${what}: expected ${e}, got ${a}`);
}

/** The MqttPort fake: records what the app sends; the case plays the broker through it. */
class LoopbackMqtt implements MqttPort {
  handlers: MqttHandlers | undefined;
  options: MqttConnectOptions | undefined;
  readonly published: { topic: string; payload: string; qos: number; retain: boolean }[] = [];
  readonly subscribed: string[] = [];
  connects = 0;
  ends = 0;
  connect(o: MqttConnectOptions, h: MqttHandlers): void {
    this.options = o;
    this.handlers = h;
    this.connects++;
  }
  publish(topic: string, payload: string, qos: 0 | 1, retain: boolean): void {
    this.published.push({ topic, payload, qos, retain });
  }
  subscribe(topic: string): void {
    this.subscribed.push(topic);
  }
  end(): void {
    this.ends++;
  }
  accept(): void {
    this.handlers!.onConnect();
  }
  drop(): void {
    this.handlers!.onClose();
  }
  deliver(topic: string, body: unknown): void {
    this.handlers!.onMessage(topic, new TextEncoder().encode(JSON.stringify(body)));
  }
  events(): GadgetEvent[] {
    return this.published.filter((p) => p.topic.endsWith("/event")).map((p) => JSON.parse(p.payload) as GadgetEvent);
  }
}

const network: NetworkPort = { start: (up) => up(), rssi: () => -61, mac: () => "a0b1c2d3e4f5" };
const system = { freeHeap: () => 41_000, restartReason: () => "power-on", version: () => "1.0.0" };

function memorySettings(): Settings {
  const values: { [k: string]: string | number | boolean } = { boot: 6 };
  return {
    get: (k) => values[k],
    set: (k, v) => {
      values[k] = v;
    },
    delete: (k) => {
      delete values[k];
    },
  };
}

const LOCK = "3f2b8c1e-0d4a-4f7e-9c61-2a5d8e7f9b10";
const VIEW = {
  mode: "default",
  head: { id: LOCK, pipeline: "api", step: "prod", summary: "v2" },
  queue: 1,
  rings: [{ scene: "locked" }, { scene: "out_of_sync" }],
  display: { kind: "text", text: "X" },
  can_decide: true,
  sync_ready: 1,
  at: "2026-11-20T15:04:05.000Z",
};

function gadget(extra: { [k: string]: unknown } = {}) {
  const clock = new ManualClock(1000);
  const mqtt = new LoopbackMqtt();
  const pins = { approve: new SimPin(), reject: new SimPin(), release: new SimPin(), sync: new SimPin() };
  const spi = new SimMax7219Chain(4);
  const ringA = new SimPixelStrip(12);
  const ringB = new SimPixelStrip(12);
  const log: string[] = [];
  const app = new App({
    config: loadConfig({ broker: "mqtt://bridge.local:1883", gadget: "desk-1", secret: "k3y", ...extra }),
    clock,
    log: { info: (m) => log.push(m), warn: (m) => log.push(m) },
    mqtt,
    network,
    system,
    settings: memorySettings(),
    buttons: pins,
    ringA,
    ringB,
    spi,
    random: () => 0,
  });
  const feedback: Feedback[] = [];
  app.onFeedback((f) => feedback.push(f));
  const tap = (button: keyof typeof pins, ms = 100) => {
    pins[button].press();
    clock.advance(ms);
    pins[button].release();
    clock.advance(60);
  };
  return { app, clock, mqtt, pins, spi, ringA, ringB, log, feedback, tap };
}

export default {
  "connects with the MAC client id and Will, announces online, subscribes, sends telemetry": () => {
    const g = gadget();
    g.app.start();
    same(g.mqtt.connects, 1, "connect on network up");
    same(
      [g.mqtt.options!.clientId, g.mqtt.options!.will],
      ["shipgate-a0b1c2d3e4f5", { topic: "shipgate/v1/gadgets/desk-1/status", payload: '{"state":"offline"}', qos: 1, retain: true }],
      "connect options",
    );
    g.mqtt.accept();
    same(g.mqtt.subscribed, ["shipgate/v1/gadgets/desk-1/view", "shipgate/v1/gadgets/desk-1/ack", "shipgate/v1/bridge/status"], "subscriptions");
    const [status, telemetry] = g.mqtt.published;
    same([status!.payload, status!.retain], ['{"state":"online","version":"1.0.0"}', true], "online state");
    const t = JSON.parse(telemetry!.payload);
    same([t.rssi, t.free_heap, t.outbox, t.interval_s, t.restart_reason, g.app.boot], [-61, 41000, 0, 30, "power-on", 7], "telemetry and boot");
    return g.mqtt.published.map((p) => p.topic);
  },
  "the bridge's offline Will hides the last view and refuses presses locally; online restores it": () => {
    const g = gadget();
    g.app.start();
    g.mqtt.accept();
    g.mqtt.deliver("shipgate/v1/gadgets/desk-1/view", VIEW);
    g.clock.advance(100);
    const lockedImage = g.spi.matrixImage();
    g.mqtt.deliver("shipgate/v1/bridge/status", { state: "offline" });
    g.clock.advance(100);
    const downImage = g.spi.matrixImage();
    same(JSON.stringify(downImage) === JSON.stringify(lockedImage), false, "the display no longer shows the lock");
    g.tap("approve");
    same(g.mqtt.events().length, 0, "no event is sent while the bridge is offline");
    same(
      g.feedback.filter((f) => f.kind === "error").map((f) => (f as { message: string }).message),
      ["BRIDGE OFFLINE"],
      "the press is refused locally",
    );
    g.mqtt.deliver("shipgate/v1/bridge/status", { state: "online", version: "0.1.0" });
    g.clock.advance(3000);
    g.tap("approve");
    same(g.mqtt.events().length, 1, "presses work again once the bridge is back");
    same(JSON.stringify(downImage) === JSON.stringify(g.spi.matrixImage()), false, "the display changed back from BRIDGE OFFLINE");
    return { downImage, log: g.log.filter((l) => l.startsWith("bridge:")) };
  },
  "a view, an approve with the head's id and a valid signature, an ack": () => {
    const g = gadget();
    g.app.start();
    g.mqtt.accept();
    g.mqtt.deliver("shipgate/v1/gadgets/desk-1/view", VIEW);
    g.clock.advance(100);
    g.tap("approve");
    const [event] = g.mqtt.events();
    same([event!.button, event!.gesture, event!.lock_id, event!.boot, event!.seq], ["approve", "short", LOCK, 7, 1], "event");
    same(event!.sig, hmacHex("k3y", eventSigningText("desk-1", event!)), "signature");
    g.mqtt.deliver("shipgate/v1/gadgets/desk-1/ack", { boot: 7, seq: 1, ok: true, message: "APPROVED" });
    same(
      g.feedback.map((f) => f.kind),
      ["sent", "acked"],
      "feedback",
    );
    g.clock.advance(5000);
    same(g.feedback.length, 2, "no timeout after the ack");
    return { event, image: g.spi.matrixImage(), ringA: g.ringA.pixels() };
  },
  "each event echoes the nonce of the view shown at the press, under the signature": () => {
    const g = gadget();
    g.app.start();
    g.mqtt.accept();
    g.mqtt.deliver("shipgate/v1/gadgets/desk-1/view", { ...VIEW, nonce: "0123456789abcdef" });
    g.clock.advance(100);
    g.tap("approve");
    g.mqtt.deliver("shipgate/v1/gadgets/desk-1/view", { ...VIEW, nonce: "fedcba9876543210" });
    g.clock.advance(100);
    g.tap("release");
    // A bridge from before the freshness check sends no nonce: nothing to echo.
    g.mqtt.deliver("shipgate/v1/gadgets/desk-1/view", VIEW);
    g.clock.advance(100);
    g.tap("reject");
    const events = g.mqtt.events();
    same(
      events.map((e) => (e.nonce === undefined ? "-" : e.nonce)),
      ["0123456789abcdef", "fedcba9876543210", "-"],
      "echoed nonces",
    );
    const text = eventSigningText("desk-1", events[0]!);
    same([text.indexOf("shipgate-event-v2|") === 0, text.slice(-17)], [true, "|0123456789abcdef"], "the nonce is signed");
    same(
      events.map((e) => e.sig === hmacHex("k3y", eventSigningText("desk-1", e))),
      [true, true, true],
      "signatures",
    );
    same(events[0]!.sig === hmacHex("k3y", eventSigningText("desk-1", { ...events[0]!, nonce: "fedcba9876543210" })), false, "another nonce breaks the signature");
    return events;
  },
  "a press shows on the ring in the first frame after the 5 ms press filter, before any answer": () => {
    // Two identical gadgets; only one is pressed. Within press filter + one frame period (22 ms)
    // its ring A carries the green blip.
    const pressed = gadget();
    const idle = gadget();
    for (const g of [pressed, idle]) {
      g.app.start();
      g.mqtt.accept();
      g.mqtt.deliver("shipgate/v1/gadgets/desk-1/view", VIEW);
      g.clock.advance(100);
    }
    pressed.pins.approve.press();
    pressed.clock.advance(22);
    idle.clock.advance(22);
    const green = (c: number) => (c >> 8) & 255;
    const a = pressed.ringA.pixels();
    const b = idle.ringA.pixels();
    let brighter = 0;
    for (let i = 0; i < a.length; i++) if (green(a[i]!) > green(b[i]!)) brighter++;
    same(brighter, a.length, "LEDs with more green than on the idle gadget");
    same(pressed.mqtt.events().length, 0, "nothing sent yet: the button is still down");
    return a;
  },
  "no ack within 3 s is an error": () => {
    const g = gadget();
    g.app.start();
    g.mqtt.accept();
    g.tap("release");
    g.clock.advance(2900);
    same(
      g.feedback.map((f) => f.kind),
      ["sent"],
      "before the timeout",
    );
    g.clock.advance(200);
    same(g.feedback[1], { kind: "error", message: "NO ANSWER", event: g.mqtt.events()[0] }, "after the timeout");
    return g.feedback.length;
  },
  "a dropped link: offline scene, backoff 1 s then 2 s, outbox sent in order on reconnect": () => {
    const g = gadget();
    g.app.start();
    g.mqtt.accept();
    g.mqtt.deliver("shipgate/v1/gadgets/desk-1/view", VIEW);
    g.mqtt.drop();
    same(g.app.online, false, "offline");
    g.tap("approve");
    g.tap("reject", 1000); // long: blocked mode
    same([g.app.outboxSize, g.mqtt.connects], [2, 2], "queued; retried after 1 s");
    g.mqtt.drop();
    g.clock.advance(1990);
    same(g.mqtt.connects, 2, "second retry waits 2 s");
    g.clock.advance(20);
    same(g.mqtt.connects, 3, "second retry");
    g.mqtt.accept();
    const events = g.mqtt.events().map((e) => [e.button, e.gesture, e.seq, e.lock_id ?? null]);
    same(
      events,
      [
        ["approve", "short", 1, LOCK],
        ["reject", "long", 2, null],
      ],
      "sent after reconnect",
    );
    same(g.mqtt.subscribed.length, 6, "subscribed again");
    return events;
  },
  "events older than 30 s are dropped unsent and shown as an error": () => {
    const g = gadget();
    g.app.start();
    g.tap("release");
    g.clock.advance(31_000);
    same(
      g.feedback.map((f) => (f.kind === "error" ? f.message : f.kind)),
      ["queued", "TOO LATE"],
      "feedback",
    );
    same(g.app.outboxSize, 0, "outbox");
    return g.log.filter((l) => l.indexOf("outbox") === 0);
  },
  "without a broker: SETUP, one trace line, no connection": () => {
    const g = gadget({ broker: "ftp://x" });
    g.app.start();
    g.clock.advance(500);
    same(g.mqtt.connects, 0, "no connect");
    return { log: g.log.filter((l) => l.indexOf("config:") === 0), image: g.spi.matrixImage() };
  },
};
