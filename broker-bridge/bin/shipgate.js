#!/usr/bin/env node
// The shipgate command: the JavaScript that `npm run build` makes in ../dist (tools/build/build.ts;
// `npm ci` and `npm pack` run it). Nothing here loads a TypeScript compiler.
let cli;
try {
  cli = await import("../dist/main.js");
} catch (err) {
  if (err?.code !== "ERR_MODULE_NOT_FOUND" || !String(err.message).includes("dist/main.js")) throw err;
  process.stderr.write("shipgate: not built: run `npm run build` in the repository (dist/main.js is missing)\n");
  process.exit(3);
}
process.exitCode = await cli.main(process.argv.slice(2));
