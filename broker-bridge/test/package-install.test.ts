// The tarball `npm pack` makes installs on its own and runs: packed from this checkout's build,
// installed with npm into an empty prefix outside the repository (its dependencies from the npm
// registry, dev dependencies left out), then `shipgate start` and a whole gate round trip run
// from the installed copy. A resolve hook logs every module the installed commands import, and
// the process tree is read: neither tsx nor esbuild may appear.
import test from "ava";
import { type ChildProcess, execFile, spawn } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, readdirSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { VERSION } from "../src/version";
import { freePort, waitFor } from "./helpers/bridge";

const run = promisify(execFile);
const REPO = fileURLToPath(new URL("../../", import.meta.url));

/** npm with none of the calling npm's settings (ava may run under `npm test`), except where to
 *  find Node's headers for compiling better-sqlite3 (.ci/run sets it for Node 22). */
function cleanEnv(extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) if ((!/^npm_/i.test(k) || k === "npm_config_nodedir") && k !== "NODE_OPTIONS" && k !== "INIT_CWD") env[k] = v;
  return { ...env, ...extra };
}

/** Child processes of pid (from /proc), with their command lines. */
function descendants(pid: number): string[] {
  const found: string[] = [];
  const children = (p: number): number[] => {
    try {
      return readFileSync(`/proc/${p}/task/${p}/children`, "utf8").trim().split(/\s+/).filter(Boolean).map(Number);
    } catch {
      return [];
    }
  };
  const queue = children(pid);
  while (queue.length > 0) {
    const c = queue.shift() as number;
    try {
      found.push(readFileSync(`/proc/${c}/cmdline`, "utf8").replaceAll("\0", " "));
    } catch {
      continue;
    }
    queue.push(...children(c));
  }
  return found;
}

test("npm pack, npm install -g into an empty prefix: shipgate starts and a gate round trip runs, without tsx or esbuild", async (t) => {
  t.timeout(600_000);
  const work = mkdtempSync(path.join(tmpdir(), "shipgate-pack-"));
  // The build ran before the tests (ava's config); --ignore-scripts keeps prepack from rebuilding
  // dist/ under the other tests' feet.
  await run("npm", ["pack", "-w", "broker-bridge", "--ignore-scripts", "--pack-destination", work], { cwd: REPO, env: cleanEnv() });
  const tarball = readdirSync(work).find((f) => /^shipgate-.*\.tgz$/.test(f));
  if (tarball === undefined) return t.fail("npm pack made no shipgate-*.tgz");
  const prefix = path.join(work, "prefix");
  const install = await run("npm", ["install", "-g", "--prefix", prefix, "--prefer-offline", "--no-audit", "--no-fund", path.join(work, tarball)], { cwd: work, env: cleanEnv(), maxBuffer: 16 << 20 });
  t.notRegex(install.stderr, /EBADENGINE/, "every dependency accepts this Node");
  const installed = path.join(prefix, "lib/node_modules/@shipgate/broker-bridge");
  for (const dev of ["tsx", "esbuild", "typescript", "ava", "@shipgate/protocol"]) t.false(existsSync(path.join(installed, "node_modules", dev)), `${dev} is not installed`);
  // The PostgreSQL store's client and its synchronous bridge ship (loaded only with store.url).
  for (const dep of ["pg", "synckit"]) t.true(existsSync(path.join(installed, "node_modules", dep)), `${dep} is installed`);
  t.true(existsSync(path.join(installed, "dist/pg-sync-worker.js")), "the store's worker thread is its own file in dist/");
  const bin = path.join(prefix, "bin/shipgate");

  // Every module the installed commands import, by URL (ES module resolve hook, Node's module.register).
  const trace = path.join(work, "imports.log");
  writeFileSync(
    path.join(work, "hooks.mjs"),
    `import { appendFileSync } from "node:fs";\nexport async function resolve(s, c, next) { const r = await next(s, c); appendFileSync(${JSON.stringify(trace)}, r.url + "\\n"); return r; }\n`,
  );
  writeFileSync(path.join(work, "trace.mjs"), `import { register } from "node:module";\nregister("./hooks.mjs", import.meta.url);\n`);
  const stateDir = path.join(work, "state");
  const ports = { broker: await freePort(), http: await freePort() };
  const env = cleanEnv({ SHIPGATE_STATE_DIR: stateDir, SHIPGATE_BROKER_PORT: String(ports.broker), SHIPGATE_HTTP_PORT: String(ports.http), NODE_OPTIONS: `--import=${path.join(work, "trace.mjs")}` });
  // Commands run from a directory without node_modules, as after a global install.
  const shipgate = (args: string[]) => run(bin, args, { cwd: work, env });

  t.is((await shipgate(["--version"])).stdout.trim(), VERSION);
  const spawned: ChildProcess[] = [];
  t.teardown(() => {
    for (const c of spawned) c.kill("SIGKILL");
  });
  const start = spawn(bin, ["start"], { cwd: work, env, stdio: ["ignore", "pipe", "pipe"] });
  spawned.push(start);
  let startErr = "";
  start.stderr.on("data", (d: Buffer) => (startErr += d.toString()));
  await waitFor("the installed bridge to listen", () => /dashboard and API on/.test(startErr) || start.exitCode !== null, 30_000);
  t.regex(startErr, new RegExp(`MQTT broker listening on .*mqtt://127\\.0\\.0\\.1:${ports.broker}`), startErr);
  const page = await fetch(`http://127.0.0.1:${ports.http}/`);
  t.is(page.status, 200, "the dashboard is served");
  for (const bundle of ["/dashboard/app.js", "/dashboard/gadget.js"]) {
    const res = await fetch(`http://127.0.0.1:${ports.http}${bundle}`);
    t.is(res.status, 200, `${bundle}, bundled at build time`);
    t.true((await res.text()).length > 1000);
  }

  const record = path.join(work, "record.json");
  const gate = spawn(bin, ["gate", "--pipeline", "api", "--step", "deploy-prod", "--record", record], { cwd: work, env, stdio: ["ignore", "pipe", "pipe"] });
  spawned.push(gate);
  let gateErr = "";
  gate.stderr.on("data", (d: Buffer) => (gateErr += d.toString()));
  const gateExit = new Promise<number | null>((resolve) => gate.once("exit", (code) => resolve(code)));
  await waitFor("the lock to wait", () => /waiting for approval/.test(gateErr), 15_000);
  const status = await shipgate(["status", "--json"]);
  t.like(JSON.parse(status.stdout), { mode: { mode: "default" } });
  t.true(
    descendants(start.pid as number).every((c) => !/tsx|esbuild/.test(c)),
    "no compiler process under the bridge",
  );
  await shipgate(["approve"]);
  t.is(await gateExit, 0, gateErr);
  t.like(JSON.parse(readFileSync(record, "utf8")), { pipeline: "api", step: "deploy-prod", state: "approved" });
  t.regex((await shipgate(["user", "list"])).stdout, /admin/);
  t.regex((await shipgate(["gadget", "--help"])).stdout, /Usage: shipgate gadget/);

  start.kill("SIGTERM");
  const imported = readFileSync(trace, "utf8").split("\n").filter(Boolean);
  t.true(
    // aedes: a dependency the bridge imports from node_modules (fastify is bundled into dist/).
    imported.some((u) => u.includes("/node_modules/aedes/")),
    "the trace saw the bridge's imports",
  );
  t.deepEqual(
    imported.filter((u) => /\/(tsx|esbuild)\//.test(u) || u.endsWith(".ts")),
    [],
    "no tsx, esbuild or TypeScript source is imported",
  );
  t.true(
    imported.filter((u) => u.startsWith("file:")).every((u) => u.includes(prefix) || u.includes(work)),
    "everything comes from the installed copy",
  );
});
