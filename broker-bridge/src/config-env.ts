// What the environment says (contract: SHIPGATE_STATE_DIR, SHIPGATE_BROKER_PORT,
// SHIPGATE_HTTP_PORT, SHIPGATE_BROKER_URL; and SHIPGATE_PREFIX), and the built-in defaults, read
// without the config schemas: a command run with no config file (`shipgate user list`) knows every
// setting from these alone and need not load zod and every section (about 290 KB of JavaScript).

import path from "node:path";
import { prefixProblem } from "@shipgate/protocol";
import { ConfigError } from "./config-error";

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

/** The settings the environment gives, each checked; absent ones are left out. */
export interface EnvSettings {
  state_dir?: string;
  broker_port?: number;
  http_port?: number;
  broker_url?: string;
  prefix?: string;
}

export function envSettings(env: NodeJS.ProcessEnv, cwd: string): EnvSettings {
  const out: EnvSettings = {};
  if (env.SHIPGATE_STATE_DIR) out.state_dir = path.resolve(cwd, env.SHIPGATE_STATE_DIR);
  if (env.SHIPGATE_BROKER_PORT) out.broker_port = envPort("SHIPGATE_BROKER_PORT", env.SHIPGATE_BROKER_PORT);
  if (env.SHIPGATE_HTTP_PORT) out.http_port = envPort("SHIPGATE_HTTP_PORT", env.SHIPGATE_HTTP_PORT);
  if (env.SHIPGATE_BROKER_URL) {
    const problem = brokerUrlProblem(env.SHIPGATE_BROKER_URL);
    if (problem) throw new ConfigError("environment", "SHIPGATE_BROKER_URL", problem);
    out.broker_url = env.SHIPGATE_BROKER_URL;
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
