// The ring animator: turns a RingView (protocol/messages) plus local overlays into pixels, once per
// frame. The app calls frame(now) at 50-60 Hz. Everything a frame touches is allocated here in the
// constructor: the view is copied into typed arrays by setView, and a frame only does integer math
// and calls strip.setPixel for LEDs that changed, then strip.update() once if anything changed
// (a WS2812 frame of 24 LEDs takes 24 x 30 us + reset on the wire: WS2812B datasheet, 1.25 us a bit).
//
// Layers, bottom to top: the view's base scene, its segments, the offline breathing (replaces both
// while MQTT is down), the hold-to-confirm fill, the blip. Then gamma and the brightness cap.

import type { RingView } from "@shipgate/protocol/messages";
import { BLACK, lighter, makeOutputTable, mapChannels, scale } from "./color";
import type { PixelStrip } from "./ports";
import { SCENE_BY_INDEX, SCENE_TABLE, sceneColor, sceneIndex, WHITE, GREEN, RED } from "./scenes";

export interface RingOptions {
  /** Highest duty of any channel, 0-255, from the power budget (config brightness_cap). */
  brightnessCap: number;
  /** Gamma of the output curve (2.2). */
  gamma?: number;
}

/** Most segments a RingView may carry (protocol/messages checkRingView). */
export const MAX_SEGMENTS = 24;

/** Overlays, as data. */
export const HOLD_FILL = Object.freeze({ color: WHITE, level: 200 });
export const ACK_BLIP = Object.freeze({ color: GREEN, ms: 250 });
export const ERROR_BLIP = Object.freeze({ color: RED, blinks: 3, onMs: 110, offMs: 90 });
const ERROR_MS = ERROR_BLIP.blinks * (ERROR_BLIP.onMs + ERROR_BLIP.offMs);

const NO_BLIP = 0;
const BLIP_ACK = 1;
const BLIP_ERROR = 2;
const OFFLINE = SCENE_TABLE.offline;

export class RingAnimator {
  private readonly strip: PixelStrip;
  private readonly length: number;
  private readonly table: Uint8Array;
  /** What each LED shows now (after the table), to send only changes. */
  private readonly shown: Uint32Array;
  private firstFrame = true;
  // The view, copied.
  private base = sceneIndex("idle");
  private progress = 0;
  private segments = 0;
  private readonly segStart = new Uint8Array(MAX_SEGMENTS);
  private readonly segCount = new Uint16Array(MAX_SEGMENTS);
  private readonly segScene = new Uint8Array(MAX_SEGMENTS);
  /** When the current scene started; NaN until the next frame stamps it. */
  private sceneSince = Number.NaN;
  private offline = false;
  private offlineSince = Number.NaN;
  private holdFill = -1;
  private blipKind = NO_BLIP;
  private blipSince = Number.NaN;

  constructor(strip: PixelStrip, options: RingOptions) {
    if (!(strip.length > 0 && strip.length <= 256)) {
      throw new RangeError(`RingAnimator: the strip must have 1-256 pixels, has ${strip.length}`);
    }
    this.strip = strip;
    this.length = strip.length;
    this.table = makeOutputTable(options.brightnessCap, options.gamma);
    this.shown = new Uint32Array(this.length);
  }

  /** Shows a view from the bridge. The animation restarts only if the base scene changes. */
  setView(view: RingView): void {
    const base = sceneIndex(view.scene);
    if (base !== this.base) {
      this.base = base;
      this.sceneSince = Number.NaN;
    }
    const p = view.progress ?? 0;
    this.progress = p < 0 ? 0 : p > 1000 ? 1000 : p;
    const segs = view.segments;
    const n = segs === undefined ? 0 : Math.min(segs.length, MAX_SEGMENTS);
    for (let i = 0; i < n; i++) {
      const s = segs![i]!;
      this.segStart[i] = s.start % this.length;
      this.segCount[i] = Math.min(s.count, this.length);
      this.segScene[i] = sceneIndex(s.scene);
    }
    this.segments = n;
  }

  /** Dim white breathing instead of the view while MQTT is down; overlays still show. */
  setOffline(offline: boolean): void {
    if (offline === this.offline) return;
    this.offline = offline;
    this.offlineSince = Number.NaN;
  }

  /** Hold-to-confirm fill 0-1000 over everything but blips; null removes it. */
  setHoldFill(progress: number | null): void {
    this.holdFill = progress === null ? -1 : progress < 0 ? 0 : progress > 1000 ? 1000 : progress;
  }

  /** A short overlay: a green flash fading out (ack) or three red blinks (error). */
  blip(kind: "ack" | "error"): void {
    this.blipKind = kind === "ack" ? BLIP_ACK : BLIP_ERROR;
    this.blipSince = Number.NaN;
  }

  /** Computes the frame at `now` and sends it if any LED changed. */
  frame(now: number): void {
    if (Number.isNaN(this.sceneSince)) this.sceneSince = now; // NaN: stamp on the first frame
    if (Number.isNaN(this.offlineSince)) this.offlineSince = now;
    if (this.blipKind !== NO_BLIP) {
      if (Number.isNaN(this.blipSince)) this.blipSince = now;
      if (now - this.blipSince >= (this.blipKind === BLIP_ACK ? ACK_BLIP.ms : ERROR_MS)) this.blipKind = NO_BLIP;
    }
    const len = this.length;
    const t = now - this.sceneSince;
    let changed = this.firstFrame;
    for (let i = 0; i < len; i++) {
      const c = mapChannels(this.colorAt(i, len, t, now), this.table);
      if (c !== this.shown[i] || this.firstFrame) {
        this.shown[i] = c;
        this.strip.setPixel(i, c);
        changed = true;
      }
    }
    this.firstFrame = false;
    if (changed) this.strip.update();
  }

  /** What LED i shows now, before the output table. */
  private colorAt(i: number, len: number, t: number, now: number): number {
    let c: number;
    if (this.offline) {
      c = sceneColor(OFFLINE, i, len, now - this.offlineSince, 0);
    } else {
      c = BLACK;
      let covered = false;
      // Later segments win where they overlap.
      for (let k = this.segments - 1; k >= 0; k--) {
        const count = this.segCount[k]!;
        let pos = i - this.segStart[k]!;
        if (pos < 0) pos += len;
        if (pos < count) {
          c = sceneColor(SCENE_BY_INDEX[this.segScene[k]!]!, pos, count, t, this.progress);
          covered = true;
          break;
        }
      }
      if (!covered) c = sceneColor(SCENE_BY_INDEX[this.base]!, i, len, t, this.progress);
    }
    if (this.holdFill >= 0) {
      // LED i lights once the fill passes it; the LED at the edge lights partly.
      const filled = this.holdFill * len;
      const from = i * 1000;
      if (filled >= from + 1000) c = scale(HOLD_FILL.color, HOLD_FILL.level);
      else if (filled > from) c = lighter(c, scale(HOLD_FILL.color, ((HOLD_FILL.level * (filled - from)) / 1000) | 0));
    }
    if (this.blipKind === BLIP_ACK) {
      const left = ACK_BLIP.ms - (now - this.blipSince);
      c = lighter(c, scale(ACK_BLIP.color, ((255 * left) / ACK_BLIP.ms) | 0));
    } else if (this.blipKind === BLIP_ERROR) {
      const inBlink = (now - this.blipSince) % (ERROR_BLIP.onMs + ERROR_BLIP.offMs);
      c = inBlink < ERROR_BLIP.onMs ? ERROR_BLIP.color : BLACK;
    }
    return c;
  }
}
