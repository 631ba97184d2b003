// The PostgreSQL store costs nothing until it is configured: a bridge on its SQLite file loads
// neither pg nor synckit, and starts no worker thread; with store.url it loads synckit and starts
// the facade's worker (where pg loads). Checked on the built `shipgate start`, with a require hook
// that records every CommonJS package it loads (synckit comes through createRequire), a resolve
// hook that records every ES module import of the main thread, and the thread count from /proc.

import test from "ava";
import { readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { freePort, runShipgate, tempDir, waitFor } from "./helpers/bridge";
import { postgresOnly, storeUrl } from "./helpers/store-backends";

async function startTraced(extraEnv: NodeJS.ProcessEnv): Promise<{ loaded: string[]; threads: number }> {
  const dir = tempDir("shipgate-lazy-");
  const log = path.join(dir, "required.log");
  const hook = path.join(dir, "hook.cjs");
  writeFileSync(
    hook,
    `const M = require("node:module"); const fs = require("node:fs"); const load = M._load;
M._load = function (request, parent, isMain) { fs.appendFileSync(${JSON.stringify(log)}, request + "\\n"); return load.apply(this, arguments); };\n`,
  );
  // ES module imports, by URL (a resolve hook, as package-install.test.ts records them).
  writeFileSync(
    path.join(dir, "hooks.mjs"),
    `import { appendFileSync } from "node:fs";\nexport async function resolve(s, c, next) { const r = await next(s, c); appendFileSync(${JSON.stringify(log)}, r.url + "\\n"); return r; }\n`,
  );
  writeFileSync(path.join(dir, "trace.mjs"), `import { register } from "node:module";\nregister("./hooks.mjs", import.meta.url);\n`);
  writeFileSync(log, "");
  const run = runShipgate(["start"], {
    SHIPGATE_STATE_DIR: path.join(dir, "state"),
    SHIPGATE_BROKER_PORT: String(await freePort()),
    SHIPGATE_HTTP_PORT: String(await freePort()),
    NODE_OPTIONS: `--require=${hook} --import=${path.join(dir, "trace.mjs")}`,
    ...extraEnv,
  });
  try {
    await waitFor("the bridge to listen", () => /dashboard and API on/.test(run.stderr()), 30_000);
    const threads = Number(/Threads:\s+(\d+)/.exec(readFileSync(`/proc/${run.child.pid}/status`, "utf8"))?.[1]);
    return { loaded: readFileSync(log, "utf8").split("\n").filter(Boolean), threads };
  } finally {
    run.child.kill("SIGTERM");
    await run.exit;
  }
}

const driver = (loaded: string[]) => loaded.filter((r) => /^(pg|synckit)(\/|$)/.test(r) || /node_modules\/(pg|synckit)\//.test(r));

let sqliteThreads = 0;

test.serial("on the SQLite file: neither pg nor synckit is loaded", async (t) => {
  const { loaded, threads } = await startTraced({});
  t.true(loaded.includes("bindings"), `the hook saw the CommonJS packages better-sqlite3 loads: ${loaded.join(", ")}`);
  t.true(
    // fastify, pino and prom-client are bundled into dist/; aedes is still imported from node_modules.
    loaded.some((u) => u.includes("/node_modules/aedes/")),
    "the resolve hook saw the bridge's imports",
  );
  t.deepEqual(driver(loaded), []);
  sqliteThreads = threads;
});

postgresOnly("with store.url: synckit loads and the facade's worker thread runs", async (t) => {
  const { loaded, threads } = await startTraced({ SHIPGATE_STORE_URL: storeUrl() as string });
  t.true(driver(loaded).includes("synckit"), loaded.join(", "));
  if (sqliteThreads > 0) t.true(threads > sqliteThreads, `more threads (the store worker): ${threads} against ${sqliteThreads}`);
});
