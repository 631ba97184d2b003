// docs/deploy-ha.md stays true: the files it lists exist, and the lease timings it quotes are the
// code's defaults.

import test from "ava";
import { existsSync, readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { STEP_DOWN_EXIT_CODE } from "../src/ha/bridge-role";
import { LEASE_DEFAULTS } from "../src/ha/lease";

const REPO = fileURLToPath(new URL("../../", import.meta.url));
const DOC = readFileSync(path.join(REPO, "docs/deploy-ha.md"), "utf8");

test("every file the table of parts names exists", (t) => {
  const rows = DOC.split("\n").filter((l) => l.startsWith("| ") && l.includes("`"));
  const named: string[] = [];
  for (const row of rows.slice(0, 6)) {
    const [, , files = "", tests = ""] = row.split("|");
    // A bare name in a cell is in the folder of the path before it; in the tests cell, the tests'.
    for (const [cell, base] of [
      [files, ""],
      [tests, "broker-bridge/test"],
    ] as const) {
      let dir: string = base;
      for (const m of cell.matchAll(/`([^`]+\.(?:ts|mjs))`/g)) {
        const file = m[1] as string;
        if (file.includes("/")) dir = path.dirname(file);
        named.push(file.includes("/") ? file : path.join(dir, file));
      }
    }
  }
  t.true(named.length >= 8, named.join(", "));
  for (const file of named) t.true(existsSync(path.join(REPO, file)), `${file} is listed in docs/deploy-ha.md`);
});

test("the lease timings the doc quotes are LEASE_DEFAULTS", (t) => {
  t.regex(DOC, new RegExp(`renew every\\s+${LEASE_DEFAULTS.renewMs} ms`));
  t.regex(DOC, new RegExp(`standby poll every\\s+${LEASE_DEFAULTS.pollMs} ms`));
  t.regex(DOC, new RegExp(`\`idle_session_timeout\`\\s+${LEASE_DEFAULTS.sessionTimeoutMs / 1000} s`));
});

test("the step-down exit code the doc gives is the one the bridge exits with", (t) => {
  t.regex(DOC, new RegExp(`exits at once with code \\*\\*${STEP_DOWN_EXIT_CODE}\\*\\*`));
});
