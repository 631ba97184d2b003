// The real hardware/pinout.json, and copies of it with one thing changed, for the rule tests.
import { readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { parsePinout, type ManifestLike } from "../pinout";
import { checkPinout, type Problem } from "../validate";

export const HARDWARE_DIR = join(dirname(fileURLToPath(import.meta.url)), "..");

export type Json = { [key: string]: any };

export function realPinoutJson(): Json {
  return JSON.parse(readFileSync(join(HARDWARE_DIR, "pinout.json"), "utf8")) as Json;
}

/** The config object of one platform in a copy of pinout.json. */
export function platformConfig(json: Json, platform: "esp32" | "esp32/esp32s3"): Json {
  return json.platforms[platform].config as Json;
}

/** Runs the validator on a copy of pinout.json changed by `edit`. */
export function problemsAfter(edit: (json: Json) => void, root?: ManifestLike): Problem[] {
  const json = realPinoutJson();
  edit(json);
  const builds = checkPinout(parsePinout(json), root);
  return builds.flatMap((b) => b.problems);
}
