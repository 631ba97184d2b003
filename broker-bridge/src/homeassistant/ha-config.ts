// The `homeassistant` section of the bridge's config (docs/homeassistant.md). Present means on:
//   homeassistant:
//     discovery_prefix: homeassistant   # Home Assistant's MQTT discovery prefix (its default)
// The prefix is one or more topic levels without wildcards, as Home Assistant's own setting is.

import { type Checked, Fields, object } from "@shipgate/protocol";
import { unknownKey } from "../config";

export interface HomeAssistantSettings {
  discoveryPrefix: string;
}

export const HOMEASSISTANT_DEFAULTS: HomeAssistantSettings = Object.freeze({ discoveryPrefix: "homeassistant" });

const PREFIX = /^[A-Za-z0-9_-]+(\/[A-Za-z0-9_-]+)*$/;

/** null when the section is absent (discovery off); `homeassistant: {}` turns it on with defaults. */
export function checkHomeAssistantSection(value: unknown, at: string): Checked<HomeAssistantSettings | null> {
  if (value === undefined) return { ok: true, value: null };
  if (value === null) return { ok: true, value: HOMEASSISTANT_DEFAULTS };
  const f = object(value, at);
  if (!(f instanceof Fields)) return f;
  const unknown = unknownKey(value, at, ["discovery_prefix"]);
  if (unknown) return unknown;
  const prefix = f.optionalString("discovery_prefix", { min: 1, max: 100, pattern: PREFIX, patternText: "topic levels of letters, digits, '_' or '-' (no wildcards, no leading or trailing '/')" });
  return f.done(() => ({ discoveryPrefix: prefix ?? HOMEASSISTANT_DEFAULTS.discoveryPrefix }));
}
