// Weekly freeze windows ("fri 15:00" to "mon 06:00") in the team's time zone. Inside a window the
// gate behaves as blocked mode. Times are wall-clock times in the zone, so a window keeps its
// local hours across daylight-saving changes (luxon does the calendar arithmetic).

import type { DateTime } from "luxon";
import type { FreezeWindow } from "./config";
import { lazyRequire } from "./lazy-require";

/** luxon (250 KB of JavaScript) loads with the first freeze window, not at every start. */
const luxon = lazyRequire<typeof import("luxon")>("luxon");

const MINUTES_PER_WEEK = 7 * 24 * 60;

function minuteOfWeek(day: number, minute: number): number {
  return (day - 1) * 24 * 60 + minute;
}

function contains(window: FreezeWindow, t: number): boolean {
  const from = minuteOfWeek(window.from_day, window.from_minute);
  const to = minuteOfWeek(window.to_day, window.to_minute);
  if (from === to) return false;
  return from < to ? t >= from && t < to : t >= from || t < to;
}

/** The next moment (ms) after now at which the local weekday and time are (day, minute). */
function nextOccurrence(now: DateTime, day: number, minute: number): number {
  const weekStart = now.startOf("week"); // Monday 00:00 local (ISO weeks)
  let at = weekStart.plus({ days: day - 1 }).set({ hour: Math.floor(minute / 60), minute: minute % 60, second: 0, millisecond: 0 });
  if (at.toMillis() <= now.toMillis()) at = at.plus({ weeks: 1 });
  return at.toMillis();
}

export interface ActiveFreeze {
  name: string;
  /** When the window began (ms), most recent occurrence. */
  started_at: number;
  ends_at: number;
}

export function activeFreeze(windows: readonly FreezeWindow[], zone: string, nowMs: number): ActiveFreeze | null {
  // No windows, no calendar: luxon's first DateTime makes ICU load its time-zone and locale data
  // (about 5 MiB resident), which a bridge without freeze windows never needs.
  if (windows.length === 0) return null;
  const now = luxon().DateTime.fromMillis(nowMs, { zone });
  const t = minuteOfWeek(now.weekday, now.hour * 60 + now.minute);
  for (const w of windows) {
    if (!contains(w, t)) continue;
    const endsAt = nextOccurrence(now, w.to_day, w.to_minute);
    const nextStart = nextOccurrence(now, w.from_day, w.from_minute);
    const startedAt = luxon().DateTime.fromMillis(nextStart, { zone }).minus({ weeks: 1 }).toMillis();
    return { name: w.name, started_at: startedAt, ends_at: endsAt };
  }
  return null;
}

/** The next time any window starts or ends, so the gate can switch exactly then. */
export function nextFreezeBoundary(windows: readonly FreezeWindow[], zone: string, nowMs: number): number | null {
  if (windows.length === 0) return null;
  const now = luxon().DateTime.fromMillis(nowMs, { zone });
  let next = Number.POSITIVE_INFINITY;
  for (const w of windows) {
    next = Math.min(next, nextOccurrence(now, w.from_day, w.from_minute), nextOccurrence(now, w.to_day, w.to_minute));
  }
  return Number.isFinite(next) ? next : null;
}

export { MINUTES_PER_WEEK };
