// The configured freeze windows as the page shows them ("fri 15:00 -> mon 06:00", in the gates'
// time zone) and when the next one starts or ends. Whether one is in force now is in the mode
// itself (changed_by "freeze:<name>", gates/lock-service.ts mode()).

import type { FreezeWindow, GatesConfig } from "../config";
import { nextFreezeBoundary } from "../freeze";

export interface FreezeInfo {
  timezone: string;
  windows: { name: string; from: string; to: string }[];
  /** When a window next starts or ends (ISO-8601), or null without windows. */
  next_change_at: string | null;
}

/** Luxon weekdays: 1 is Monday (config.ts FreezeWindow). */
const DAY_NAMES = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"];

function at(day: number, minute: number): string {
  const hh = String(Math.floor(minute / 60)).padStart(2, "0");
  const mm = String(minute % 60).padStart(2, "0");
  return `${DAY_NAMES[day - 1] ?? `day ${day}`} ${hh}:${mm}`;
}

export function describeWindow(w: FreezeWindow): { name: string; from: string; to: string } {
  return { name: w.name, from: at(w.from_day, w.from_minute), to: at(w.to_day, w.to_minute) };
}

export function freezeInfo(gates: GatesConfig, now: number): FreezeInfo {
  const next = nextFreezeBoundary(gates.freeze, gates.timezone, now);
  return {
    timezone: gates.timezone,
    windows: gates.freeze.map(describeWindow),
    next_change_at: next === null ? null : new Date(next).toISOString(),
  };
}
