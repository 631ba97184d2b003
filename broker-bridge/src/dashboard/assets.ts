// The dashboard's files, served from memory: the HTML page, its stylesheet, and the TypeScript
// front end bundled by esbuild for the browser. The built bridge (npm run build) reads the bundles
// the build made, beside it in dist/dashboard/, and never loads esbuild; run from the sources
// (tests, tsx) it bundles them once per process. Nothing is fetched from elsewhere.

import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import type * as Esbuild from "esbuild";

/** Set by the build (tools/build/build.ts) through esbuild's define; absent when run from sources. */
declare const __SHIPGATE_BUILT__: boolean | undefined;
const BUILT = typeof __SHIPGATE_BUILT__ !== "undefined" && __SHIPGATE_BUILT__;

/** Where the browser sources live: broker-bridge/dashboard/ (built: dist/dashboard/, with the bundles). */
export const DASHBOARD_SOURCES = fileURLToPath(BUILT ? new URL("./dashboard/", import.meta.url) : new URL("../../dashboard/", import.meta.url));

/** The bundles by file name in dist/dashboard/, and how each is made. */
export const DASHBOARD_BUNDLES = Object.freeze({ "app.js": { entry: "main.ts", minify: false }, "gadget.js": { entry: "virtual-gadget.ts", minify: true } });
/** The plain files copied next to them. */
export const DASHBOARD_FILES = Object.freeze(["index.html", "dashboard.css"]);

export interface Asset {
  body: Buffer;
  contentType: string;
  /** A strong validator for If-None-Match (RFC 9110 section 8.8.3). */
  etag: string;
}

export interface DashboardAssets {
  /** By URL path. */
  readonly files: ReadonlyMap<string, Asset>;
}

export const ASSET_PATHS = Object.freeze({ page: "/", script: "/dashboard/app.js", style: "/dashboard/app.css", gadget: "/dashboard/gadget.js" });

export class AssetBuildError extends Error {
  readonly code = "DASHBOARD_BUILD";
}

function asset(body: string | Uint8Array, contentType: string): Asset {
  const buf = typeof body === "string" ? Buffer.from(body, "utf8") : Buffer.from(body);
  return { body: buf, contentType, etag: `"${createHash("sha256").update(buf).digest("base64url").slice(0, 22)}"` };
}

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

function readSource(name: string): string {
  const file = DASHBOARD_SOURCES + name;
  try {
    return readFileSync(file, "utf8");
  } catch (err) {
    throw new AssetBuildError(`dashboard: cannot read ${file} (${(err as NodeJS.ErrnoException).code ?? err})`, { cause: err });
  }
}

/** Bundles made in this process, by entry: bridges started again in one process (tests, a
 *  restart of the service) reuse them; a failed bundle is not kept. */
const bundles = new Map<string, Promise<string>>();

/** Bundles a browser entry (main.ts and what it imports: protocol/, firmware/core/) into one ES module. */
export function bundleScript(entry = DASHBOARD_SOURCES + "main.ts", minify = false): Promise<string> {
  const key = `${entry}\0${minify}`;
  let bundle = bundles.get(key);
  if (bundle === undefined) {
    bundle = runEsbuild(entry, minify);
    bundles.set(key, bundle);
    bundle.catch(() => bundles.delete(key));
  }
  return bundle;
}

async function runEsbuild(entry: string, minify: boolean): Promise<string> {
  let result: Esbuild.BuildResult<{ write: false }>;
  try {
    const esbuild = await import("esbuild");
    result = await esbuild.build({
      entryPoints: [entry],
      bundle: true,
      format: "esm",
      platform: "browser",
      // Browsers of the last few years; the firmware core is ES2022 (class fields, no newer APIs).
      target: ["es2022"],
      write: false,
      minify,
      legalComments: "none",
      logLevel: "silent",
      charset: "utf8",
    });
  } catch (err) {
    const failure = err as Esbuild.BuildFailure;
    const first = failure.errors?.[0];
    const where = first?.location ? `${first.location.file}:${first.location.line}:${first.location.column}` : entry;
    throw new AssetBuildError(`dashboard: cannot bundle the front end at ${where}: ${first?.text ?? String(err)}`, { cause: err });
  }
  const out = result.outputFiles[0];
  if (out === undefined) throw new AssetBuildError(`dashboard: esbuild produced no output for ${entry}`);
  return out.text;
}

export async function buildAssets(title: string): Promise<DashboardAssets> {
  // The virtual gadget (the firmware's App with MQTT.js's browser build) is a separate bundle,
  // loaded by the page only when someone starts it.
  // The page's own script stays readable (40 KB); the gadget bundle, mostly MQTT.js, is minified.
  const [script, gadget] = BUILT
    ? [readSource("app.js"), readSource("gadget.js")]
    : await Promise.all([bundleScript(DASHBOARD_SOURCES + DASHBOARD_BUNDLES["app.js"].entry), bundleScript(DASHBOARD_SOURCES + DASHBOARD_BUNDLES["gadget.js"].entry, true)]);
  const html = readSource("index.html").replaceAll("{{title}}", escapeHtml(title));
  const files = new Map<string, Asset>([
    [ASSET_PATHS.page, asset(html, "text/html; charset=utf-8")],
    [ASSET_PATHS.script, asset(script, "text/javascript; charset=utf-8")],
    [ASSET_PATHS.style, asset(readSource("dashboard.css"), "text/css; charset=utf-8")],
    [ASSET_PATHS.gadget, asset(gadget, "text/javascript; charset=utf-8")],
  ]);
  return { files };
}
