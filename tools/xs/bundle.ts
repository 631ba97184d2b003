// Bundles code under test into one classic script for XS. XS's own ESM loader swallows load errors
// (shared/docs/moddable.md), so the harness evaluates an IIFE instead. esbuild follows the
// workspace symlink node_modules/@shipgate/protocol -> protocol/ and its package.json "exports",
// so `@shipgate/protocol` and `@shipgate/protocol/<file>` resolve without tsconfig paths.

import path from "node:path";
import { fileURLToPath } from "node:url";
import { build } from "esbuild";

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..", "..");

/**
 * One script: `entrySource` (TypeScript, may import by absolute path) with every import inlined.
 * es2022 lowers no syntax XS 13.3 lacks, and esbuild adds no polyfills: a call to an API that XS
 * does not have stays in the bundle and fails in XS, which is what the harness is for.
 */
export async function bundleForXs(entrySource: string, label: string): Promise<string> {
  const result = await build({
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
