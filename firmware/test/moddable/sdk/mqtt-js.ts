// A fake of Moddable's "mqtt/js" Client (examples/io/tcp/mqtt/mqtt.js), typed by @moddable/typings
// mqtt/js.d.ts, that behaves as the SDK's does towards its transport (not its code): it takes
// `device.network.mqtt` or `.mqtts` by the URL's scheme, resolves the host with the transport's
// `dns.io`, opens `socket.io` with {...socket, address, host, port, onReadable, onWritable,
// onError}, writes CONNECT once writable, and is connected on a CONNACK with return code 0. A
// socket error before then emits "error" and "close"; end() while connecting throws "MQTT client
// connecting", as the SDK's does. MQTT packets are reduced to what the adapter needs.

import type { IClientOptions } from "mqtt/js";

type Listener = (...args: unknown[]) => void;
type Transport = { dns: { io: new (o: object) => { resolve(o: object): void }; [k: string]: unknown }; socket: { io: new (o: object) => Socket; [k: string]: unknown } };
type Socket = { read(n?: number): unknown; write(v: unknown): void; close(): void };

export const clients: FakeMqttClient[] = [];

const CONNACK = 0x20;
const PUBLISH = 0x30;
const decoder = new TextDecoder();

export class FakeMqttClient {
  connected = false;
  reconnecting = false;
  readonly url: string;
  readonly options: IClientOptions;
  readonly published: { topic: string; message: string }[] = [];
  readonly subscribed: string[] = [];
  readonly #listeners: { [event: string]: Listener[] } = {};
  #socket: Socket | undefined;
  #state: "resolving" | "connecting" | "connected" | "closed" = "resolving";
  #inbox: number[] = [];

  constructor(url: string, options: IClientOptions) {
    this.url = url;
    this.options = options;
    const m = /^(mqtts?):\/\/([^:/]+)(?::(\d+))?/.exec(url);
    if (m === null) throw new URIError("only mqtt or mqtts");
    const secure = m[1] === "mqtts";
    const network = (globalThis as { device?: { network?: { mqtt?: Transport; mqtts?: Transport } } }).device?.network;
    const transport = secure ? network?.mqtts : network?.mqtt;
    if (transport === undefined) throw new TypeError(`device.network.${m[1]}: undefined`);
    const host = m[2]!;
    const port = m[3] === undefined ? (secure ? 8883 : 1883) : Number(m[3]);
    clients.push(this);
    const dns = new transport.dns.io(transport.dns);
    dns.resolve({
      host,
      onResolved: (_host: string, address: string) => {
        this.#state = "connecting";
        this.#socket = new transport.socket.io({
          ...transport.socket,
          address,
          host,
          port,
          onReadable: (count: number) => this.#readable(count),
          onWritable: () => this.#writable(),
          onError: () => this.#fail(),
        });
      },
      onError: () => this.#fail(),
    });
  }

  on(event: string, cb: Listener): this {
    const listeners = this.#listeners[event] ?? [];
    listeners.push(cb);
    this.#listeners[event] = listeners;
    return this;
  }

  publish(topic: string, message: string | ArrayBuffer): this {
    if (this.#state !== "connected") throw new Error("MQTT client not connected");
    this.published.push({ topic, message: typeof message === "string" ? message : decoder.decode(new Uint8Array(message)) });
    return this;
  }

  subscribe(topic: string): this {
    this.subscribed.push(topic);
    return this;
  }

  end(force?: boolean): this {
    void force;
    if (this.#state === "resolving" || this.#state === "connecting") throw new Error("MQTT client connecting");
    if (this.#state === "closed") return this;
    this.#close();
    return this;
  }

  #writable(): void {
    if (this.#state === "connecting" && this.#inbox.length === 0) this.#socket?.write(new Uint8Array([0x10, 0x00]));
  }

  #readable(count: number): void {
    const bytes = new Uint8Array(this.#socket!.read(count) as ArrayBuffer);
    for (const b of bytes) this.#inbox.push(b);
    const i = this.#inbox;
    if (this.#state === "connecting" && i[0] === CONNACK) {
      if (i.length < 4) return; // mid-packet: wait for the rest
      const code = i[3];
      i.splice(0, 4);
      if (code !== 0) return void this.#fail();
      this.#state = "connected";
      this.connected = true;
      this.#emit("connect");
    } else if (this.#state === "connected" && i[0] === PUBLISH) {
      // Reduced PUBLISH: [0x30, topicLength, ...topic, ...payload] in one read.
      const n = i[1]!;
      const topic = decoder.decode(new Uint8Array(i.slice(2, 2 + n)));
      const payload = new Uint8Array(i.slice(2 + n)).buffer;
      i.length = 0;
      this.#emit("message", topic, payload);
    }
  }

  #fail(): void {
    if (this.#state === "closed") return;
    if (this.#state !== "connected") this.#emit("error");
    this.#close();
  }

  #close(): void {
    this.#state = "closed";
    this.connected = false;
    this.#socket?.close();
    this.#socket = undefined;
    this.#emit("close");
  }

  #emit(event: string, ...args: unknown[]): void {
    for (const cb of this.#listeners[event] ?? []) cb(...args);
  }
}

export { FakeMqttClient as Client };
