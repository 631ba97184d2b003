// Clock port on the device: Moddable's Timer for callbacks and Time.ticks for the time.
//
// Time.ticks is FreeRTOS's millisecond tick count passed through a signed 32-bit integer
// (modules/base/time/esp/modTime.c: xsmcSetInteger(modMilliseconds())), so it turns negative after
// 24.8 days and wraps after 49.7. The port promises a clock that never goes backwards, so now()
// accumulates the unsigned difference between readings; the frame loop reads it 60 times a second,
// far more often than once per wrap.

import Time from "time";
import Timer from "timer";
import type { Clock, TimerHandle } from "../../core/ports";

export class ModdableClock implements Clock {
  #lastTicks = Time.ticks >>> 0;
  #elapsed = 0;

  now(): number {
    const ticks = Time.ticks >>> 0;
    this.#elapsed += (ticks - this.#lastTicks) >>> 0;
    this.#lastTicks = ticks;
    return this.#elapsed;
  }

  after(ms: number, fn: () => void): TimerHandle {
    // A one-shot timer frees itself after it fires; Timer.clear on it afterwards does nothing
    // (modules/base/timer/modTimer.c, xs_timer_clear), so cancel() is safe at any time.
    return Timer.set(() => fn(), ms > 0 ? ms : 0);
  }

  every(ms: number, fn: () => void): TimerHandle {
    return Timer.repeat(() => fn(), ms > 1 ? ms : 1);
  }

  cancel(handle: TimerHandle): void {
    Timer.clear(handle as Timer);
  }
}
