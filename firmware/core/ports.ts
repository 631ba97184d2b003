// The small interfaces the gadget's app talks to. The core imports nothing else from the
// outside world: adapters/moddable/ implements these on the ESP32, adapters/node/ on Node for the
// terminal twin and the tests, and the dashboard's browser adapter in the browser.

/** A monotonic millisecond clock and one-shot/repeating timers. */
export interface Clock {
  /** Milliseconds since an arbitrary origin; never goes backwards. */
  now(): number;
  /** Calls fn after ms milliseconds; returns a handle for cancel(). */
  after(ms: number, fn: () => void): TimerHandle;
  /** Calls fn every ms milliseconds until cancelled. */
  every(ms: number, fn: () => void): TimerHandle;
  cancel(handle: TimerHandle): void;
}

export type TimerHandle = unknown;

/** One digital input (a button). Level is the electrical level: buttons pull to ground, so pressed reads 0. */
export interface DigitalInput {
  read(): 0 | 1;
  /** Called on any edge; edges that come before the callback runs may be merged into one call. */
  onChange(fn: () => void): void;
  close(): void;
}

/**
 * One digital output: a button's LED, driven from the GPIO through its 220 Ω resistor to ground
 * (hardware/README.md, wiring), so 1 lights the LED and 0 turns it off.
 */
export interface DigitalOutput {
  write(level: 0 | 1): void;
  close(): void;
}

/** An SPI bus with one device selected by a chip-select pin. */
export interface SpiBus {
  /** Writes bytes with chip-select asserted; select stays asserted until flush(true). */
  write(bytes: Uint8Array): void;
  /** Waits for the write to finish; with deselect true, releases chip-select (MAX7219 latches here). */
  flush(deselect: boolean): void;
  close(): void;
}

/** A strip or ring of RGB pixels (WS2812). */
export interface PixelStrip {
  readonly length: number;
  /** Sets pixel i to a 24-bit 0xRRGGBB colour (the adapter converts to the wire order). */
  setPixel(i: number, rgb: number): void;
  /** Sends the pixels to the LEDs. */
  update(): void;
  close(): void;
}

/** Key-value settings that survive restarts (NVS on the ESP32; keys of at most 15 characters). */
export interface Settings {
  get(key: string): string | number | boolean | undefined;
  set(key: string, value: string | number | boolean): void;
  delete(key: string): void;
}

/**
 * Why a connection attempt or a connection ended, when the adapter can tell: the TLS handshake
 * failed (a server certificate the CA did not sign, a date outside its validity), the broker's
 * name did not resolve, the TCP connection was refused or could not be made, or it was closed or
 * reset (by the broker, mid-packet or not).
 */
export type LinkFailure = "tls" | "dns" | "refused" | "closed";

/** What the MQTT client tells the session. */
export interface MqttHandlers {
  onConnect(): void;
  /** The connection (or the attempt) ended; `failure` says why when the adapter knows. */
  onClose(failure?: LinkFailure): void;
  onMessage(topic: string, payload: Uint8Array): void;
}

/** Options the session gives the MQTT adapter when it connects. */
export interface MqttConnectOptions {
  url: string;
  clientId: string;
  username?: string;
  password?: string;
  /** Seconds between keep-alive pings. */
  keepalive: number;
  will: { topic: string; payload: string; qos: 0 | 1; retain: boolean };
}

/**
 * The MQTT client port, shaped after MQTT.js (which Moddable's mqtt/js mirrors). Reconnects are
 * driven by the session's own backoff policy, so the adapter never reconnects by itself.
 */
export interface MqttPort {
  connect(options: MqttConnectOptions, handlers: MqttHandlers): void;
  publish(topic: string, payload: string, qos: 0 | 1, retain: boolean): void;
  subscribe(topic: string, qos: 0 | 1): void;
  /** Closes the connection; the session publishes its offline state first. */
  end(): void;
}

/** The network link below MQTT (Wi-Fi on the device; always up on Node). */
export interface NetworkPort {
  /** Starts joining; onUp/onDown report the link. */
  start(onUp: () => void, onDown: () => void): void;
  /** Received signal strength in dBm, 0 when unknown. */
  rssi(): number;
  /** The hardware address as 12 lowercase hex digits, for the MQTT client id. */
  mac(): string;
}

/** Facts about the running system for the heartbeat. */
export interface SystemPort {
  freeHeap(): number;
  restartReason(): string;
  version(): string;
}

/** A trace sink: the device's serial console (trace) or Node's stderr. */
export interface Log {
  info(message: string): void;
  warn(message: string): void;
}
