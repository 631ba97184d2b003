// MqttPort on the device: Moddable's MQTT.js-compatible client "mqtt/js"
// ($(MODDABLE)/examples/io/tcp/mqtt/mqtt.js, typed by @moddable/typings mqtt/js.d.ts).
//
// Facts from that source (SDK 8.2.3) that shape this adapter:
// - reconnectPeriod 0 turns its own retry timer off: the core's Session owns reconnects and backs
//   off (core/backoff.ts).
// - Every connect() here makes a fresh client. Reusing one through reconnect() would resend QoS 1
//   publishes left unacknowledged by the lost connection; the app has already told the person
//   "NO ANSWER" for those and keeps its own outbox, so a late resend would act on a press the
//   person was told failed.
// - end() throws "MQTT client connecting" while CONNECT is under way. Such a client is abandoned
//   instead: its events no longer reach the session, and if it connects after all it is ended at
//   once, so no second connection lingers beside the next one.
// - end(true) closes without waiting for acknowledgements; the client sends no DISCONNECT (the
//   line is commented out in mqtt.js), so the broker publishes the Will. The Will and the
//   session's own last word are the same {"state":"offline"}, so either way the status is right.
// - Messages arrive as ArrayBuffer (one per PUBLISH, fragments already joined); the port hands
//   Uint8Array views over them, without copying.
// - The module's connect(url, options) is `new Client(url, options)`; the typings declare only
//   the class, so the adapter uses it directly.

// - Every callback handed to the client is guarded: one that throws would escape into the SDK's
//   socket callback and abort the VM. Why a connection closed comes from the LinkMonitor that
//   guards the transport classes (transport-guard.ts); the client passes no reason itself.

import { Client } from "mqtt/js";
import type { LinkFailure, Log, MqttConnectOptions, MqttHandlers, MqttPort } from "../../core/ports";
import type { LinkMonitor } from "./transport-guard";

type Phase = "connecting" | "connected" | "closed";

interface Connection {
  client: Client;
  phase: Phase;
  /** False once the session ended or replaced it; its events are then ignored. */
  current: boolean;
}

export class ModdableMqtt implements MqttPort {
  readonly #monitor: LinkMonitor | undefined;
  readonly #log: Log | undefined;
  #connection: Connection | undefined;

  /** With a monitor (main.ts guards device.network with it), a close says why. */
  constructor(monitor?: LinkMonitor, log?: Log) {
    this.#monitor = monitor;
    this.#log = log;
  }

  connect(options: MqttConnectOptions, handlers: MqttHandlers): void {
    this.#retire();
    this.#monitor?.reset();
    const client = new Client(options.url, {
      clientId: options.clientId,
      keepalive: options.keepalive,
      reconnectPeriod: 0,
      resubscribe: false,
      ...(options.username !== undefined ? { username: options.username } : {}),
      ...(options.password !== undefined ? { password: options.password } : {}),
      will: { topic: options.will.topic, payload: options.will.payload, qos: options.will.qos, retain: options.will.retain },
    });
    const c: Connection = { client, phase: "connecting", current: true };
    this.#connection = c;
    client.on(
      "connect",
      this.#guard("connect", () => {
        c.phase = "connected";
        if (c.current) handlers.onConnect();
        else c.client.end(true);
      }),
    );
    client.on(
      "message",
      this.#guard("message", (topic: string, payload: ArrayBuffer) => {
        if (c.current) handlers.onMessage(topic, new Uint8Array(payload));
      }),
    );
    client.on(
      "close",
      this.#guard("close", () => {
        c.phase = "closed";
        if (c.current) {
          c.current = false;
          if (this.#connection === c) this.#connection = undefined;
          const failure: LinkFailure | undefined = this.#monitor?.failure;
          handlers.onClose(failure);
        }
      }),
    );
    // "error" comes before "close" when a connect attempt fails; the session hears the close.
    client.on("error", () => {});
  }

  /** The listener, made once per connection, with nothing thrown back into the SDK. */
  #guard<A extends unknown[]>(event: string, fn: (...args: A) => void): (...args: A) => void {
    return (...args: A) => {
      try {
        fn(...args);
      } catch (e) {
        this.#log?.warn(`mqtt: "${event}" handler failed: ${String(e)}`);
      }
    };
  }

  publish(topic: string, payload: string, qos: 0 | 1, retain: boolean): void {
    const c = this.#connection;
    if (c === undefined || c.phase !== "connected") throw new Error(`mqtt: publish to ${topic} while not connected`);
    c.client.publish(topic, payload, { qos, retain });
  }

  subscribe(topic: string, qos: 0 | 1): void {
    const c = this.#connection;
    if (c === undefined || c.phase !== "connected") throw new Error(`mqtt: subscribe to ${topic} while not connected`);
    c.client.subscribe(topic, { qos });
  }

  end(): void {
    this.#retire();
  }

  /** Detaches the current client from the session and closes it as soon as the client allows. */
  #retire(): void {
    const c = this.#connection;
    if (c === undefined) return;
    this.#connection = undefined;
    c.current = false;
    if (c.phase === "connected") c.client.end(true);
    // "connecting": ended from its connect handler above; "closed": nothing left to close.
  }
}
