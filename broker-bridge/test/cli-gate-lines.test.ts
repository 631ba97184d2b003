// The line `shipgate gate` prints for a decision says who decided once: a default reason that only
// restates decided_by ("rejected by user:admin", "blocked mode" for mode:blocked) is not repeated,
// a reason someone gave is. A real `shipgate start`, the real gate and reject/mode commands.
import test from "ava";
import { writeFileSync } from "node:fs";
import path from "node:path";
import { freePort, runShipgate, tempDir, waitFor } from "./helpers/bridge";

async function bridge(t: import("ava").ExecutionContext, config?: string): Promise<NodeJS.ProcessEnv> {
  const state = tempDir("shipgate-lines-");
  let configFile: string | undefined;
  if (config !== undefined) {
    configFile = path.join(state, "shipgate.yaml");
    writeFileSync(configFile, config);
  }
  const env = {
    SHIPGATE_STATE_DIR: state,
    SHIPGATE_BROKER_PORT: String(await freePort()),
    SHIPGATE_HTTP_PORT: String(await freePort()),
    SHIPGATE_CONFIG: configFile,
    SHIPGATE_BROKER_URL: undefined,
    SHIPGATE_USERNAME: undefined,
  };
  const b = runShipgate(["start"], env);
  t.teardown(async () => void (b.child.kill("SIGTERM"), await b.exit));
  await waitFor("the bridge to listen", () => /dashboard and API on/.test(b.stderr()), 60_000);
  return env;
}

async function decided(env: NodeJS.ProcessEnv, decide: string[]): Promise<{ code: number | null; lines: string[] }> {
  const gate = runShipgate(["gate", "--pipeline", "api", "--step", "deploy-prod"], env);
  await waitFor("the gate to wait", () => /waiting for approval/.test(gate.stderr()), 30_000);
  const d = runShipgate(decide, env);
  if ((await d.exit) !== 0) throw new Error(`${decide.join(" ")}: ${d.stderr()}`);
  const code = await gate.exit;
  return {
    code,
    lines: gate
      .stderr()
      .trim()
      .split("\n")
      .filter((l) => !/waiting for approval/.test(l)),
  };
}

test.serial("a reject without a reason names the decider once", async (t) => {
  const env = await bridge(t);
  const { code, lines } = await decided(env, ["reject"]);
  t.is(code, 1);
  t.deepEqual(lines, ["shipgate: api/deploy-prod rejected by user:admin"]);
  const withReason = await decided(env, ["reject", "--reason", "the migration is not reviewed"]);
  t.deepEqual(withReason.lines, ["shipgate: api/deploy-prod rejected by user:admin: the migration is not reviewed"]);
});

test.serial("blocked mode without a reason: rejected by mode:blocked, once; with a reason, the reason", async (t) => {
  const env = await bridge(t);
  const { code, lines } = await decided(env, ["mode", "blocked"]);
  t.is(code, 1);
  t.deepEqual(lines, ["shipgate: api/deploy-prod rejected by mode:blocked"]);
  t.is(await runShipgate(["mode", "default"], env).exit, 0);
  const withReason = await decided(env, ["mode", "blocked", "--reason", "incident 42"]);
  t.deepEqual(withReason.lines, ["shipgate: api/deploy-prod rejected by mode:blocked: incident 42"]);
});

test.serial('a refusal names the pipeline once (not "pipeline pipeline api")', async (t) => {
  const env = await bridge(t, "gates:\n  max_pending_per_pipeline: 1\n");
  const first = runShipgate(["gate", "--pipeline", "api", "--step", "deploy-prod"], env);
  t.teardown(() => void first.child.kill("SIGKILL"));
  await waitFor("the first gate to wait", () => /waiting for approval/.test(first.stderr()), 30_000);
  const second = runShipgate(["gate", "--pipeline", "api", "--step", "migrate"], env);
  t.is(await second.exit, 3);
  t.is(second.stderr().trim(), "shipgate gate: refused: pipeline api already has 1 pending lock from admin (limit 1)");
});
