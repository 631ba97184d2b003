// How the self-contained gate file is bundled: one CommonJS file (mqtt and the protocol inside,
// no native module) that plain `node` runs, as `shipgate gate` and as the GitHub Action's main.
import path from "node:path";
import { fileURLToPath } from "node:url";
import type { BuildOptions } from "esbuild";
import { type LazyImport, lazyModules, standIn } from "./lazy-modules";

const REPO = fileURLToPath(new URL("../../", import.meta.url));

/** The committed file: integrations/github-actions/action.yml runs it; GitLab, Jenkins and the
 *  Concourse resource fetch or copy the same one. */
export const GATE_FILE = path.join(REPO, "integrations/github-actions/shipgate-gate.cjs");

/** What MQTT.js loads at its start and a pipeline may never use (tools/build/lazy-modules.ts). */
const LAZY: readonly LazyImport[] = [
  { importer: "mqtt/build/lib/connect/index.js", specifier: "./ws", names: ["streamBuilder", "browserStreamBuilder"], functions: true },
  { importer: "mqtt/build/lib/connect/index.js", specifier: "./tls", names: ["default"], functions: true },
  { importer: "mqtt/build/lib/connect/tcp.js", specifier: "./socks", names: ["default"] },
  { importer: "mqtt/build/lib/connect/tls.js", specifier: "./socks", names: ["default"] },
  { importer: "mqtt/build/lib/topic-alias-send.js", specifier: "lru-cache", names: ["LRUCache"] },
];

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
    alias: {
      // readable-stream 4 is a copy of Node's streams for browsers (its own READABLE_STREAM=disable
      // switch answers with node:stream); the Node it runs on has them built in.
      "readable-stream": "node:stream",
      // MQTT.js's timers for browser tabs (a Web Worker): never chosen on Node.
      "worker-timers": path.join(REPO, "tools/build/no-worker-timers.cjs"),
    },
    plugins: [lazyModules(LAZY), standIn("debug", path.join(REPO, "tools/build/debug-when-asked.cjs"))],
    // No V8 flag here (broker-bridge/bin/shipgate.js sets one for the long-running bridge): the
    // client allocates too little for its young generation to grow, and loading node:v8 to set
    // it cost more start-up time than it saved (docs/performance.md, "Footprint").
    banner: {
      js: "#!/usr/bin/env node\n// shipgate gate, self-contained (built from pipeline-client/src/standalone.ts by npm run build:gate; do not edit).",
    },
    logLevel: "warning",
  };
}
