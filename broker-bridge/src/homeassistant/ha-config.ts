// The `homeassistant` section of the bridge's config (docs/homeassistant.md). Present means on:
//   homeassistant:
//     discovery_prefix: homeassistant   # Home Assistant's MQTT discovery prefix (its default)
// The prefix is one or more topic levels without wildcards, as Home Assistant's own setting is.

import type { Checked } from "@shipgate/protocol";
import { type ConfigSection, checkWith, optional, section, settings, text } from "../config-schema";

export interface HomeAssistantSettings {
  discoveryPrefix: string;
}

export const HOMEASSISTANT_DEFAULTS: HomeAssistantSettings = Object.freeze({ discoveryPrefix: "homeassistant" });

const PREFIX = /^[A-Za-z0-9_-]+(\/[A-Za-z0-9_-]+)*$/;

export const homeAssistantSchema = section(
  settings({
    discovery_prefix: optional(
      text({ min: 1, max: 100, pattern: PREFIX, patternText: "topic levels of letters, digits, '_' or '-' (no wildcards, no leading or trailing '/')" }),
      HOMEASSISTANT_DEFAULTS.discoveryPrefix,
      { type: "string", description: "Home Assistant's MQTT discovery prefix; the section's presence turns discovery on" },
    ),
  }),
).transform((s): HomeAssistantSettings => ({ discoveryPrefix: s.discovery_prefix }));

export const HOMEASSISTANT_SECTION: ConfigSection = { key: "homeassistant", document: "[homeassistant.md](homeassistant.md): MQTT discovery", schema: homeAssistantSchema };

/** null when the section is absent (discovery off); `homeassistant:` or `{}` turns it on with defaults. */
export function checkHomeAssistantSection(value: unknown, at: string): Checked<HomeAssistantSettings | null> {
  if (value === undefined) return { ok: true, value: null };
  return checkWith(homeAssistantSchema, value, at);
}
