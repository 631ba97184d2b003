// Keeps network and TLS failures inside the SDK from aborting the VM, and says which one it was.
//
// Moddable's mqtt/js builds its connection from `device.network.mqtt` (or `.mqtts`): a DNS
// resolver class (`dns.io`), a socket class (`socket.io`: TCP, or the TLS socket over
// `socket.TCP.io`), and the ECMA-419 MQTT client. They report failures through callbacks, and one
// of them throws instead: the SDK's TLS socket runs the handshake inside its TCP socket's
// onReadable/onWritable callbacks (examples/io/tcp/tlssocket/tlssocket.js, #messageHandler calls
// ssl/session's handshake), and a certificate the CA did not sign (or outside its dates) makes the
// handshake throw. Nothing catches it, so XS aborts ("unhandled exception"): on an ESP32, a restart.
//
// guardTransport() gives back the same transport with each class wrapped: every callback the SDK
// is handed goes through a try/catch. A throw is traced and turned into the socket's own onError,
// so the layers above close as they do for a lost connection (the MQTT client's onError, then
// mqtt/js's "error" and "close" events), and the session backs off and retries. The monitor records
// why: "dns" when the resolver's onError fires, "tls" for a throw under the TLS socket, "refused"
// for a socket error before it was ever writable (connection refused, host unreachable), "closed"
// for one after (reset, or the broker closing, mid-packet or not). The MQTT client itself passes
// no reason up (mqttclient.js, #onError calls options.onError without one), hence the monitor.
//
// The TLS socket throws from one more place: when the MQTT client has read a record's data and
// the TCP socket still holds bytes, its read() hands them on from a Timer (#doRead), and a record
// that ssl/session rejects there (an alert other than close_notify, ssl_alert.js) throws from
// that timer. So the TLS socket is wrapped too: during its read() the TCP socket it holds (a view
// of ours) reports no bytes, so it sets no timer, and the guard delivers them from its own timer
// through the guarded callback.

import Timer from "timer";
import type { LinkFailure, Log } from "../../core/ports";

type Callback = ((this: unknown, ...args: never[]) => unknown) | undefined;
type Options = { [key: string]: unknown };
type IoClass = new (options: Options) => object;
type Socket = {
  read(arg?: unknown): unknown;
  write(data: unknown, options?: unknown): unknown;
  close(): void;
  format: unknown;
};

/** What a guarded TLS socket and the TCP socket view under it share (see the top of this file). */
interface ReadLink {
  /** Inside the TLS socket's read(). */
  inRead: boolean;
  /** That read() found bytes left in the TCP socket (it would have set its timer). */
  deferred: boolean;
  /** Hands the TCP socket's bytes to the TLS socket through the guarded onReadable. */
  redeliver?: () => void;
}

/** What the last connection attempt's transport saw; ModdableMqtt reads it when the client closes. */
export class LinkMonitor {
  readonly #log: Log;
  /** The first failure since reset(); later ones are consequences of it. */
  failure: LinkFailure | undefined;
  /** Exceptions caught in SDK callbacks since start (each would have aborted the VM). */
  caught = 0;

  constructor(log: Log) {
    this.#log = log;
  }

  reset(): void {
    this.failure = undefined;
  }

  note(failure: LinkFailure): void {
    if (this.failure === undefined) this.failure = failure;
  }

  caughtThrow(where: string, e: unknown): void {
    this.caught++;
    this.#log.warn(`${where}: ${String(e)} (caught; the connection is closed and retried)`);
  }
}

export interface MqttTransport {
  io: unknown;
  dns: { io: unknown; [key: string]: unknown };
  socket: { io: unknown; TCP?: { io: unknown; [key: string]: unknown }; [key: string]: unknown };
  [key: string]: unknown;
}

/** Calls fn with `self` as this; a throw is reported and answered by calling onThrow. */
function guarded(fn: Callback, onThrow: (e: unknown) => void): Callback {
  if (typeof fn !== "function") return fn;
  return function (this: unknown, ...args: never[]) {
    try {
      return fn.apply(this, args);
    } catch (e) {
      onThrow(e);
      return undefined;
    }
  };
}

/**
 * A socket class like `Io` whose callbacks cannot throw into the host. `layer` names it in traces;
 * `thrown` is the failure a throw stands for.
 */
function guardSocketClass(Io: IoClass, monitor: LinkMonitor, layer: string, thrown: LinkFailure, link?: ReadLink): IoClass {
  return class GuardedSocket {
    constructor(options: Options) {
      let writable = false;
      let closing = false;
      const onError = options.onError as Callback;
      const fail = (e: unknown): void => {
        monitor.caughtThrow(layer, e);
        monitor.note(thrown);
        if (closing) return;
        closing = true;
        // The owner's own error path: it closes this socket and tells the layer above.
        try {
          onError?.call(socket);
        } catch (e2) {
          monitor.caughtThrow(`${layer} onError`, e2);
        }
      };
      const wrapped: Options = { ...options };
      const onWritable = options.onWritable as Callback;
      const onReadable = options.onReadable as Callback;
      wrapped.onWritable = guarded(
        function (this: unknown, ...args: never[]) {
          writable = true;
          return onWritable?.apply(this, args);
        } as Callback,
        fail,
      );
      if (onReadable !== undefined) wrapped.onReadable = guarded(onReadable, fail);
      wrapped.onError = guarded(
        function (this: unknown, ...args: never[]) {
          monitor.note(writable ? "closed" : "refused");
          return onError?.apply(this, args);
        } as Callback,
        (e) => monitor.caughtThrow(`${layer} onError`, e),
      );
      // The constructor may call back at once, before `socket` is set: fail() then has no socket
      // for `this`, which the SDK's callbacks (arrow functions) do not use.
      let socket: object | undefined;
      socket = new Io(wrapped);
      if (link === undefined) return socket as GuardedSocket;
      // Under TLS: the view the TLS socket holds. It keeps its count on it (`readable`,
      // `writable`, tlssocket.js), which is how the view can hide it during read().
      const real = socket as Socket;
      let readable = 0;
      const view = {
        get readable(): number {
          if (link.inRead && readable > 0) {
            link.deferred = true;
            return 0;
          }
          return readable;
        },
        set readable(count: number) {
          readable = count;
        },
        writable: 0,
        read: (arg?: unknown) => real.read(arg),
        write: (data: unknown, o?: unknown) => (o === undefined ? real.write(data) : real.write(data, o)),
        close: () => real.close(),
        get format(): unknown {
          return real.format;
        },
        set format(format: unknown) {
          real.format = format;
        },
      };
      link.redeliver = () => {
        if (readable > 0) (wrapped.onReadable as Callback)?.call(view, readable as never);
      };
      return view as GuardedSocket;
    }
  } as unknown as IoClass;
}

/** The TLS socket class with its deferred read moved to a guarded timer (top of this file). */
function guardTlsClass(Tls: IoClass, monitor: LinkMonitor): IoClass {
  return class GuardedTLSSocket {
    constructor(options: Options) {
      const link: ReadLink = { inRead: false, deferred: false };
      const tcp = options.TCP as { io: unknown; [key: string]: unknown };
      const TCP = { ...tcp, io: guardSocketClass(tcp.io as IoClass, monitor, "tls", "tls", link) };
      const tls = new Tls({ ...options, TCP }) as Socket;
      let timer: Timer | undefined;
      return {
        read(arg?: unknown): unknown {
          link.inRead = true;
          try {
            return arg === undefined ? tls.read() : tls.read(arg);
          } finally {
            link.inRead = false;
            if (link.deferred) {
              link.deferred = false;
              timer ??= Timer.set(() => {
                timer = undefined;
                link.redeliver?.();
              });
            }
          }
        },
        write: (data: unknown, o?: unknown) => (o === undefined ? tls.write(data) : tls.write(data, o)),
        close(): void {
          if (timer !== undefined) Timer.clear(timer);
          timer = undefined;
          tls.close();
        },
        get format(): unknown {
          return tls.format;
        },
        set format(format: unknown) {
          tls.format = format;
        },
      } as GuardedTLSSocket;
    }
  } as unknown as IoClass;
}

function guardResolverClass(Io: IoClass, monitor: LinkMonitor): IoClass {
  return class GuardedResolver {
    constructor(options: Options) {
      const resolver = new Io(options) as { resolve(o: Options): void; close?(): void };
      const fail = (e: unknown) => monitor.caughtThrow("dns", e);
      // A stand-in, not a patched resolver: the SDK's mqttclient/config.js deep-freezes `device`
      // (Object.freeze(device, true)), so the resolver class's prototype is frozen and assigning
      // `resolver.resolve` throws "not writable" (seen in mcsim). The MQTT client calls only
      // resolve() (mqttclient.js, constructor) and the resolver's owner close().
      return {
        resolve(o: Options): void {
          const onError = o.onError as Callback;
          resolver.resolve({
            ...o,
            onResolved: guarded(o.onResolved as Callback, fail),
            onError: guarded(
              function (this: unknown, ...args: never[]) {
                monitor.note("dns");
                return onError?.apply(this, args);
              } as Callback,
              fail,
            ),
          });
        },
        close(): void {
          resolver.close?.();
        },
      } as GuardedResolver;
    }
  } as unknown as IoClass;
}

/** The transport with its resolver and socket classes guarded (see the top of this file). */
export function guardTransport(transport: MqttTransport, monitor: LinkMonitor): MqttTransport {
  const socket = transport.socket;
  const tcp = socket.TCP;
  const guardedSocket =
    tcp === undefined
      ? { ...socket, io: guardSocketClass(socket.io as IoClass, monitor, "tcp", "closed") }
      : // The TLS socket's constructor makes the TCP socket from options.TCP, whose callbacks run the
        // handshake; GuardedTLSSocket hands it a guarded TCP class.
        { ...socket, io: guardTlsClass(socket.io as IoClass, monitor) };
  return Object.freeze({
    ...transport,
    dns: Object.freeze({ ...transport.dns, io: guardResolverClass(transport.dns.io as IoClass, monitor) }),
    socket: Object.freeze(guardedSocket),
  });
}

interface DeviceNetwork {
  network?: { mqtt?: MqttTransport; mqtts?: MqttTransport; [key: string]: unknown };
}

/**
 * Replaces `device.network.mqtt` and `.mqtts` (when present) with guarded copies, as the SDK's
 * mqttclient/config.js installs them: a new frozen `device` with the entries replaced. Call it
 * after installMqttsTransport (mqtts.ts), before the first connect.
 */
export function guardDeviceNetwork(monitor: LinkMonitor): void {
  const current = globalThis.device as unknown as DeviceNetwork;
  const network = current.network;
  if (network === undefined) return;
  const next: { [key: string]: unknown } = { ...network };
  if (network.mqtt !== undefined) next.mqtt = guardTransport(network.mqtt, monitor);
  if (network.mqtts !== undefined) next.mqtts = guardTransport(network.mqtts, monitor);
  globalThis.device = Object.freeze({ ...current, network: Object.freeze(next) }) as unknown as typeof device;
}
