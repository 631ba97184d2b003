// No network or TLS failure aborts (issue 16): the real App, the real Moddable MQTT adapter
// (adapters/moddable/mqtt.ts), the real mqtts transport (mqtts.ts) and the transport guard
// (transport-guard.ts) in XS, over fakes of the SDK's mqtt/js, TLS socket, TCP socket and DNS
// resolver (sdk/), with the test playing the network. Each failure must count as a failed
// attempt (the session's backoff), show on the display, and throw nothing into the "SDK": an
// exception reaching a fake's caller here is what aborts the VM on the device.
// Run by moddable-mqtt-xs.test.ts, in XS only (the SDK modules exist only as fakes).

import { App } from "../../core/app";
import { loadConfig } from "../../core/config";
import type { NetworkPort, Settings } from "../../core/ports";
import { ManualClock } from "../../adapters/node/manual-clock";
import { ModdableMqtt } from "../../adapters/moddable/mqtt";
import { installMqttsTransport } from "../../adapters/moddable/mqtts";
import { guardDeviceNetwork, LinkMonitor } from "../../adapters/moddable/transport-guard";
import { FakeResolver, FakeTCP, net, tlsRecord } from "./sdk/net";
import { FakeTimer, timers } from "./sdk/io";
import { clients } from "./sdk/mqtt-js";

function same(actual: unknown, expected: unknown, what: string): void {
  const a = JSON.stringify(actual);
  const e = JSON.stringify(expected);
  if (a !== e) throw new Error(`${what}: expected ${e}, got ${a}`);
}

const encoder = new TextEncoder();
const CA = "Shipgate Test CA";
const CONNACK_OK = new Uint8Array([0x20, 0x02, 0x00, 0x00]);

/**
 * What the SDK's mqttclient/config.js does to `device`: `Object.freeze(device, true)`, XS's deep
 * freeze, so the resolver's and socket's classes and prototypes are frozen too (assigning
 * `resolver.resolve = ...` then throws "not writable", as it did in mcsim).
 */
function deepFreeze<T>(value: T): T {
  if ((typeof value !== "object" && typeof value !== "function") || value === null || Object.isFrozen(value)) return value;
  Object.freeze(value);
  for (const key of Reflect.ownKeys(value as object)) {
    const d = Object.getOwnPropertyDescriptor(value as object, key);
    if (d !== undefined && "value" in d) deepFreeze(d.value);
  }
  return value;
}

function rig(broker: string, values: { [k: string]: string | number | boolean } = {}) {
  net.clear();
  clients.length = 0;
  (globalThis as { device?: unknown }).device = deepFreeze({
    network: { mqtt: { io: {}, dns: { io: FakeResolver, servers: ["1.1.1.1"] }, socket: { io: FakeTCP } } },
  });
  if (broker.startsWith("mqtts:")) installMqttsTransport(encoder.encode(CA));
  const lines: string[] = [];
  const log = { info: (m: string) => lines.push(m), warn: (m: string) => lines.push(m) };
  const monitor = new LinkMonitor(log);
  guardDeviceNetwork(monitor);
  const clock = new ManualClock(1000);
  const settings: Settings = {
    get: (k) => values[k],
    set: (k, v) => {
      values[k] = v;
    },
    delete: (k) => {
      delete values[k];
    },
  };
  const network: NetworkPort = { start: (up) => up(), rssi: () => -60, mac: () => "a0b1c2d3e4f5" };
  const app = new App({
    config: loadConfig({ broker, gadget: "desk-1" }),
    clock,
    log,
    mqtt: new ModdableMqtt(monitor, log),
    network,
    settings,
    system: { freeHeap: () => 40_000, restartReason: () => "power-on", version: () => "1.0.0" },
    buttons: {},
    random: () => 0,
  });
  app.start();
  const retries = () => lines.filter((l) => l.includes("; retry ")).map((l) => l.replace(/^mqtt: /, ""));
  /** Answers the pending DNS lookup with an address. */
  const resolve = () => {
    const lookup = net.lookups.shift();
    if (lookup === undefined) throw new Error("no DNS lookup pending");
    lookup.onResolved(lookup.host, "192.0.2.10");
  };
  return { app, clock, monitor, lines, values, retries, resolve };
}

export default {
  "a server certificate the configured CA did not sign: TLS ERROR, backoff, then a good handshake connects": () => {
    const g = rig("mqtts://broker.example:8883");
    same(
      net.lookups.map((l) => l.host),
      ["broker.example"],
      "the broker's name is resolved first",
    );
    g.resolve();
    const socket = net.lastSocket();
    same([socket.options.port, socket.options.address], [8883, "192.0.2.10"], "the TLS socket's TCP connection");
    socket.accept();
    same(new TextDecoder().decode(socket.written[0]), "CLIENT HELLO\n", "the TLS socket started its handshake");
    socket.send(encoder.encode("CERT Some Other CA\n")); // the fake TLS socket throws here, as the SDK's does
    same(g.monitor.caught, 1, "the throw was caught in the guard");
    same(socket.closed, true, "the failed connection is closed");
    same(g.app.displayText, "TLS ERROR", "display");
    same(g.app.sessionState, "retrying", "session");
    same(g.retries(), ["connection closed (TLS handshake failed); retry 1 in 1000 ms"], "one failed attempt, with backoff");
    g.clock.advance(999);
    same(clients.length, 1, "no second attempt before the backoff delay");
    g.clock.advance(1);
    same(clients.length, 2, "the second attempt after it");
    g.resolve();
    const again = net.lastSocket();
    again.accept();
    again.send(encoder.encode(`CERT ${CA}\n`));
    again.send(tlsRecord(23, CONNACK_OK));
    same([g.app.online, g.app.displayText], [true, "WAIT"], "connected through TLS, waiting for the first view");
    same(g.values.boot_fails, 0, "a boot that reached the broker clears the failed-boot count");
    return g.retries();
  },
  "a TLS alert after a record, read from the TLS socket's deferred-read Timer: OFFLINE and a retry, no throw": () => {
    const g = rig("mqtts://broker.example:8883");
    timers.length = 0;
    g.resolve();
    const socket = net.lastSocket();
    socket.accept();
    socket.send(encoder.encode(`CERT ${CA}\n`));
    socket.send(tlsRecord(23, CONNACK_OK));
    same(g.app.online, true, "online over TLS");
    // Two records in one TCP delivery: the second comes from the (guard's) deferred read.
    const topic = encoder.encode("shipgate/v1/gadgets/desk-1/view");
    const publish = [0x30, topic.length, ...topic, ...encoder.encode("{x]")];
    socket.send(new Uint8Array([...tlsRecord(23, publish), ...tlsRecord(23, publish)]));
    same(g.lines.filter((l) => l.startsWith("view:")).length, 1, "the first record at once");
    const deferred = timers.filter((t) => !t.cleared);
    same(deferred.length, 1, "the second record waits for a timer");
    FakeTimer.fire(deferred[0]!);
    same(g.lines.filter((l) => l.startsWith("view:")).length, 2, "the second record from the timer");
    // One TCP delivery: a PINGRESP record, then a fatal alert (2, bad_record_mac 20). The client
    // reads the first record's data; the alert is left in the TCP socket for a Timer to deliver.
    const segment = new Uint8Array([...tlsRecord(23, [0xd0, 0x00]), ...tlsRecord(21, [2, 20])]);
    socket.send(segment);
    const pending = timers.filter((t) => !t.cleared);
    same(pending.length, 1, "one deferred read scheduled");
    FakeTimer.fire(pending[0]!); // the SDK's timer loop: a throw here aborts the VM
    same(g.monitor.caught, 1, "the alert's throw was caught");
    same(socket.closed, true, "the connection is closed");
    same([g.app.online, g.app.displayText], [false, "OFFLINE"], "offline");
    g.clock.advance(1000);
    same(clients.length, 2, "reconnects after the backoff");
    return g.retries();
  },
  "a refused connection: NO BROKER, and the backoff grows with each failed attempt": () => {
    const g = rig("mqtt://bridge.local:1883");
    g.resolve();
    net.lastSocket().refuse();
    same(g.app.displayText, "NO BROKER", "display");
    g.clock.advance(1000);
    g.resolve();
    net.lastSocket().refuse();
    same(g.retries(), ["connection closed (connection refused); retry 1 in 1000 ms", "connection closed (connection refused); retry 2 in 2000 ms"], "backoff");
    same(g.values.boot_fails, 1, "this boot has not reached the broker");
    return g.app.sessionState;
  },
  "a name that does not resolve: DNS ERROR and a retry": () => {
    const g = rig("mqtt://no-such-host.invalid");
    const lookup = net.lookups.shift()!;
    lookup.onError(lookup.host);
    same(net.sockets.length, 0, "no socket without an address");
    same(g.app.displayText, "DNS ERROR", "display");
    same(g.retries(), ["connection closed (broker name did not resolve); retry 1 in 1000 ms"], "backoff");
    return g.app.sessionState;
  },
  "a broker that closes mid-packet (half a CONNACK, then a reset): NO BROKER and a retry": () => {
    const g = rig("mqtt://bridge.local:1883");
    g.resolve();
    const socket = net.lastSocket();
    socket.accept();
    socket.send(CONNACK_OK.subarray(0, 2));
    socket.reset();
    same(g.app.displayText, "NO BROKER", "display");
    same(g.retries(), ["connection closed (closed by the broker or the network); retry 1 in 1000 ms"], "backoff");
    return g.app.sessionState;
  },
  "a connection reset once online: OFFLINE, then a reconnect": () => {
    const g = rig("mqtt://bridge.local:1883");
    g.resolve();
    const socket = net.lastSocket();
    socket.accept();
    socket.send(CONNACK_OK);
    same(g.app.online, true, "online");
    socket.reset();
    same([g.app.online, g.app.displayText], [false, "OFFLINE"], "offline after the reset");
    g.clock.advance(1000);
    same(clients.length, 2, "reconnects after the backoff");
    return g.retries();
  },
  "a throw in the broker's message handling does not reach the SDK": () => {
    const g = rig("mqtt://bridge.local:1883");
    g.resolve();
    const socket = net.lastSocket();
    socket.accept();
    socket.send(CONNACK_OK);
    // A view topic with a payload that is not JSON: the app traces it; nothing is thrown.
    const topic = encoder.encode("shipgate/v1/gadgets/desk-1/view");
    const packet = new Uint8Array(2 + topic.length + 3);
    packet.set([0x30, topic.length]);
    packet.set(topic, 2);
    packet.set(encoder.encode("{x]"), 2 + topic.length);
    socket.send(packet);
    same(g.app.online, true, "still online");
    return g.lines.filter((l) => l.startsWith("view:")).length;
  },
};
