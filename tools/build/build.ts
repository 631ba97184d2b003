// The build: what ships is JavaScript, so no shipped command loads tsx or esbuild at run time.
//   broker-bridge/dist/   the shipgate command (cli/main.ts and, split into chunks, each command
//                         it loads on demand), the workspace packages, zod and fastify bundled
//                         in, the other npm dependencies left to node_modules; dashboard/ holds
//                         the browser bundles and page.
//   the self-contained gate file (pipeline-client/src/standalone.ts, mqtt bundled): written to
//   its committed place only with --gate (npm run build:gate); otherwise to dist/ for comparison.
// Run by `npm run build` (and `prepare`, so `npm ci` builds), by ava's config before tests, and
// by `npm pack`.

import { cpSync, existsSync, mkdirSync, readFileSync, readdirSync, renameSync, rmSync, writeFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import * as esbuild from "esbuild";
import { DASHBOARD_BUNDLES, DASHBOARD_FILES, DASHBOARD_SOURCES, bundleScript } from "../../broker-bridge/src/dashboard/assets";
import { GATE_FILE, gateFileOptions } from "./gate-file";

const REPO = fileURLToPath(new URL("../../", import.meta.url));
const BRIDGE = path.join(REPO, "broker-bridge");
export const BRIDGE_DIST = path.join(BRIDGE, "dist");

/** Dependencies bundled into dist/ after all: zod is some sixty ES modules that Node resolves and
 *  links one by one (about 70 ms at every start); bundled, it is one file esbuild also trims.
 *  fastify and the packages it requires at load (avvio, find-my-way, semver, ...; some fifty
 *  CommonJS files, each resolved, read and wrapped on its own): bundled, the idle bridge is about
 *  6 MiB smaller and starts sooner; pino (no transports here, so none of its worker files is
 *  needed) and prom-client's four classes save another 10 % of the start (docs/performance.md,
 *  "Footprint"). fastify stays a dependency of the package: its schema compilers load from its
 *  folder (http/http-server.ts). aedes stays out: the bridge sets its mqtt-packet's options. */
const BUNDLED = new Set(["zod", "fastify", "pino", "prom-client"]);

/** What bundled fastify requires only without our compilersFactory (http/http-server.ts passes
 *  one, so never): Ajv and fast-json-stringify, 580 KB that would sit in the bundle unused. */
const NEVER_LOADED = ["@fastify/ajv-compiler", "@fastify/fast-json-stringify-compiler"];

/** npm packages the bridge's bundle leaves to node_modules: the dependencies the tarball declares. */
function externals(): string[] {
  const pkg = JSON.parse(readFileSync(path.join(BRIDGE, "package.json"), "utf8")) as { dependencies?: Record<string, string> };
  const names = Object.keys(pkg.dependencies ?? {}).filter((n) => !n.startsWith("@shipgate/") && !BUNDLED.has(n));
  // esbuild: only the source run of the dashboard imports it, behind a branch the define removes.
  return [...names, ...NEVER_LOADED, "esbuild"].flatMap((n) => [n, `${n}/*`]);
}

/** The twin reports the firmware package's version (firmware/adapters/node/system.ts). */
function firmwareVersion(): string {
  return (JSON.parse(readFileSync(path.join(REPO, "firmware/package.json"), "utf8")) as { version: string }).version;
}

/** Builds into a fresh folder and swaps it in, so a command started meanwhile (another test run)
 *  sees the old build or the new one, never half of each. */
export async function buildBridge(target = BRIDGE_DIST): Promise<void> {
  const outdir = `${target}.${process.pid}.tmp`;
  rmSync(outdir, { recursive: true, force: true });
  await esbuild.build({
    // The PostgreSQL store's worker thread is started from its own file (ha/pg-sync-db.ts), so it
    // is an entry of its own: dist/pg-sync-worker.js, beside the chunks that load it.
    entryPoints: { main: path.join(BRIDGE, "src/cli/main.ts"), "pg-sync-worker": path.join(BRIDGE, "src/ha/pg-sync-worker.ts") },
    outdir,
    bundle: true,
    splitting: true,
    format: "esm",
    platform: "node",
    target: "node20",
    chunkNames: "[name]-[hash]",
    external: externals(),
    define: { __SHIPGATE_BUILT__: "true", __SHIPGATE_FIRMWARE_VERSION__: JSON.stringify(firmwareVersion()) },
    sourcemap: "linked",
    sourcesContent: false,
    legalComments: "none",
    // Bundled CommonJS (fastify) requires Node's built-ins and the external packages: in an ES
    // module that needs a require of its own.
    banner: { js: 'import { createRequire as __shipgateCreateRequire } from "node:module";\nconst require = __shipgateCreateRequire(import.meta.url);' },
    logLevel: "warning",
  });
  asciiOnly(outdir);
  const dashboard = path.join(outdir, "dashboard");
  mkdirSync(dashboard, { recursive: true });
  for (const [name, b] of Object.entries(DASHBOARD_BUNDLES)) writeFileSync(path.join(dashboard, name), await bundleScript(DASHBOARD_SOURCES + b.entry, b.minify));
  for (const name of DASHBOARD_FILES) cpSync(DASHBOARD_SOURCES + name, path.join(dashboard, name));
  const old = `${target}.${process.pid}.old`;
  if (existsSync(target)) renameSync(target, old);
  renameSync(outdir, target);
  rmSync(old, { recursive: true, force: true });
}

/** V8 keeps a script's source for as long as it runs, as a two-byte string when one character
 *  is not ASCII: one em dash in a comment of zod's doubled the config chunk (289 KB) in every
 *  process's heap. esbuild escapes strings and templates already (charset ascii), so what is
 *  left is comments; they get the same escape. */
function asciiOnly(dir: string): void {
  for (const name of readdirSync(dir)) {
    if (!name.endsWith(".js")) continue;
    const file = path.join(dir, name);
    const text = readFileSync(file, "utf8");
    if (/[^\x00-\x7f]/.test(text))
      writeFileSync(
        file,
        text.replace(/[^\x00-\x7f]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`),
      );
  }
}

export const CONCOURSE_DIST = path.join(REPO, "integrations/concourse/dist");

/** The Concourse resource: resource.cjs (mqtt bundled) and the check, in and out scripts that
 *  /opt/resource holds (integrations/concourse/Dockerfile copies this folder and the gate file). */
export async function buildConcourse(outdir = CONCOURSE_DIST): Promise<void> {
  rmSync(outdir, { recursive: true, force: true });
  await esbuild.build({
    ...gateFileOptions(),
    entryPoints: [path.join(REPO, "integrations/concourse/src/main.ts")],
    outfile: path.join(outdir, "resource.cjs"),
    // out.ts finds the gate file beside itself through import.meta.url, which CommonJS lacks.
    define: { "import.meta.url": "__resource_url" },
    banner: { js: '// The shipgate Concourse resource, built from integrations/concourse/src by npm run build.\nconst __resource_url = require("node:url").pathToFileURL(__filename).href;' },
  });
  for (const command of ["check", "in", "out"]) {
    writeFileSync(path.join(outdir, command), `#!/usr/bin/env node\nrequire("./resource.cjs").main(${JSON.stringify(command)}).then((code) => { process.exitCode = code; });\n`, { mode: 0o755 });
  }
}

/** The self-contained gate file, as the committed one should be. */
export async function buildGateFile(outfile: string): Promise<void> {
  await esbuild.build({ ...gateFileOptions(), outfile });
}

if (process.argv[1] !== undefined && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const started = Date.now();
  const gateOnly = process.argv.includes("--gate");
  if (!gateOnly) await Promise.all([buildBridge(), buildConcourse()]);
  await buildGateFile(gateOnly ? GATE_FILE : path.join(BRIDGE_DIST, "shipgate-gate.cjs"));
  process.stderr.write(`build: ${gateOnly ? path.relative(REPO, GATE_FILE) : "broker-bridge/dist"} in ${Date.now() - started} ms\n`);
}
