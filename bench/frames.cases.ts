// Frame cost on the device (issue 9, part 3), measured in XS by bench/frames.ts with measureInXs's
// runner. Each case is one steady-state unit of work as the gadget's frame loop does it:
// - "rings <scene>": one frame of both rings (2 x 24 LEDs, RingAnimator on simulated strips), both
//   showing the scene (syncing at 50 %).
// - "display static" / "display scrolling": one frame of the MAX7219 matrix display, 4 modules
//   (32 x 8), with text that fits (centred) and text that scrolls.
// - "button event": one short press of the approve button as the device sees it: the press edge,
//   the frame that confirms it, the release edge, the frame that reports "short" (one event).
// - "buttons idle tick": one frame of four idle buttons, for comparison.
// Everything is built when the bundle loads and run once, so a measured call is steady state.
// The SPI bus counts bytes and drops them: the chips' simulator is not on the device, the driver is.

import { SCENES, type SceneName } from "@shipgate/protocol/messages";
import { SimPin } from "../firmware/adapters/node/sim-pins";
import { SimPixelStrip } from "../firmware/adapters/node/sim-pixels";
import { Buttons } from "../firmware/core/buttons";
import { Display } from "../firmware/core/display";
import { Max7219Matrix } from "../firmware/core/max7219";
import type { Clock, SpiBus, TimerHandle } from "../firmware/core/ports";
import { RingAnimator } from "../firmware/core/rings";

const FRAME_MS = 16;
const LEDS_PER_RING = 24;
const MATRIX_MODULES = 4;

class CountingBus implements SpiBus {
  bytes = 0;
  write(b: Uint8Array): void {
    this.bytes += b.length;
  }
  flush(): void {}
  close(): void {}
}

class ManualClock implements Clock {
  time = 0;
  now(): number {
    return this.time;
  }
  after(): TimerHandle {
    throw new Error("ManualClock.after: Buttons needs no timers");
  }
  every(): TimerHandle {
    throw new Error("ManualClock.every: Buttons needs no timers");
  }
  cancel(): void {}
}

type Case = () => number;

function ringCase(scene: SceneName): Case {
  const a = new RingAnimator(new SimPixelStrip(LEDS_PER_RING), { brightnessCap: 96 });
  const b = new RingAnimator(new SimPixelStrip(LEDS_PER_RING), { brightnessCap: 96 });
  const view = scene === "syncing" ? { scene, progress: 500 } : { scene };
  a.setView(view);
  b.setView(view);
  let now = 0;
  const frame = () => {
    now += FRAME_MS;
    a.frame(now);
    b.frame(now);
    return now;
  };
  frame();
  return frame;
}

function displayCase(text: string): Case {
  const bus = new CountingBus();
  const driver = new Max7219Matrix(bus, MATRIX_MODULES);
  driver.init();
  const display = new Display(driver);
  display.showText(text);
  let now = 0;
  const frame = () => {
    now += FRAME_MS;
    display.frame(now);
    return bus.bytes;
  };
  frame();
  return frame;
}

function buttonEventCase(): { event: Case; idle: Case } {
  const clock = new ManualClock();
  const approve = new SimPin(1);
  const buttons = new Buttons(clock, { approve, reject: new SimPin(1), release: new SimPin(1), sync: new SimPin(1) });
  let shorts = 0;
  buttons.onSignal((s) => {
    if (s.kind === "short") shorts++;
  });
  const tick = () => {
    clock.time += FRAME_MS;
    buttons.tick(clock.time);
  };
  const event = () => {
    clock.time += FRAME_MS;
    approve.press(); // the edge callback samples at once
    tick(); // pressed long enough: "down"
    clock.time += 100;
    approve.release();
    tick();
    tick(); // released longer than the debounce: "short"
    return shorts;
  };
  const idle = () => {
    tick();
    return shorts;
  };
  event();
  return { event, idle };
}

const cases: Record<string, Case> = {};
for (const scene of SCENES) cases[`rings ${scene}`] = ringCase(scene);
cases["display static"] = displayCase("READY");
cases["display scrolling"] = displayCase("api deploy-prod v1.4.2 by alice: migrate the database");
const buttons = buttonEventCase();
cases["button event"] = buttons.event;
cases["buttons idle tick"] = buttons.idle;

export default cases;
