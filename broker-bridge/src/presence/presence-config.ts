// The `presence` section of the bridge's config (docs/presence.md):
//   presence:
//     directory: /run/shipgate/nodes   # one JSON file per node (absent: no files are written)
// A relative directory is relative to the config file. Gadgets' heartbeat intervals come from the
// gadgets themselves, so this is the section's only setting.

import type { Checked } from "@shipgate/protocol";
import type { z } from "zod";
import { type ConfigSection, checkWith, filePath, nullable, section, settings } from "../config-schema";

export const presenceSchema = section(
  settings({
    directory: nullable(filePath(), { type: "directory path", description: "one JSON file per fleet node is kept here (`<node>.json`, written atomically); absent: no files" }),
  }),
);

export type PresenceSettings = z.output<typeof presenceSchema>;

export const PRESENCE_SECTION: ConfigSection = { key: "presence", document: "[presence.md](presence.md): the fleet directory", schema: presenceSchema };

/** `base` is the config file's folder, which a relative directory starts from. */
export function checkPresenceSection(value: unknown, at: string, base: string): Checked<PresenceSettings> {
  return checkWith(presenceSchema, value, at, { base, env: {} });
}
