// One steady-state display frame per call (a scrolling marquee on 4 matrices, and a 7-segment
// counter), for allocation metering in XS (measureInXs).

import { Display } from "../core/display";
import { Max7219Matrix, Max7219Seg7 } from "../core/max7219";
import type { SpiBus } from "../core/ports";

/** A bus that drops the bytes: the metering should count the driver and display, not the simulator. */
class NullBus implements SpiBus {
  bytes = 0;
  write(b: Uint8Array): void {
    this.bytes += b.length;
  }
  flush(): void {}
  close(): void {}
}

const matrixBus = new NullBus();
const matrixDriver = new Max7219Matrix(matrixBus, 4);
matrixDriver.init();
const marquee = new Display(matrixDriver);
marquee.showText("deploy/api waits: step 3 of 5, migrate the database");
let t1 = 0;

const segDriver = new Max7219Seg7(new NullBus());
segDriver.init();
const counter = new Display(segDriver);
counter.showCounter("Fri deploys", 12);
let t2 = 0;

export default {
  marqueeFrame: () => {
    t1 += 17;
    marquee.frame(t1);
    return matrixBus.bytes > 0;
  },
  seg7CounterFrame: () => {
    t2 += 17;
    counter.frame(t2);
    return true;
  },
};
