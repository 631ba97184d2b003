#!/usr/bin/env node
// The shipgate command: the JavaScript that `npm run build` makes in ../dist (tools/build/build.ts;
// `npm ci` and `npm pack` run it). Nothing here loads a TypeScript compiler.
import nodeModule from "node:module";
import { setFlagsFromString } from "node:v8";

// Keep V8's young generation at its initial 1 MiB semi-spaces instead of letting it grow to 16 MiB:
// the bridge's allocations are small and short-lived, and the grown space stays resident (about
// 12 MiB of an idle bridge's RSS). The flag is read each time the space would grow, so setting it
// here, before anything is loaded, works without re-executing node. docs/performance.md has the
// figures (idle RSS, and decision throughput with and without it).
setFlagsFromString("--semi-space-growth-factor=1");

// readable-stream 4 (under aedes's packet parser, through bl) is a copy of Node's streams for
// browsers; its own switch makes it answer with node:stream, which this Node has loaded already:
// 18 modules fewer at start (docs/performance.md, "Footprint"). An explicit setting is kept.
process.env.READABLE_STREAM ??= "disable";

// Node 22.1 and later keep V8's compiled code of dist/ in a cache (os.tmpdir()/node-compile-cache,
// NODE_DISABLE_COMPILE_CACHE=1 turns it off), so a second start skips most of the compiling; Node 20
// has no such function and compiles every time, as before.
nodeModule.enableCompileCache?.();

let cli;
try {
  cli = await import("../dist/main.js");
} catch (err) {
  if (err?.code !== "ERR_MODULE_NOT_FOUND" || !String(err.message).includes("dist/main.js")) throw err;
  process.stderr.write("shipgate: not built: run `npm run build` in the repository (dist/main.js is missing)\n");
  process.exit(3);
}
process.exitCode = await cli.main(process.argv.slice(2));
