// One steady-state ring frame per call, for allocation metering in XS (measureInXs): the animator
// is made when the bundle loads, so a call does only what the app's frame loop does.

import { RingAnimator } from "../core/rings";
import { SimPixelStrip } from "../adapters/node/sim-pixels";

const strip = new SimPixelStrip(24);
const anim = new RingAnimator(strip, { brightnessCap: 96 });
anim.setView({ scene: "locked", segments: [{ start: 18, count: 6, scene: "building" }] });
anim.setHoldFill(300);
let now = 0;

export default {
  /** An animated scene with a segment and the hold fill: every LED is computed, most change. */
  animatedFrame: () => {
    now += 16;
    anim.frame(now);
    return strip.updates > 0;
  },
};
