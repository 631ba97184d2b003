// deploy/shipgate-presence@.service and .timer: the unit's ExecStart, run as systemd would run it
// (instance name, host name and EnvironmentFile variables substituted; the install paths mapped
// to this checkout), makes a real node file appear in a real bridge's presence.directory; its
// --interval is the timer's period; and systemd-analyze finds nothing wrong with either unit.

import { execFileSync } from "node:child_process";
import { copyFileSync, existsSync, readFileSync } from "node:fs";
import { hostname } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import test from "ava";
import { runShipgate, tempDir, waitFor } from "./helpers/bridge";
import { startSecureBridge } from "./security-support";

const DEPLOY = fileURLToPath(new URL("../../deploy/", import.meta.url));
const SERVICE = readFileSync(path.join(DEPLOY, "shipgate-presence@.service"), "utf8");
const TIMER = readFileSync(path.join(DEPLOY, "shipgate-presence@.timer"), "utf8");

/** ExecStart with its continuation lines joined. */
function execStart(unit: string): string {
  const m = /^ExecStart=((?:.*\\\n)*.*)$/m.exec(unit);
  if (m === null) throw new Error("no ExecStart");
  return (m[1] as string).replace(/\\\n\s*/g, "");
}

/** systemd's specifiers and ${VAR} expansion (systemd.service(5) "Command lines"), word by word. */
function expand(line: string, instance: string, env: Record<string, string>): string[] {
  return line
    .split(/\s+/)
    .filter(Boolean)
    .map((w) =>
      w
        .replace(/%i/g, instance)
        .replace(/%H/g, hostname())
        .replace(/\$\{(\w+)\}/g, (_, k: string) => env[k] ?? ""),
    );
}

test("the timer's unit beats as its instance: a node file appears in the bridge's presence directory", async (t) => {
  const dir = path.join(tempDir("shipgate-timer-"), "nodes");
  const rig = await startSecureBridge({ presence: { directory: dir } });
  t.teardown(() => rig.stop());
  const node = rig.addUser("web-7", "viewer");
  const env = {
    SHIPGATE_BROKER_URL: rig.bridge.brokerUrl,
    SHIPGATE_USERNAME: node.username,
    SHIPGATE_PASSWORD: node.password,
    SHIPGATE_PRESENCE_PART: "web",
    SHIPGATE_PRESENCE_ADDR: "10.0.0.17:8080",
  };
  const argv = expand(execStart(SERVICE), "web-7", env);
  t.is(argv[0], "/usr/bin/node");
  t.is(argv[1], "/opt/shipgate/broker-bridge/bin/shipgate.js");
  // The bridge runs in this process: the command must run beside it, not block it (no spawnSync).
  const run = runShipgate(argv.slice(2), { ...env, SHIPGATE_STATE_DIR: tempDir() });
  t.is(await run.exit, 0, run.stderr());
  const file = path.join(dir, "web-7.json");
  await waitFor("the node's file", () => existsSync(file));
  const record = JSON.parse(readFileSync(file, "utf8")) as Record<string, unknown>;
  t.like(record, { node: "web-7", online: true, part: "web", interval_s: 60, facts: { addr: "10.0.0.17:8080", host: hostname() } });

  const period = /^OnUnitActiveSec=(\d+)s$/m.exec(TIMER)?.[1];
  t.is(/--interval \S+/.exec(execStart(SERVICE))?.[0], `--interval ${period}s`);
});

const analyze = ["/usr/bin/systemd-analyze", "/bin/systemd-analyze"].find((p) => existsSync(p));
(analyze ? test : test.skip)("systemd-analyze verify accepts the service and the timer", (t) => {
  const tmp = tempDir("shipgate-units-");
  for (const [from, to] of [
    ["shipgate-presence@.service", "shipgate-presence@web-1.service"],
    ["shipgate-presence@.timer", "shipgate-presence@web-1.timer"],
  ] as const) {
    copyFileSync(path.join(DEPLOY, from), path.join(tmp, to));
  }
  const out = execFileSync(analyze as string, ["verify", path.join(tmp, "shipgate-presence@web-1.service"), path.join(tmp, "shipgate-presence@web-1.timer")], {
    encoding: "utf8",
    stdio: ["ignore", "pipe", "pipe"],
  });
  t.is(out.trim(), "");
});
