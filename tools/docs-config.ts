// `npm run docs:config`: rewrites the generated key tables of docs/configuration.md from the config
// schemas (broker-bridge/src/config-docs.ts); `--check` only reports whether the doc is current.

import { readFileSync, writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { renderConfigDoc } from "../broker-bridge/src/config-docs";

const file = fileURLToPath(new URL("../docs/configuration.md", import.meta.url));
const doc = readFileSync(file, "utf8");
const rendered = renderConfigDoc(doc);
if (process.argv.includes("--check")) {
  if (rendered !== doc) {
    process.stderr.write("docs/configuration.md is out of date: run npm run docs:config\n");
    process.exit(1);
  }
} else if (rendered !== doc) {
  writeFileSync(file, rendered);
  process.stdout.write("docs/configuration.md: tables regenerated\n");
} else {
  process.stdout.write("docs/configuration.md: up to date\n");
}
