// The bridge's configuration: built-in defaults, then a YAML file, then environment variables
// (contract: SHIPGATE_STATE_DIR, SHIPGATE_BROKER_PORT, SHIPGATE_HTTP_PORT, SHIPGATE_BROKER_URL).
// Every problem is reported as one ConfigError naming the file, the key and the reason, before
// anything starts listening. The settings are described once, as schemas: the bridge's own in
// config-core.ts, each service's section in its own module. This module knows no service: the
// sections are given (bridge-config.ts gives the product's, listed beside its services), and a
// service reads its section at start through sectionOf(), with the same error shape.

import { readFileSync } from "node:fs";
import path from "node:path";
import { type Checked, isObject } from "@shipgate/protocol";
import { lazyRequire } from "./lazy-require";
import * as z from "zod";
import { type GadgetConfig, type GatesConfig, coreShape } from "./config-core";
import { DEFAULTS, envSettings } from "./config-env";
import { ConfigError } from "./config-error";
import { type ConfigSection, checkWith, settings } from "./config-schema";

/** YAML is parsed only when there is a file to read. */
const yaml = lazyRequire<typeof import("yaml")>("yaml");

export { ConfigError } from "./config-error";
export { isTimeZone } from "./config-core";
export { DEFAULTS, brokerUrlProblem } from "./config-env";
export type { BrokerConfig, FreezeWindow, GadgetConfig, GateRule, GatesConfig, HttpConfig, TlsFiles } from "./config-core";

/** The top level: the bridge's own settings, and each service's section, kept raw for its service. */
/** The top level for these service sections: the core settings, and each section kept raw for its
 *  service. Built once per list (zod compiles a parser on first use, which costs milliseconds). */
export function configSchemaFor(sections: readonly ConfigSection[]) {
  let schema = schemas.get(sections);
  if (schema === undefined) {
    schema = settings({ ...coreShape, ...Object.fromEntries(sections.map((s) => [s.key, z.unknown().optional()])) });
    schemas.set(sections, schema);
  }
  return schema;
}
const schemas = new WeakMap<readonly ConfigSection[], ReturnType<typeof settings>>();

type Core = z.output<z.ZodObject<typeof coreShape>>;

export interface BridgeConfig extends Omit<Core, "gates" | "gadgets"> {
  /** Where the file came from, for error messages ("<defaults>" when none). */
  file: string;
  gates: GatesConfig;
  gadgets: GadgetConfig[];
  /** Sections owned by services, checked by them (ci, argocd, notifications, security...). */
  sections: Record<string, unknown>;
}

export interface LoadOptions {
  /** Path of the YAML file, or undefined for built-in defaults. */
  file?: string;
  env?: NodeJS.ProcessEnv;
  /** Base for relative paths when there is no file (the working directory). */
  cwd?: string;
}

export function loadConfigWith(sections: readonly ConfigSection[], options: LoadOptions = {}): BridgeConfig {
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
    const doc = yaml().parseDocument(text, { prettyErrors: true });
    if (doc.errors.length > 0) {
      const first = doc.errors[0];
      throw new ConfigError(file, "", `is not valid YAML: ${first?.message.split("\n")[0] ?? "parse error"}`);
    }
    raw = doc.toJS() ?? {};
  }
  const checked = checkConfigWith(sections, raw, label, base);
  if (!checked.ok) throw new ConfigError(label, checked.field, checked.error);
  // Unset, the state directory is ./.shipgate where the command runs, as every other command
  // (status, user, gadget) looks for it; only a state_dir written in the file is relative to it.
  if ((raw as Record<string, unknown>).state_dir === undefined) checked.value.state_dir = path.resolve(cwd, DEFAULTS.state_dir);
  return applyEnv(checked.value, env, cwd);
}

function applyEnv(config: BridgeConfig, env: NodeJS.ProcessEnv, cwd: string): BridgeConfig {
  const given = envSettings(env, cwd);
  const out = { ...config, broker: { ...config.broker }, http: { ...config.http } };
  if (given.state_dir !== undefined) out.state_dir = given.state_dir;
  if (given.broker_port !== undefined) out.broker.port = given.broker_port;
  if (given.http_port !== undefined) out.http.port = given.http_port;
  if (given.broker_url !== undefined) out.broker.url = given.broker_url;
  if (given.prefix !== undefined) out.prefix = given.prefix;
  return out;
}

/** Checks a parsed config; `base` resolves relative paths (the config file's folder). Service
 *  sections are only checked to be registered here; their services check their contents. */
export function checkConfigWith(registered: readonly ConfigSection[], raw: unknown, file: string, base: string): Checked<BridgeConfig> {
  if (!isObject(raw)) return { ok: false, field: "", error: "must be a YAML mapping of settings" };
  const result = checkWith(configSchemaFor(registered), raw, "", { base, env: {} });
  if (!result.ok) return result;
  const { state_dir, prefix, log_level, broker, http, gates, gadgets } = result.value as Core;
  const sections: Record<string, unknown> = {};
  for (const { key } of registered) if (raw[key] !== undefined) sections[key] = raw[key];
  return { ok: true, value: { file, state_dir, prefix, log_level, broker, http, gates, gadgets, sections } };
}

/** A service checks its own section; failures become ConfigErrors naming the file and key. */
export function sectionOf<T>(config: BridgeConfig, name: string, check: (value: unknown, path: string) => Checked<T>): T {
  const result = check(config.sections[name], name);
  if (!result.ok) throw new ConfigError(config.file, result.field, result.error);
  return result.value;
}
