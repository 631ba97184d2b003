// The gadget's MQTT session: one component owns the connection, the availability topic, the
// subscriptions and the reconnect policy (as node-red-mcu's broker node does).
//
// - Connects only while the network is up, with client id, credentials and a retained Will
//   {"state":"offline"} on gadgetStatus(id); once connected it publishes {"state":"online",
//   "version"} retained, so the status topic always holds the last known state (Tasmota/Homie
//   convention). A clean stop publishes offline itself first, because the broker does not send the
//   Will after a DISCONNECT packet (MQTT 3.1.1, 3.14.4 [MQTT-3.14.4-3]).
// - Every connection is clean (Moddable's mqtt/js always sets clean), so the broker keeps no
//   subscriptions for us [MQTT-3.1.2-6]: the view and ack topics are subscribed on every connect.
// - Reconnects after a close or a connect timeout, after Backoff's delay (1 s doubling to 64 s with
//   jitter), reset once CONNACK arrives. The adapter never reconnects by itself.

import type { Topics } from "@shipgate/protocol/topics";
import { encode } from "@shipgate/protocol/codec";
import type { Backoff } from "@shipgate/protocol/backoff";
import type { Clock, LinkFailure, Log, MqttHandlers, MqttPort, NetworkPort, TimerHandle } from "./ports";

export interface SessionOptions {
  mqtt: MqttPort;
  network: NetworkPort;
  clock: Clock;
  log: Log;
  backoff: Backoff;
  topics: Topics;
  gadgetId: string;
  /** mqtt://host:port or mqtts://host:port. */
  url: string;
  clientId: string;
  username?: string;
  password?: string;
  /** Firmware version for the online state. */
  version: string;
  /** Seconds between MQTT keep-alive pings. */
  keepaliveS: number;
  /** Milliseconds to wait for CONNACK before giving the attempt up. */
  connectTimeoutMs: number;
}

export interface SessionEvents {
  /** Connected and subscribed. */
  online(): void;
  /** The connection was lost (or the network went down) after being online. */
  offline(): void;
  view(payload: Uint8Array): void;
  ack(payload: Uint8Array): void;
  /** The bridge's retained availability (online, or its offline Will). */
  bridge(payload: Uint8Array): void;
  /**
   * A connection attempt failed (before CONNACK), and a retry is scheduled: what the adapter said
   * (ports.ts, LinkFailure), "timeout" without CONNACK in time, "error" when connect() threw.
   */
  failed?(failure: LinkFailure | "timeout" | "error"): void;
}

const FAILURE_TEXT: Readonly<{ [k in LinkFailure]: string }> = Object.freeze({
  tls: "TLS handshake failed",
  dns: "broker name did not resolve",
  refused: "connection refused",
  closed: "closed by the broker or the network",
});

export type SessionState = "idle" | "waiting-network" | "connecting" | "online" | "retrying" | "stopped";

export class Session {
  readonly #o: SessionOptions;
  readonly #events: SessionEvents;
  readonly #viewTopic: string;
  readonly #ackTopic: string;
  readonly #statusTopic: string;
  readonly #bridgeTopic: string;
  readonly #online: string;
  #state: SessionState = "idle";
  #networkUp = false;
  /** Counts connection attempts, so callbacks from an abandoned attempt are ignored. */
  #attempt = 0;
  #timer: TimerHandle | undefined;
  /** Completed connections since start (for tests and telemetry). */
  connections = 0;

  constructor(options: SessionOptions, events: SessionEvents) {
    this.#o = options;
    this.#events = events;
    this.#viewTopic = options.topics.gadgetView(options.gadgetId);
    this.#ackTopic = options.topics.gadgetAck(options.gadgetId);
    this.#statusTopic = options.topics.gadgetStatus(options.gadgetId);
    this.#bridgeTopic = options.topics.bridgeStatus();
    this.#online = encode({ state: "online", version: options.version });
  }

  get state(): SessionState {
    return this.#state;
  }

  get isOnline(): boolean {
    return this.#state === "online";
  }

  start(): void {
    if (this.#state !== "idle") return;
    this.#state = "waiting-network";
    this.#o.network.start(
      () => this.#networkChanged(true),
      () => this.#networkChanged(false),
    );
  }

  /** Publishes when online; returns false (and sends nothing) when not. */
  publish(topic: string, payload: string, qos: 0 | 1, retain = false): boolean {
    if (this.#state !== "online") return false;
    try {
      this.#o.mqtt.publish(topic, payload, qos, retain);
      return true;
    } catch (e) {
      this.#o.log.warn(`mqtt: publish to ${topic} failed: ${String(e)}`);
      return false;
    }
  }

  /** Publishes the offline state (when online) and closes the connection; no reconnect follows. */
  stop(): void {
    if (this.#state === "stopped") return;
    const wasOnline = this.#state === "online";
    if (wasOnline) this.publish(this.#statusTopic, encode({ state: "offline" }), 1, true);
    this.#state = "stopped";
    this.#attempt++;
    this.#clearTimer();
    this.#safeEnd();
    if (wasOnline) this.#events.offline();
  }

  #networkChanged(up: boolean): void {
    if (this.#state === "stopped") return;
    this.#networkUp = up;
    if (up) {
      this.#o.log.info("network: up");
      if (this.#state === "waiting-network") this.#connect();
      return;
    }
    this.#o.log.warn("network: down");
    const wasOnline = this.#state === "online";
    this.#attempt++;
    this.#clearTimer();
    if (this.#state === "connecting" || wasOnline) this.#safeEnd();
    this.#state = "waiting-network";
    if (wasOnline) this.#events.offline();
  }

  #connect(): void {
    const attempt = ++this.#attempt;
    this.#state = "connecting";
    const o = this.#o;
    const handlers: MqttHandlers = {
      onConnect: () => {
        if (attempt === this.#attempt) this.#connected();
      },
      onClose: (failure) => {
        if (attempt === this.#attempt) this.#closed(failure === undefined ? "connection closed" : `connection closed (${FAILURE_TEXT[failure]})`, failure ?? "closed");
      },
      onMessage: (topic, payload) => {
        if (attempt !== this.#attempt || this.#state !== "online") return;
        if (topic === this.#viewTopic) this.#events.view(payload);
        else if (topic === this.#ackTopic) this.#events.ack(payload);
        else if (topic === this.#bridgeTopic) this.#events.bridge(payload);
      },
    };
    this.#timer = o.clock.after(o.connectTimeoutMs, () => {
      this.#timer = undefined;
      if (attempt !== this.#attempt || this.#state !== "connecting") return;
      this.#attempt++;
      this.#safeEnd();
      this.#closed(`no CONNACK within ${o.connectTimeoutMs} ms`, "timeout");
    });
    try {
      o.mqtt.connect(
        {
          url: o.url,
          clientId: o.clientId,
          username: o.username,
          password: o.password,
          keepalive: o.keepaliveS,
          will: { topic: this.#statusTopic, payload: encode({ state: "offline" }), qos: 1, retain: true },
        },
        handlers,
      );
    } catch (e) {
      this.#attempt++;
      this.#clearTimer();
      this.#closed(`connect to ${o.url} failed: ${String(e)}`, "error");
    }
  }

  #connected(): void {
    this.#clearTimer();
    this.#o.backoff.reset();
    this.#state = "online";
    this.connections++;
    this.#o.log.info(`mqtt: connected to ${this.#o.url} as ${this.#o.clientId}`);
    try {
      this.#o.mqtt.publish(this.#statusTopic, this.#online, 1, true);
      this.#o.mqtt.subscribe(this.#viewTopic, 1);
      this.#o.mqtt.subscribe(this.#ackTopic, 1);
      // With an external broker the bridge can be gone while MQTT is up: its retained status says so.
      this.#o.mqtt.subscribe(this.#bridgeTopic, 1);
    } catch (e) {
      this.#o.log.warn(`mqtt: announcing on ${this.#statusTopic} failed: ${String(e)}`);
    }
    this.#events.online();
  }

  #closed(why: string, failure: LinkFailure | "timeout" | "error"): void {
    if (this.#state === "stopped") return;
    const wasOnline = this.#state === "online";
    const wasConnecting = this.#state === "connecting";
    this.#clearTimer();
    if (!this.#networkUp) {
      this.#state = "waiting-network";
    } else {
      const delay = this.#o.backoff.next();
      this.#state = "retrying";
      this.#o.log.warn(`mqtt: ${why}; retry ${this.#o.backoff.attempts} in ${delay} ms`);
      this.#timer = this.#o.clock.after(delay, () => {
        this.#timer = undefined;
        if (this.#state === "retrying") this.#connect();
      });
    }
    if (wasOnline) this.#events.offline();
    else if (wasConnecting) this.#events.failed?.(failure);
  }

  #safeEnd(): void {
    try {
      this.#o.mqtt.end();
    } catch (e) {
      this.#o.log.warn(`mqtt: end failed: ${String(e)}`);
    }
  }

  #clearTimer(): void {
    if (this.#timer !== undefined) this.#o.clock.cancel(this.#timer);
    this.#timer = undefined;
  }
}
