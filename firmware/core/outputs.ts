// What the person sees: both rings, the MAX7219 display and the button LEDs, behind one object.
// frame() runs from the App's frame loop and allocates nothing (each part keeps its own buffers);
// the rest runs on rare events (a press, a view, an ack) and may allocate.

import type { ButtonName, GadgetView } from "@shipgate/protocol/messages";
import { ButtonLeds, type ButtonLedTiming, LED_BUTTONS } from "./button-leds";
import type { GadgetConfig } from "./config";
import { Display } from "./display";
import { buttonLit } from "./intents";
import { Max7219Matrix, Max7219Seg7 } from "./max7219";
import type { DigitalOutput, Log, PixelStrip, SpiBus } from "./ports";
import type { DisplayContent, Presentation } from "./presentation";
import { RingAnimator } from "./rings";

export interface OutputParts {
  leds?: { [b in ButtonName]?: DigitalOutput };
  ringA?: PixelStrip;
  ringB?: PixelStrip;
  spi?: SpiBus;
}

/** What the button LEDs follow (button-leds.ts): whether presses can act, and what waits. */
export interface LedFacts {
  canAct: boolean;
  view: GadgetView | null;
  waiting(button: ButtonName): boolean;
}

export class Outputs {
  readonly #leds: ButtonLeds;
  readonly #ringA: RingAnimator | undefined;
  readonly #ringB: RingAnimator | undefined;
  readonly #display: Display | undefined;
  readonly #flashMs: number;
  #shownKey = "";
  #shownText = "";

  constructor(parts: OutputParts, config: GadgetConfig, log: Log, flashMs: number, ledTiming: Partial<ButtonLedTiming>) {
    this.#flashMs = flashMs;
    this.#leds = new ButtonLeds(parts.leds ?? {}, ledTiming);
    const cap = { brightnessCap: config.brightnessCap };
    this.#ringA = parts.ringA === undefined ? undefined : new RingAnimator(parts.ringA, cap);
    this.#ringB = parts.ringB === undefined ? undefined : new RingAnimator(parts.ringB, cap);
    this.#display = makeDisplay(parts.spi, config, log);
  }

  /** One frame of every part; allocates nothing. */
  frame(now: number): void {
    if (this.#ringA !== undefined) this.#ringA.frame(now);
    if (this.#ringB !== undefined) this.#ringB.frame(now);
    if (this.#display !== undefined) this.#display.frame(now);
    this.#leds.frame(now);
  }

  show(p: Presentation): void {
    this.#ringA?.setView(p.ringA);
    this.#ringB?.setView(p.ringB);
    this.showDisplay(p.display);
  }

  /** Changes the display only when the content changes, so a repeated view does not restart the scroll. */
  showDisplay(content: DisplayContent): void {
    const key = content.kind === "text" ? "t" + content.text : "c" + content.value + "|" + content.label;
    if (key === this.#shownKey) return;
    this.#shownKey = key;
    this.#shownText = content.kind === "text" ? content.text : content.value + " " + content.label;
    if (this.#display === undefined) return;
    if (content.kind === "text") this.#display.showText(content.text);
    else this.#display.showCounter(content.label, content.value);
  }

  /** What the display shows under any flashed message ("" without a display). */
  get shownText(): string {
    return this.#shownText;
  }

  flash(text: string): void {
    this.#display?.flash(text, this.#flashMs);
  }

  /** The ring that answers a button: ring B for sync, ring A for the others (either when one is missing). */
  blip(button: ButtonName, kind: "ack" | "error"): void {
    const ring = button === "sync" ? (this.#ringB ?? this.#ringA) : (this.#ringA ?? this.#ringB);
    ring?.blip(kind);
  }

  setHoldFill(progress: number | null): void {
    this.#ringB?.setHoldFill(progress);
  }

  setOffline(offline: boolean): void {
    this.#ringA?.setOffline(offline);
    this.#ringB?.setOffline(offline);
  }

  /**
   * The button LEDs: lit when a press would do something under the last view (none in setup,
   * where every press is refused), blinking while one of the button's events is unanswered or
   * queued. The App calls it wherever the view, the awaited acks or the outbox change.
   */
  refreshLeds(facts: LedFacts): void {
    for (const button of LED_BUTTONS) {
      this.#leds.setLit(button, facts.canAct && buttonLit(button, facts.view));
      this.#leds.setWaiting(button, facts.waiting(button));
    }
  }

  close(): void {
    this.#leds.close();
  }
}

function makeDisplay(spi: SpiBus | undefined, c: GadgetConfig, log: Log): Display | undefined {
  if (spi === undefined) return undefined;
  try {
    const driver = c.display === "seg7" ? new Max7219Seg7(spi, { intensity: c.matrixIntensity }) : new Max7219Matrix(spi, c.matrixModules, { intensity: c.matrixIntensity });
    driver.init();
    return new Display(driver);
  } catch (e) {
    log.warn(`display: MAX7219 ${c.display} did not start: ${String(e)}; running without a display`);
    return undefined;
  }
}
