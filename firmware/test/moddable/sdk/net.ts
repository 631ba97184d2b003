// Fakes of the Moddable SDK's network classes, shaped as @moddable/typings declares them, with a
// scripted far end: the test plays the DNS server, the broker and the network.
//
// - FakeResolver: "embedded:network/dns/resolver/udp" (constructor(options), resolve({host,
//   onResolved, onError}), close()); answers when the test says so.
// - FakeTCP: "embedded:io/socket/tcp" (constructor({address|host, port, onReadable, onWritable,
//   onError}), read, write, close); the test accepts, refuses, resets or sends bytes.
// - FakeTLSSocket: "embedded:io/socket/tcp/tls" as the SDK's examples/io/tcp/tlssocket behaves
//   (not its code): it opens its TCP socket from options.TCP.io with its own callbacks, runs the
//   handshake inside them, and when the server's certificate is not signed by secure.certificate,
//   throws from that callback, as ssl/session's handshake does. Its "handshake" is a line the fake
//   server sends: "CERT <issuer>\n", accepted when <issuer> equals the certificate's bytes.
//   After it, the server sends records (tlsRecord): the socket keeps the TCP socket's count on
//   it (`readable`), reads one record per delivery, and when the client has read a record's data
//   while the TCP socket still holds bytes, delivers the rest from a Timer, as tlssocket.js's
//   read() does (#doRead); an alert other than close_notify throws there (ssl_alert.js).

import type TCP from "embedded:io/socket/tcp";
import type TLSSocketClass from "embedded:io/socket/tcp/tls";
import type Resolver from "embedded:network/dns/resolver/udp";
import { FakeTimer, type FakeTimerEntry } from "./io";

type Bytes = Uint8Array;

export interface SocketScript {
  readonly options: { [key: string]: unknown };
  readonly written: Bytes[];
  closed: boolean;
  /** The far end accepted: the socket becomes writable. */
  accept(): void;
  /** Connection refused (or no route): onError before it was ever writable. */
  refuse(): void;
  /** Reset by the peer, or closed mid-packet: onError. */
  reset(): void;
  /** The far end sends bytes: onReadable. */
  send(bytes: Bytes): void;
}

export const net = {
  sockets: [] as SocketScript[],
  lookups: [] as { host: string; onResolved: (host: string, address: string) => void; onError: (host: string) => void }[],
  clear(): void {
    net.sockets.length = 0;
    net.lookups.length = 0;
  },
  lastSocket(): SocketScript {
    const s = net.sockets[net.sockets.length - 1];
    if (s === undefined) throw new Error("fake net: no socket was opened");
    return s;
  },
};

type Options = { [key: string]: unknown };
type Cb = ((...args: unknown[]) => void) | undefined;

class FakeTCPImpl {
  readonly remoteAddress: string | undefined;
  readonly remotePort: number | undefined;
  #inbox: number[] = [];
  #script: SocketScript;

  constructor(options: Options) {
    if (typeof options.port !== "number") throw new TypeError("TCP: port required");
    if (typeof options.address !== "string" && typeof options.host !== "string") throw new TypeError("TCP: address or host required");
    this.remoteAddress = options.address as string | undefined;
    this.remotePort = options.port as number;
    const call = (name: string, ...args: unknown[]) => (options[name] as Cb)?.call(this, ...args);
    const inbox = this.#inbox;
    this.#script = {
      options,
      written: [],
      closed: false,
      accept() {
        call("onWritable", 1460);
      },
      refuse() {
        call("onError");
      },
      reset() {
        call("onError");
      },
      send(bytes) {
        for (const b of bytes) inbox.push(b);
        call("onReadable", inbox.length);
      },
    };
    net.sockets.push(this.#script);
  }

  read(byteLength?: number): number | ArrayBuffer;
  read(buffer: ArrayBufferLike | ArrayBufferView): void;
  read(arg?: number | ArrayBufferLike | ArrayBufferView): number | ArrayBuffer | undefined {
    if (this.#script.closed) throw new Error("TCP: read after close");
    const n = typeof arg === "number" ? Math.min(arg, this.#inbox.length) : this.#inbox.length;
    const out = new Uint8Array(this.#inbox.splice(0, n));
    return out.buffer;
  }

  write(value: number | ArrayBufferLike | ArrayBufferView): void {
    if (this.#script.closed) throw new Error("TCP: write after close");
    const bytes =
      typeof value === "number" ? new Uint8Array([value]) : ArrayBuffer.isView(value) ? new Uint8Array(value.buffer, value.byteOffset, value.byteLength).slice() : new Uint8Array(value).slice();
    this.#script.written.push(bytes);
  }

  close(): void {
    this.#script.closed = true;
  }

  get format(): "number" | "buffer" {
    return "buffer";
  }

  set format(value: "number" | "buffer") {
    if (value !== "buffer") throw new RangeError("fake TCP: buffer format only");
  }
}

/** Type-checked against the typings' class: it takes their options and its instances are TCPs. */
const tcpShape: new (options: ConstructorParameters<typeof TCP>[0]) => TCP = FakeTCPImpl;
export const FakeTCP = tcpShape;

class FakeResolverImpl {
  constructor(options: Record<string, any>) {
    void options;
  }
  close(): void {}
  resolve(options: { host: string; onResolved: (host: string, address: any) => null; onError: (host: string) => null }): void {
    net.lookups.push({ host: options.host, onResolved: (h, a) => void options.onResolved(h, a), onError: (h) => void options.onError(h) });
  }
}

export const FakeResolver: typeof Resolver = FakeResolverImpl;

const encoder = new TextEncoder();
const decoder = new TextDecoder();

/** A record as the fake TLS socket reads it: [type, length (2 bytes), ...payload]; 23 data, 21 alert. */
export function tlsRecord(type: 21 | 23, payload: ArrayLike<number>): Uint8Array {
  const out = new Uint8Array(3 + payload.length);
  out.set([type, payload.length >> 8, payload.length & 0xff]);
  out.set(payload, 3);
  return out;
}

/** The SDK's TLS socket's behaviour over a fake handshake (see the top of this file). */
export class FakeTLSSocket {
  #tcp: { read(n?: number): unknown; write(v: unknown): void; close(): void; readable: number };
  #ready = false;
  #issuer: string;
  #callbacks: { onReadable: Cb; onWritable: Cb; onError: Cb };
  #data: Uint8Array | undefined;
  #position = 0;
  #doRead: FakeTimerEntry | undefined;

  constructor(options: { host: string; port: number; secure?: { certificate?: ArrayBuffer }; TCP: { io: unknown }; [key: string]: unknown }) {
    this.#issuer = options.secure?.certificate === undefined ? "" : decoder.decode(new Uint8Array(options.secure.certificate));
    this.#callbacks = { onReadable: options.onReadable as Cb, onWritable: options.onWritable as Cb, onError: options.onError as Cb };
    const Io = options.TCP.io as new (o: Options) => FakeTLSSocket["tcp"];
    this.#tcp = new Io({
      ...options,
      onReadable: (count: number) => this.#onReadable(count),
      onWritable: (count: number) => this.#onWritable(count),
      onError: () => this.#callbacks.onError?.(),
    });
    this.#tcp.readable = 0;
  }

  get tcp() {
    return this.#tcp;
  }

  #onWritable(count: number): void {
    if (!this.#ready) {
      this.#tcp.write(encoder.encode("CLIENT HELLO\n"));
      return;
    }
    this.#callbacks.onWritable?.(count);
  }

  #onReadable(count: number): void {
    if (!this.#ready) {
      const line = decoder.decode(new Uint8Array(this.#tcp.read(count) as ArrayBuffer));
      const issuer = line.startsWith("CERT ") ? line.slice(5).trim() : "";
      // Where the SDK's handshake throws (ssl_cert.js, a chain that ends at no trusted CA).
      if (issuer !== this.#issuer) throw new Error(`ssl: certificate: untrusted issuer "${issuer}"`);
      this.#ready = true;
      this.#callbacks.onWritable?.(1460 - 96);
      return;
    }
    this.#tcp.readable = count;
    if (this.#data !== undefined) return;
    const data = this.#sessionRead();
    if (data === undefined) return;
    this.#data = data;
    this.#position = 0;
    this.#callbacks.onReadable?.(data.byteLength);
  }

  /** ssl/session's read: one record; an alert other than close_notify (0) throws. */
  #sessionRead(): Uint8Array | undefined {
    const tcp = this.#tcp;
    if (tcp.readable < 3) return undefined;
    const header = new Uint8Array(tcp.read(3) as ArrayBuffer);
    const length = (header[1]! << 8) | header[2]!;
    const payload = new Uint8Array(tcp.read(length) as ArrayBuffer);
    tcp.readable -= 3 + length;
    if (header[0] === 21 && payload[1] !== 0) throw new Error(`TLS: alert: ${payload[0]}, ${payload[1]}`);
    return payload;
  }

  read(count?: number): unknown {
    const data = this.#data;
    if (data === undefined) return undefined;
    const n = Math.min(count ?? data.byteLength, data.byteLength - this.#position);
    const result = data.slice(this.#position, this.#position + n).buffer;
    this.#position += n;
    if (this.#position === data.byteLength) this.#data = undefined;
    // tlssocket.js read(): the bytes still in the TCP socket come from a Timer, not a callback.
    if (this.#data === undefined && this.#tcp.readable) {
      this.#doRead ??= FakeTimer.set(() => {
        this.#doRead = undefined;
        if (this.#tcp.readable) this.#onReadable(this.#tcp.readable);
      });
    }
    return result;
  }

  write(value: unknown): void {
    this.#tcp.write(value);
  }

  close(): void {
    FakeTimer.clear(this.#doRead);
    this.#tcp.close();
  }
}

/** Type-checked against the TLS socket's declaration (firmware/typings/tls-socket.d.ts). */
const tlsShape: new (options: ConstructorParameters<typeof TLSSocketClass>[0]) => { close(): void } = FakeTLSSocket;
void tlsShape;
