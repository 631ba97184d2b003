// The counters a gadget's display can show, as pure functions of the recorded history and the
// time: weeks since the last production deploy on a given weekday (in a given time zone), and days
// since the main branch was last red.

import { lazyRequire } from "../lazy-require";

/** luxon (250 KB of JavaScript) loads with the first deploy-day count, not at every start. */
const luxon = lazyRequire<typeof import("luxon")>("luxon");

export interface DeployRecord {
  environment: string;
  /** ISO 8601. */
  at: string;
  ok: boolean;
}

export interface DeployDayCounter {
  kind: "deploy-day";
  /** Luxon weekday: 1 Monday .. 7 Sunday. */
  day: number;
  timezone: string;
  environment: string;
  label: string;
}

export interface LastRedCounter {
  kind: "last-red";
  /** Pipelines counted; empty: every pipeline the bridge watches. */
  pipelines: string[];
  label: string;
}

export type CounterSettings = DeployDayCounter | LastRedCounter;

const WEEK_MS = 7 * 86_400_000;
const DAY_MS = 86_400_000;

/** The newest successful deploy to the environment that happened on the weekday, local time. */
export function lastDeployOnDay(deploys: readonly DeployRecord[], c: DeployDayCounter): string | null {
  let newest: string | null = null;
  for (const d of deploys) {
    if (!d.ok || d.environment !== c.environment) continue;
    const local = luxon().DateTime.fromISO(d.at, { zone: c.timezone });
    if (!local.isValid || local.weekday !== c.day) continue;
    if (newest === null || Date.parse(d.at) > Date.parse(newest)) newest = d.at;
  }
  return newest;
}

/** Whole weeks since then; null when there is none on record. */
export function weeksSince(at: string | null, now: number): number | null {
  return at === null ? null : Math.max(0, Math.floor((now - Date.parse(at)) / WEEK_MS));
}

/** Whole days since then; 0 while red; null when never red on record. */
export function daysSince(at: string | null, now: number, redNow: boolean): number | null {
  if (redNow) return 0;
  return at === null ? null : Math.max(0, Math.floor((now - Date.parse(at)) / DAY_MS));
}

export const DAY_NAMES = ["", "MONDAY", "TUESDAY", "WEDNESDAY", "THURSDAY", "FRIDAY", "SATURDAY", "SUNDAY"];
