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

import { encode } from "@shipgate/protocol/codec";
import type { ButtonName, GadgetAck, GadgetEvent, GadgetView, Gesture } from "@shipgate/protocol/messages";
import { Topics } from "@shipgate/protocol/topics";
import { BootGuard, nextBootNumber } from "./boot-record";
import { APP_TUNING, type AppOptions, type AppTuning, type Feedback, sessionOptions } from "./app-options";
import { Buttons, type ButtonSignal } from "./buttons";
import { problemLine } from "./config";
import { EventDelivery } from "./event-delivery";
import { EventMaker } from "./event-maker";
import { GuardedClock } from "./guarded-clock";
import { decodeAck, decodeBridgeStatus, decodeView } from "./inbound";
import { intentFor } from "./intents";
import { type LedFacts, Outputs } from "./outputs";
import type { LinkFailure, Log, TimerHandle } from "./ports";
import { presentCurrent, presentStandby, type Standby, standbyForFailure } from "./presentation";
import { Session } from "./session";
import { makeTelemetry } from "./telemetry";

export { APP_TUNING, type AppOptions, type AppTuning, type Feedback } from "./app-options";

// The boot records moved to boot-record.ts; re-exported for the twin and tests.
export { BOOT_KEY, BOOT_FAILS_KEY, SAFE_MODE_AFTER } from "./boot-record";

export class App {
  readonly #o: AppOptions;
  readonly #t: AppTuning;
  /** Every timer of the core goes through it: a throwing callback is traced and counted. */
  readonly #clock: GuardedClock;
  readonly #log: Log;
  readonly #buttons: Buttons;
  readonly #out: Outputs;
  /** Undefined without a session (setup, safe mode). */
  readonly #delivery: EventDelivery | undefined;
  readonly #events: EventMaker;
  readonly #guard: BootGuard;
  readonly #session: Session | undefined;
  readonly #topics: Topics | undefined;
  readonly #gadgetId: string;
  readonly #listeners: ((f: Feedback) => void)[] = [];
  readonly #timers: TimerHandle[] = [];
  readonly #ledFacts: LedFacts;
  #startedAt = 0;
  #started = false;
  #stopped = false;
  #view: GadgetView | null = null;
  /** The bridge's retained status said offline; cleared when it says online. */
  #bridgeDown = false;
  #lastAck: GadgetAck | null = null;
  /** Why the last connection attempt failed, shown while offline; null once connected. */
  #failure: Standby | null = null;

  constructor(options: AppOptions) {
    this.#o = options;
    this.#t = { ...APP_TUNING, ...options.tuning };
    this.#log = options.log;
    this.#clock = new GuardedClock(options.clock, options.log);
    this.#guard = options.bootGuard ?? new BootGuard(options.settings, options.log);
    const config = options.config.config;
    this.#gadgetId = config.gadget ?? "";
    this.#events = new EventMaker(this.#gadgetId, config.secret);
    this.#buttons = new Buttons(this.#clock, options.buttons, this.#t.buttons, ["sync"]);
    this.#buttons.onSignal(this.#onSignal);
    this.#out = new Outputs(options, config, options.log, this.#t.flashMs, this.#t.leds);
    this.#ledFacts = {
      canAct: false,
      view: null,
      waiting: (button) => this.#delivery?.waiting(button) === true,
    };
    // Safe mode (boot-record.ts): no session, so the setup screen and nothing that could crash again.
    if (!this.#guard.safeMode && options.config.ready && config.broker !== undefined && config.gadget !== undefined) {
      this.#topics = new Topics(config.prefix);
      this.#session = new Session(sessionOptions(options, this.#t, this.#clock, this.#topics), {
        online: () => this.#online(),
        offline: () => this.#setOffline(true),
        view: (payload) => this.#receiveView(payload),
        ack: (payload) => this.#receiveAck(payload),
        bridge: (payload) => this.#receiveBridge(payload),
        failed: (failure) => this.#attemptFailed(failure),
      });
      this.#delivery = new EventDelivery(this.#session, this.#topics, this.#gadgetId, this.#clock, options.log, this.#t.ackTimeoutMs, this.#t.outbox, {
        sent: (event) => this.#emit({ kind: "sent", event }),
        unanswered: (event) => this.#error(event.button, "NO ANSWER", event),
        tooLate: (event) => this.#error(event.button, "TOO LATE", event),
        changed: () => this.#refreshLeds(),
      });
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
    return this.#events.boot;
  }

  /** Events waiting in the outbox. */
  get outboxSize(): number {
    return this.#delivery === undefined ? 0 : this.#delivery.queued;
  }

  get online(): boolean {
    return this.#session?.isOnline === true;
  }

  /** The session's state, "setup" when the config cannot reach a broker (or in safe mode). */
  get sessionState(): string {
    return this.#session === undefined ? "setup" : this.#session.state;
  }

  /** Whether this boot came up in safe mode after repeated failed boots (boot-record.ts). */
  get safeMode(): boolean {
    return this.#guard.safeMode;
  }

  /** The display's content under any flashed message: the view's text, or WAIT, OFFLINE, TLS ERROR... */
  get displayText(): string {
    return this.#out.shownText;
  }

  /** Timer callbacks that threw since start (each traced, none fatal). */
  get timerFailures(): number {
    return this.#clock.failures;
  }

  onFeedback(fn: (f: Feedback) => void): void {
    this.#listeners.push(fn);
  }

  start(): void {
    if (this.#started) return;
    this.#started = true;
    this.#startedAt = this.#clock.now();
    for (const p of this.#o.config.problems) this.#log.warn(problemLine(p));
    this.#guard.begin();
    this.#events.boot = nextBootNumber(this.#o.settings, this.#log);
    this.#log.info(`app: boot ${this.#events.boot}, firmware ${this.#o.system.version()}, restart reason ${this.#o.system.restartReason()}`);
    this.#timers.push(this.#clock.every(this.#t.frameMs, this.frame));
    if (this.#session === undefined) {
      this.#out.show(presentStandby("setup"));
      return;
    }
    this.#setOffline(true);
    this.#timers.push(this.#clock.every(this.#o.config.config.heartbeatS * 1000, () => this.#heartbeat()));
    this.#timers.push(this.#clock.every(this.#t.housekeepingMs, () => this.#delivery?.expire()));
    this.#session.start();
  }

  /** Publishes offline, closes the session and stops every timer. */
  stop(): void {
    if (this.#stopped) return;
    this.#stopped = true;
    this.#session?.stop();
    for (const t of this.#timers) this.#clock.cancel(t);
    this.#timers.length = 0;
    this.#delivery?.clear();
    this.#buttons.close();
    this.#out.close();
  }

  /**
   * One frame: buttons, rings, display. The frame timer calls it; public so that benchmarks can
   * meter one frame. Made once, and the per-frame path allocates nothing.
   */
  readonly frame = (): void => {
    const now = this.#clock.now();
    try {
      this.#buttons.tick(now);
      this.#out.frame(now);
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
        if (s.button !== "sync") this.#out.blip(s.button, "ack");
        return;
      case "hold-progress":
        this.#out.setHoldFill(s.progress);
        return;
      case "hold-cancel":
        this.#out.setHoldFill(null);
        this.#gesture(s.button, "short");
        return;
      case "hold":
        this.#out.setHoldFill(null);
        this.#gesture(s.button, "hold");
        return;
      case "short":
      case "long":
        this.#gesture(s.button, s.kind);
        return;
    }
  };

  #gesture(button: ButtonName, gesture: Gesture): void {
    if (this.#session === undefined) return this.#error(button, "SETUP");
    if (this.#bridgeDown) return this.#error(button, "BRIDGE OFFLINE");
    const intent = intentFor(button, gesture, this.#view);
    if (intent.kind === "refuse") return this.#error(button, intent.message);
    if (intent.kind === "hint") {
      this.#out.flash(intent.message);
      this.#emit({ kind: "hint", message: intent.message });
      return;
    }
    const delivery = this.#delivery;
    if (delivery === undefined) return;
    // Echoes the nonce of the view this press answered: the bridge refuses it once that view is stale.
    const event = this.#events.make(intent.button, intent.gesture, intent.lockId, this.#view === null ? undefined : this.#view.nonce);
    if (delivery.direct) {
      this.#out.flash(intent.label);
      delivery.sendNow(event);
      return;
    }
    delivery.queue(event);
    this.#out.flash(intent.label + " QUEUED");
    this.#emit({ kind: "queued", event });
    if (this.#session.isOnline) delivery.flush();
    this.#refreshLeds();
  }

  #error(button: ButtonName, message: string, event?: GadgetEvent): void {
    this.#out.blip(button, "error");
    this.#out.flash(message);
    this.#emit(event === undefined ? { kind: "error", message } : { kind: "error", message, event });
  }

  // --- session ----------------------------------------------------------------------------------

  #online(): void {
    this.#failure = null;
    this.#guard.reached();
    this.#setOffline(false);
    this.#showCurrent();
    this.#heartbeat();
    this.#delivery?.flush();
  }

  #setOffline(offline: boolean): void {
    this.#out.setOffline(offline);
    if (offline) this.#out.showDisplay(presentStandby(this.#failure ?? "offline").display);
  }

  /** A connection attempt failed: the display says why until one succeeds; the session retries. */
  #attemptFailed(failure: LinkFailure | "timeout" | "error"): void {
    this.#failure = standbyForFailure(failure);
    this.#setOffline(true);
  }

  #receiveView(payload: Uint8Array): void {
    const view = decodeView(this.#log, payload);
    if (view === undefined) return;
    this.#view = view;
    this.#showCurrent();
    this.#refreshLeds();
  }

  /**
   * The bridge's availability. While its retained status says offline (its Will, through an
   * external broker), the last view is no longer current: the rings show "unknown" and the display
   * says so, rather than a stale green; presses are refused locally instead of queueing decisions.
   */
  #receiveBridge(payload: Uint8Array): void {
    const status = decodeBridgeStatus(this.#log, payload);
    if (status === undefined) return;
    const down = status.state === "offline";
    if (down === this.#bridgeDown) return;
    this.#bridgeDown = down;
    this.#log.info(`bridge: ${status.state}`);
    this.#showCurrent();
    this.#refreshLeds();
  }

  #showCurrent(): void {
    this.#out.show(presentCurrent(this.#bridgeDown, this.#view));
  }

  #receiveAck(payload: Uint8Array): void {
    const ack = decodeAck(this.#log, payload);
    if (ack === undefined) return;
    if (ack.boot !== this.#events.boot) return; // an answer to an earlier boot's event
    this.#lastAck = ack;
    const event = this.#delivery?.settle(ack.seq);
    if (event === undefined) return; // late: its timeout already showed an error
    const message = ack.message !== undefined && ack.message !== "" ? ack.message.toUpperCase() : undefined;
    if (ack.ok) {
      this.#out.blip(event.button, "ack");
      // The bridge's word on what happened ("APPROVED", "NEEDS 1 MORE") replaces the local label.
      if (message !== undefined) this.#out.flash(message);
    } else {
      this.#error(event.button, message ?? "REFUSED", event);
    }
    this.#emit({ kind: "acked", ack });
  }

  #refreshLeds(): void {
    const facts = this.#ledFacts;
    facts.canAct = this.#session !== undefined && !this.#bridgeDown;
    facts.view = this.#view;
    this.#out.refreshLeds(facts);
  }

  #heartbeat(): void {
    if (this.#session === undefined || this.#topics === undefined || !this.#session.isOnline) return;
    const c = this.#o.config.config;
    try {
      const telemetry = makeTelemetry(this.#o.network, this.#o.system, this.#clock.now() - this.#startedAt, this.outboxSize, c.heartbeatS);
      this.#session.publish(this.#topics.gadgetTelemetry(this.#gadgetId), encode(telemetry), 0);
    } catch (e) {
      // A diagnostic must not take the connection (or, from the online event, the SDK) down.
      this.#log.warn(`heartbeat: not sent: ${String(e)}`);
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
