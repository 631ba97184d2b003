// The gadget's app: buttons in, rings and display out, one MQTT session to the bridge.
//
// It is built from ports only (ports.ts), so the same class runs on the ESP32 (adapters/moddable,
// wired by main.ts) and on Node (the terminal twin, adapters/node/twin.ts). Everything the person
// does gets local feedback at once (a blip on the press, the gesture's label on the display), and
// the bridge's answer follows: an ack within ackTimeoutMs, or an error blink with the reason.
//
// Frame loop: clock.every(frameMs) calls buttons.tick, both rings' frame and the display's frame
// with one preallocated callback; nothing on that path allocates (the ring and display classes keep
// their own buffers). Button gestures, views and acks are rare and may allocate.

import { decode, encode } from "@shipgate/protocol/codec";
import { hmacHex } from "@shipgate/protocol/hmac";
import { GADGET_VIEW_MAX_BYTES, HEARTBEAT_MAX_BYTES } from "@shipgate/protocol/limits";
import {
  type ButtonName, checkAvailability, checkGadgetAck, checkGadgetView, eventSigningText, type GadgetAck, type GadgetEvent, type GadgetView,
  type Gesture, type Telemetry,
} from "@shipgate/protocol/messages";
import { Topics } from "@shipgate/protocol/topics";
import { Backoff, type BackoffOptions } from "@shipgate/protocol/backoff";
import { ButtonLeds, type ButtonLedTiming, LED_BUTTONS } from "./button-leds";
import { Buttons, type ButtonSignal, type ButtonTiming } from "./buttons";
import { type LoadedConfig, problemLine } from "./config";
import { Display } from "./display";
import { buttonLit, intentFor } from "./intents";
import { Max7219Matrix, Max7219Seg7 } from "./max7219";
import { Outbox, type OutboxOptions } from "./outbox";
import type { Clock, DigitalInput, DigitalOutput, Log, MqttPort, NetworkPort, PixelStrip, Settings, SpiBus, SystemPort, TimerHandle } from "./ports";
import { type DisplayContent, type Presentation, present, presentStandby } from "./presentation";
import { RingAnimator } from "./rings";
import { Session } from "./session";

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
  /** Keeps the boot counter ("boot"). */
  settings: Settings;
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

/** The NVS key of the boot counter. */
export const BOOT_KEY = "boot";

interface Awaiting {
  event: GadgetEvent;
  timer: TimerHandle;
}

export class App {
  readonly #o: AppOptions;
  readonly #t: AppTuning;
  readonly #clock: Clock;
  readonly #log: Log;
  readonly #buttons: Buttons;
  readonly #leds: ButtonLeds;
  readonly #ringA: RingAnimator | undefined;
  readonly #ringB: RingAnimator | undefined;
  readonly #display: Display | undefined;
  readonly #outbox: Outbox<GadgetEvent>;
  readonly #session: Session | undefined;
  readonly #topics: Topics | undefined;
  readonly #gadgetId: string;
  readonly #secret: string | undefined;
  readonly #listeners: ((f: Feedback) => void)[] = [];
  readonly #awaiting: Awaiting[] = [];
  readonly #timers: TimerHandle[] = [];
  #boot = 0;
  #seq = 0;
  #startedAt = 0;
  #started = false;
  #stopped = false;
  #view: GadgetView | null = null;
  /** The bridge's retained status said offline; cleared when it says online. */
  #bridgeDown = false;
  #lastAck: GadgetAck | null = null;
  #shownKey = "";

  constructor(options: AppOptions) {
    this.#o = options;
    this.#t = { ...APP_TUNING, ...options.tuning };
    this.#clock = options.clock;
    this.#log = options.log;
    const config = options.config.config;
    this.#gadgetId = config.gadget ?? "";
    this.#secret = config.secret !== undefined && config.secret !== "" ? config.secret : undefined;
    this.#outbox = new Outbox<GadgetEvent>(this.#t.outbox);
    this.#buttons = new Buttons(options.clock, options.buttons, this.#t.buttons, ["sync"]);
    this.#buttons.onSignal(this.#onSignal);
    this.#leds = new ButtonLeds(options.leds ?? {}, this.#t.leds);
    const cap = { brightnessCap: config.brightnessCap };
    this.#ringA = options.ringA === undefined ? undefined : new RingAnimator(options.ringA, cap);
    this.#ringB = options.ringB === undefined ? undefined : new RingAnimator(options.ringB, cap);
    this.#display = this.#makeDisplay();
    if (options.config.ready && config.broker !== undefined && config.gadget !== undefined) {
      this.#topics = new Topics(config.prefix);
      this.#session = new Session(
        {
          mqtt: options.mqtt,
          network: options.network,
          clock: options.clock,
          log: options.log,
          backoff: new Backoff(this.#t.backoff, options.random),
          topics: this.#topics,
          gadgetId: config.gadget,
          url: config.broker,
          clientId: "shipgate-" + options.network.mac(),
          username: config.username,
          password: config.mqttPassword,
          version: options.system.version(),
          keepaliveS: this.#t.keepaliveS,
          connectTimeoutMs: this.#t.connectTimeoutMs,
        },
        {
          online: () => this.#online(),
          offline: () => this.#offline(),
          view: (payload) => this.#receiveView(payload),
          ack: (payload) => this.#receiveAck(payload),
          bridge: (payload) => this.#receiveBridge(payload),
        },
      );
    }
  }

  /** The last valid view from the bridge, null before the first. */
  get view(): GadgetView | null {
    return this.#view;
  }

  /** The last ack received for this boot. */
  get lastAck(): GadgetAck | null {
    return this.#lastAck;
  }

  get boot(): number {
    return this.#boot;
  }

  /** Events waiting in the outbox. */
  get outboxSize(): number {
    return this.#outbox.size;
  }

  get online(): boolean {
    return this.#session !== undefined && this.#session.isOnline;
  }

  /** The session's state, "setup" when the config cannot reach a broker. */
  get sessionState(): string {
    return this.#session === undefined ? "setup" : this.#session.state;
  }

  onFeedback(fn: (f: Feedback) => void): void {
    this.#listeners.push(fn);
  }

  start(): void {
    if (this.#started) return;
    this.#started = true;
    this.#startedAt = this.#clock.now();
    for (const p of this.#o.config.problems) this.#log.warn(problemLine(p));
    this.#boot = this.#nextBoot();
    this.#log.info(`app: boot ${this.#boot}, firmware ${this.#o.system.version()}, restart reason ${this.#o.system.restartReason()}`);
    this.#timers.push(this.#clock.every(this.#t.frameMs, this.frame));
    if (this.#session === undefined) {
      this.#show(presentStandby("setup"));
      return;
    }
    this.#setOffline(true);
    this.#timers.push(this.#clock.every(this.#o.config.config.heartbeatS * 1000, () => this.#heartbeat()));
    this.#timers.push(this.#clock.every(this.#t.housekeepingMs, () => this.#expireOutbox()));
    this.#session.start();
  }

  /** Publishes offline, closes the session and stops every timer. */
  stop(): void {
    if (this.#stopped) return;
    this.#stopped = true;
    this.#session?.stop();
    for (const t of this.#timers) this.#clock.cancel(t);
    this.#timers.length = 0;
    for (const a of this.#awaiting) this.#clock.cancel(a.timer);
    this.#awaiting.length = 0;
    this.#buttons.close();
    this.#leds.close();
  }

  // --- frame loop -------------------------------------------------------------------------------

  /**
   * One frame: buttons, rings, display. The frame timer calls it; public so that benchmarks can
   * meter one frame. Made once, and the per-frame path allocates nothing.
   */
  readonly frame = (): void => {
    const now = this.#clock.now();
    try {
      this.#buttons.tick(now);
      if (this.#ringA !== undefined) this.#ringA.frame(now);
      if (this.#ringB !== undefined) this.#ringB.frame(now);
      if (this.#display !== undefined) this.#display.frame(now);
      this.#leds.frame(now);
    } catch (e) {
      // No exception may escape a timer callback; one bad frame must not stop the loop.
      this.#log.warn(`app: frame failed: ${String(e)}`);
    }
  };

  // --- buttons ----------------------------------------------------------------------------------

  readonly #onSignal = (s: ButtonSignal): void => {
    switch (s.kind) {
      case "down":
        // Feedback in the same frame as the press, before the bridge answers.
        if (s.button !== "sync") this.#ringFor(s.button)?.blip("ack");
        return;
      case "hold-progress":
        this.#ringB?.setHoldFill(s.progress);
        return;
      case "hold-cancel":
        this.#ringB?.setHoldFill(null);
        this.#gesture(s.button, "short");
        return;
      case "hold":
        this.#ringB?.setHoldFill(null);
        this.#gesture(s.button, "hold");
        return;
      case "short":
      case "long":
        this.#gesture(s.button, s.kind);
        return;
    }
  };

  #gesture(button: ButtonName, gesture: Gesture): void {
    if (this.#session === undefined) {
      this.#error(button, "SETUP");
      return;
    }
    if (this.#bridgeDown) {
      this.#error(button, "BRIDGE OFFLINE");
      return;
    }
    const intent = intentFor(button, gesture, this.#view);
    if (intent.kind === "refuse") {
      this.#error(button, intent.message);
      return;
    }
    if (intent.kind === "hint") {
      this.#display?.flash(intent.message, this.#t.flashMs);
      this.#emit({ kind: "hint", message: intent.message });
      return;
    }
    const event = this.#makeEvent(intent.button, intent.gesture, intent.lockId);
    if (this.#session.isOnline && this.#outbox.size === 0) {
      this.#display?.flash(intent.label, this.#t.flashMs);
      this.#send(event);
      this.#refreshLeds();
      return;
    }
    const dropped = this.#outbox.push(event, this.#clock.now());
    if (dropped !== undefined) {
      this.#log.warn(`outbox: full at ${this.#outbox.options.capacity}; dropped event seq ${dropped.seq} (${this.#outbox.overflowed} dropped since boot)`);
    }
    this.#display?.flash(intent.label + " QUEUED", this.#t.flashMs);
    this.#emit({ kind: "queued", event });
    if (this.#session.isOnline) this.#flushOutbox();
    this.#refreshLeds();
  }

  #makeEvent(button: ButtonName, gesture: Gesture, lockId: string | undefined): GadgetEvent {
    this.#seq = this.#seq >= 0x7fffffff ? 0x7fffffff : this.#seq + 1;
    const event: GadgetEvent = { button, gesture, boot: this.#boot, seq: this.#seq };
    if (lockId !== undefined) event.lock_id = lockId;
    if (this.#secret !== undefined) event.sig = hmacHex(this.#secret, eventSigningText(this.#gadgetId, event));
    return event;
  }

  #send(event: GadgetEvent): void {
    if (this.#session === undefined || this.#topics === undefined) return;
    if (!this.#session.publish(this.#topics.gadgetEvent(this.#gadgetId), encode(event), 1)) {
      this.#outbox.push(event, this.#clock.now());
      return;
    }
    const timer = this.#clock.after(this.#t.ackTimeoutMs, () => this.#ackTimedOut(event));
    this.#awaiting.push({ event, timer });
    this.#emit({ kind: "sent", event });
  }

  #ackTimedOut(event: GadgetEvent): void {
    const i = this.#awaitingIndex(event.seq);
    if (i < 0) return;
    this.#awaiting.splice(i, 1);
    this.#log.warn(`app: no ack for event seq ${event.seq} (${event.button} ${event.gesture}) within ${this.#t.ackTimeoutMs} ms`);
    this.#refreshLeds();
    this.#error(event.button, "NO ANSWER", event);
  }

  #awaitingIndex(seq: number): number {
    for (let i = 0; i < this.#awaiting.length; i++) if (this.#awaiting[i]!.event.seq === seq) return i;
    return -1;
  }

  #error(button: ButtonName, message: string, event?: GadgetEvent): void {
    this.#ringFor(button)?.blip("error");
    this.#display?.flash(message, this.#t.flashMs);
    this.#emit(event === undefined ? { kind: "error", message } : { kind: "error", message, event });
  }

  #ringFor(button: ButtonName): RingAnimator | undefined {
    return button === "sync" ? (this.#ringB ?? this.#ringA) : (this.#ringA ?? this.#ringB);
  }

  // --- session ----------------------------------------------------------------------------------

  #online(): void {
    this.#setOffline(false);
    this.#showCurrent();
    this.#heartbeat();
    this.#flushOutbox();
  }

  #offline(): void {
    this.#setOffline(true);
  }

  #setOffline(offline: boolean): void {
    this.#ringA?.setOffline(offline);
    this.#ringB?.setOffline(offline);
    if (offline) this.#showDisplay(presentStandby("offline").display);
  }

  #flushOutbox(): void {
    this.#expireOutbox();
    while (this.#session !== undefined && this.#session.isOnline) {
      const event = this.#outbox.shift();
      if (event === undefined) break;
      this.#send(event);
    }
    this.#refreshLeds();
  }

  /** Drops events too old to send (outbox.ts) and says so: the person must press again. */
  #expireOutbox(): void {
    if (!this.#outbox.hasExpired(this.#clock.now())) return;
    const expired = this.#outbox.takeExpired(this.#clock.now());
    for (const event of expired) {
      this.#log.warn(`outbox: event seq ${event.seq} (${event.button} ${event.gesture}) older than ${this.#outbox.options.maxAgeMs} ms dropped unsent`);
    }
    this.#refreshLeds();
    const last = expired[expired.length - 1];
    if (last !== undefined) this.#error(last.button, "TOO LATE", last);
  }

  #receiveView(payload: Uint8Array): void {
    const checked = decode(payload, GADGET_VIEW_MAX_BYTES, checkGadgetView);
    if (!checked.ok) {
      this.#log.warn(`view: ignored, ${checked.field === "" ? "payload" : checked.field} ${checked.error}`);
      return;
    }
    this.#view = checked.value;
    this.#showCurrent();
    this.#refreshLeds();
  }

  /**
   * The bridge's availability. While its retained status says offline (its Will, through an
   * external broker), the last view is no longer current: the rings show "unknown" and the display
   * says so, rather than a stale green; presses are refused locally instead of queueing decisions.
   */
  #receiveBridge(payload: Uint8Array): void {
    if (payload.byteLength === 0) return;
    const checked = decode(payload, HEARTBEAT_MAX_BYTES, checkAvailability);
    if (!checked.ok) {
      this.#log.warn(`bridge status: ignored, ${checked.field === "" ? "payload" : checked.field} ${checked.error}`);
      return;
    }
    const down = checked.value.state === "offline";
    if (down === this.#bridgeDown) return;
    this.#bridgeDown = down;
    this.#log.info(`bridge: ${checked.value.state}`);
    this.#showCurrent();
    this.#refreshLeds();
  }

  #showCurrent(): void {
    if (this.#bridgeDown) this.#show(presentStandby("bridge"));
    else if (this.#view !== null) this.#show(present(this.#view));
    else this.#show(presentStandby("waiting"));
  }

  #receiveAck(payload: Uint8Array): void {
    const checked = decode(payload, HEARTBEAT_MAX_BYTES, checkGadgetAck);
    if (!checked.ok) {
      this.#log.warn(`ack: ignored, ${checked.field === "" ? "payload" : checked.field} ${checked.error}`);
      return;
    }
    const ack = checked.value;
    if (ack.boot !== this.#boot) return; // an answer to an earlier boot's event
    this.#lastAck = ack;
    const i = this.#awaitingIndex(ack.seq);
    if (i < 0) return; // late: its timeout already showed an error
    const waiting = this.#awaiting[i]!;
    this.#awaiting.splice(i, 1);
    this.#clock.cancel(waiting.timer);
    this.#refreshLeds();
    if (ack.ok) {
      this.#ringFor(waiting.event.button)?.blip("ack");
      // The bridge's word on what happened ("APPROVED", "NEEDS 1 MORE") replaces the local label.
      if (ack.message !== undefined && ack.message !== "") this.#display?.flash(ack.message.toUpperCase(), this.#t.flashMs);
      this.#emit({ kind: "acked", ack });
    } else {
      this.#error(waiting.event.button, ack.message !== undefined && ack.message !== "" ? ack.message.toUpperCase() : "REFUSED", waiting.event);
      this.#emit({ kind: "acked", ack });
    }
  }

  /**
   * What the button LEDs show: lit when a press would do something under the last view (none in
   * setup, where every press is refused), blinking while one of the button's events is unanswered
   * or queued. Called wherever the view, the awaited acks or the outbox change.
   */
  #refreshLeds(): void {
    for (const button of LED_BUTTONS) {
      this.#leds.setLit(button, this.#session !== undefined && !this.#bridgeDown && buttonLit(button, this.#view));
      let waiting = false;
      for (const a of this.#awaiting) if (a.event.button === button) waiting = true;
      if (!waiting) waiting = this.#outbox.some((e) => e.button === button);
      this.#leds.setWaiting(button, waiting);
    }
  }

  #heartbeat(): void {
    if (this.#session === undefined || this.#topics === undefined || !this.#session.isOnline) return;
    const rssi = Math.round(this.#o.network.rssi());
    const telemetry: Telemetry = {
      uptime_s: Math.floor((this.#clock.now() - this.#startedAt) / 1000),
      rssi: rssi < -127 ? -127 : rssi > 0 ? 0 : rssi,
      free_heap: Math.max(0, Math.floor(this.#o.system.freeHeap())),
      version: this.#o.system.version().slice(0, 40),
      restart_reason: this.#o.system.restartReason().slice(0, 40),
      outbox: this.#outbox.size,
      interval_s: this.#o.config.config.heartbeatS,
    };
    this.#session.publish(this.#topics.gadgetTelemetry(this.#gadgetId), encode(telemetry), 0);
  }

  // --- output -----------------------------------------------------------------------------------

  #show(p: Presentation): void {
    this.#ringA?.setView(p.ringA);
    this.#ringB?.setView(p.ringB);
    this.#showDisplay(p.display);
  }

  /** Changes the display only when the content changes, so a repeated view does not restart the scroll. */
  #showDisplay(content: DisplayContent): void {
    const key = content.kind === "text" ? "t" + content.text : "c" + content.value + "|" + content.label;
    if (key === this.#shownKey || this.#display === undefined) return;
    this.#shownKey = key;
    if (content.kind === "text") this.#display.showText(content.text);
    else this.#display.showCounter(content.label, content.value);
  }

  #makeDisplay(): Display | undefined {
    const spi = this.#o.spi;
    if (spi === undefined) return undefined;
    const c = this.#o.config.config;
    try {
      const driver = c.display === "seg7"
        ? new Max7219Seg7(spi, { intensity: c.matrixIntensity })
        : new Max7219Matrix(spi, c.matrixModules, { intensity: c.matrixIntensity });
      driver.init();
      return new Display(driver);
    } catch (e) {
      this.#log.warn(`display: MAX7219 ${c.display} did not start: ${String(e)}; running without a display`);
      return undefined;
    }
  }

  #nextBoot(): number {
    try {
      const stored = this.#o.settings.get(BOOT_KEY);
      const previous = typeof stored === "number" && Number.isInteger(stored) && stored >= 0 ? stored : 0;
      const boot = previous >= 0x7fffffff ? 1 : previous + 1;
      this.#o.settings.set(BOOT_KEY, boot);
      return boot;
    } catch (e) {
      // Without a stored counter (boot, seq) may repeat an earlier boot's pairs, which the bridge
      // refuses as replays; say so plainly.
      this.#log.warn(`settings: boot counter unavailable (${String(e)}); events may be refused as replays`);
      return 0;
    }
  }

  #emit(f: Feedback): void {
    for (const fn of this.#listeners) {
      try {
        fn(f);
      } catch (e) {
        this.#log.warn(`app: feedback listener failed: ${String(e)}`);
      }
    }
  }
}
