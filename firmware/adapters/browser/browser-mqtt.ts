// The MqttPort (core/ports.ts) in a browser: MQTT.js's browser build over WebSocket, to the
// bridge's embedded broker at ws(s)://<dashboard host>/mqtt. A browser cannot open TCP sockets,
// so the session's mqtt:// URL (the firmware's config only knows mqtt:// and mqtts://) is
// replaced by the WebSocket URL given here. As on Node, the session owns reconnecting, so
// MQTT.js's reconnect is off and each connect() starts a fresh client.

// The browser build (dist/mqtt.esm.js, picked by the package's "browser" field) has a default export only.
import mqtt, { type MqttClient } from "mqtt";
import type { Log, MqttConnectOptions, MqttHandlers, MqttPort } from "../../core/ports";
import { sessionClientOptions } from "../mqttjs-options";

export class BrowserMqtt implements MqttPort {
  readonly #url: string;
  readonly #log: Log;
  #client: MqttClient | undefined;

  /** url: ws://host/mqtt or wss://host/mqtt. */
  constructor(url: string, log: Log) {
    this.#url = url;
    this.#log = log;
  }

  connect(o: MqttConnectOptions, handlers: MqttHandlers): void {
    this.#client?.end(true);
    const client = mqtt.connect(this.#url, sessionClientOptions(o, 10_000));
    this.#client = client;
    client.on("connect", () => this.#client === client && handlers.onConnect());
    client.on("close", () => this.#client === client && handlers.onClose());
    client.on("message", (topic, payload) => this.#client === client && handlers.onMessage(topic, payload));
    client.on("error", (error) => this.#client === client && this.#log.warn(`mqtt: ${this.#url}: ${error.message}`));
  }

  publish(topic: string, payload: string, qos: 0 | 1, retain: boolean): void {
    const client = this.#client;
    if (client === undefined) throw new Error(`mqtt: publish to ${topic} without a connection`);
    client.publish(topic, payload, { qos, retain }, (error) => {
      if (error) this.#log.warn(`mqtt: publish to ${topic} failed: ${error.message}`);
    });
  }

  subscribe(topic: string, qos: 0 | 1): void {
    const client = this.#client;
    if (client === undefined) throw new Error(`mqtt: subscribe to ${topic} without a connection`);
    client.subscribe(topic, { qos }, (error) => {
      if (error) this.#log.warn(`mqtt: subscribe to ${topic} failed: ${error.message}`);
    });
  }

  end(): void {
    const client = this.#client;
    this.#client = undefined;
    // Not forced: the session's offline state (QoS 1) goes out before the socket closes.
    client?.end(false);
  }
}
