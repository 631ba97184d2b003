// Settings port on Node: in memory for tests, or a small JSON file for the terminal twin, so its
// boot counter grows across runs as the device's does in NVS.

import { mkdirSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import path from "node:path";
import type { Settings } from "../../core/ports";

type Value = string | number | boolean;

/** The NVS limit on key length (Moddable Preference on ESP32: 15 characters). */
const KEY_MAX = 15;

function checkKey(key: string): void {
  if (key.length === 0 || key.length > KEY_MAX) throw new RangeError(`settings: key "${key}" must have 1 to ${KEY_MAX} characters (NVS limit)`);
}

export class MemorySettings implements Settings {
  protected values = new Map<string, Value>();

  constructor(initial: Record<string, Value> = {}) {
    for (const [k, v] of Object.entries(initial)) {
      checkKey(k);
      this.values.set(k, v);
    }
  }

  get(key: string): Value | undefined {
    checkKey(key);
    return this.values.get(key);
  }

  set(key: string, value: Value): void {
    checkKey(key);
    this.values.set(key, value);
  }

  delete(key: string): void {
    checkKey(key);
    this.values.delete(key);
  }
}

/** Settings in a JSON file, written through a temporary file so a crash never leaves half a file. */
export class FileSettings extends MemorySettings {
  readonly file: string;

  constructor(file: string) {
    super();
    this.file = file;
    let text: string | undefined;
    try {
      text = readFileSync(file, "utf8");
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== "ENOENT") throw new Error(`settings: cannot read ${file}: ${String(e)}`, { cause: e });
    }
    if (text === undefined) return;
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch (e) {
      throw new Error(`settings: ${file} is not valid JSON`, { cause: e });
    }
    if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed)) throw new Error(`settings: ${file} must hold a JSON object`);
    for (const [k, v] of Object.entries(parsed)) {
      if (typeof v === "string" || typeof v === "number" || typeof v === "boolean") this.values.set(k, v);
    }
  }

  override set(key: string, value: Value): void {
    super.set(key, value);
    this.#save();
  }

  override delete(key: string): void {
    super.delete(key);
    this.#save();
  }

  #save(): void {
    mkdirSync(path.dirname(this.file), { recursive: true });
    const tmp = this.file + ".tmp";
    writeFileSync(tmp, JSON.stringify(Object.fromEntries(this.values), null, 2) + "\n", { mode: 0o600 });
    renameSync(tmp, this.file);
  }
}
