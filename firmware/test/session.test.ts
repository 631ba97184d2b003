// The MQTT session against a real broker (aedes, in-process on a loopback port): availability with
// a retained online state and a Will, reconnect with backoff, re-subscribe after reconnect, and a
// clean stop that publishes offline itself. The Node adapters are the real ones; nothing is mocked.

import { once } from "node:events";
import { createServer, type Server, type Socket } from "node:net";
import { Aedes } from "aedes";
import test from "ava";
import { connectAsync, type MqttClient } from "mqtt";
import { Topics } from "@shipgate/protocol/topics";
import { Backoff } from "@shipgate/protocol/backoff";
import type { Log } from "../core/ports";
import { Session, type SessionEvents } from "../core/session";
import { NodeClock } from "../adapters/node/clock";
import { NodeMqtt } from "../adapters/node/mqtt";
import { NodeNetwork } from "../adapters/node/network";

interface Broker {
  port: number;
  aedes: Aedes;
  server: Server;
  sockets: Set<Socket>;
  /** Topic filters subscribed so far, by any client. */
  subscribed: string[];
  /** Closes the listener and cuts every connection (no DISCONNECT: clients see a dropped link). */
  close(): Promise<void>;
}

async function startBroker(port = 0): Promise<Broker> {
  const aedes = await Aedes.createBroker();
  const server = createServer(aedes.handle);
  const sockets = new Set<Socket>();
  const subscribed: string[] = [];
  aedes.on("subscribe", (subs) => {
    for (const s of subs) subscribed.push(s.topic);
  });
  server.on("connection", (s) => {
    sockets.add(s);
    s.on("close", () => sockets.delete(s));
  });
  server.listen(port, "127.0.0.1");
  await once(server, "listening");
  const address = server.address();
  if (address === null || typeof address === "string") throw new Error("broker: no TCP address");
  return {
    port: address.port,
    aedes,
    server,
    sockets,
    subscribed,
    close: async () => {
      for (const s of sockets) s.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await new Promise<void>((resolve) => aedes.close(() => resolve()));
    },
  };
}

/** A plain MQTT client that records what arrives on the topics it watches. */
async function watcher(port: number, topics: string[]): Promise<{ client: MqttClient; messages: { topic: string; text: string; retain: boolean }[] }> {
  const client = await connectAsync(`mqtt://127.0.0.1:${port}`, { reconnectPeriod: 0, clientId: "watcher-" + Math.random().toString(16).slice(2) });
  const messages: { topic: string; text: string; retain: boolean }[] = [];
  client.on("message", (topic, payload, packet) => messages.push({ topic, text: payload.toString("utf8"), retain: packet.retain }));
  await client.subscribeAsync(topics, { qos: 1 });
  return { client, messages };
}

async function until(what: string, condition: () => boolean, ms = 5000): Promise<void> {
  const end = Date.now() + ms;
  while (!condition()) {
    if (Date.now() > end) throw new Error(`timed out after ${ms} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

class RecordingLog implements Log {
  readonly lines: string[] = [];
  info(m: string): void {
    this.lines.push("info " + m);
  }
  warn(m: string): void {
    this.lines.push("warn " + m);
  }
}

const topics = new Topics();

function makeSession(port: number, id: string, backoff = new Backoff({ initialMs: 50, maxMs: 400 }, () => 0)) {
  const log = new RecordingLog();
  const received: { kind: string; text: string }[] = [];
  const events: SessionEvents = {
    online: () => received.push({ kind: "online", text: "" }),
    offline: () => received.push({ kind: "offline", text: "" }),
    view: (p) => received.push({ kind: "view", text: new TextDecoder().decode(p) }),
    ack: (p) => received.push({ kind: "ack", text: new TextDecoder().decode(p) }),
    bridge: (p) => received.push({ kind: "bridge", text: new TextDecoder().decode(p) }),
  };
  const network = new NodeNetwork(id);
  const session = new Session(
    {
      mqtt: new NodeMqtt({ log }),
      network,
      clock: new NodeClock(),
      log,
      backoff,
      topics,
      gadgetId: id,
      url: `mqtt://127.0.0.1:${port}`,
      clientId: "shipgate-" + network.mac(),
      version: "1.2.3",
      keepaliveS: 30,
      connectTimeoutMs: 2000,
    },
    events,
  );
  return { session, log, received, network, backoff };
}

test("online is retained with the version; a dropped link makes the broker publish the offline Will", async (t) => {
  const broker = await startBroker();
  const w = await watcher(broker.port, [topics.gadgetStatus("g1")]);
  const { session, received } = makeSession(broker.port, "g1");
  t.teardown(async () => {
    session.stop();
    await w.client.endAsync();
    await broker.close();
  });
  session.start();
  await until("online", () => session.isOnline);
  await until("online status", () => w.messages.length >= 1);
  t.deepEqual(JSON.parse(w.messages[0]!.text), { state: "online", version: "1.2.3" });

  // A late subscriber gets the retained state.
  const late = await watcher(broker.port, [topics.gadgetStatus("g1")]);
  await until("retained online", () => late.messages.length >= 1);
  t.true(late.messages[0]!.retain);
  t.deepEqual(JSON.parse(late.messages[0]!.text), { state: "online", version: "1.2.3" });
  await late.client.endAsync();

  // Kill the gadget's socket from the broker's side: no DISCONNECT, so the Will goes out.
  const gadgetSocket = [...broker.sockets].find((s) => s.remotePort !== (w.client.stream as Socket).localPort);
  t.truthy(gadgetSocket);
  gadgetSocket!.destroy();
  await until("offline Will", () => w.messages.some((m) => JSON.parse(m.text).state === "offline"));
  await until("the session saw the drop", () => received.some((r) => r.kind === "offline"));
  // ...and it comes back by itself, announcing online again.
  await until("online again", () => w.messages.filter((m) => JSON.parse(m.text).state === "online").length >= 2);
  t.is(session.connections, 2);
});

test("reconnects with growing delays while the broker is away, then re-subscribes", async (t) => {
  let broker = await startBroker();
  const port = broker.port;
  const backoff = new Backoff({ initialMs: 50, maxMs: 400 }, () => 0);
  const { session, log, received } = makeSession(port, "g2", backoff);
  t.teardown(async () => {
    session.stop();
    await broker.close();
  });
  session.start();
  await until("online", () => session.isOnline);

  await broker.close();
  await until("three failed retries", () => log.lines.filter((l) => l.includes("retry")).length >= 4, 8000);
  const delays = log.lines
    .filter((l) => l.includes("retry"))
    .slice(0, 4)
    .map((l) => Number(/in (\d+) ms/.exec(l)![1]));
  t.deepEqual(delays, [50, 100, 200, 400], "1x, 2x, 4x, capped");
  t.true(received.some((r) => r.kind === "offline"));

  broker = await startBroker(port);
  await until("online after the broker returns", () => session.isOnline, 5000);
  t.is(backoff.attempts, 0, "backoff reset on success");

  // The new broker knows nothing of the old subscriptions: the session subscribed again.
  const pub = await connectAsync(`mqtt://127.0.0.1:${port}`, { reconnectPeriod: 0 });
  const fresh = broker;
  await until("subscribed again", () => fresh.subscribed.includes(topics.gadgetView("g2")) && fresh.subscribed.includes(topics.gadgetAck("g2")));
  await pub.publishAsync(topics.gadgetView("g2"), '{"v":1}', { qos: 1, retain: true });
  await pub.publishAsync(topics.gadgetAck("g2"), '{"a":1}', { qos: 1 });
  await until("view and ack delivered", () => received.some((r) => r.kind === "view") && received.some((r) => r.kind === "ack"));
  t.deepEqual(
    received.filter((r) => r.kind === "view" || r.kind === "ack").map((r) => r.text),
    ['{"v":1}', '{"a":1}'],
  );
  await pub.endAsync();
});

test("a retained view published before the gadget connects arrives on subscribe", async (t) => {
  const broker = await startBroker();
  const pub = await connectAsync(`mqtt://127.0.0.1:${broker.port}`, { reconnectPeriod: 0 });
  await pub.publishAsync(topics.gadgetView("g3"), '{"retained":true}', { qos: 1, retain: true });
  const { session, received } = makeSession(broker.port, "g3");
  t.teardown(async () => {
    session.stop();
    await pub.endAsync();
    await broker.close();
  });
  session.start();
  await until("view", () => received.some((r) => r.kind === "view"));
  t.is(received.find((r) => r.kind === "view")!.text, '{"retained":true}');
});

test("a clean stop publishes offline itself (the broker sends no Will after DISCONNECT)", async (t) => {
  const broker = await startBroker();
  const w = await watcher(broker.port, [topics.gadgetStatus("g4")]);
  const { session } = makeSession(broker.port, "g4");
  t.teardown(async () => {
    await w.client.endAsync();
    await broker.close();
  });
  session.start();
  await until("online", () => w.messages.length >= 1);
  session.stop();
  await until("offline", () => w.messages.length >= 2);
  t.deepEqual(
    w.messages.map((m) => JSON.parse(m.text).state),
    ["online", "offline"],
  );
  t.is(session.state, "stopped");
  // No reconnect follows a stop.
  await new Promise((r) => setTimeout(r, 300));
  t.is(w.messages.length, 2);
});

test("the network going down closes the session; coming up reconnects at once", async (t) => {
  const broker = await startBroker();
  const { session, network, received } = makeSession(broker.port, "g5", new Backoff({ initialMs: 60_000, maxMs: 60_000 }, () => 0));
  t.teardown(async () => {
    session.stop();
    await broker.close();
  });
  session.start();
  await until("online", () => session.isOnline);
  network.simulateDown();
  t.is(session.state, "waiting-network");
  t.deepEqual(
    received.map((r) => r.kind),
    ["online", "offline"],
  );
  network.simulateUp();
  // Without waiting for the (here one minute) backoff: the link is back, so try now.
  await until("online again", () => session.isOnline, 3000);
});

test("a broker that never answers CONNACK counts as a failed attempt", async (t) => {
  // A TCP server that accepts and says nothing.
  const silent = createServer(() => {});
  silent.listen(0, "127.0.0.1");
  await once(silent, "listening");
  const port = (silent.address() as { port: number }).port;
  const { session, log } = makeSession(port, "g6");
  t.teardown(async () => {
    session.stop();
    silent.close();
  });
  session.start();
  await until("a timed out attempt", () => log.lines.some((l) => l.includes("no CONNACK")), 5000);
  t.is(session.isOnline, false);
});
