// The `presence` section of the bridge's config (docs/configuration.md):
//   presence:
//     directory: /run/shipgate/nodes   # one JSON file per node (absent: no files are written)
// A relative directory is relative to the config file.

import path from "node:path";
import { type Checked, Fields, object } from "@shipgate/protocol";
import { unknownKey } from "../config";

export interface PresenceSettings {
  /** Absolute path of the directory of node files, or null for none. */
  directory: string | null;
}

export const PRESENCE_DEFAULTS: PresenceSettings = Object.freeze({ directory: null });

export function checkPresenceSection(value: unknown, at: string, base: string): Checked<PresenceSettings> {
  if (value === undefined || value === null) return { ok: true, value: PRESENCE_DEFAULTS };
  const f = object(value, at);
  if (!(f instanceof Fields)) return f;
  const unknown = unknownKey(value, at, ["directory"]);
  if (unknown) return unknown;
  const directory = f.optionalString("directory", { min: 1, max: 4096, pattern: /^[^\u0000]+$/, patternText: "a directory path" });
  return f.done(() => ({ directory: directory === undefined ? null : path.resolve(base, directory) }));
}
