// Settings port on the device: Moddable's Preference (NVS on the ESP32), all keys in one domain.
// NVS limits domain (namespace) and key to 15 characters (ESP-IDF NVS, "Keys and values"); a
// longer key fails here with its name instead of somewhere inside NVS.

import Preference from "preference";
import type { Settings } from "../../core/ports";

export const SETTINGS_DOMAIN = "shipgate";
const NVS_KEY_MAX = 15;

function checkKey(key: string): void {
  if (key.length === 0 || key.length > NVS_KEY_MAX) {
    throw new RangeError(`settings: key "${key}" must have 1 to ${NVS_KEY_MAX} characters (NVS), has ${key.length}`);
  }
}

export class PreferenceSettings implements Settings {
  readonly #domain: string;

  constructor(domain = SETTINGS_DOMAIN) {
    checkKey(domain);
    this.#domain = domain;
  }

  get(key: string): string | number | boolean | undefined {
    checkKey(key);
    const value = Preference.get(this.#domain, key);
    // ArrayBuffer values are ours to never write; one found here is not a setting we know.
    return value instanceof ArrayBuffer ? undefined : value;
  }

  set(key: string, value: string | number | boolean): void {
    checkKey(key);
    // Writes wear flash: skip one that would store what is already there.
    if (Preference.get(this.#domain, key) === value) return;
    Preference.set(this.#domain, key, value);
  }

  delete(key: string): void {
    checkKey(key);
    Preference.delete(this.#domain, key);
  }
}
