// The App on Node adapters (the twin's wiring: mqtt package, simulated pins, rings and MAX7219)
// against a real broker (aedes on a loopback port). The test plays the bridge with a plain MQTT
// client: it publishes views and acks and reads events, so nothing of the app is mocked.

import { createHmac } from "node:crypto";
import { once } from "node:events";
import { createServer, type Server, type Socket } from "node:net";
import { Aedes } from "aedes";
import test from "ava";
import { connectAsync, type MqttClient } from "mqtt";
import { checkGadgetEvent, checkTelemetry, eventSigningText, type GadgetEvent, type GadgetView } from "@shipgate/protocol/messages";
import { Topics } from "@shipgate/protocol/topics";
import { startTwin, type TwinHandle, type TwinOptions } from "../adapters/node/twin";

interface Broker {
  port: number;
  close(): Promise<void>;
}

async function startBroker(port = 0): Promise<Broker> {
  const aedes = await Aedes.createBroker();
  const server: Server = createServer(aedes.handle);
  const sockets = new Set<Socket>();
  server.on("connection", (s) => {
    sockets.add(s);
    s.on("close", () => sockets.delete(s));
  });
  server.listen(port, "127.0.0.1");
  await once(server, "listening");
  return {
    port: (server.address() as { port: number }).port,
    close: async () => {
      for (const s of sockets) s.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await new Promise<void>((resolve) => aedes.close(() => resolve()));
    },
  };
}

async function until(what: string, condition: () => boolean, ms = 5000): Promise<void> {
  const end = Date.now() + ms;
  while (!condition()) {
    if (Date.now() > end) throw new Error(`timed out after ${ms} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const topics = new Topics();
const LOCK = "3f2b8c1e-0d4a-4f7e-9c61-2a5d8e7f9b10";

function view(over: Partial<GadgetView> = {}): GadgetView {
  return {
    mode: "default",
    head: { id: LOCK, pipeline: "api", step: "deploy-prod", summary: "v1.4.2" },
    queue: 1,
    rings: [{ scene: "locked" }, { scene: "out_of_sync" }],
    display: { kind: "text", text: "1 WAITING" },
    can_decide: true,
    sync_ready: 1,
    at: "2026-11-20T15:04:05.000Z",
    ...over,
  };
}

/** Plays the bridge: records events, answers with acks when `autoAck` says so. */
class FakeBridge {
  readonly events: GadgetEvent[] = [];
  readonly telemetry: unknown[] = [];
  autoAck: ((e: GadgetEvent) => { ok: boolean; message?: string } | null) | null = () => ({ ok: true });

  private constructor(
    readonly client: MqttClient,
    readonly id: string,
  ) {}

  static async connect(port: number, id: string): Promise<FakeBridge> {
    const client = await connectAsync(`mqtt://127.0.0.1:${port}`, { reconnectPeriod: 200, clientId: "fake-bridge-" + id });
    const bridge = new FakeBridge(client, id);
    client.on("message", (topic, payload) => {
      const data = JSON.parse(payload.toString("utf8")) as unknown;
      if (topic === topics.gadgetTelemetry(id)) {
        bridge.telemetry.push(data);
        return;
      }
      const checked = checkGadgetEvent(data);
      if (!checked.ok) throw new Error(`bad event: ${checked.field} ${checked.error}`);
      bridge.events.push(checked.value);
      const answer = bridge.autoAck?.(checked.value) ?? null;
      if (answer !== null) void client.publishAsync(topics.gadgetAck(id), JSON.stringify({ boot: checked.value.boot, seq: checked.value.seq, ...answer }), { qos: 1 });
    });
    await client.subscribeAsync([topics.gadgetEvent(id), topics.gadgetTelemetry(id)], { qos: 1 });
    return bridge;
  }

  publishView(v: GadgetView): Promise<unknown> {
    return this.client.publishAsync(topics.gadgetView(this.id), JSON.stringify(v), { qos: 1, retain: true });
  }
}

interface Rig {
  broker: Broker;
  bridge: FakeBridge;
  twin: TwinHandle;
}

async function rig(t: { teardown(fn: () => Promise<void>): void }, id: string, options: Partial<TwinOptions> = {}): Promise<Rig> {
  const broker = await startBroker();
  const bridge = await FakeBridge.connect(broker.port, id);
  const twin = await startTwin({
    id,
    broker: `mqtt://127.0.0.1:${broker.port}`,
    // 1.5 s: room for a loaded machine (the whole suite runs XS workers and child processes in
    // parallel) while "no ack in time" still fails within its 3 s wait.
    tuning: { ackTimeoutMs: 1500, backoff: { initialMs: 50, maxMs: 200 }, outbox: { maxAgeMs: 30_000 } },
    ...options,
  });
  const r = { broker, bridge, twin };
  t.teardown(async () => {
    await r.twin.close();
    await r.bridge.client.endAsync(true);
    await r.broker.close();
  });
  await twin.waitFor("online", () => twin.online);
  return r;
}

test("the retained view drives the rings and the display; a pending lock shows pipeline and step", async (t) => {
  const { bridge, twin } = await rig(t, "view-1");
  const before = twin.ringA.pixels().join(",");
  await bridge.publishView(view());
  await twin.waitFor("view", () => twin.view !== null);
  t.is(twin.view!.head!.id, LOCK);
  await sleep(150);
  t.not(twin.ringA.pixels().join(","), before, "ring A changed from the waiting scene");
  t.true(
    twin.ringA.pixels().some((c) => c !== 0),
    "ring A lit",
  );
  t.true(twin.displayRows().join("").includes("#"), "the matrix shows text");
  const frame = twin.render(true);
  t.regex(frame, /\x1b\[38;2;\d+;\d+;\d+m●/, "truecolor ring glyphs in the terminal");
});

test("the twin's frame fits 80x24 with its key help, and names what waits in plain words", async (t) => {
  const { bridge, twin } = await rig(t, "words-1");
  await bridge.publishView(view({ head: null, queue: 0, can_decide: false }));
  await twin.waitFor("view", () => twin.view !== null);
  const idle = twin
    .render(false)
    .split("\r\n")
    .map((l) => l.replace(/\x1b\[K/g, ""));
  t.true(idle.length <= 24, `${idle.length} lines`);
  for (const line of idle) t.true([...line].length <= 80, line);
  t.true(
    idle.some((l) => l.includes("[a] approve") && l.includes("[q] quit")),
    idle.join("\n"),
  );
  t.true(
    idle.some((l) => /ONLINE {2}nothing waiting$/.test(l)),
    idle.join("\n"),
  );
  t.false(idle.join("\n").includes("may not decide"), "nothing waits: nothing to decide");
  await bridge.publishView(view({ queue: 3, can_decide: false }));
  await twin.waitFor("the lock", () => twin.view?.head !== null);
  const waiting = twin.render(false);
  const head = twin.view!.head!;
  t.true(waiting.includes(`waiting: ${head.pipeline}/${head.step} ${head.summary} (+2 more)  (not yours to decide)`), waiting);
});

test("the button LEDs follow the view in the twin and are drawn lit or dark beside their keys", async (t) => {
  const { bridge, twin } = await rig(t, "leds-1");
  await bridge.publishView(view({ mode: "released", sync_ready: 0 }));
  await twin.waitFor("LEDs", () => twin.leds.approve.level === 1);
  t.deepEqual([twin.leds.approve.level, twin.leds.reject.level, twin.leds.release.level, twin.leds.sync.level], [1, 1, 0, 0]);
  const plain = twin.render(false);
  t.true(plain.includes("◉ [a] approve  ◉ [r] reject  ○ [l] release  ○ [s] sync"), plain);
  await bridge.publishView(view({ head: null, sync_ready: 2 }));
  await twin.waitFor("LEDs after the new view", () => twin.leds.sync.level === 1);
  t.deepEqual([twin.leds.approve.level, twin.leds.reject.level, twin.leds.release.level], [0, 0, 1]);
});

test("approve sends the head lock's id with growing seq; the ack is recorded", async (t) => {
  const { bridge, twin } = await rig(t, "events-1");
  await bridge.publishView(view());
  await twin.waitFor("view", () => twin.view !== null);
  await twin.press("approve", 100);
  await twin.press("reject", 100);
  await twin.press("release", 100);
  await until("three events", () => bridge.events.length === 3);
  t.deepEqual(
    bridge.events.map((e) => [e.button, e.gesture, e.lock_id ?? null]),
    [
      ["approve", "short", LOCK],
      ["reject", "short", LOCK],
      ["release", "short", null],
    ],
  );
  t.deepEqual(
    bridge.events.map((e) => e.seq),
    [1, 2, 3],
  );
  t.true(bridge.events.every((e) => e.boot === twin.app.boot && e.sig === undefined));
  await twin.waitFor("ack", () => twin.lastAck?.seq === 3);
  t.true(twin.lastAck!.ok);
  t.false(twin.feedback.some((f) => f.kind === "error"));
});

test("a long press sends the long gesture (mode change) without a lock id", async (t) => {
  const { bridge, twin } = await rig(t, "long-1");
  await twin.press("reject", 1000);
  await until("event", () => bridge.events.length === 1);
  t.like(bridge.events[0], { button: "reject", gesture: "long" });
  t.is(bridge.events[0]!.lock_id, undefined);
});

test("events are signed with HMAC-SHA256 over the signing text when a secret is set", async (t) => {
  const { bridge, twin } = await rig(t, "signed-1", { secret: "s3cret" });
  await bridge.publishView(view());
  await twin.waitFor("view", () => twin.view !== null);
  await twin.press("approve", 80);
  await until("event", () => bridge.events.length === 1);
  const event = bridge.events[0]!;
  const expected = createHmac("sha256", "s3cret").update(eventSigningText("signed-1", event)).digest("hex");
  t.is(event.sig, expected);
});

test("approve with no lock is refused on the gadget and nothing is sent", async (t) => {
  const { bridge, twin } = await rig(t, "nolock-1");
  await bridge.publishView(view({ head: null }));
  await twin.waitFor("view", () => twin.view !== null);
  await twin.press("approve", 80);
  await twin.waitFor("error", () => twin.feedback.some((f) => f.kind === "error"));
  t.like(
    twin.feedback.find((f) => f.kind === "error"),
    { message: "NO LOCK" },
  );
  await sleep(200);
  t.is(bridge.events.length, 0);
});

test("no ack in time blinks an error; ok:false shows the bridge's message", async (t) => {
  const { bridge, twin } = await rig(t, "noack-1");
  await bridge.publishView(view());
  await twin.waitFor("view", () => twin.view !== null);
  bridge.autoAck = () => null;
  await twin.press("approve", 80);
  await twin.waitFor("no answer", () => twin.feedback.some((f) => f.kind === "error" && f.message === "NO ANSWER"), 3000);
  // The error blink: ring A turns red within a few frames.
  await twin.waitFor("red on ring A", () => twin.ringA.pixels().some((c) => c >> 16 > 0 && ((c >> 8) & 255) === 0 && (c & 255) === 0), 1000);

  bridge.autoAck = () => ({ ok: false, message: "blocked" });
  await twin.press("approve", 80);
  await twin.waitFor("refusal", () => twin.feedback.some((f) => f.kind === "error" && f.message === "BLOCKED"), 3000);
  t.false(twin.lastAck!.ok);
});

test("sync needs the hold: a short press hints, a 2 s hold sends sync hold", async (t) => {
  const { bridge, twin } = await rig(t, "sync-1");
  await twin.press("sync", 150);
  await twin.waitFor("hint", () => twin.feedback.some((f) => f.kind === "hint"));
  t.is(bridge.events.length, 0);
  twin.down("sync");
  await sleep(1000);
  t.true(
    twin.ringB.pixels().some((c) => c !== 0),
    "the hold fill lights ring B while held",
  );
  await sleep(1200);
  twin.up("sync");
  await until("sync event", () => bridge.events.length === 1);
  t.like(bridge.events[0], { button: "sync", gesture: "hold" });
});

test("heartbeat telemetry goes out on connect and passes the protocol check", async (t) => {
  const { bridge } = await rig(t, "beat-1", { heartbeatS: 5 });
  await until("telemetry", () => bridge.telemetry.length >= 1);
  const checked = checkTelemetry(bridge.telemetry[0]);
  t.true(checked.ok, JSON.stringify(checked));
  t.like(bridge.telemetry[0], { interval_s: 5, outbox: 0, restart_reason: "twin-start" });
});

test("while offline events wait in the outbox and go out in order after reconnect", async (t) => {
  let broker = await startBroker();
  const port = broker.port;
  let bridge = await FakeBridge.connect(port, "outbox-1");
  const twin = await startTwin({
    id: "outbox-1",
    broker: `mqtt://127.0.0.1:${port}`,
    tuning: { ackTimeoutMs: 1500, backoff: { initialMs: 50, maxMs: 100 } },
  });
  t.teardown(async () => {
    await twin.close();
    await bridge.client.endAsync(true);
    await broker.close();
  });
  await twin.waitFor("online", () => twin.online);
  await bridge.publishView(view());
  await twin.waitFor("view", () => twin.view !== null);

  await bridge.client.endAsync(true);
  await broker.close();
  await twin.waitFor("offline", () => !twin.online);
  t.true(twin.displayRows().join("").includes("#"), "the display shows the offline text");
  await twin.press("approve", 80);
  await twin.press("release", 80);
  t.is(twin.app.outboxSize, 2);
  t.deepEqual(twin.feedback.filter((f) => f.kind === "queued").length, 2);

  broker = await startBroker(port);
  bridge = await FakeBridge.connect(port, "outbox-1");
  await twin.waitFor("online again", () => twin.online, 5000);
  await until("queued events", () => bridge.events.length === 2);
  t.deepEqual(
    bridge.events.map((e) => [e.button, e.seq]),
    [
      ["approve", 1],
      ["release", 2],
    ],
  );
  t.is(bridge.events[0]!.lock_id, LOCK, "the lock shown at the press");
  t.is(twin.app.outboxSize, 0);
});

test("an event older than the outbox's max age is dropped, never sent, and shown as an error", async (t) => {
  let broker = await startBroker();
  const port = broker.port;
  const twin = await startTwin({
    id: "stale-1",
    broker: `mqtt://127.0.0.1:${port}`,
    tuning: { backoff: { initialMs: 50, maxMs: 100 }, outbox: { maxAgeMs: 300 }, housekeepingMs: 50 },
  });
  let bridge: FakeBridge | undefined;
  t.teardown(async () => {
    await twin.close();
    await bridge?.client.endAsync(true);
    await broker.close();
  });
  await twin.waitFor("online", () => twin.online);
  await broker.close();
  await twin.waitFor("offline", () => !twin.online);
  await twin.press("approve", 80); // no view: refused locally, not queued
  await twin.press("release", 80);
  t.is(twin.app.outboxSize, 1);
  await twin.waitFor("too late", () => twin.feedback.some((f) => f.kind === "error" && f.message === "TOO LATE"), 2000);
  t.is(twin.app.outboxSize, 0);

  broker = await startBroker(port);
  bridge = await FakeBridge.connect(port, "stale-1");
  await twin.waitFor("online again", () => twin.online, 5000);
  await sleep(300);
  t.is(bridge.events.length, 0, "the stale release never reached the bridge");
});

test("without a broker setting the app shows SETUP, traces why, and does not crash", async (t) => {
  const lines: string[] = [];
  const twin = await startTwin({ id: "setup-1", broker: "", log: { info: (m) => lines.push(m), warn: (m) => lines.push(m) } });
  t.teardown(() => twin.close());
  await sleep(100);
  t.is(twin.app.sessionState, "setup");
  t.true(
    lines.some((l) => l.startsWith("config: broker (config) is missing")),
    lines.join("\n"),
  );
  t.true(twin.displayRows().join("").includes("#"), "SETUP drawn on the matrix");
  await twin.press("approve", 80);
  t.like(
    twin.feedback.find((f) => f.kind === "error"),
    { message: "SETUP" },
  );
});
