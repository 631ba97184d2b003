// The command line's outside world: the pipeline client's, so `shipgate gate` runs there unchanged,
// and the bridge's own hints.

import { accessSync, constants } from "node:fs";
import path from "node:path";

export { type Io, processIo } from "@shipgate/pipeline-client/io";

/** How to run shipgate from here, as printed in hints: "shipgate" when it is on PATH (npm start
 *  adds node_modules/.bin to PATH only for itself, so that entry does not count), else "npx shipgate". */
export function shipgateCommand(env: NodeJS.ProcessEnv): string {
  for (const dir of (env.PATH ?? "").split(path.delimiter)) {
    if (dir === "" || dir.split(path.sep).includes("node_modules")) continue;
    try {
      accessSync(path.join(dir, "shipgate"), constants.X_OK);
      return "shipgate";
    } catch {
      /* not here */
    }
  }
  return "npx shipgate";
}
