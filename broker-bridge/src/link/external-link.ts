// A Link over an external broker (Mosquitto, EMQX): the bridge is one more MQTT client, with a
// fixed client id and a persistent session (clean: false) so QoS 1 requests published while the
// bridge restarts wait in the broker for it. The sender of a message is unknown here; identity
// comes from topics the broker's ACL ties to user names (see docs/security.md).
import { Backoff, type BackoffOptions } from "@shipgate/protocol";
import mqtt, { type MqttClient } from "mqtt";
import { readFileSync } from "node:fs";
import type { Logger } from "pino";
import type { Link, MessageHandler, PublishOptions } from "./link";
import { sendWithoutDelay } from "./no-delay";
import { LINK_RECONNECT, driveReconnects } from "./reconnect-backoff";
import { Router } from "./router";

export interface ExternalLinkOptions {
  url: string;
  clientId: string;
  username?: string | undefined;
  password?: string | undefined;
  ca?: string | null;
  /** The retained offline state the broker publishes if the bridge vanishes. */
  will: { topic: string; payload: string };
  log: Logger;
  /** The reconnect policy; LINK_RECONNECT unless a test shortens it. */
  reconnect?: Partial<BackoffOptions>;
  random?: () => number;
}

export class ExternalLink implements Link {
  readonly kind = "external";
  readonly #router: Router;
  readonly #client: MqttClient;
  readonly #log: Logger;
  #subscribed: Promise<void> | null = null;

  constructor(options: ExternalLinkOptions) {
    this.#log = options.log;
    this.#router = new Router(options.log);
    this.#client = mqtt.connect(options.url, {
      clientId: options.clientId,
      clean: false,
      username: options.username,
      password: options.password,
      ca: options.ca ? readFileSync(options.ca) : undefined,
      // The first period; driveReconnects sets each next one from the backoff policy.
      reconnectPeriod: LINK_RECONNECT.initialMs,
      connectTimeout: 10_000,
      // No table of 65,536 pre-built packet-id buffers (6 MiB; see broker/embedded-broker.ts).
      writeCache: false,
      will: { topic: options.will.topic, payload: Buffer.from(options.will.payload), qos: 1, retain: true },
    });
    sendWithoutDelay(this.#client);
    driveReconnects(this.#client, new Backoff({ ...LINK_RECONNECT, ...options.reconnect }, options.random));
    this.#client.on("message", (topic, payload) => this.#router.dispatch({ topic, payload, from: null }));
    this.#client.on("error", (err) => this.#log.warn({ err: err.message }, "external broker error"));
    this.#client.on("reconnect", () => this.#log.info("reconnecting to the external broker"));
  }

  subscribe(filter: string, handler: MessageHandler): void {
    this.#router.add(filter, handler);
  }

  /** Connects and subscribes every filter at QoS 1; rejects with a clear error if the broker refuses. */
  ready(): Promise<void> {
    this.#subscribed ??= new Promise<void>((resolve, reject) => {
      const fail = (err: Error) => reject(new Error(`cannot use the external broker: ${err.message}`, { cause: err }));
      const onConnect = () => {
        this.#client.off("error", fail);
        const filters = this.#router.filters;
        if (filters.length === 0) return resolve();
        this.#client.subscribe(filters, { qos: 1 }, (err, granted) => {
          if (err) return fail(err);
          const refused = (granted ?? []).filter((g) => g.qos === 128).map((g) => g.topic);
          if (refused.length > 0) return fail(new Error(`subscription refused for ${refused.join(", ")} (check the ACL)`));
          resolve();
        });
      };
      // The client may have connected while the services were starting: then "connect" has fired already.
      if (this.#client.connected) return onConnect();
      this.#client.once("connect", onConnect);
      this.#client.once("error", fail);
    });
    return this.#subscribed;
  }

  publish(topic: string, payload: string | Buffer, options: PublishOptions): Promise<void> {
    return new Promise((resolve, reject) => {
      this.#client.publish(topic, payload, { qos: options.qos, retain: options.retain }, (err) => (err ? reject(err) : resolve()));
    });
  }

  get client(): MqttClient {
    return this.#client;
  }

  async close(): Promise<void> {
    await this.#client.endAsync();
  }
}
