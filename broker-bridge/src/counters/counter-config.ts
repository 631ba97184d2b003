// The `counters` section: named counters that gadgets pick with gadgets.<id>.counter.
//   counters:
//     friday: { kind: deploy-day, day: fri, timezone: Europe/Berlin, environment: production }
//     red:    { kind: last-red, pipelines: [api] }

import { type Checked, Fields, isObject, joinPath, object, valid } from "@shipgate/protocol";
import { isTimeZone } from "../config";
import { type CounterSettings, DAY_NAMES } from "./counters";

const DAYS: Readonly<Record<string, number>> = Object.freeze({ mon: 1, tue: 2, wed: 3, thu: 4, fri: 5, sat: 6, sun: 7 });
const KEYS: Readonly<Record<string, readonly string[]>> = Object.freeze({
  "deploy-day": ["kind", "day", "timezone", "environment", "label"],
  "last-red": ["kind", "pipelines", "label"],
});

function checkCounter(value: unknown, at: string): Checked<CounterSettings> {
  const f = object(value, at);
  if (!(f instanceof Fields)) return f;
  // kind may be left out when the keys say it: a day means deploy-day.
  const kind = f.optionalOneOf("kind", ["deploy-day", "last-red"] as const) ?? (f.has("day") ? "deploy-day" : "last-red");
  if (f.failure) return f.failure;
  for (const key of Object.keys(value as object)) {
    if (!(KEYS[kind] ?? []).includes(key)) return { ok: false, field: joinPath(at, key), error: `is not a setting of a ${kind} counter (known: ${(KEYS[kind] ?? []).join(", ")})` };
  }
  const label = f.optionalString("label", { min: 1, max: 60 });
  if (kind === "deploy-day") {
    const dayText = (f.optionalString("day", { min: 3, max: 12 }) ?? "fri").toLowerCase().slice(0, 3);
    const day = DAYS[dayText];
    if (day === undefined) return { ok: false, field: joinPath(at, "day"), error: "must be a weekday such as fri or friday" };
    const timezone = f.optionalString("timezone", { min: 1, max: 64 }) ?? "UTC";
    if (f.failure === undefined && !isTimeZone(timezone)) return { ok: false, field: joinPath(at, "timezone"), error: `"${timezone}" is not an IANA time zone such as Europe/Berlin` };
    const environment = f.optionalString("environment", { min: 1, max: 200 }) ?? "production";
    return f.done(() => ({ kind, day, timezone, environment, label: label ?? `WEEKS SINCE ${DAY_NAMES[day]} DEPLOY` }));
  }
  const pipelines = f.has("pipelines") ? f.array("pipelines", 100, (v, p) => (typeof v === "string" && v.length > 0 ? valid(v) : { ok: false, field: p, error: "must be a pipeline name" })) : [];
  return f.done(() => ({ kind, pipelines, label: label ?? "DAYS SINCE MAIN WAS RED" }));
}

export function checkCountersSection(value: unknown, at: string): Checked<Map<string, CounterSettings>> {
  const out = new Map<string, CounterSettings>();
  if (value === undefined || value === null) return valid(out);
  if (!isObject(value)) return { ok: false, field: at, error: "must map counter names to their settings" };
  for (const [name, settings] of Object.entries(value)) {
    const checked = checkCounter(settings, joinPath(at, name));
    if (!checked.ok) return checked;
    out.set(name, checked.value);
  }
  return valid(out);
}
