// The committed self-contained gate file (integrations/github-actions/shipgate-gate.cjs) is what
// a fresh build of pipeline-client/ makes, byte for byte: GitHub runs the committed file, so a
// change to the client that is not rebuilt (npm run build:gate) and committed fails here.
import test from "ava";
import { spawnSync } from "node:child_process";
import { copyFileSync, mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { GATE_FILE } from "../../tools/build/gate-file";
import { buildGateFile } from "../../tools/build/build";

test("the committed gate file is fresh", async (t) => {
  const fresh = path.join(mkdtempSync(path.join(tmpdir(), "gate-file-")), "shipgate-gate.cjs");
  await buildGateFile(fresh);
  const committed = readFileSync(GATE_FILE, "utf8");
  t.true(committed === readFileSync(fresh, "utf8"), `${path.basename(GATE_FILE)} differs from a fresh build: run npm run build:gate and commit it`);
});

test("the gate file runs alone with plain node: no package, no native module, no TypeScript loader", (t) => {
  const dir = mkdtempSync(path.join(tmpdir(), "gate-alone-"));
  const file = path.join(dir, "gate.cjs");
  copyFileSync(GATE_FILE, file);
  const text = readFileSync(file, "utf8");
  t.false(/require\("(mqtt|@shipgate\/[a-z-]+|tsx|esbuild|better-sqlite3)"\)/.test(text), "nothing left to node_modules");
  const help = spawnSync(process.execPath, [file, "--help"], { cwd: dir, encoding: "utf8", env: { PATH: process.env.PATH } });
  t.is(help.status, 0, help.stderr);
  t.regex(help.stdout, /Usage: shipgate gate --pipeline P --step S/);
  // The same usage errors and exit code 3 as `shipgate gate`.
  const bad = spawnSync(process.execPath, [file, "gate", "--pipeline", "api", "--step", "deploy", "--timeout", "soon"], { cwd: dir, encoding: "utf8", env: { PATH: process.env.PATH } });
  t.is(bad.status, 3);
  t.regex(bad.stderr, /--timeout must be a duration/);
});
