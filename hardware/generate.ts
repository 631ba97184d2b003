// Regenerates hardware/wiring*.svg and the generated sections of hardware/README.md from
// hardware/pinout.json, after checking it. Run from the repository root:
//   npx tsx hardware/generate.ts          write the files
//   npx tsx hardware/generate.ts --check  exit 1 if a file is out of date (what the test checks)

import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { renderOutputs } from "./outputs";
import type { ManifestLike } from "./pinout";

const here = dirname(fileURLToPath(import.meta.url));

/** The repository's manifest.json, whose config mcconfig merges over pinout.json's. */
export function readRootManifest(dir: string = join(here, "..")): ManifestLike | undefined {
  const path = join(dir, "manifest.json");
  if (!existsSync(path)) return undefined;
  return JSON.parse(readFileSync(path, "utf8")) as ManifestLike;
}

function main(argv: readonly string[]): number {
  const check = argv.includes("--check");
  const pinoutJson: unknown = JSON.parse(readFileSync(join(here, "pinout.json"), "utf8"));
  const readme = readFileSync(join(here, "README.md"), "utf8");
  const outputs = renderOutputs(pinoutJson, readme, readRootManifest());
  if (outputs.problems.length > 0) {
    for (const problem of outputs.problems) process.stderr.write(`hardware/pinout.json: ${problem.message}\n`);
    return 1;
  }
  let stale = 0;
  for (const [name, content] of Object.entries(outputs.files)) {
    const path = join(here, name);
    const current = existsSync(path) ? readFileSync(path, "utf8") : undefined;
    if (current === content) continue;
    if (check) {
      process.stderr.write(`hardware/${name} is out of date: run npx tsx hardware/generate.ts\n`);
      stale += 1;
    } else {
      writeFileSync(path, content);
      process.stdout.write(`wrote hardware/${name}\n`);
    }
  }
  return stale > 0 ? 1 : 0;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) process.exitCode = main(process.argv.slice(2));
