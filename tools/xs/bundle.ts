// Bundles code under test into one classic script for XS. XS's own ESM loader swallows load errors
// (shared/docs/moddable.md), so the harness evaluates an IIFE instead. esbuild follows the
// workspace symlink node_modules/@shipgate/protocol -> protocol/ and its package.json "exports",
// so `@shipgate/protocol` and `@shipgate/protocol/<file>` resolve without tsconfig paths.

import path from "node:path";
import { fileURLToPath } from "node:url";
import { build, type Plugin } from "esbuild";

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..", "..");

/**
 * One script: `entrySource` (TypeScript, may import by absolute path) with every import inlined.
 * es2022 lowers no syntax XS 13.3 lacks, and esbuild adds no polyfills: a call to an API that XS
 * does not have stays in the bundle and fails in XS, which is what the harness is for.
 */
export async function bundleForXs(entrySource: string, label: string, modules: Readonly<Record<string, string>> = {}): Promise<string> {
  const result = await build({
    plugins: Object.keys(modules).length === 0 ? [] : [moduleMap(modules)],
    stdin: { contents: entrySource, resolveDir: repoRoot, sourcefile: label, loader: "ts" },
    bundle: true,
    write: false,
    format: "iife",
    target: "es2022",
    platform: "neutral",
    // "neutral" reads no main fields by default; the workspaces use "exports", older packages "main".
    mainFields: ["module", "main"],
    logLevel: "silent",
    legalComments: "none",
  });
  const file = result.outputFiles[0];
  if (file === undefined) throw new Error(`esbuild produced no output for ${label}`);
  return file.text;
}

/**
 * Resolves the named module specifiers (the Moddable SDK's "mqtt/js", "embedded:io/socket/tcp",
 * "preference", ...) to the given files, so adapter code that imports SDK modules runs in xsnap
 * against fakes of them. Any other specifier resolves as usual.
 */
function moduleMap(modules: Readonly<Record<string, string>>): Plugin {
  return {
    name: "shipgate-module-map",
    setup(b) {
      b.onResolve({ filter: /.*/ }, (args) => {
        const file = modules[args.path];
        return file === undefined ? undefined : { path: path.resolve(file) };
      });
    },
  };
}
