// One Buttons.tick per call, for allocation metering in XS (measureInXs): four idle buttons, and
// the sync button held (a hold-progress signal every frame).

import { Buttons } from "../core/buttons";
import { SimPin } from "../adapters/node/sim-pins";
import { TestClock } from "./debounce.cases";

const clock = new TestClock();
const sync = new SimPin(1);
const buttons = new Buttons(clock, { approve: new SimPin(1), reject: new SimPin(1), release: new SimPin(1), sync }, { holdMs: 1e12 }, ["sync"]);
let last = 0;
buttons.onSignal((s) => {
  if (s.kind === "hold-progress") last = s.progress;
});

export default {
  idleTick: () => {
    clock.time += 16;
    buttons.tick(clock.time);
    return last;
  },
  holdingTick: () => {
    if (sync.read() === 1) sync.press();
    clock.time += 16;
    buttons.tick(clock.time);
    return last;
  },
};
