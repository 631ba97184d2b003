// Fakes of the ECMA-419 io classes the ESP32 adapters take from `device.io` (Digital, SPI), and of
// the SDK modules they import (neopixel, preference, instrumentation, resetReason, time, timer,
// sntp, the Wi-Fi interface), each typed against @moddable/typings (or firmware/typings where the
// typings lack one) and recording what the adapter did, so an adapter test can check its calls.

import type Digital from "embedded:io/digital";
import type SPI from "embedded:io/spi";
import type NeoPixel from "neopixel";
import type Preference from "preference";
import type Instrumentation from "instrumentation";
import type Time from "time";
import type SNTP from "sntp";
import type WiFi from "embedded:network/interface/wifi";
import type { WiFiConstructorOptions, WiFiConnectOptions } from "embedded:network/interface/wifi";

export const calls: string[] = [];

type DigitalOptions = ConstructorParameters<typeof Digital>[0];

class FakeDigitalImpl {
  static readonly Input: unknown = 0;
  static readonly InputPullUp: unknown = 1;
  static readonly InputPullDown: unknown = 2;
  static readonly InputPullUpDown: unknown = 3;
  static readonly Output: unknown = 8;
  static readonly OutputOpenDrain: unknown = 9;
  static readonly Rising = 1;
  static readonly Falling = 2;
  static readonly all: FakeDigitalImpl[] = [];
  readonly options: DigitalOptions;
  level: 0 | 1 = 1;
  closed = false;
  constructor(options: DigitalOptions) {
    if (typeof options.pin !== "number") throw new TypeError("Digital: pin required");
    this.options = options;
    FakeDigitalImpl.all.push(this);
  }
  write(value: 0 | 1): void {
    if (this.closed) throw new Error("Digital: closed");
    if (this.options.mode !== FakeDigitalImpl.Output && this.options.mode !== FakeDigitalImpl.OutputOpenDrain) throw new Error("Digital: not an output");
    this.level = value;
    calls.push(`digital ${String(this.options.pin)} write ${value}`);
  }
  read(): 0 | 1 {
    if (this.closed) throw new Error("Digital: closed");
    return this.level;
  }
  close(): void {
    this.closed = true;
  }
  get format(): "number" {
    return "number";
  }
  set format(value: "number") {
    if (value !== "number") throw new RangeError("Digital: number format only");
  }
  /** The pin changes level: onReadable, as the driver calls it (this = the instance). */
  edge(level: 0 | 1): void {
    this.level = level;
    const o = this.options as { onReadable?: (this: Digital) => void };
    o.onReadable?.call(this as unknown as Digital);
  }
}

export const FakeDigital: typeof Digital & { all: FakeDigitalImpl[] } = FakeDigitalImpl;
export type { FakeDigitalImpl };

type SpiOptions = ConstructorParameters<typeof SPI>[0];

class FakeSPIImpl {
  static readonly all: FakeSPIImpl[] = [];
  readonly options: SpiOptions;
  readonly frames: number[][] = [];
  #pending: number[] = [];
  closed = false;
  constructor(options: SpiOptions) {
    if (typeof options.clock !== "number" || typeof options.hz !== "number") throw new TypeError("SPI: clock and hz required");
    this.options = options;
    FakeSPIImpl.all.push(this);
  }
  read(byteLength: number): ArrayBuffer;
  read(buffer: ArrayBufferLike | ArrayBufferView): void;
  read(): ArrayBuffer | undefined {
    throw new Error("fake SPI: write only");
  }
  write(buffer: ArrayBufferLike | ArrayBufferView): void {
    if (this.closed) throw new Error("SPI: closed");
    const bytes = ArrayBuffer.isView(buffer) ? new Uint8Array(buffer.buffer, buffer.byteOffset, buffer.byteLength) : new Uint8Array(buffer);
    for (const b of bytes) this.#pending.push(b);
  }
  transfer(): void {
    throw new Error("fake SPI: write only");
  }
  flush(deselect?: boolean): void {
    if (deselect === true) {
      this.frames.push(this.#pending);
      this.#pending = [];
    }
  }
  close(): void {
    this.closed = true;
  }
  get format(): "buffer" {
    return "buffer";
  }
  set format(value: "buffer") {
    void value;
  }
}

export const FakeSPI: typeof SPI & { all: FakeSPIImpl[] } = FakeSPIImpl;

/** Installs `device.io` with the fakes (the adapters read the classes from there). */
export function installDeviceIo(): void {
  FakeDigitalImpl.all.length = 0;
  FakeSPIImpl.all.length = 0;
  calls.length = 0;
  (globalThis as { device?: unknown }).device = Object.freeze({ io: Object.freeze({ Digital: FakeDigital, SPI: FakeSPI }) });
}

type NeoPixelOptions = NonNullable<ConstructorParameters<typeof NeoPixel>[0]>;

/** neopixel: GRB packing as the driver does for order "GRB". */
export class FakeNeoPixel {
  static readonly all: FakeNeoPixel[] = [];
  readonly options: NeoPixelOptions;
  readonly pixels: number[];
  readonly sent: number[][] = [];
  brightness = 64;
  closed = false;
  constructor(options?: NeoPixelOptions) {
    if (options?.length === undefined || options.pin === undefined) throw new TypeError("NeoPixel: length and pin required");
    this.options = options;
    this.pixels = new Array<number>(options.length).fill(0);
    FakeNeoPixel.all.push(this);
  }
  get length(): number {
    return this.pixels.length;
  }
  makeRGB(r: number, g: number, b: number): number {
    if (this.options.order !== "GRB") throw new Error("fake NeoPixel: GRB only");
    return (g << 16) | (r << 8) | b;
  }
  setPixel(index: number, color: number): void {
    if (index < 0 || index >= this.pixels.length) throw new RangeError("NeoPixel: index out of range");
    this.pixels[index] = color;
  }
  update(): void {
    if (this.closed) throw new Error("NeoPixel: closed");
    this.sent.push(this.pixels.slice());
  }
  close(): void {
    this.closed = true;
  }
}
// The typings' NeoPixel extends HostBuffer, which no script class can; the members the adapter uses are checked.
const neoPixelShape: Pick<NeoPixel, "makeRGB" | "setPixel" | "update" | "close" | "brightness" | "length"> = new FakeNeoPixel({ length: 1, pin: 0, order: "GRB" });
void neoPixelShape;
FakeNeoPixel.all.length = 0;

const stored = new Map<string, string | boolean | number | ArrayBuffer>();
export const preferenceWrites: string[] = [];
export const FakePreference: typeof Preference = {
  set(domain, key, value) {
    preferenceWrites.push(`${domain}.${key}`);
    stored.set(domain + "\u0000" + key, value);
  },
  get: (domain, key) => stored.get(domain + "\u0000" + key),
  delete(domain, key) {
    stored.delete(domain + "\u0000" + key);
  },
  keys: (domain) => [...stored.keys()].filter((k) => k.startsWith(domain + "\u0000")).map((k) => k.slice(domain.length + 1)),
};
export function clearPreferences(): void {
  stored.clear();
  preferenceWrites.length = 0;
}

export const instrumentation = { freeMemory: 51_200 };
export const FakeInstrumentation: typeof Instrumentation = {
  map: (name) => (name === "System Free Memory" ? 7 : undefined),
  get: (what) => (what === 7 ? instrumentation.freeMemory : undefined),
  name: (what) => (what === 7 ? "System Free Memory" : undefined),
};

export const resetReason = { reason: 4, string: "Panic" };
export function fakeGetResetReason(): { reason: number; string: string } {
  return { ...resetReason };
}

/** time: ticks the test sets (a signed 32-bit count on the ESP32); set() records the clock. */
export const FakeTime: typeof Time & { setTo: number | undefined } = {
  ticks: 0,
  timezone: 0,
  dst: 0,
  setTo: undefined,
  set(seconds: number) {
    this.setTo = seconds;
  },
  delta(start: number, end?: number) {
    return (end ?? this.ticks) - start;
  },
};

export interface FakeTimerEntry {
  callback: (timer: never) => void;
  interval: number;
  repeat: boolean;
  cleared: boolean;
}
export const timers: FakeTimerEntry[] = [];
export const FakeTimer = {
  set(callback: (timer: never) => void, interval = 0): FakeTimerEntry {
    const t = { callback, interval, repeat: false, cleared: false };
    timers.push(t);
    return t;
  },
  repeat(callback: (timer: never) => void, interval: number): FakeTimerEntry {
    const t = { callback, interval, repeat: true, cleared: false };
    timers.push(t);
    return t;
  },
  clear(timer: FakeTimerEntry | undefined | null): void {
    if (timer) timer.cleared = true;
  },
  /** Runs the timer's callback, as the SDK's timer loop would. */
  fire(timer: FakeTimerEntry): void {
    if (timer.cleared) throw new Error("fake timer: fired after clear");
    timer.callback(timer as never);
    if (!timer.repeat) timer.cleared = true;
  },
};

export class FakeSNTP {
  static readonly time = 1 as const;
  static readonly retry = 2 as const;
  static readonly error = -1 as const;
  static readonly all: FakeSNTP[] = [];
  readonly options: { host: string };
  readonly callback: (message: 1 | 2 | -1, value?: number) => void;
  constructor(options: { host: string }, callback: (message: 1 | 2 | -1, value?: number) => void) {
    this.options = options;
    this.callback = callback;
    FakeSNTP.all.push(this);
  }
}
const sntpShape: typeof SNTP = FakeSNTP;
void sntpShape;

/** The Wi-Fi interface: connection 200 down, 300 connecting, 500 with an address. */
export class FakeWiFi {
  static readonly all: FakeWiFi[] = [];
  readonly onChanged: WiFiConstructorOptions["onChanged"];
  readonly joins: WiFiConnectOptions[] = [];
  connection = 200;
  address: string | undefined;
  MAC: string | undefined = "A0:B1:C2:D3:E4:F5";
  SSID: string | undefined;
  RSSI: number | undefined = -58;
  disconnects = 0;
  closed = false;
  constructor(options: WiFiConstructorOptions) {
    this.onChanged = options.onChanged;
    FakeWiFi.all.push(this);
  }
  connect(options: WiFiConnectOptions): void {
    if (this.connection === 300) throw new Error("already connecting");
    this.joins.push(options);
    this.connection = 300;
  }
  disconnect(): void {
    this.disconnects++;
    this.set(200);
  }
  close(): void {
    this.closed = true;
  }
  /** The driver reports a change of connection (and the address with 500). */
  set(connection: number): void {
    this.connection = connection;
    this.address = connection === 500 ? "192.168.1.40" : undefined;
    this.onChanged?.("connection");
  }
}
const wifiShape: new (options: WiFiConstructorOptions) => WiFi = FakeWiFi;
void wifiShape;
