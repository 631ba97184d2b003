// The bridge's own settings (top level, broker, http, gates, gadgets) described once: the schemas
// give the types below, the defaults, the error texts and the tables of docs/configuration.md.
// Sections owned by services are described in their own modules and listed in config-sections.ts.

import { DEFAULT_PREFIX, prefixProblem } from "@shipgate/protocol";
import * as z from "zod";
import { boolean, problem, duration, filePath, integer, item, list, named, nullable, oneOf, optional, required, section, settings, text } from "./config-schema";
import { DEFAULTS, brokerUrlProblem } from "./config-env";

export { DEFAULTS, brokerUrlProblem } from "./config-env";

export function isTimeZone(zone: string): boolean {
  try {
    new Intl.DateTimeFormat("en-US", { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}

export const timeZone = () => text({ min: 1, max: 64 }).check(problem((zone: string) => (isTimeZone(zone) ? undefined : `"${zone}" is not an IANA time zone such as Europe/Berlin`)));

const tlsFiles = settings({
  cert: required(filePath(), {
    type: "file",
    description: "PEM certificate chain file: the server's certificate, then the CA that signed it (a Moddable gadget checks the name only on a certificate followed by its issuer)",
  }),
  key: required(filePath(), { type: "file", description: "PEM private key file" }),
});

const port = () => integer(0, 65535);

export const brokerSchema = settings({
  url: nullable(text({ min: 1, max: 500 }).check(problem(brokerUrlProblem)), {
    type: "URL",
    env: "SHIPGATE_BROKER_URL",
    description: "an external broker (`mqtt://`, `mqtts://`, `ws://`, `wss://`) instead of the embedded one",
  }),
  port: optional(port(), DEFAULTS.broker_port, { type: "port", env: "SHIPGATE_BROKER_PORT", description: "embedded broker: MQTT port (0 picks a free one)" }),
  host: optional(text({ min: 1, max: 255 }), DEFAULTS.broker_host, { type: "address", description: "embedded broker: the address to listen on" }),
  websocket: optional(boolean(), true, { type: "boolean", description: "embedded broker: MQTT over WebSocket at `/mqtt` on the HTTP server (the dashboard uses it)" }),
  tls: nullable(tlsFiles, { type: "`{cert, key}`", description: "embedded broker: `{cert, key}` PEM files; adds an MQTT-over-TLS listener" }),
  tls_port: optional(port(), DEFAULTS.tls_port, { type: "port", description: "the TLS listener's port, when `tls` is set" }),
  username: nullable(text({ min: 1, max: 100 }), { type: "string", description: "external broker: the bridge's own user (role `bridge`)" }),
  password_file: nullable(filePath(), { type: "file", description: "external broker: a file holding that user's password" }),
  ca: nullable(filePath(), { type: "file", description: "external broker: a CA file for `mqtts://`/`wss://`" }),
});

export const httpSchema = settings({
  host: optional(text({ min: 1, max: 255 }), DEFAULTS.http_host, { type: "address", description: "the address of the dashboard, API and `/metrics`; `0.0.0.0` for the LAN" }),
  port: optional(port(), DEFAULTS.http_port, { type: "port", env: "SHIPGATE_HTTP_PORT", description: "0 picks a free one" }),
  tls: nullable(tlsFiles, { type: "`{cert, key}`", description: "`{cert, key}` PEM files: serve HTTPS" }),
  // Issue 13: the Host-header check (DNS rebinding) and private read routes.
  allowed_hosts: nullable(list(item(255), 100), {
    type: "list of names",
    default: "the listen names",
    description:
      'host names every route answers to (the `Host` header; others get 421, against DNS rebinding); default: the names and addresses it listens on and `localhost`; `["*"]` turns the check off',
  }),
  public: optional(boolean(), true, { type: "boolean", description: "`false`: the read routes (`/api/...`, `/metrics`, `/cc.xml`) need a login or API token too" }),
});

const GLOB = { min: 1, max: 200 };

export const ruleSchema = settings({
  pipeline: optional(text(GLOB), "*", { type: "glob", description: "globs (`*` any run of characters)" }),
  step: optional(text(GLOB), "*", { type: "glob", description: "globs (`*` any run of characters)" }),
  approvals: optional(integer(1, 16), 1, { type: "integer 1..16", description: "approvals from distinct deciders (1 to 16): the two-person rule" }),
  deciders: optional(list(item(), 100), [], {
    type: "list of names",
    default: "anyone",
    description: "gadget ids and user names allowed to decide (`gadget:desk-1`, `user:alice`, or a bare name for either)",
  }),
  require_gadget: optional(boolean(), false, { type: "boolean", description: "`true`: one of the approvals must be a press on a gadget (an admin's approval alone does not settle it)" }),
});

const DAYS: Readonly<Record<string, number>> = { mon: 1, tue: 2, wed: 3, thu: 4, fri: 5, sat: 6, sun: 7 };
const DAY_TIME_TEXT = 'must be a weekday and a time such as "fri 15:00"';

/** "fri 15:00" as [Luxon weekday 1..7, minutes after midnight]. */
const dayTime = () =>
  text({ min: 1, max: 20 }).transform((value, ctx): [number, number] => {
    const m = /^(mon|tue|wed|thu|fri|sat|sun)[a-z]*\s+(\d{1,2}):(\d{2})$/i.exec(value.trim());
    if (m === null || Number(m[2]) > 23 || Number(m[3]) > 59) {
      ctx.issues.push({ code: "custom", message: DAY_TIME_TEXT, input: value });
      return [1, 0];
    }
    return [DAYS[(m[1] ?? "mon").toLowerCase().slice(0, 3)] ?? 1, Number(m[2]) * 60 + Number(m[3])];
  });

export const freezeSchema = settings({
  name: optional(text({ min: 1, max: 100 }), "freeze", { type: "string", description: "shown as `freeze:<name>` in `decided_by` and the mode" }),
  from: required(dayTime(), { type: "weekday time", description: "a weekday and a local time: `fri 15:00`, `mon 06:00`" }),
  to: required(dayTime(), { type: "weekday time", description: "a weekday and a local time: `fri 15:00`, `mon 06:00`" }),
}).transform((w) => ({ name: w.name, from_day: w.from[0], from_minute: w.from[1], to_day: w.to[0], to_minute: w.to[1] }));

export const gatesSchema = settings({
  default_timeout: optional(duration(), DEFAULTS.default_timeout_ms, {
    type: "duration",
    description: "a lock's timeout when the request has no `timeout_s` (durations: `90s`, `30m`, `1h30m`, `2d`)",
  }),
  grace: optional(duration(), DEFAULTS.grace_ms, { type: "duration", description: "how long a decided lock's retained state stays before it is cleared" }),
  max_pending_per_pipeline: optional(integer(1, 100_000), DEFAULTS.max_pending_per_pipeline, { type: "integer 1..100000", description: "pending locks one pipeline may have; one more is refused" }),
  rules: optional(list(ruleSchema, 100), [], { type: "list", description: "a list; the first rule whose globs match a lock applies:" }),
  timezone: optional(timeZone(), DEFAULTS.timezone, { type: "IANA zone", description: "the IANA zone of the freeze windows" }),
  freeze: optional(list(freezeSchema, 50), [], { type: "list", description: "a list of weekly windows in blocked mode:" }),
}).transform((g) => ({
  default_timeout_ms: g.default_timeout,
  grace_ms: g.grace,
  max_pending_per_pipeline: g.max_pending_per_pipeline,
  // require_gadget only where it is set, so a rule reads as written (and as before issue 13).
  rules: g.rules.map(({ require_gadget, ...rule }): typeof rule & { require_gadget?: true } => (require_gadget ? { ...rule, require_gadget: true } : rule)),
  timezone: g.timezone,
  freeze: g.freeze,
}));

const GADGET_ID = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/;

/** A gadget's own keys; the other keys under it belong to other services (watch lists, counters). */
export const gadgetSchema = section(
  z.looseObject(
    {
      pipelines: optional(list(item(), 100), [], { type: "list of globs", default: "all", description: "globs of the pipelines this gadget may decide" }),
      secret_file: nullable(filePath(), {
        type: "file",
        description: "a file with the gadget's HMAC secret; `shipgate user add ID --role gadget` creates `<state_dir>/gadget-secrets/ID`, which is used without this key",
      }),
    },
    { error: (issue) => (issue.input === undefined ? "is required" : "must be a JSON object") },
  ),
);

export const gadgetsSchema = named(z.string().regex(GADGET_ID, { error: "gadget id must be letters, digits, '_', '.' or '-'" }), gadgetSchema, "must map gadget ids to their settings").transform(
  (map) => Object.entries(map).map(([id, { pipelines, secret_file, ...extra }]) => ({ id, pipelines, secret_file, extra: extra as Record<string, unknown> })),
);

const LOG_LEVELS = ["fatal", "error", "warn", "info", "debug", "trace", "silent"] as const;

/** The top-level settings and the bridge's own sections; `sections` adds the services' keys. */
export const coreShape = {
  // The default is resolved like a written value: against the file's folder (or the working directory).
  state_dir: z
    .preprocess((v) => v ?? DEFAULTS.state_dir, filePath())
    .meta({
      setting: {
        type: "path",
        default: DEFAULTS.state_dir,
        env: "SHIPGATE_STATE_DIR",
        description: "where the SQLite database (`shipgate.db`), users, gadget secrets and the local admin credentials live",
      },
    }),
  prefix: optional(text({ min: 1, max: 100 }).check(problem(prefixProblem)), DEFAULT_PREFIX, {
    type: "topic prefix",
    env: "SHIPGATE_PREFIX",
    description: "the topic prefix; 1 to 100 characters, ends with `/`, no `+`, `#`, leading `/` or `$`",
  }),
  log_level: optional(oneOf(LOG_LEVELS), "info", { type: "level", description: "`fatal`, `error`, `warn`, `info`, `debug`, `trace` or `silent`" }),
  broker: section(brokerSchema),
  http: section(httpSchema),
  gates: section(gatesSchema),
  gadgets: optional(gadgetsSchema, [], { type: "map", description: "gadget ids to their settings" }),
};

type Core = z.output<z.ZodObject<typeof coreShape>>;
export type BrokerConfig = Core["broker"];
export type TlsFiles = NonNullable<BrokerConfig["tls"]>;
export type HttpConfig = Core["http"];
export type GatesConfig = Core["gates"];
export type GateRule = GatesConfig["rules"][number];
export type FreezeWindow = GatesConfig["freeze"][number];
export type GadgetConfig = Core["gadgets"][number];
