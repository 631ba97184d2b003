// The `counters` section: named counters that gadgets pick with gadgets.<id>.counter.
//   counters:
//     friday: { kind: deploy-day, day: fri, timezone: Europe/Berlin, environment: production }
//     red:    { kind: last-red, pipelines: [api] }

import { type Checked, isObject } from "@shipgate/protocol";
import * as z from "zod";
import { timeZone } from "../config-core";
import { type ConfigSection, checkWith, list, named, nullable, optional, section, text } from "../config-schema";
import { type CounterSettings, DAY_NAMES } from "./counters";

const DAYS: Readonly<Record<string, number>> = Object.freeze({ mon: 1, tue: 2, wed: 3, thu: 4, fri: 5, sat: 6, sun: 7 });
const KINDS = ["deploy-day", "last-red"] as const;

/** A counter's keys; any other is an error naming the kind and its keys. */
function counterKeys<K extends (typeof KINDS)[number], S extends z.ZodRawShape>(kind: K, shape: S, known: readonly string[]) {
  return z.strictObject(
    { kind: z.literal(kind).meta({ setting: { type: "kind", default: "from the keys", description: `\`${kind}\`; may be left out: a \`day\` means \`deploy-day\`` } }), ...shape },
    {
      error: (issue) =>
        issue.code === "unrecognized_keys" ? `is not a setting of a ${kind} counter (known: ${known.join(", ")})` : issue.input === undefined ? "is required" : "must be a JSON object",
    },
  );
}

const WEEKDAY_TEXT = "must be a weekday such as fri or friday";
const weekday = () =>
  z.string({ error: WEEKDAY_TEXT }).transform((value, ctx) => {
    const day = value.length >= 3 && value.length <= 12 ? DAYS[value.toLowerCase().slice(0, 3)] : undefined;
    if (day === undefined) ctx.issues.push({ code: "custom", message: WEEKDAY_TEXT, input: value });
    return day ?? 5;
  });

const label = () => nullable(text({ min: 1, max: 60 }), { type: "string", default: "by kind", description: "the text under the number" });

// The label is read first, as it always was, so of two mistakes the label's is reported.
const deployDay = counterKeys(
  "deploy-day",
  {
    label: label(),
    day: optional(weekday(), 5, { type: "weekday", default: "fri", description: "the weekday counted: weeks since the last production deploy on it" }),
    timezone: optional(timeZone(), "UTC", { type: "IANA zone", description: "the zone the weekday is in" }),
    environment: optional(text({ min: 1, max: 200 }), "production", { type: "string", description: "the deploys' environment" }),
  },
  ["kind", "day", "timezone", "environment", "label"],
).transform((c): CounterSettings => ({ kind: c.kind, day: c.day, timezone: c.timezone, environment: c.environment, label: c.label ?? `WEEKS SINCE ${DAY_NAMES[c.day]} DEPLOY` }));

const lastRed = counterKeys(
  "last-red",
  {
    label: label(),
    pipelines: optional(list(z.string({ error: "must be a pipeline name" }).min(1, { error: "must be a pipeline name" }), 100), [], {
      type: "list of names",
      default: "all",
      description: "pipelines counted: days since one of them was red",
    }),
  },
  ["kind", "pipelines", "label"],
).transform((c): CounterSettings => ({ kind: c.kind, pipelines: c.pipelines, label: c.label ?? "DAYS SINCE MAIN WAS RED" }));

// kind may be left out when the keys say it: a day means deploy-day.
const withKind = (value: unknown) =>
  isObject(value) && (value.kind === undefined || value.kind === null) ? { ...value, kind: value.day === undefined || value.day === null ? "last-red" : "deploy-day" } : value;

const counterSchema = z.preprocess(
  withKind,
  z.discriminatedUnion("kind", [deployDay, lastRed], {
    error: (issue) => (issue.code === "invalid_union" ? `must be one of ${KINDS.join(", ")}` : issue.input === undefined ? "is required" : "must be a JSON object"),
  }),
);

export const countersSchema = section(named(z.string(), counterSchema, "must map counter names to their settings")).transform((map) => new Map(Object.entries(map)));

export const COUNTERS_SECTION: ConfigSection = { key: "counters", document: "[ci.md](ci.md#counters): counters a gadget shows", schema: countersSchema };

export const counterKinds = { "deploy-day": deployDay, "last-red": lastRed };

export function checkCountersSection(value: unknown, at: string): Checked<Map<string, CounterSettings>> {
  return checkWith(countersSchema, value, at);
}
