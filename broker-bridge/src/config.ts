// The bridge's configuration: built-in defaults, then a YAML file, then environment variables
// (contract: SHIPGATE_STATE_DIR, SHIPGATE_BROKER_PORT, SHIPGATE_HTTP_PORT, SHIPGATE_BROKER_URL).
// Every problem is reported as one ConfigError naming the file, the key and the reason, before
// anything starts listening. Services that own a section (ci, argocd, notifications) check it
// themselves through sectionOf(), with the same error shape.

import { readFileSync } from "node:fs";
import path from "node:path";
import { parseDocument } from "yaml";
import { type Checked, Fields, type Invalid, DEFAULT_PREFIX, isObject, joinPath, object, prefixProblem, valid } from "@shipgate/protocol";
import { parseDuration } from "./duration";

export class ConfigError extends Error {
  readonly code = "CONFIG_INVALID";
  constructor(readonly file: string, readonly key: string, readonly reason: string, options?: ErrorOptions) {
    super(`${file}: ${key === "" ? "" : key + ": "}${reason}`, options);
    this.name = "ConfigError";
  }
}

export interface TlsFiles {
  /** PEM certificate chain file. */
  cert: string;
  /** PEM private key file. */
  key: string;
}

export interface BrokerConfig {
  /** An external broker (mqtt://, mqtts://, ws://) instead of the embedded one. */
  url: string | null;
  /** Embedded broker: TCP port (0 picks a free one). */
  port: number;
  host: string;
  /** Embedded broker: serve MQTT over WebSocket at /mqtt on the HTTP server. */
  websocket: boolean;
  /** Embedded broker: MQTT over TLS on tls_port when set. */
  tls: TlsFiles | null;
  tls_port: number;
  /** External broker credentials for the bridge itself. */
  username: string | null;
  password_file: string | null;
  /** External broker: CA file for mqtts. */
  ca: string | null;
}

export interface HttpConfig {
  host: string;
  /** 0 picks a free port. */
  port: number;
  tls: TlsFiles | null;
  // --- issue 13 (security): Host-header check and private read routes ---
  /** Host names the HTTP server answers to (DNS rebinding); null: the names and addresses it listens on. */
  allowed_hosts: string[] | null;
  /** false: the read routes (dashboard data, /api/status, /api/audit...) need a login too. */
  public: boolean;
}

export interface GateRule {
  /** Glob patterns ("*" any run of characters); absent means any. */
  pipeline: string;
  step: string;
  /** Approvals needed from distinct deciders. */
  approvals: number;
  /** Gadget ids or user names allowed to decide matching locks; empty means anyone allowed to decide. */
  deciders: string[];
  /** At least one of the approvals must be a press on a gadget (issue 13). */
  require_gadget?: true;
}

export interface FreezeWindow {
  name: string;
  /** Luxon weekday: 1 Monday .. 7 Sunday. */
  from_day: number;
  /** Minutes after midnight. */
  from_minute: number;
  to_day: number;
  to_minute: number;
}

export interface GatesConfig {
  /** Lock timeout when a request has no timeout_s (ms). */
  default_timeout_ms: number;
  /** How long a decided lock's retained state stays before it is cleared (ms). */
  grace_ms: number;
  max_pending_per_pipeline: number;
  rules: GateRule[];
  timezone: string;
  freeze: FreezeWindow[];
}

export interface GadgetConfig {
  id: string;
  /** Pipelines (globs) whose locks this gadget may decide; empty means all. */
  pipelines: string[];
  /** File holding the gadget's HMAC secret; absent means events need no signature. */
  secret_file: string | null;
  /** Free-form per-gadget settings owned by other services (watch lists, counters...). */
  extra: Record<string, unknown>;
}

export interface BridgeConfig {
  /** Where the file came from, for error messages ("<defaults>" when none). */
  file: string;
  state_dir: string;
  prefix: string;
  log_level: string;
  broker: BrokerConfig;
  http: HttpConfig;
  gates: GatesConfig;
  gadgets: GadgetConfig[];
  /** Sections owned by services, checked by them (ci, argocd, notifications, security...). */
  sections: Record<string, unknown>;
}

export const DEFAULTS = Object.freeze({
  state_dir: "./.shipgate",
  broker_port: 1883,
  broker_host: "0.0.0.0",
  http_port: 8080,
  http_host: "127.0.0.1",
  tls_port: 8883,
  default_timeout_ms: 3_600_000,
  grace_ms: 600_000,
  max_pending_per_pipeline: 100,
  timezone: "UTC",
});

const CORE_KEYS = ["state_dir", "prefix", "log_level", "broker", "http", "gates", "gadgets"];
export const SERVICE_SECTIONS = ["ci", "argocd", "notifications", "security", "presence", "counters", "dashboard"];

const DAYS: Record<string, number> = { mon: 1, tue: 2, wed: 3, thu: 4, fri: 5, sat: 6, sun: 7 };

export interface LoadOptions {
  /** Path of the YAML file, or undefined for built-in defaults. */
  file?: string;
  env?: NodeJS.ProcessEnv;
  /** Base for relative paths when there is no file (the working directory). */
  cwd?: string;
}

export function loadConfig(options: LoadOptions = {}): BridgeConfig {
  const env = options.env ?? process.env;
  const cwd = options.cwd ?? process.cwd();
  const file = options.file ?? env.SHIPGATE_CONFIG;
  let raw: unknown = {};
  let label = "<defaults>";
  let base = cwd;
  if (file !== undefined && file !== "") {
    label = file;
    base = path.dirname(path.resolve(cwd, file));
    let text: string;
    try {
      text = readFileSync(path.resolve(cwd, file), "utf8");
    } catch (err) {
      throw new ConfigError(file, "", `cannot read the file (${(err as NodeJS.ErrnoException).code ?? String(err)})`, { cause: err });
    }
    const doc = parseDocument(text, { prettyErrors: true });
    if (doc.errors.length > 0) {
      const first = doc.errors[0];
      throw new ConfigError(file, "", `is not valid YAML: ${first?.message.split("\n")[0] ?? "parse error"}`);
    }
    raw = doc.toJS() ?? {};
  }
  const checked = checkConfig(raw, label, base);
  if (!checked.ok) throw new ConfigError(label, checked.field, checked.error);
  return applyEnv(checked.value, env, cwd);
}

function applyEnv(config: BridgeConfig, env: NodeJS.ProcessEnv, cwd: string): BridgeConfig {
  const out = { ...config, broker: { ...config.broker }, http: { ...config.http } };
  if (env.SHIPGATE_STATE_DIR) out.state_dir = path.resolve(cwd, env.SHIPGATE_STATE_DIR);
  if (env.SHIPGATE_BROKER_PORT) out.broker.port = envPort("SHIPGATE_BROKER_PORT", env.SHIPGATE_BROKER_PORT);
  if (env.SHIPGATE_HTTP_PORT) out.http.port = envPort("SHIPGATE_HTTP_PORT", env.SHIPGATE_HTTP_PORT);
  if (env.SHIPGATE_BROKER_URL) {
    const problem = brokerUrlProblem(env.SHIPGATE_BROKER_URL);
    if (problem) throw new ConfigError("environment", "SHIPGATE_BROKER_URL", problem);
    out.broker.url = env.SHIPGATE_BROKER_URL;
  }
  if (env.SHIPGATE_PREFIX) {
    const problem = prefixProblem(env.SHIPGATE_PREFIX);
    if (problem) throw new ConfigError("environment", "SHIPGATE_PREFIX", problem);
    out.prefix = env.SHIPGATE_PREFIX;
  }
  return out;
}

function envPort(name: string, value: string): number {
  const n = Number(value);
  if (!/^\d+$/.test(value) || n > 65535) throw new ConfigError("environment", name, "must be a port number from 0 to 65535");
  return n;
}

export function brokerUrlProblem(url: string): string | undefined {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return "must be a URL such as mqtt://broker.example:1883";
  }
  if (!["mqtt:", "mqtts:", "ws:", "wss:", "tcp:", "tls:"].includes(parsed.protocol)) return "must use mqtt://, mqtts://, ws:// or wss://";
  if (parsed.hostname === "") return "must name a host";
  return undefined;
}

/** A duration setting ("90s", "30m", "1h", "500ms") in milliseconds; fallback when absent. Shared by
 *  every service's section so durations read the same everywhere. */
export function durationField(f: Fields, key: string, fallback: number, at: string): number {
  if (!f.has(key)) return fallback;
  const text = f.string(key, { min: 1, max: 40 });
  const ms = parseDuration(text);
  if (ms === undefined || ms <= 0) {
    f.failure ??= { ok: false, field: joinPath(at, key), error: 'must be a duration such as "90s", "30m", "1h" or "500ms"' };
    return fallback;
  }
  return ms;
}

function relativePath(f: Fields, key: string, base: string): string | null {
  const value = f.optionalString(key, { min: 1, max: 1000 });
  return value === undefined ? null : path.resolve(base, value);
}

function checkTls(value: unknown, at: string, base: string): Checked<TlsFiles | null> {
  if (value === undefined || value === null) return valid(null);
  const f = object(value, at);
  if (!(f instanceof Fields)) return f;
  const cert = f.string("cert", { min: 1 });
  const key = f.string("key", { min: 1 });
  return f.done(() => ({ cert: path.resolve(base, cert), key: path.resolve(base, key) }));
}

/** The first key of a mapping that is not among the allowed settings, as a failure naming it. */
export function unknownKey(value: unknown, at: string, allowed: readonly string[]): Invalid | undefined {
  if (!isObject(value)) return undefined;
  for (const key of Object.keys(value)) {
    if (!allowed.includes(key)) return { ok: false, field: joinPath(at, key), error: "is not a known setting (known: " + allowed.join(", ") + ")" };
  }
  return undefined;
}

function checkBroker(value: unknown, base: string): Checked<BrokerConfig> {
  const at = "broker";
  const unknown = unknownKey(value, at, ["url", "port", "host", "websocket", "tls", "tls_port", "username", "password_file", "ca"]);
  if (unknown) return unknown;
  const f = object(value ?? {}, at);
  if (!(f instanceof Fields)) return f;
  const url = f.optionalString("url", { min: 1, max: 500 });
  if (url !== undefined) {
    const problem = brokerUrlProblem(url);
    if (problem) return { ok: false, field: "broker.url", error: problem };
  }
  const port = f.optionalInteger("port", 0, 65535) ?? DEFAULTS.broker_port;
  const host = f.optionalString("host", { min: 1, max: 255 }) ?? DEFAULTS.broker_host;
  const websocket = f.has("websocket") ? f.boolean("websocket") : true;
  const tls = f.nested("tls", (v, p) => checkTls(v, p, base)) ?? null;
  const tlsPort = f.optionalInteger("tls_port", 0, 65535) ?? DEFAULTS.tls_port;
  const username = f.optionalString("username", { min: 1, max: 100 }) ?? null;
  const passwordFile = relativePath(f, "password_file", base);
  const ca = relativePath(f, "ca", base);
  return f.done(() => ({ url: url ?? null, port, host, websocket, tls, tls_port: tlsPort, username, password_file: passwordFile, ca }));
}

function checkHttp(value: unknown, base: string): Checked<HttpConfig> {
  const unknown = unknownKey(value, "http", ["host", "port", "tls", "allowed_hosts", "public"]);
  if (unknown) return unknown;
  const f = object(value ?? {}, "http");
  if (!(f instanceof Fields)) return f;
  const port = f.optionalInteger("port", 0, 65535) ?? DEFAULTS.http_port;
  const host = f.optionalString("host", { min: 1, max: 255 }) ?? DEFAULTS.http_host;
  const tls = f.nested("tls", (v, p) => checkTls(v, p, base)) ?? null;
  // --- issue 13 (security) ---
  const allowedHosts = f.has("allowed_hosts") ? f.array("allowed_hosts", 100, stringItem) : null;
  const isPublic = f.has("public") ? f.boolean("public") : true;
  return f.done(() => ({ host, port, tls, allowed_hosts: allowedHosts, public: isPublic }));
}

const GLOB_RULE = { min: 1, max: 200 };

function checkRule(value: unknown, at: string): Checked<GateRule> {
  const unknown = unknownKey(value, at, ["pipeline", "step", "approvals", "deciders", "require_gadget"]);
  if (unknown) return unknown;
  const f = object(value, at);
  if (!(f instanceof Fields)) return f;
  const pipeline = f.optionalString("pipeline", GLOB_RULE) ?? "*";
  const step = f.optionalString("step", GLOB_RULE) ?? "*";
  const approvals = f.optionalInteger("approvals", 1, 16) ?? 1;
  const deciders = f.has("deciders") ? f.array("deciders", 100, stringItem) : [];
  const requireGadget = f.has("require_gadget") ? f.boolean("require_gadget") : false;
  return f.done(() => (requireGadget ? { pipeline, step, approvals, deciders, require_gadget: true as const } : { pipeline, step, approvals, deciders }));
}

function stringItem(value: unknown, at: string): Checked<string> {
  if (typeof value !== "string" || value.length === 0 || value.length > 200) return { ok: false, field: at, error: "must be a non-empty string" };
  return valid(value);
}

function dayTime(f: Fields, key: string, at: string): [number, number] {
  const text = f.string(key, { min: 1, max: 20 });
  const m = /^(mon|tue|wed|thu|fri|sat|sun)[a-z]*\s+(\d{1,2}):(\d{2})$/i.exec(text.trim());
  if (m === null || Number(m[2]) > 23 || Number(m[3]) > 59) {
    f.failure ??= { ok: false, field: joinPath(at, key), error: 'must be a weekday and a time such as "fri 15:00"' };
    return [1, 0];
  }
  return [DAYS[(m[1] ?? "mon").toLowerCase().slice(0, 3)] ?? 1, Number(m[2]) * 60 + Number(m[3])];
}

function checkWindow(value: unknown, at: string): Checked<FreezeWindow> {
  const unknown = unknownKey(value, at, ["name", "from", "to"]);
  if (unknown) return unknown;
  const f = object(value, at);
  if (!(f instanceof Fields)) return f;
  const name = f.optionalString("name", { min: 1, max: 100 }) ?? "freeze";
  const [fromDay, fromMinute] = dayTime(f, "from", at);
  const [toDay, toMinute] = dayTime(f, "to", at);
  return f.done(() => ({ name, from_day: fromDay, from_minute: fromMinute, to_day: toDay, to_minute: toMinute }));
}

function checkGates(value: unknown): Checked<GatesConfig> {
  const at = "gates";
  const unknown = unknownKey(value, at, ["default_timeout", "grace", "max_pending_per_pipeline", "rules", "timezone", "freeze"]);
  if (unknown) return unknown;
  const f = object(value ?? {}, at);
  if (!(f instanceof Fields)) return f;
  const timeout = durationField(f, "default_timeout", DEFAULTS.default_timeout_ms, at);
  const grace = durationField(f, "grace", DEFAULTS.grace_ms, at);
  const maxPending = f.optionalInteger("max_pending_per_pipeline", 1, 100_000) ?? DEFAULTS.max_pending_per_pipeline;
  const rules = f.has("rules") ? f.array("rules", 100, checkRule) : [];
  const timezone = f.optionalString("timezone", { min: 1, max: 64 }) ?? DEFAULTS.timezone;
  if (f.failure === undefined && !isTimeZone(timezone)) f.failure = { ok: false, field: "gates.timezone", error: `"${timezone}" is not an IANA time zone such as Europe/Berlin` };
  const freeze = f.has("freeze") ? f.array("freeze", 50, checkWindow) : [];
  return f.done(() => ({ default_timeout_ms: timeout, grace_ms: grace, max_pending_per_pipeline: maxPending, rules, timezone, freeze }));
}

export function isTimeZone(zone: string): boolean {
  try {
    new Intl.DateTimeFormat("en-US", { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}

const GADGET_ID = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/;

function checkGadgets(value: unknown, base: string): Checked<GadgetConfig[]> {
  if (value === undefined || value === null) return valid([]);
  if (!isObject(value)) return { ok: false, field: "gadgets", error: "must map gadget ids to their settings" };
  const out: GadgetConfig[] = [];
  for (const [id, settings] of Object.entries(value)) {
    const at = joinPath("gadgets", id);
    if (!GADGET_ID.test(id)) return { ok: false, field: at, error: "gadget id must be letters, digits, '_', '.' or '-'" };
    const f = object(settings ?? {}, at);
    if (!(f instanceof Fields)) return f;
    const pipelines = f.has("pipelines") ? f.array("pipelines", 100, stringItem) : [];
    const secretFile = relativePath(f, "secret_file", base);
    if (f.failure) return f.failure;
    const extra: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(settings ?? {})) if (k !== "pipelines" && k !== "secret_file") extra[k] = v;
    out.push({ id, pipelines, secret_file: secretFile, extra });
  }
  return valid(out);
}

export function checkConfig(raw: unknown, file: string, base: string): Checked<BridgeConfig> {
  if (!isObject(raw)) return { ok: false, field: "", error: "must be a YAML mapping of settings" };
  const unknown = unknownKey(raw, "", [...CORE_KEYS, ...SERVICE_SECTIONS]);
  if (unknown) return unknown;
  const f = new Fields(raw, "");
  const stateDir = f.optionalString("state_dir", { min: 1, max: 1000 }) ?? DEFAULTS.state_dir;
  const prefix = f.optionalString("prefix", { min: 1, max: 100 }) ?? DEFAULT_PREFIX;
  const prefixError = prefixProblem(prefix);
  if (prefixError && f.failure === undefined) f.failure = { ok: false, field: "prefix", error: prefixError };
  const logLevel = f.optionalOneOf("log_level", ["fatal", "error", "warn", "info", "debug", "trace", "silent"] as const) ?? "info";
  if (f.failure) return f.failure;
  const broker = checkBroker(raw.broker, base);
  if (!broker.ok) return broker;
  const http = checkHttp(raw.http, base);
  if (!http.ok) return http;
  const gates = checkGates(raw.gates);
  if (!gates.ok) return gates;
  const gadgets = checkGadgets(raw.gadgets, base);
  if (!gadgets.ok) return gadgets;
  const sections: Record<string, unknown> = {};
  for (const name of SERVICE_SECTIONS) if (raw[name] !== undefined) sections[name] = raw[name];
  return valid({
    file,
    state_dir: path.resolve(base, stateDir),
    prefix,
    log_level: logLevel,
    broker: broker.value,
    http: http.value,
    gates: gates.value,
    gadgets: gadgets.value,
    sections,
  });
}

/** A service checks its own section; failures become ConfigErrors naming the file and key. */
export function sectionOf<T>(config: BridgeConfig, name: string, check: (value: unknown, path: string) => Checked<T>): T {
  const result = check(config.sections[name], name);
  if (!result.ok) throw new ConfigError(config.file, result.field, result.error);
  return result.value;
}
