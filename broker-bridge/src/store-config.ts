// The `store` section of the bridge's config (docs/deploy-ha.md):
//   store:
//     url: postgres://shipgate@db.internal:5432/shipgate   # absent: the SQLite file in state_dir
// SHIPGATE_STORE_URL in the environment wins over the file. Only a PostgreSQL URL is accepted: the
// embedded SQLite file needs no URL, and anything else is a typo that must not fall back silently.

import type { Checked } from "@shipgate/protocol";
import type { z } from "zod";
import { ConfigError } from "./config-error";
import { type ConfigSection, checkWith, nullable, problem, section, settings, text } from "./config-schema";
import { STORE_URL_ENV, storeUrlProblem } from "./store-url";

export { STORE_URL_ENV, storeUrlProblem } from "./store-url";

export const storeSchema = section(
  settings({
    url: nullable(text({ min: 1, max: 2000 }).check(problem(storeUrlProblem)), {
      type: "postgres:// URL",
      env: STORE_URL_ENV,
      description: "PostgreSQL shared by every bridge that names it (users, credentials, locks, audit); absent: the SQLite file `shipgate.db` in `state_dir`",
    }),
  }),
);

export type StoreSettings = z.output<typeof storeSchema>;

export const STORE_SECTION: ConfigSection = { key: "store", document: "[deploy-ha.md](deploy-ha.md): a shared PostgreSQL store", schema: storeSchema };

export function checkStoreSection(value: unknown, at: string): Checked<StoreSettings> {
  return checkWith(storeSchema, value, at);
}

/** The PostgreSQL URL the config and environment name, or null for the SQLite file. */
export function storeUrlOf(config: { file: string; sections: Record<string, unknown> }, env: NodeJS.ProcessEnv = process.env): string | null {
  const fromEnv = env.SHIPGATE_STORE_URL;
  if (fromEnv !== undefined && fromEnv !== "") {
    const p = storeUrlProblem(fromEnv);
    if (p !== undefined) throw new ConfigError("environment", STORE_URL_ENV, p);
    return fromEnv;
  }
  const checked = checkStoreSection(config.sections.store, "store");
  if (!checked.ok) throw new ConfigError(config.file, checked.field, checked.error);
  return checked.value.url;
}
