// The App's options, tunings and feedback: what the twin, the browser gadget, main.ts and the
// tests give and get (app.ts re-exports all of it).

import { Backoff, type BackoffOptions } from "@shipgate/protocol/backoff";
import type { Topics } from "@shipgate/protocol/topics";
import type { ButtonName, GadgetAck, GadgetEvent } from "@shipgate/protocol/messages";
import type { BootGuard } from "./boot-record";
import type { ButtonLedTiming } from "./button-leds";
import type { ButtonTiming } from "./buttons";
import type { LoadedConfig } from "./config";
import type { OutboxOptions } from "./outbox";
import type { SessionOptions } from "./session";
import type { Clock, DigitalInput, DigitalOutput, Log, MqttPort, NetworkPort, PixelStrip, Settings, SpiBus, SystemPort } from "./ports";

/** Timings and sizes, each with a named default. */
export interface AppTuning {
  /** Milliseconds between frames: 17 gives about 60 frames per second. */
  frameMs: number;
  /** Milliseconds to wait for the bridge's ack of an event before showing an error. */
  ackTimeoutMs: number;
  /** Milliseconds a flashed message (label, error) stays on the display. */
  flashMs: number;
  /** Seconds between MQTT keep-alive pings. */
  keepaliveS: number;
  /** Milliseconds to wait for CONNACK. */
  connectTimeoutMs: number;
  /** Milliseconds between checks for events grown too old in the outbox. */
  housekeepingMs: number;
  outbox: Partial<OutboxOptions>;
  backoff: Partial<BackoffOptions>;
  buttons: Partial<ButtonTiming>;
  leds: Partial<ButtonLedTiming>;
}

export const APP_TUNING: Readonly<AppTuning> = Object.freeze({
  frameMs: 17,
  ackTimeoutMs: 3000,
  flashMs: 2000,
  keepaliveS: 30,
  connectTimeoutMs: 10_000,
  housekeepingMs: 1000,
  outbox: {},
  backoff: {},
  buttons: {},
  leds: {},
});

export interface AppOptions {
  /** From loadConfig(): the app traces each problem once at start and shows SETUP when not ready. */
  config: LoadedConfig;
  clock: Clock;
  log: Log;
  mqtt: MqttPort;
  network: NetworkPort;
  system: SystemPort;
  /** Keeps the boot counter ("boot") and the failed-boot count ("boot_fails", boot-record.ts). */
  settings: Settings;
  /**
   * The failed-boot record; main.ts makes it first, to load the configuration without the stored
   * overrides in safe mode. The app makes its own from `settings` when absent.
   */
  bootGuard?: BootGuard;
  /** The button inputs that exist; a missing one is simply never pressed. */
  buttons: { [b in ButtonName]?: DigitalInput };
  /** The buttons' LEDs that exist (core/button-leds.ts). */
  leds?: { [b in ButtonName]?: DigitalOutput };
  ringA?: PixelStrip;
  ringB?: PixelStrip;
  /** The MAX7219's bus; no display without it. */
  spi?: SpiBus;
  /** For the reconnect jitter; Math.random when absent. */
  random?: () => number;
  tuning?: Partial<AppTuning>;
}

/** What the app just did for the person, for the twin's status line and for tests. */
export type Feedback =
  | { kind: "sent"; event: GadgetEvent }
  | { kind: "queued"; event: GadgetEvent }
  | { kind: "acked"; ack: GadgetAck }
  | { kind: "error"; message: string; event?: GadgetEvent }
  | { kind: "hint"; message: string };

/** The session's options from the app's (the caller checked that broker and gadget are set). */
export function sessionOptions(options: AppOptions, t: AppTuning, clock: Clock, topics: Topics): SessionOptions {
  const config = options.config.config;
  return {
    mqtt: options.mqtt,
    network: options.network,
    clock,
    log: options.log,
    backoff: new Backoff(t.backoff, options.random),
    topics,
    gadgetId: config.gadget ?? "",
    url: config.broker ?? "",
    clientId: "shipgate-" + options.network.mac(),
    username: config.username,
    password: config.mqttPassword,
    version: options.system.version(),
    keepaliveS: t.keepaliveS,
    connectTimeoutMs: t.connectTimeoutMs,
  };
}
