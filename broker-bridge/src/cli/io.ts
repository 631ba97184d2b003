// The command line's outside world, injected so commands can be run inside tests.

import { accessSync, constants } from "node:fs";
import path from "node:path";
export interface Io {
  out(line: string): void;
  err(line: string): void;
  /** Writes text as it is (no line end added): exports stream through it when present. */
  write?(chunk: string): void;
  env: NodeJS.ProcessEnv;
}

export const processIo: Io = {
  out: (line) => void process.stdout.write(line + "\n"),
  err: (line) => void process.stderr.write(line + "\n"),
  write: (chunk) => void process.stdout.write(chunk),
  env: process.env,
};

/** How to run shipgate from here, as printed in hints: "shipgate" when it is on PATH (npm start
 *  adds node_modules/.bin to PATH only for itself, so that entry does not count), else "npx shipgate". */
export function shipgateCommand(env: NodeJS.ProcessEnv): string {
  for (const dir of (env.PATH ?? "").split(path.delimiter)) {
    if (dir === "" || dir.split(path.sep).includes("node_modules")) continue;
    try {
      accessSync(path.join(dir, "shipgate"), constants.X_OK);
      return "shipgate";
    } catch { /* not here */ }
  }
  return "npx shipgate";
}
