// The terminal twin: the gadget's own App, unchanged, on Node. MQTT goes through the `mqtt`
// package; the buttons are simulated pins, the rings simulated WS2812 strips and the display a
// simulated MAX7219 chain, so everything the App does passes through the same ports as on the
// device. runTwin draws it in the terminal and maps keys to buttons (a approve, r reject,
// l release, s sync; q quits after publishing offline); startTwin gives a handle for programs and
// tests that press buttons without a TTY.

import { readFileSync } from "node:fs";
import path from "node:path";
import type { ButtonName, GadgetAck, GadgetView } from "@shipgate/protocol/messages";
import { App, type AppTuning, type Feedback } from "../../core/app";
import { loadConfig } from "../../core/config";
import type { Log } from "../../core/ports";
import { NodeClock } from "./clock";
import { KeyHolds, parseKeys, POP_KITTY_FLAGS, PUSH_KITTY_FLAGS } from "./keys";
import { NodeMqtt } from "./mqtt";
import { NodeNetwork } from "./network";
import { FileSettings, MemorySettings } from "./settings";
import { SimOutputPin, SimPin } from "./sim-pins";
import { SimPixelStrip } from "./sim-pixels";
import { SimMax7219Chain } from "./sim-spi";
import { NodeSystem } from "./system";
import { renderFrame } from "./terminal";
import { describeFeedback, fit, waitingLine } from "./twin-text";

export interface TwinOptions {
  /** The gadget id (one topic level). */
  id: string;
  /** mqtt://host:port or mqtts://host:port. */
  broker: string;
  username?: string;
  password?: string;
  /** HMAC secret for signing events, when the bridge expects signed events. */
  secret?: string;
  /** Topic prefix (default shipgate/v1/). */
  prefix?: string;
  /** For mqtts://: the broker's CA certificate, PEM text. */
  ca?: string;
  /**
   * For mqtts://: a file holding the broker's CA certificate (PEM). runTwin falls back to
   * $SHIPGATE_CA_FILE. Without either, Node's built-in CA list applies.
   */
  caFile?: string;
  /** Seconds between heartbeats (default 30). */
  heartbeatS?: number;
  /** LEDs per ring (default 12). */
  ringLeds?: number;
  display?: "matrix" | "seg7";
  /** 8x8 modules in the matrix (default 4). */
  matrixModules?: number;
  /** Ring brightness cap, 0-255 (default 64, as on the device). */
  brightnessCap?: number;
  /**
   * Where the boot counter is kept. Default for runTwin: $SHIPGATE_STATE_DIR (or ./.shipgate)
   * /twins/<id>.json; startTwin keeps it in memory unless given.
   */
  settingsFile?: string;
  /** Trace sink; runTwin shows the last lines under the drawing, startTwin keeps them in logLines. */
  log?: Log;
  tuning?: Partial<AppTuning>;
  /** For runTwin: the terminal (default process.stdin and process.stdout). */
  input?: NodeJS.ReadStream;
  output?: NodeJS.WriteStream;
  /** For runTwin: screen redraws per second (default 20). */
  fps?: number;
}

export interface TwinHandle {
  readonly app: App;
  readonly id: string;
  /** The last valid view from the bridge. */
  readonly view: GadgetView | null;
  /** The last ack for this boot. */
  readonly lastAck: GadgetAck | null;
  readonly online: boolean;
  /** What the app told the person, oldest first (the last 100). */
  readonly feedback: readonly Feedback[];
  /** Trace lines, oldest first (the last 200). */
  readonly logLines: readonly string[];
  readonly pins: Readonly<Record<ButtonName, SimPin>>;
  /** The buttons' LEDs. */
  readonly leds: Readonly<Record<ButtonName, SimOutputPin>>;
  readonly ringA: SimPixelStrip;
  readonly ringB: SimPixelStrip;
  readonly spi: SimMax7219Chain;
  /** Holds a button down until up(). */
  down(button: ButtonName): void;
  up(button: ButtonName): void;
  /** Holds a button for ms milliseconds of real time, then lets go (sync needs about 2 s). */
  press(button: ButtonName, ms: number): Promise<void>;
  /** Resolves when condition() holds, polling every 10 ms; rejects after timeoutMs naming `what`. */
  waitFor(what: string, condition: () => boolean, timeoutMs?: number): Promise<void>;
  /** The display as text rows ('#' lit); for seg7, one row of segment bits in hex. */
  displayRows(): string[];
  /** The terminal drawing of the current state. */
  render(colour?: boolean): string;
  /** Publishes offline, disconnects and stops the app; idempotent. */
  close(): Promise<void>;
}

const BUTTONS: readonly ButtonName[] = ["approve", "reject", "release", "sync"];
const BUTTON_KEY: Readonly<Record<ButtonName, string>> = Object.freeze({ approve: "a", reject: "r", release: "l", sync: "s" });
/** The LED colours hardware/README.md fits: green approve, red reject, orange release, yellow sync. */
const LED_RGB: Readonly<Record<ButtonName, number>> = Object.freeze({ approve: 0x30e040, reject: 0xff3020, release: 0xff9010, sync: 0xffe020 });
const KEY_TO_BUTTON: Readonly<Record<string, ButtonName>> = Object.freeze({ a: "approve", r: "reject", l: "release", s: "sync" });

class KeepingLog implements Log {
  readonly lines: string[] = [];
  constructor(private readonly forward: Log | undefined) {}
  info(m: string): void {
    this.#keep("info " + m);
    this.forward?.info(m);
  }
  warn(m: string): void {
    this.#keep("warn " + m);
    this.forward?.warn(m);
  }
  #keep(line: string): void {
    this.lines.push(line);
    if (this.lines.length > 200) this.lines.shift();
  }
}

export { waitingLine } from "./twin-text";

/** Starts the twin's App and connects; returns a handle (no terminal is touched). */
export async function startTwin(options: TwinOptions): Promise<TwinHandle> {
  const log = new KeepingLog(options.log);
  const loaded = loadConfig({
    broker: options.broker,
    gadget: options.id,
    username: options.username,
    mqtt_password: options.password,
    secret: options.secret,
    prefix: options.prefix,
    heartbeat_s: options.heartbeatS,
    ring_leds: options.ringLeds,
    display: options.display,
    matrix_modules: options.matrixModules,
    brightness_cap: options.brightnessCap,
  });
  const config = loaded.config;
  const pins = { approve: new SimPin(), reject: new SimPin(), release: new SimPin(), sync: new SimPin() };
  const leds = { approve: new SimOutputPin(), reject: new SimOutputPin(), release: new SimOutputPin(), sync: new SimOutputPin() };
  const ringA = new SimPixelStrip(config.ringLeds);
  const ringB = new SimPixelStrip(config.ringLeds);
  const spi = new SimMax7219Chain(config.display === "seg7" ? 1 : config.matrixModules);
  let ca = options.ca;
  if (ca === undefined && options.caFile !== undefined && options.caFile !== "") {
    try {
      ca = readFileSync(options.caFile, "utf8");
    } catch (e) {
      throw new Error(`twin ${options.id}: cannot read the CA file ${options.caFile}: ${(e as NodeJS.ErrnoException).code ?? String(e)}`, { cause: e });
    }
  }
  const mqtt = new NodeMqtt({ log, ca });
  const clock = new NodeClock();
  const settings = options.settingsFile !== undefined ? new FileSettings(options.settingsFile) : new MemorySettings();
  const app = new App({
    config: loaded,
    clock,
    log,
    mqtt,
    network: new NodeNetwork(options.id),
    system: new NodeSystem(),
    settings,
    buttons: pins,
    leds,
    ringA,
    ringB,
    spi,
    tuning: options.tuning,
  });
  const feedback: Feedback[] = [];
  app.onFeedback((f) => {
    feedback.push(f);
    if (feedback.length > 100) feedback.shift();
  });
  app.start();

  let closing: Promise<void> | undefined;
  const handle: TwinHandle = {
    app,
    id: options.id,
    get view() {
      return app.view;
    },
    get lastAck() {
      return app.lastAck;
    },
    get online() {
      return app.online;
    },
    feedback,
    logLines: log.lines,
    pins,
    leds,
    ringA,
    ringB,
    spi,
    down: (button) => pins[button].press(),
    up: (button) => pins[button].release(),
    press: async (button, ms) => {
      pins[button].press();
      await new Promise((r) => setTimeout(r, ms));
      pins[button].release();
      // Let the next frame see the release.
      await new Promise((r) => setTimeout(r, 40));
    },
    waitFor: async (what, condition, timeoutMs = 5000) => {
      const end = Date.now() + timeoutMs;
      while (!condition()) {
        if (Date.now() > end) throw new Error(`twin ${options.id}: timed out after ${timeoutMs} ms waiting for ${what}`);
        await new Promise((r) => setTimeout(r, 10));
      }
    },
    displayRows: () =>
      config.display === "seg7"
        ? [
            spi
              .seg7Segments()
              .map((b) => b.toString(16).padStart(2, "0"))
              .join(" "),
          ]
        : spi.matrixImage(),
    render: (colour = true) => {
      // 80x24 holds the whole frame: one title line, the rings, the matrix, the buttons with their
      // keys, and three status lines, the first naming what waits in plain words.
      const status = [
        fit(`  ${app.online ? "ONLINE" : "OFFLINE"}  ${waitingLine(app.view)}`),
        fit(`  ${describeFeedback(feedback[feedback.length - 1], options.secret !== undefined) || `${app.sessionState}, boot ${app.boot}, outbox ${app.outboxSize}`}`),
        fit(`  ${log.lines[log.lines.length - 1] ?? ""}`),
      ];
      return renderFrame(
        {
          title: fit(`  shipgate gadget ${options.id} -> ${options.broker}`),
          ringA: ringA.pixels(),
          ringB: ringB.pixels(),
          brightnessCap: config.brightnessCap,
          matrix: config.display === "seg7" ? null : { width: spi.chips * 8, height: 8, lit: (x, y) => spi.matrixPixel(x, y) },
          seg7: config.display === "seg7" ? spi.seg7Segments() : undefined,
          buttons: BUTTONS.map((b) => ({ key: BUTTON_KEY[b], name: b, lit: leds[b].level === 1, rgb: LED_RGB[b] })),
          buttonsHelp: "(hold s)  [q] quit",
          status,
        },
        colour,
      );
    },
    close: () => {
      closing ??= (async () => {
        app.stop();
        await mqtt.whenEnded();
      })();
      return closing;
    },
  };
  return handle;
}

/** The default place of a twin's settings file (its boot counter). */
export function defaultSettingsFile(id: string): string {
  return path.join(process.env.SHIPGATE_STATE_DIR ?? ".shipgate", "twins", id + ".json");
}

/**
 * Runs the twin in the terminal until q (or Ctrl-C, SIGINT, SIGTERM); resolves with the exit code.
 * Without a TTY on input it still runs and draws nothing; it then ends on SIGINT or SIGTERM.
 */
export async function runTwin(options: TwinOptions): Promise<number> {
  const input = options.input ?? process.stdin;
  const output = options.output ?? process.stdout;
  const twin = await startTwin({
    ...options,
    settingsFile: options.settingsFile ?? defaultSettingsFile(options.id),
    caFile: options.caFile ?? process.env.SHIPGATE_CA_FILE,
  });
  const interactive = input.isTTY === true && output.isTTY === true;
  const clock = new NodeClock();

  const holds = new KeyHolds(clock, (key, down) => {
    const button = KEY_TO_BUTTON[key];
    if (button === undefined) return;
    if (down) twin.down(button);
    else twin.up(button);
  });

  let finish: (code: number) => void = () => {};
  const done = new Promise<number>((resolve) => (finish = resolve));
  let quitting = false;
  const quit = (code: number): void => {
    if (quitting) return;
    quitting = true;
    holds.releaseAll();
    void twin.close().then(() => finish(code));
  };

  const onData = (data: string): void => {
    for (const k of parseKeys(data)) {
      if ((k.key === "q" && k.type === "press") || k.key === "ctrl-c") return quit(0);
      if (KEY_TO_BUTTON[k.key] !== undefined) holds.feed(k);
    }
  };
  const onSignal = (): void => quit(0);
  process.on("SIGINT", onSignal);
  process.on("SIGTERM", onSignal);

  let drawTimer: ReturnType<typeof setInterval> | undefined;
  if (interactive) {
    input.setRawMode(true);
    input.setEncoding("utf8");
    input.on("data", onData);
    input.resume();
    // Alternate screen, hidden cursor, kitty keyboard flags (release events where supported).
    output.write("\x1b[?1049h\x1b[?25l\x1b[2J" + PUSH_KITTY_FLAGS);
    const draw = (): void => {
      output.write("\x1b[H" + twin.render(true) + "\x1b[J");
    };
    draw();
    drawTimer = setInterval(draw, Math.round(1000 / (options.fps ?? 20)));
  } else {
    output.write(`shipgate gadget ${options.id}: no terminal to draw in; running until interrupted\n`);
  }

  const code = await done;
  if (drawTimer !== undefined) clearInterval(drawTimer);
  process.off("SIGINT", onSignal);
  process.off("SIGTERM", onSignal);
  if (interactive) {
    input.off("data", onData);
    input.setRawMode(false);
    input.pause();
    output.write(POP_KITTY_FLAGS + "\x1b[?25h\x1b[?1049l");
  }
  return code;
}
