// The product's configuration: the core settings (config.ts) with the sections of the product's
// services (config-sections.ts, listed beside services.ts). Commands, tools and tests load the
// config from here; services only read their own section (config.ts: sectionOf).

import { type BridgeConfig, type LoadOptions, checkConfigWith, configSchemaFor, loadConfigWith } from "./config";
import { SECTIONS } from "./config-sections";
import type { Checked } from "@shipgate/protocol";

export * from "./config";

/** The registered service sections' keys (ci, argocd, notifications, ...), in their listed order. */
export const SERVICE_SECTIONS: readonly string[] = SECTIONS.map((s) => s.key);

/** The top level's schema: the core settings and every registered section. */
export const configSchema = configSchemaFor(SECTIONS);

export function loadConfig(options: LoadOptions = {}): BridgeConfig {
  return loadConfigWith(SECTIONS, options);
}

/** Checks a parsed config; `base` resolves relative paths (the config file's folder). */
export function checkConfig(raw: unknown, file: string, base: string): Checked<BridgeConfig> {
  return checkConfigWith(SECTIONS, raw, file, base);
}
