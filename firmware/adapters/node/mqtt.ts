// MqttPort on Node over the `mqtt` package (MQTT.js 5), the API that Moddable's mqtt/js mirrors.
// The session owns reconnecting (backoff with jitter), so MQTT.js's own reconnect is off
// (reconnectPeriod 0) and each connect() makes a fresh client after ending the previous one.

import type { Socket } from "node:net";
import { connect as mqttConnect, type MqttClient } from "mqtt";
import type { LinkFailure, Log, MqttConnectOptions, MqttHandlers, MqttPort } from "../../core/ports";
import { sessionClientOptions } from "../mqttjs-options";

export interface NodeMqttOptions {
  /** Where connection errors are traced (they also end in a close, which the session handles). */
  log?: Log;
  /** MQTT.js connectTimeout in milliseconds; the session has its own timeout too. */
  connectTimeoutMs?: number;
  /** For mqtts:// against a private CA: whether to check the broker's certificate. */
  rejectUnauthorized?: boolean;
  /**
   * For mqtts://: the CA certificate(s), PEM, that the broker's certificate must chain to
   * (Node's tls.connect `ca`); without it Node's built-in CA list applies.
   */
  ca?: string | Buffer;
}

export class NodeMqtt implements MqttPort {
  readonly #options: NodeMqttOptions;
  #client: MqttClient | undefined;
  #ending: Promise<void> = Promise.resolve();

  constructor(options: NodeMqttOptions = {}) {
    this.#options = options;
  }

  connect(o: MqttConnectOptions, handlers: MqttHandlers): void {
    this.#drop();
    const client = mqttConnect(o.url, {
      ...sessionClientOptions(o, this.#options.connectTimeoutMs ?? 30_000),
      rejectUnauthorized: this.#options.rejectUnauthorized ?? true,
      ...(this.#options.ca !== undefined ? { ca: this.#options.ca } : {}),
    });
    this.#client = client;
    /** Why the attempt failed, from the error MQTT.js emits before its close (ports.ts, LinkFailure). */
    let failure: LinkFailure | undefined;
    client.on("connect", () => {
      failure = undefined;
      // An event and its ack are single small packets: without TCP_NODELAY, Nagle's algorithm holds
      // each one back until the previous one is acknowledged (docs/performance.md).
      (client.stream as Partial<Socket> | undefined)?.setNoDelay?.(true);
      if (this.#client === client) handlers.onConnect();
    });
    client.on("close", () => {
      if (this.#client === client) handlers.onClose(failure);
    });
    client.on("message", (topic, payload) => {
      if (this.#client === client) handlers.onMessage(topic, payload);
    });
    client.on("error", (error) => {
      // Without a listener an EventEmitter error would throw; MQTT.js closes the client after it.
      failure ??= linkFailure(error);
      if (this.#client === client) this.#options.log?.warn(`mqtt: ${o.url}: ${error.message}`);
    });
  }

  publish(topic: string, payload: string, qos: 0 | 1, retain: boolean): void {
    const client = this.#client;
    if (client === undefined) throw new Error(`mqtt: publish to ${topic} without a connection`);
    client.publish(topic, payload, { qos, retain }, (error) => {
      if (error) this.#options.log?.warn(`mqtt: publish to ${topic} failed: ${error.message}`);
    });
  }

  subscribe(topic: string, qos: 0 | 1): void {
    const client = this.#client;
    if (client === undefined) throw new Error(`mqtt: subscribe to ${topic} without a connection`);
    client.subscribe(topic, { qos }, (error) => {
      if (error) this.#options.log?.warn(`mqtt: subscribe to ${topic} failed: ${error.message}`);
    });
  }

  end(): void {
    void this.endAsync();
  }

  /** Settles once the last end() has finished sending (for a process that exits after stop). */
  whenEnded(): Promise<void> {
    return this.#ending;
  }

  /** Ends the connection after in-flight QoS 1 messages (the offline state) are sent. */
  endAsync(): Promise<void> {
    const client = this.#client;
    this.#client = undefined;
    if (client === undefined) return this.#ending;
    this.#ending = new Promise((resolve) => {
      client.end(false, {}, () => resolve());
    });
    return this.#ending;
  }

  /** Ends at once, without waiting (the previous client before a reconnect). */
  #drop(): void {
    const client = this.#client;
    this.#client = undefined;
    client?.end(true);
  }
}

/** Node's error codes as the gadget's failure kinds (what the display shows). */
function linkFailure(error: Error & { code?: unknown }): LinkFailure {
  const code = typeof error.code === "string" ? error.code : "";
  if (code === "ENOTFOUND" || code === "EAI_AGAIN") return "dns";
  if (code === "ECONNREFUSED" || code === "EHOSTUNREACH" || code === "ENETUNREACH" || code === "ETIMEDOUT") return "refused";
  // OpenSSL's verification and handshake errors (tls.connect): UNABLE_TO_VERIFY_LEAF_SIGNATURE,
  // SELF_SIGNED_CERT_IN_CHAIN, CERT_HAS_EXPIRED, ERR_TLS_CERT_ALTNAME_INVALID, ERR_SSL_*...
  if (/CERT|SIGNATURE|ERR_TLS|ERR_SSL|SSL/.test(code)) return "tls";
  return "closed";
}
