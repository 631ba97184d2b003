// How the self-contained gate file is bundled: one CommonJS file (mqtt and the protocol inside,
// no native module) that plain `node` runs, as `shipgate gate` and as the GitHub Action's main.
import path from "node:path";
import { fileURLToPath } from "node:url";
import type { BuildOptions } from "esbuild";

const REPO = fileURLToPath(new URL("../../", import.meta.url));

/** The committed file: integrations/github-actions/action.yml runs it; GitLab, Jenkins and the
 *  Concourse resource fetch or copy the same one. */
export const GATE_FILE = path.join(REPO, "integrations/github-actions/shipgate-gate.cjs");

export function gateFileOptions(): BuildOptions {
  return {
    entryPoints: [path.join(REPO, "pipeline-client/src/standalone.ts")],
    bundle: true,
    format: "cjs",
    platform: "node",
    // GitHub's node20 runtime and Debian's Node 20 are the oldest it meets.
    target: "node20",
    minify: true,
    legalComments: "none",
    // MQTT.js prefers the optional native WebSocket helpers when present; none ship here.
    external: ["bufferutil", "utf-8-validate"],
    // The V8 flag first, before MQTT.js loads: young generation kept at 1 MiB semi-spaces, as
    // broker-bridge/bin/shipgate.js does (it lowers the client's peak RSS; docs/performance.md).
    banner: {
      js: '#!/usr/bin/env node\n// shipgate gate, self-contained (built from pipeline-client/src/standalone.ts by npm run build:gate; do not edit).\nrequire("node:v8").setFlagsFromString("--semi-space-growth-factor=1");',
    },
    logLevel: "warning",
  };
}
