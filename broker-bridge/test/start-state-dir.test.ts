// Where `shipgate start --config elsewhere/shipgate.yml` keeps its state, so that the commands run
// beside it find the local admin credential: ./.shipgate of the working directory unless the file
// says otherwise, and when it does, start says which SHIPGATE_STATE_DIR the commands need.
import test from "ava";
import { existsSync, mkdirSync, writeFileSync } from "node:fs";
import path from "node:path";
import { freePort, runShipgate, tempDir, waitFor } from "./helpers/bridge";

async function startIn(cwd: string, config: string, ports: { broker: number; http: number }) {
  const env = { SHIPGATE_STATE_DIR: undefined, SHIPGATE_BROKER_PORT: String(ports.broker), SHIPGATE_HTTP_PORT: String(ports.http) };
  const bridge = runShipgate(["start", "--config", config], env, cwd);
  await waitFor("the bridge to listen", () => /dashboard and API on/.test(bridge.stderr()), 60_000);
  return { bridge };
}

test.serial("a config in another directory without state_dir: state in ./.shipgate here, and status works from here", async (t) => {
  const cwd = tempDir("shipgate-cwd-");
  const confDir = path.join(tempDir("shipgate-conf-"), "etc");
  mkdirSync(confDir);
  const config = path.join(confDir, "shipgate.yml");
  writeFileSync(config, "log_level: warn\n");
  const ports = { broker: await freePort(), http: await freePort() };
  const { bridge } = await startIn(cwd, config, ports);
  try {
    t.true(existsSync(path.join(cwd, ".shipgate", "local-admin.json")), bridge.stderr());
    t.false(existsSync(path.join(confDir, ".shipgate")), "the state does not follow the config file");
    t.notRegex(bridge.stderr(), /need SHIPGATE_STATE_DIR/);
    const status = runShipgate(["status"], { SHIPGATE_BROKER_PORT: String(ports.broker) }, cwd);
    t.is(await status.exit, 0, status.stderr());
    t.regex(status.stdout(), /mode/);
  } finally {
    bridge.child.kill("SIGTERM");
    await bridge.exit;
  }
});

test.serial("a state_dir of its own: start names the SHIPGATE_STATE_DIR the commands need", async (t) => {
  const cwd = tempDir("shipgate-cwd-");
  const confDir = tempDir("shipgate-conf-");
  const config = path.join(confDir, "shipgate.yml");
  writeFileSync(config, "state_dir: ./state\nlog_level: warn\n");
  const ports = { broker: await freePort(), http: await freePort() };
  const { bridge } = await startIn(cwd, config, ports);
  try {
    const state = path.join(confDir, "state");
    t.true(existsSync(path.join(state, "local-admin.json")));
    // The hint comes after the listening lines, maybe in a later chunk of stderr.
    const hint = new RegExp(`^shipgate: commands on this machine need SHIPGATE_STATE_DIR=${state} \\(they look in ${path.join(cwd, ".shipgate")}\\)$`, "m");
    await waitFor("the state-dir hint", () => hint.test(bridge.stderr()), 10_000).catch(() => {});
    t.regex(bridge.stderr(), hint);
    // A stale ./.shipgate from another bridge: status says where its credentials came from.
    mkdirSync(path.join(cwd, ".shipgate"));
    writeFileSync(path.join(cwd, ".shipgate", "local-admin.json"), JSON.stringify({ username: "admin", password: "from-another-bridge" }));
    const status = runShipgate(["status"], { SHIPGATE_STATE_DIR: undefined, SHIPGATE_BROKER_PORT: String(ports.broker) }, cwd);
    t.is(await status.exit, 3);
    t.regex(status.stderr(), /bad user name or password/);
    t.regex(status.stderr(), new RegExp(`the credentials came from ${path.join(cwd, ".shipgate", "local-admin.json")}; point SHIPGATE_STATE_DIR at the state directory`));
    const fixed = runShipgate(["status"], { SHIPGATE_STATE_DIR: state, SHIPGATE_BROKER_PORT: String(ports.broker) }, cwd);
    t.is(await fixed.exit, 0, fixed.stderr());
  } finally {
    bridge.child.kill("SIGTERM");
    await bridge.exit;
  }
});
